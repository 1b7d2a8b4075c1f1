"""The links in emails: confirm, preferences and the RFC 8058 one-click unsubscribe."""

import datetime

from django.core import mail, signing
from django.test import Client

import pytest
import time_machine
from bs4 import BeautifulSoup

from subscriptions import signup, tokens
from subscriptions.models import Subscriber

from .factories import SubscriberFactory, confirm_path, seed_topics, sign_up

pytestmark = pytest.mark.django_db

Status = Subscriber.Status
SIGNED_UP = datetime.datetime(2025, 3, 18, 9, 0, tzinfo=datetime.UTC)


def soup(response):
    return BeautifulSoup(response.content, "html.parser")


@pytest.fixture
def pending():
    """A sign-up made at SIGNED_UP, and the path of the link in its confirmation email."""
    with time_machine.travel(SIGNED_UP, tick=False):
        sign_up("sam@example.org")
    return Subscriber.objects.get(), confirm_path(mail.outbox[-1])


@pytest.fixture
def strict_client():
    """A mail provider's server: no cookies, CSRF checks enforced."""
    return Client(enforce_csrf_checks=True)


# ---- confirm ----


def test_opening_the_confirmation_link_shows_a_button_and_confirms_nothing(client, pending):
    subscriber, path = pending

    with time_machine.travel(SIGNED_UP + datetime.timedelta(hours=1)):
        response = client.get(path)

    assert response.status_code == 200
    page = soup(response)
    assert page.h1.get_text() == "Confirm your email updates"
    assert "sam@example.org" in page.find(class_="lead").get_text()
    form = page.find("main").find("form")
    assert form["method"] == "post"
    assert form["action"] == path
    assert form.find("button").get_text() == "Confirm my email updates"
    assert [item.get_text() for item in page.find("main").find_all("li")] == [
        topic.name for topic in seed_topics()
    ]
    assert response["Cache-Control"].startswith("max-age=0")
    subscriber.refresh_from_db()
    assert subscriber.status == Status.PENDING


def test_pressing_confirm_confirms_and_offers_the_preferences(client, pending):
    subscriber, path = pending

    with time_machine.travel(SIGNED_UP + datetime.timedelta(days=2)):
        response = client.post(path)

    assert response.status_code == 200
    page = soup(response)
    assert page.h1.get_text() == "You are signed up"
    assert page.find("a", href=f"/subscribe/preferences/{subscriber.token}/")
    subscriber.refresh_from_db()
    assert subscriber.status == Status.CONFIRMED


def test_a_reused_confirmation_link_says_it_is_already_confirmed(client, pending):
    subscriber, path = pending
    with time_machine.travel(SIGNED_UP + datetime.timedelta(days=1)):
        client.post(path)

        again = client.post(path)
        opened_again = client.get(path)

    assert again.status_code == 200
    assert "already confirmed" in soup(again).find(class_="notice").get_text()
    assert opened_again.status_code == 200
    assert "already confirmed" in soup(opened_again).find(class_="lead").get_text()
    assert subscriber.status_changes.filter(status=Status.CONFIRMED).count() == 1


def test_a_link_is_still_good_just_before_seven_days(client, pending):
    subscriber, path = pending

    with time_machine.travel(SIGNED_UP + datetime.timedelta(days=7, seconds=-30), tick=False):
        response = client.post(path)

    assert response.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == Status.CONFIRMED


@pytest.mark.parametrize("method", ["get", "post"])
def test_an_expired_link_offers_a_new_one_and_confirms_nothing(client, pending, method):
    subscriber, path = pending

    with time_machine.travel(SIGNED_UP + datetime.timedelta(days=7, minutes=1)):
        response = getattr(client, method)(path)

    assert response.status_code == 410
    page = soup(response)
    assert page.h1.get_text() == "This link has expired"
    form = page.find("main").find("form")
    assert form["action"] == "/subscribe/manage/"
    assert form.find("input", attrs={"name": "email"})
    subscriber.refresh_from_db()
    assert subscriber.status == Status.PENDING


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),  # signature changed
        lambda token: token[:10],  # cut short
        lambda token: "garbage",
        lambda token: signing.dumps({"s": 1, "c": 1}, salt="another.purpose"),
        lambda token: signing.dumps("not-a-dict", salt=tokens.CONFIRM_SALT),
    ],
    ids=["signature", "cut-short", "garbage", "other-salt", "wrong-shape"],
)
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_tampered_link_shows_a_clear_page_and_confirms_nothing(client, pending, method, tamper):
    subscriber, path = pending
    token = path.split("/")[3]

    with time_machine.travel(SIGNED_UP + datetime.timedelta(hours=1)):
        response = getattr(client, method)(f"/subscribe/confirm/{tamper(token)}/")

    assert response.status_code == 400
    page = soup(response)
    assert page.h1.get_text() == "This link does not work"
    assert page.find("main").find("form")["action"] == "/subscribe/manage/"
    subscriber.refresh_from_db()
    assert subscriber.status == Status.PENDING


def test_a_link_for_another_subscribers_sign_up_does_not_work(client, pending):
    subscriber, path = pending
    with time_machine.travel(SIGNED_UP, tick=False):
        sign_up("other@example.org")
    other = Subscriber.objects.get(email="other@example.org")
    mixed = tokens.make_confirmation_token(
        subscriber_id=other.pk, consent_id=subscriber.consent_records.get().pk
    )

    with time_machine.travel(SIGNED_UP + datetime.timedelta(hours=1)):
        response = client.post(f"/subscribe/confirm/{mixed}/")

    assert response.status_code == 410
    other.refresh_from_db()
    assert other.status == Status.PENDING


def test_a_link_for_an_erased_sign_up_says_so(client, pending):
    subscriber, path = pending
    signup.erase_subscriber(subscriber=subscriber)

    with time_machine.travel(SIGNED_UP + datetime.timedelta(hours=1)):
        response = client.get(path)

    assert response.status_code == 410
    assert soup(response).h1.get_text() == "This link does not work any more"


# ---- preferences ----


def test_the_preferences_link_shows_the_current_topics_ticked(client):
    training, guidance, learning, events = seed_topics()
    subscriber = SubscriberFactory(email="sam@example.org", topics=[training, events])

    response = client.get(f"/subscribe/preferences/{subscriber.token}/")

    assert response.status_code == 200
    page = soup(response)
    ticked = [
        box["value"]
        for box in page.find("main").find_all("input", attrs={"name": "topics"})
        if box.has_attr("checked")
    ]
    assert ticked == [str(training.pk), str(events.pk)]
    assert "sam@example.org" in page.find(class_="lead").get_text()
    unsubscribe = page.find("form", action=f"/subscribe/unsubscribe/{subscriber.token}/")
    assert unsubscribe.find("input", attrs={"name": "List-Unsubscribe"})["value"] == "One-Click"


def test_saving_preferences_changes_the_topics_and_says_so(client):
    training, guidance, learning, events = seed_topics()
    subscriber = SubscriberFactory(topics=[training])

    response = client.post(
        f"/subscribe/preferences/{subscriber.token}/", {"topics": [guidance.pk, learning.pk]}
    )

    assert response.status_code == 200
    page = soup(response)
    assert page.find(class_="notice").get_text(strip=True) == "Your choices are saved."
    assert set(subscriber.topics.all()) == {guidance, learning}
    ticked = [
        b["value"]
        for b in page.find_all("input", attrs={"name": "topics"})
        if b.has_attr("checked")
    ]
    assert ticked == [str(guidance.pk), str(learning.pk)]


def test_saving_no_topic_is_refused_beside_the_topics_and_points_to_unsubscribe(client):
    training, *_ = seed_topics()
    subscriber = SubscriberFactory(topics=[training])

    response = client.post(f"/subscribe/preferences/{subscriber.token}/", {})

    assert response.status_code == 400
    fieldset = soup(response).find("fieldset", class_="signup-topics")
    assert fieldset.find(class_="field__error").get_text(" ", strip=True) == (
        "Error: Choose at least one topic, or unsubscribe from everything below"
    )
    assert list(subscriber.topics.all()) == [training]


def test_an_unsubscribed_person_cannot_change_topics_and_is_offered_the_sign_up(client):
    training, guidance, *_ = seed_topics()
    subscriber = SubscriberFactory(topics=[training], status=Status.UNSUBSCRIBED)

    response = client.post(f"/subscribe/preferences/{subscriber.token}/", {"topics": [guidance.pk]})

    assert response.status_code == 200
    page = soup(response)
    assert "is unsubscribed" in page.find(class_="lead").get_text()
    assert page.find("main").find("a", href="/subscribe/")
    assert list(subscriber.topics.all()) == [training]


def test_a_pending_person_on_the_preferences_page_is_told_to_confirm_first(client, pending):
    subscriber, _path = pending

    response = client.get(f"/subscribe/preferences/{subscriber.token}/")

    page = soup(response)
    assert "not confirmed" in page.find(class_="lead").get_text()
    assert page.find("main").find("a", href="/subscribe/manage/")


@pytest.mark.parametrize("kind", ["preferences", "unsubscribe"])
def test_an_unknown_token_shows_a_clear_page_offering_a_new_link(client, kind):
    SubscriberFactory()

    response = client.get(f"/subscribe/{kind}/not-a-real-token/")

    assert response.status_code == 404
    page = soup(response)
    assert page.h1.get_text() == "This link does not work"
    assert page.find("main").find("form")["action"] == "/subscribe/manage/"


# ---- unsubscribe ----


def test_opening_the_unsubscribe_link_shows_a_button_and_unsubscribes_nobody(client):
    subscriber = SubscriberFactory(email="sam@example.org")

    response = client.get(f"/subscribe/unsubscribe/{subscriber.token}/")
    head = client.head(f"/subscribe/unsubscribe/{subscriber.token}/")

    assert response.status_code == 200
    form = soup(response).find("main").find("form")
    assert form["method"] == "post"
    assert form.find("button").get_text() == "Unsubscribe"
    assert head.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == Status.CONFIRMED


def test_a_one_click_post_without_cookie_or_csrf_token_unsubscribes_at_once(strict_client):
    subscriber = SubscriberFactory(email="sam@example.org")

    response = strict_client.post(
        f"/subscribe/unsubscribe/{subscriber.token}/",
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 200
    assert "Location" not in response
    assert soup(response).h1.get_text() == "You are unsubscribed"
    assert "sessionid" not in response.cookies
    subscriber.refresh_from_db()
    assert subscriber.status == Status.UNSUBSCRIBED
    assert subscriber.status_changes.get().note == "Unsubscribed in one click from an email"


def test_a_one_click_post_as_multipart_form_data_also_unsubscribes(strict_client):
    subscriber = SubscriberFactory()

    response = strict_client.post(
        f"/subscribe/unsubscribe/{subscriber.token}/", {"List-Unsubscribe": "One-Click"}
    )

    assert response.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == Status.UNSUBSCRIBED


def test_a_post_without_the_one_click_body_unsubscribes_nobody(strict_client):
    subscriber = SubscriberFactory()

    response = strict_client.post(
        f"/subscribe/unsubscribe/{subscriber.token}/",
        "",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 400
    subscriber.refresh_from_db()
    assert subscriber.status == Status.CONFIRMED


def test_the_button_on_the_page_unsubscribes_and_notes_how(client):
    subscriber = SubscriberFactory()
    page = soup(client.get(f"/subscribe/unsubscribe/{subscriber.token}/"))
    form = page.find("main").find("form")
    data = {field["name"]: field["value"] for field in form.find_all("input")}

    response = client.post(form["action"], data)

    assert response.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == Status.UNSUBSCRIBED
    assert subscriber.status_changes.get().note == "Unsubscribed from the link on this site"


def test_unsubscribing_twice_is_harmless(strict_client):
    subscriber = SubscriberFactory()
    url = f"/subscribe/unsubscribe/{subscriber.token}/"
    for _ in range(2):
        response = strict_client.post(url, {"List-Unsubscribe": "One-Click"})
        assert response.status_code == 200

    assert subscriber.status_changes.count() == 1
    assert "already unsubscribed" in soup(strict_client.get(url)).find(class_="lead").get_text()


def test_a_one_click_post_for_an_unknown_token_is_not_found(strict_client):
    response = strict_client.post(
        "/subscribe/unsubscribe/unknown/", {"List-Unsubscribe": "One-Click"}
    )

    assert response.status_code == 404
