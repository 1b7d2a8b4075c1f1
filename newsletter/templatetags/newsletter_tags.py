from django import template

from lscp_site.links import absolute as _absolute_url
from newsletter import markup
from newsletter.dates import month_label as _month_label

register = template.Library()


@register.filter
def issue_title(issue):
    """{{ issue|issue_title }} -> 'March Newsletter 2025'."""
    return markup.issue_title(issue)


@register.filter
def month_label(day):
    """{{ issue.issue_date|month_label }} -> 'March 2025'."""
    return _month_label(day) if day else ""


@register.filter
def absolute_url(path):
    """{{ page.url|absolute_url }} -> 'https://lscp.example.org/newsletter/march-2025/'."""
    return _absolute_url(path) if path else ""


@register.filter
def news_article_data(issue):
    """{% json_ld page|news_article_data %}: the issue's schema.org NewsArticle."""
    return markup.news_article_data(issue)


@register.filter
def anchor_at(contents, index):
    """{{ contents|anchor_at:forloop.counter0 }}: the id of the heading of the body's block at
    ``index`` (newsletter.contents.issue_contents), or "" for a block without one."""
    return next((entry.anchor for entry in contents if entry.index == index), "")
