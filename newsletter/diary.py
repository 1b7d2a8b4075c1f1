"""'Dates for your diary' in an issue: events and training sessions in one list by date.

One occasion is one line: an event that is the same occasion as a training session (the
session names it as its diary event, or they start together under the same title) is left
out for the session's line, which carries the places left and the link to book.

The diary block asks the events and training apps through their query functions
(events.queries.upcoming_events, training.queries.upcoming_sessions) and merges what they
return; it never reaches into their tables. Two queries for an automatic diary, none for a
hand-picked one (its events are loaded with the issue's body).
"""

import datetime
import re
from dataclasses import dataclass

from django.utils import timezone

from events.dates import LONDON
from events.queries import upcoming_events
from training.queries import upcoming_sessions

DEFAULT_WEEKS = 8
# An automatic diary lists at most this many dates, soonest first, then links to the rest:
# a busy few weeks (dozens of sessions) would otherwise make the issue long and slow.
MAX_AUTOMATIC_ITEMS = 15


class DiaryKind:
    EVENT = "event"
    TRAINING = "training"


@dataclass(frozen=True)
class DiaryItem:
    title: str
    start: datetime.date | datetime.datetime
    end: datetime.date | datetime.datetime | None
    url: str
    kind: str = DiaryKind.EVENT
    where: str = ""
    places_left: int | None = None  # training sessions still open to booking only

    @property
    def is_training(self):
        return self.kind == DiaryKind.TRAINING

    @property
    def sort_key(self):
        start = self.start
        if not isinstance(start, datetime.datetime):
            start = datetime.datetime.combine(start, datetime.time(0), tzinfo=LONDON)
        return (start, self.title.lower())


def event_item(event):
    return DiaryItem(
        title=event.title,
        start=event.starts,
        end=event.ends,
        url=event.url or "",
        kind=DiaryKind.EVENT,
        where=event.where,
    )


def session_item(session, *, now=None):
    now = now or timezone.now()
    course = session.course
    return DiaryItem(
        title=course.title,
        start=session.start,
        end=session.end,
        url=course.url or "",
        kind=DiaryKind.TRAINING,
        where=session.location,
        places_left=session.places_left if session.start > now else None,
    )


def _plain_title(title):
    """A title for matching: case, dashes and spacing aside."""
    return re.sub(r"[\s\-\u2010-\u2015]+", " ", title).casefold().strip()


def is_same_occasion(event, session):
    """Whether ``event`` is the diary's entry for ``session``: linked by the editor, or
    starting at the same moment under the course's title."""
    if session.diary_event_id is not None:
        return session.diary_event_id == event.pk
    return event.starts == session.start and _plain_title(event.title).startswith(
        _plain_title(session.course.title)
    )


def merge(*, events=(), sessions=()):
    """Events and sessions as DiaryItems, soonest first; an event that is the same occasion
    as one of the sessions is listed once, as the session."""
    now = timezone.now()
    events, sessions = list(events), list(sessions)
    events = [
        event
        for event in events
        if not any(is_same_occasion(event, session) for session in sessions)
    ]
    items = [event_item(event) for event in events]
    items += [session_item(session, now=now) for session in sessions]
    return sorted(items, key=lambda item: item.sort_key)


def automatic_diary(
    *, start, weeks=DEFAULT_WEEKS, include_training=True, limit=MAX_AUTOMATIC_ITEMS
):
    """The first ``limit`` events and sessions from ``start`` (a date) for ``weeks`` weeks."""
    end = start + datetime.timedelta(weeks=weeks, days=-1)
    events = upcoming_events(start=start, end=end, limit=limit)
    sessions = upcoming_sessions(start=start, end=end, limit=limit) if include_training else []
    return merge(events=events, sessions=sessions)[:limit]


def chosen_diary(*, events):
    """Hand-picked events that are still published, by date."""
    return merge(events=[event for event in events if event is not None and event.live])
