"""A NUL character anywhere in a request is a 400 with a page, never a 500 from the
database (PostgreSQL text cannot hold NUL), and nothing is stored."""

import pytest

from subscriptions.models import Subscriber
from tests.subscriptions.factories import SubscriberFactory, seed_topics

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path",
    [
        "/search/?q=%00",
        "/search/?q=abc%00def",
        "/search/?%00=x",
        "/subscribe/preferences/%00/",
        "/subscribe/unsubscribe/a%00b/",
        "/subscribe/confirm/a%00b/",
        "/training/bookings/cancel/a%00b/",
        "/newsletter/?topic=%00",
        "/events/?category=%00",
        "/no-such-page%00/",
    ],
)
def test_a_nul_in_the_path_or_query_string_is_a_400_page(client, home_page, path):
    response = client.get(path)

    assert response.status_code == 400
    assert b"That request could not be read" in response.content


def test_one_click_unsubscribe_with_a_nul_token_is_a_400(client, home_page):
    response = client.post("/subscribe/unsubscribe/%00/", {"List-Unsubscribe": "One-Click"})

    assert response.status_code == 400


def test_a_nul_in_a_form_field_is_a_400_and_stores_nothing(client, home_page):
    topics = seed_topics()

    response = client.post(
        "/subscribe/",
        {"email": "sam@example.org", "topics": [topics[0].pk], "source": "/\x00"},
        headers={"Sec-Fetch-Site": "same-origin"},
    )

    assert response.status_code == 400
    assert not Subscriber.objects.exists()


def test_a_nul_in_a_form_field_name_is_a_400(client, home_page):
    subscriber = SubscriberFactory()

    response = client.post(
        f"/subscribe/unsubscribe/{subscriber.token}/", {"List-Unsubscribe\x00": "One-Click"}
    )

    assert response.status_code == 400
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.CONFIRMED


@pytest.mark.parametrize(
    "headers",
    [{"User-Agent": "robot\x00"}, {"Referer": "/\x00"}, {"Cookie": "sessionid=a\x00b"}],
)
def test_a_nul_in_a_header_or_cookie_is_a_400(client, home_page, headers):
    response = client.get("/search/?q=leeds", headers=headers)

    assert response.status_code == 400


def test_requests_without_nul_are_served_as_before(client, home_page):
    assert client.get("/search/?q=leeds").status_code == 200
