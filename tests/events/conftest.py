import pytest

from tests.events.factories import EventCategoryFactory, make_index


@pytest.fixture
def diary(home_page):
    """The "Dates for your diary" page at /events/."""
    return make_index(home_page, introduction="Awareness days, LSCP events and conferences.")


@pytest.fixture
def awareness_day(db):
    return EventCategoryFactory(name="Awareness day", slug="awareness-days")


@pytest.fixture
def awareness_week(db):
    return EventCategoryFactory(name="Awareness week", slug="awareness-weeks")


@pytest.fixture
def lscp_event(db):
    return EventCategoryFactory(name="LSCP event", slug="lscp-events")
