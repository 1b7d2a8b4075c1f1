"""Rich text with links to pages, expanded for many values at once.

Wagtail stores a link to a page as ``<a linktype="page" id="42">`` and looks the page up when
the text is shown: two queries for each rich text value that has such links. A page showing
many values (the sections of an issue) expands them all together here instead, through
Wagtail's own rewriter, so it costs those two queries once.
"""

import secrets

from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.safestring import mark_safe

from wagtail.models import Page
from wagtail.rich_text import RichText, expand_db_html
from wagtail.rich_text.pages import PageLinkHandler as WagtailPageLinkHandler

from lscp_site.compiled_queries import objects_in_order


class PageLinkHandler(WagtailPageLinkHandler):
    """Wagtail's links to pages, each page's address worked out from one shared copy of the
    site root paths (Wagtail's own handler reads them from the cache once a link).
    Registered in lscp_site/wagtail_hooks.py in place of Wagtail's."""

    @classmethod
    def get_many(cls, attrs_list):
        """The linked pages, as plain pages in one query compiled once
        (lscp_site/compiled_queries.py). A link needs only a page's address, which comes from
        its stored url_path; no page type here works its address out another way, so
        Wagtail's load of each linked page's own row (a query per kind of page) is skipped."""
        ids = []
        for attrs in attrs_list:
            try:
                ids.append(int(attrs.get("id")))
            except (TypeError, ValueError):
                ids.append(None)
        return objects_in_order(Page, ids)

    @classmethod
    def expand_db_attributes_many(cls, attrs_list):
        pages = cls.get_many(attrs_list)
        return [f'<a href="{escape(page.localized.url)}">' if page else "<a>" for page in pages]


class ExpandedRichText(RichText):
    """A RichText whose links are already expanded: renders without a query."""

    def __init__(self, source, html):
        super().__init__(source)
        self.html = html

    def __html__(self):
        return render_to_string("wagtailcore/shared/richtext.html", {"html": self.html})


def expand_all(values):
    """ExpandedRichText for each RichText in ``values``, in order, in one expansion."""
    values = list(values)
    if not values:
        return []
    # Stored rich text never contains an HTML comment (the editor and the importer drop
    # them), and the marker is random, so it can only split where it was put.
    marker = f"<!--lscp-rich-text-{secrets.token_hex(8)}-->"
    expanded = expand_db_html(marker.join(value.source for value in values)).split(marker)
    if len(expanded) != len(values):  # pragma: no cover - a rewriter that dropped a marker
        return [ExpandedRichText(value.source, expand_db_html(value.source)) for value in values]
    return [
        ExpandedRichText(value.source, mark_safe(html))  # noqa: S308 - Wagtail's own output
        for value, html in zip(values, expanded, strict=True)
    ]


def expand_in_place(struct_values, field="text"):
    """Replace the RichText under ``field`` of each StructValue (e.g. a section's text) with
    its expanded form, all in one expansion."""
    holders = [
        value for value in struct_values if isinstance(value.get(field), RichText) and value[field]
    ]
    for holder, expanded in zip(
        holders, expand_all(holder[field] for holder in holders), strict=True
    ):
        holder[field] = expanded
