"""The diary: categories (a snippet), the "Dates for your diary" listing and its events."""

from events.models.diary import EventIndexPage
from events.models.pages import EventPage
from events.models.snippets import EventCategory

__all__ = ["EventCategory", "EventIndexPage", "EventPage"]
