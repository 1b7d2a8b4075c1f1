"""Months of issues: the first of the month, the slug and the label ("March 2025")."""

import datetime

from events.dates import MONTHS

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
