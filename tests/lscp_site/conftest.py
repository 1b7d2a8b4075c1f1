"""Fixtures the page cache's tests share (through the middleware and through the WSGI
front). Each test module gives its own ``site``."""

import datetime

import pytest

from events.dates import LONDON
from tests.events import factories

# When the morning event below is over.
NOON = datetime.datetime(2025, 5, 12, 12, 0, tzinfo=LONDON)


@pytest.fixture
def morning_event(site):
    """A morning's event on 12 May 2025, at /events/neglect-briefing/, over at noon."""
    return factories.make_event(
        factories.make_index(site),
        title="Neglect briefing",
        slug="neglect-briefing",
        start_date=NOON.date(),
        start_time=datetime.time(9, 30),
        end_time=NOON.time(),
    )
