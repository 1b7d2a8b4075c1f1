import pytest
import time_machine

from lscp_site.models import SiteSettings
from tests.training.factories import london, make_course, make_index, make_session

# A Monday in March 2025, mid-morning in Leeds. Sessions in these tests are dated from it.
NOW = london(2025, 3, 3, 10, 0)


@pytest.fixture
def frozen_now():
    with time_machine.travel(NOW, tick=False):
        yield NOW


@pytest.fixture
def catalogue(home_page, frozen_now):
    """The training catalogue page at /training/."""
    return make_index(home_page, introduction="LSCP training for practitioners.")


@pytest.fixture
def webinar(catalogue):
    """'Child exploitation in Leeds', a live webinar on 8 May 2025, 2pm to 3pm, 10 places."""
    return make_course(
        catalogue,
        title="Child exploitation in Leeds - a guide for practitioners",
        slug="child-exploitation-in-leeds",
        summary="A live webinar introducing the Child Exploitation Practice Guidance.",
        sessions=[make_session(start=london(2025, 5, 8, 14), capacity=10)],
        revision=True,
    )


@pytest.fixture
def session(webinar):
    return webinar.sessions.get()


@pytest.fixture
def run_commit_hooks(django_capture_on_commit_callbacks):
    """Run what the code does after its transaction commits (the email tasks), as in
    production; inside a test's transaction it would otherwise never run."""

    def run():
        return django_capture_on_commit_callbacks(execute=True)

    return run


@pytest.fixture
def later():
    def travel(when):
        return time_machine.travel(when, tick=False)

    return travel


@pytest.fixture
def fragments_kept_until_their_moment(settings, db):
    """The page cache off, so every request renders, and fragments ({% cachefragment %})
    kept longer than any test travels in time: only a change or a moment their content
    told (pagecache.shown_until) ends them. The site's settings are saved first, as on a
    running site: their first read saves them, a change of content."""
    SiteSettings.load()
    settings.PAGE_CACHE_ENABLED = False
    settings.PAGE_CACHE_SECONDS = 365 * 24 * 60 * 60
