import pytest

from lscp_site.models import SiteSettings
from tests.events.factories import EventCategoryFactory, make_index


def cached(client, url):
    """Request ``url`` until it is served from the page cache; return that response."""
    first = client.get(url)
    assert first["X-Cache"] == "miss", url
    second = client.get(url)
    assert second["X-Cache"] == "hit", url
    return second


@pytest.fixture
def site_settings(db):
    """The site settings' row, made before any page is cached (making it is a change that
    makes cached pages stale)."""
    SiteSettings.load()


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
