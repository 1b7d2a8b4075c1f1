"""``{% load event_dates %}{{ start|date_range:end }}``: the site's one way to write dates.

Events, training sessions and the newsletter's diary all print their dates through this
filter, so "12 to 18 May 2025" reads the same everywhere. The rule is events.dates.format_when.
"""

import logging

from django import template

from events.dates import format_when

register = template.Library()
logger = logging.getLogger(__name__)


@register.filter
def date_range(start, end=None):
    """ "18 March 2025", "12 to 18 May 2025", "8 May 2025, 2pm to 3pm".

    A missing start prints nothing. An end before the start (which the editors' forms do not
    allow) prints the start alone rather than breaking the page, and is logged.
    """
    if start in (None, ""):
        return ""
    if end == "":
        end = None
    try:
        return format_when(start, end)
    except ValueError:
        logger.warning("date_range: end %r is before start %r; showing the start only", end, start)
        return format_when(start)


@register.filter
def iso_date(day):
    """{{ event.start_date|iso_date }} -> '2025-03-18', for a <time datetime> attribute."""
    return day.isoformat()[:10] if day else ""


@register.filter
def iso_month(day):
    """{{ issue.issue_date|iso_month }} -> '2025-03', for a <time datetime> attribute."""
    return day.isoformat()[:7] if day else ""
