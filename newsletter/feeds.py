"""RSS 2.0 and Atom feeds of the newsletter: the latest issues with their summaries.

Feed readers read an item's description (RSS ``<description>``, Atom ``<summary
type="html">``) as HTML. An issue's summary is plain text, so it is HTML-escaped here, then
XML-escaped by Django's feed writer: a reader shows ``<script>`` in a summary as those
characters, never as markup.
"""

import html

from django.contrib.syndication.views import Feed
from django.utils.feedgenerator import Atom1Feed

from lscp_site.links import absolute as absolute_url
from newsletter import queries
from newsletter.markup import PUBLISHER, issue_title

FEED_LENGTH = 20


class IssuesFeed(Feed):
    title = "LSCP practitioners' newsletter"
    description = (
        "The monthly newsletter of the Leeds Safeguarding Children Partnership: training, "
        "guidance, learning from reviews and dates for your diary."
    )
    author_name = PUBLISHER
    language = "en-gb"

    def link(self):
        return absolute_url("/newsletter/")

    def feed_url(self):
        return absolute_url("/newsletter/feed/")

    def items(self):
        return list(queries.published_issues().defer("body")[:FEED_LENGTH])

    def item_title(self, item):
        return issue_title(item)

    def item_description(self, item):
        # Text, not an attribute: quotes need no escaping, and readers show them as typed.
        return html.escape(item.search_description or item.summary, quote=False)

    def item_link(self, item):
        return absolute_url(item.url)

    def item_guid(self, item):
        return absolute_url(item.url)

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return max(item.last_published_at or item.published_at, item.published_at)

    def item_author_name(self, item):
        return PUBLISHER


class AtomIssuesFeed(IssuesFeed):
    feed_type = Atom1Feed
    subtitle = IssuesFeed.description

    def feed_url(self):
        return absolute_url("/newsletter/feed/atom/")
