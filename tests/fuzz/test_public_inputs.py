"""Every public form and every URL carrying a token, fed generated input (hypothesis):
never a 5xx, never a row from invalid input, never the input reflected unescaped.

Each value carries a marker, ``<i data-fuzz=N>``, among arbitrary text (NUL, control
characters, every script, the hostile strings of tests/security/hostile.py): the marker
must never appear in a page as it was sent, only escaped.
"""

from urllib.parse import quote, urlencode

from django.core.cache import cache

import pytest
from hypothesis import given
from hypothesis import strategies as st

from subscriptions.models import ConsentRecord, Subscriber
from tests.security.hostile import HOSTILE_STRINGS
from tests.subscriptions.factories import SubscriberFactory, seed_topics
from training.models import Booking

pytestmark = pytest.mark.django_db

# Any character HTTP can carry in a form or a URL (no lone surrogates: not encodable).
ANY_TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=60)
TEXT = st.one_of(ANY_TEXT, st.sampled_from(HOSTILE_STRINGS))


@st.composite
def marked(draw):
    """(value, marker): arbitrary text around a markup marker."""
    number = draw(st.integers(min_value=0, max_value=10**9))
    marker = f"<i data-fuzz={number}>"
    return f"{draw(TEXT)}{marker}{draw(TEXT)}", marker


EMAILS = st.one_of(
    st.emails().map(lambda email: email[:254]),
    TEXT,
    st.builds(lambda local, domain: f"{local}@{domain}", TEXT, TEXT),
)


def assert_answered_safely(response, *markers):
    assert response.status_code < 500, response.status_code
    body = response.content.decode("utf-8", "replace")
    for marker in markers:
        assert marker not in body, f"{marker} reflected unescaped"


def fresh_limits():
    """Rate limits would answer 429 after a few examples and test nothing."""
    cache.clear()


def counts():
    return (Subscriber.objects.count(), ConsentRecord.objects.count(), Booking.objects.count())


@pytest.fixture
def topics(db):
    return seed_topics()


@given(email=EMAILS, topic_values=st.lists(TEXT, max_size=3), source=marked(), extra=marked())
def test_the_sign_up_form(client, topics, email, topic_values, source, extra):
    fresh_limits()
    before = counts()
    response = client.post(
        "/subscribe/",
        {
            "email": email,
            "topics": topic_values,
            "consent_version": extra[0],
            "source": source[0],
            "website": "",
        },
        headers={"Sec-Fetch-Site": "same-origin"},
    )

    assert_answered_safely(response, source[1], extra[1])
    if response.status_code != 302:
        assert counts() == before


@given(email=st.one_of(EMAILS, marked().map(lambda pair: pair[0])))
def test_the_manage_link_form(client, topics, email):
    fresh_limits()
    response = client.post(
        "/subscribe/manage/", {"email": email}, headers={"Sec-Fetch-Site": "same-origin"}
    )

    assert_answered_safely(response, "<i data-fuzz=")


@given(name=marked(), email=EMAILS, organisation=marked(), job_role=TEXT, access_needs=marked())
def test_the_booking_form(client, session, name, email, organisation, job_role, access_needs):
    fresh_limits()
    before = counts()
    response = client.post(
        f"/training/child-exploitation-in-leeds/book/{session.pk}/",
        {
            "name": name[0],
            "email": email,
            "organisation": organisation[0],
            "job_role": job_role,
            "access_needs": access_needs[0],
            "agree": "on",
        },
    )

    assert_answered_safely(response, name[1], organisation[1], access_needs[1])
    if response.status_code != 303:
        assert counts() == before


@pytest.fixture
def kept(topics):
    """A confirmed subscriber no made-up link may change."""
    return SubscriberFactory(email="kept@example.org", topics=topics)


TOKEN_URLS = [
    "/subscribe/confirm/{}/",
    "/subscribe/preferences/{}/",
    "/subscribe/unsubscribe/{}/",
    "/training/bookings/cancel/{}/",
]


@given(
    token=st.one_of(TEXT, marked().map(lambda pair: pair[0])),
    method=st.sampled_from(["get", "post"]),
)
def test_every_token_bearing_url(client, kept, token, method):
    fresh_limits()
    before = counts()
    statuses = []
    for url in TOKEN_URLS:
        path = url.format(quote(token, safe=""))
        data = {"List-Unsubscribe": "One-Click", "topics": [token]} if method == "post" else None
        response = getattr(client, method)(path, data)
        assert_answered_safely(response, "<i data-fuzz=")
        statuses.append(response.status_code)

    # A made-up token opens nothing and changes nothing.
    assert all(400 <= status < 500 for status in statuses), statuses
    assert counts() == before
    kept.refresh_from_db()
    assert kept.status == Subscriber.Status.CONFIRMED


@given(query=marked(), page=TEXT)
def test_search_and_the_listing_filters(client, newsletter_index, catalogue, query, page):
    fresh_limits()
    for path, parameters in [
        ("/search/", {"q": query[0], "page": page}),
        ("/newsletter/", {"year": query[0], "topic": page, "page": page}),
        ("/training/", {"type": query[0], "audience": page, "upcoming": query[0]}),
    ]:
        response = client.get(f"{path}?{urlencode(parameters)}")
        assert_answered_safely(response, query[1])
