import pytest

from tests.newsletter import factories


@pytest.fixture
def newsletter_index(home_page):
    return factories.make_index(home_page)


@pytest.fixture
def event_index(home_page):
    return factories.make_event_index(home_page)


@pytest.fixture
def training_index(home_page):
    return factories.make_training_index(home_page)
