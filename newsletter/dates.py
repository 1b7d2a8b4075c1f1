"""Months of issues: the first of the month, the slug and the label ("March 2025")."""

import datetime

from events.dates import LONDON, MONTHS

# One list of month names for the whole site: the diary writes dates with the same words.
MONTH_NAMES = tuple(MONTHS)


def first_of_month(day):
    return day.replace(day=1)


def month_label(day):
    """'March 2025'."""
    return f"{MONTH_NAMES[day.month - 1]} {day.year}"


def issue_slug(day):
    """'march-2025': the default web address of an issue, unique for every month."""
    return f"{MONTH_NAMES[day.month - 1].lower()}-{day.year}"


def parse_month(text):
    """A month given as '2025-03' (the --date option of the importer) -> date(2025, 3, 1)."""
    try:
        return datetime.datetime.strptime(text.strip(), "%Y-%m").date()
    except ValueError:
        raise ValueError(f"'{text}' is not a month: write it as YYYY-MM, e.g. 2025-03") from None


def start_of_month(day):
    """9am in Leeds on the first of ``day``'s month: when an issue is taken to have come out
    when nothing better is known."""
    return datetime.datetime.combine(first_of_month(day), datetime.time(9), tzinfo=LONDON)


def issue_published_at(*, issue_date, first_published_at):
    """When an issue came out, for feeds and search engines: when it was first published
    on the site, unless that was after its month ended (a back issue imported or loaded
    later), when it is the start of its month."""
    next_month = (first_of_month(issue_date) + datetime.timedelta(days=32)).replace(day=1)
    if first_published_at is None or first_published_at >= start_of_month(next_month):
        return start_of_month(issue_date)
    return first_published_at
