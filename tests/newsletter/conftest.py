import pytest

from tests.newsletter import factories
from tests.snapshots import Snapshot

NEWSLETTER_INDEX, EVENT_INDEX, TRAINING_INDEX = Snapshot(), Snapshot(), Snapshot()


@pytest.fixture
def newsletter_index(home_page):
    return NEWSLETTER_INDEX(lambda: factories.make_index(home_page))


@pytest.fixture
def event_index(home_page):
    return EVENT_INDEX(lambda: factories.make_event_index(home_page))


@pytest.fixture
def training_index(home_page):
    return TRAINING_INDEX(lambda: factories.make_training_index(home_page))
