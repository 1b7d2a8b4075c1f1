"""What the admin's CSV exports (bookings, subscribers) pass through, field by field.

Wagtail's ``list_export`` guards spreadsheet formulas in XLSX files only: in CSV a value a
person typed, such as ``=HYPERLINK(...)``, would run as a formula when the file is opened.
"""

from django.utils import timezone


def csv_safe(value):
    """Stop a spreadsheet reading someone's text as a formula (CSV injection)."""
    text = "" if value is None else str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


def local_time(value):
    """A moment as people in Leeds read it: '2025-05-08 14:00'; empty for none."""
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""
