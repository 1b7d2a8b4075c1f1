"""The sign-up forms as people use them: /subscribe/, the footer box and 'email me a link'."""

import datetime

from django.core import mail
from django.template.loader import render_to_string
from django.test import Client

import pytest
import time_machine
from bs4 import BeautifulSoup

from subscriptions import consent, signup
from subscriptions.models import ConsentRecord, Subscriber

from .factories import SubscriberFactory, TopicFactory, seed_topics, sign_up

pytestmark = pytest.mark.django_db

SUBSCRIBE = "/subscribe/"
CHECK_EMAIL = "/subscribe/check-your-email/"
MANAGE = "/subscribe/manage/"
LINK_SENT = "/subscribe/manage/check-your-email/"


@pytest.fixture
def topics():
    return seed_topics()


def form_data(topics, email="sam@example.org", **extra):
    return {
        "email": email,
        "topics": [topic.pk for topic in topics],
        "consent_version": consent.CURRENT_VERSION,
        "source": "/newsletter/",
        "website": "",
        **extra,
    }


def soup(response):
    return BeautifulSoup(response.content, "html.parser")


def error_beside(page, input_id):
    """The error message shown in the same field as the input ``input_id``."""
    field = page.find(id=input_id).find_parent(class_="field")
    error = field.find(class_="field__error")
    return error.get_text(" ", strip=True) if error else None


# ---- /subscribe/ ----


def test_the_subscribe_page_offers_every_topic_ticked_and_the_consent_wording(client, topics):
    response = client.get(SUBSCRIBE)

    assert response.status_code == 200
    page = soup(response)
    form = page.find("form", class_="signup-form")
    boxes = form.find_all("input", attrs={"name": "topics"})
    assert [box["value"] for box in boxes] == [str(topic.pk) for topic in topics]
    assert all(box.has_attr("checked") for box in boxes)
    assert [page.find("label", attrs={"for": box["id"]}).get_text() for box in boxes] == [
        topic.name for topic in topics
    ]
    assert page.find("label", attrs={"for": "id_email"}).get_text() == "Email address"
    assert form.find("a", href="/privacy/").get_text() == "privacy notice"
    assert form.find("input", attrs={"name": "csrfmiddlewaretoken"})
    assert form.find(class_="honeypot").find("input", attrs={"name": "website"})["tabindex"] == "-1"
    assert len(page.find_all("h1")) == 1


def test_the_subscribe_page_has_no_second_sign_up_box_in_its_footer(client, topics):
    page = soup(client.get(SUBSCRIBE))

    assert page.find(id="signup-box-email") is None
    assert len(page.find_all("form", class_="signup-form")) == 1


def test_signing_up_stores_a_pending_subscriber_and_says_check_your_email(client, topics):
    response = client.post(SUBSCRIBE, form_data(topics[:3]), follow=True)

    assert response.redirect_chain == [(CHECK_EMAIL, 302)]
    assert soup(response).h1.get_text() == "Check your email"
    subscriber = Subscriber.objects.get()
    assert subscriber.status == Subscriber.Status.PENDING
    assert set(subscriber.topics.all()) == set(topics[:3])
    record = ConsentRecord.objects.get()
    assert record.source_url == "/newsletter/"
    assert record.wording_version == consent.CURRENT_VERSION
    assert [message.to for message in mail.outbox] == [["sam@example.org"]]


def test_the_reply_is_the_same_whether_the_address_is_new_pending_confirmed_or_unsubscribed(
    client, topics
):
    sign_up("pending@example.org", topics=topics)
    SubscriberFactory(email="confirmed@example.org", topics=topics)
    SubscriberFactory(email="unsubscribed@example.org", status=Subscriber.Status.UNSUBSCRIBED)

    replies = set()
    with time_machine.travel(datetime.timedelta(minutes=10)):
        for email in [
            "new@example.org",
            "pending@example.org",
            "confirmed@example.org",
            "unsubscribed@example.org",
        ]:
            response = client.post(SUBSCRIBE, form_data(topics, email=email))
            assert response.status_code == 302
            page = client.get(response["Location"])
            replies.add((response["Location"], page.status_code, page.content))

    assert len(replies) == 1
    assert Subscriber.objects.filter(status=Subscriber.Status.PENDING).count() == 3


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("", signup.ERROR_EMAIL_MISSING),
        ("sam at example dot org", signup.ERROR_EMAIL_FORMAT),
        ("s" * 243 + "@example.org", signup.ERROR_EMAIL_TOO_LONG),
    ],
)
def test_a_bad_address_shows_the_form_again_with_the_message_beside_the_field(
    client, topics, email, message
):
    response = client.post(SUBSCRIBE, form_data(topics, email=email))

    assert response.status_code == 400
    page = soup(response)
    assert error_beside(page, "id_email") == f"Error: {message}"
    assert page.find(id="id_email")["aria-invalid"] == "true"
    summary = page.find(class_="error-summary")
    assert summary.find("a", href="#id_email").get_text() == message
    assert page.title.get_text().startswith("Error: ")
    assert page.find(id="id_email").get("value", "") == email
    assert Subscriber.objects.count() == 0
    assert mail.outbox == []


def test_no_topic_ticked_shows_the_form_again_with_the_message_beside_the_topics(client, topics):
    response = client.post(SUBSCRIBE, form_data([], email="sam@example.org"))

    assert response.status_code == 400
    page = soup(response)
    fieldset = page.find("fieldset", class_="signup-topics")
    assert fieldset.find(class_="field__error").get_text(" ", strip=True) == (
        f"Error: {signup.ERROR_NO_TOPIC}"
    )
    assert page.find(class_="error-summary").find("a", href="#id_topics_0")
    assert page.find(id="id_email")["value"] == "sam@example.org"
    assert not any(box.has_attr("checked") for box in fieldset.find_all("input"))
    assert Subscriber.objects.count() == 0


def test_a_topic_that_no_longer_exists_is_refused_with_a_message(client, topics):
    response = client.post(SUBSCRIBE, {**form_data(topics), "topics": [999999]})

    assert response.status_code == 400
    assert "Choose from the topics listed" in response.content.decode()
    assert Subscriber.objects.count() == 0


def test_a_filled_in_honeypot_gets_the_same_reply_and_stores_nothing(client, topics):
    response = client.post(SUBSCRIBE, form_data(topics, website="https://spam.example"))

    assert response.status_code == 302
    assert response["Location"] == CHECK_EMAIL
    assert Subscriber.objects.count() == 0
    assert mail.outbox == []


def test_sign_ups_are_limited_per_client_address(client, topics, one_rate_limit_window):
    for number in range(10):
        response = client.post(
            SUBSCRIBE, form_data(topics, email=f"p{number}@example.org"), REMOTE_ADDR="10.0.0.1"
        )
        assert response.status_code == 302

    refused = client.post(
        SUBSCRIBE, form_data(topics, email="p11@example.org"), REMOTE_ADDR="10.0.0.1"
    )
    other_address = client.post(
        SUBSCRIBE, form_data(topics, email="p12@example.org"), REMOTE_ADDR="10.0.0.2"
    )

    assert refused.status_code == 429
    assert refused["Retry-After"] == "600"
    assert other_address.status_code == 302
    assert not Subscriber.objects.filter(email="p11@example.org").exists()


def test_reading_the_subscribe_page_is_not_limited(client, topics):
    for _ in range(15):
        assert client.get(SUBSCRIBE, REMOTE_ADDR="10.0.0.3").status_code == 200


# ---- CSRF: the footer form has no token ----


@pytest.fixture
def strict_client():
    """A browser with no cookie for this site, whose CSRF checks are enforced."""
    return Client(enforce_csrf_checks=True)


def test_a_post_from_this_sites_own_page_needs_no_csrf_token(strict_client, topics):
    response = strict_client.post(
        SUBSCRIBE, form_data(topics), headers={"Sec-Fetch-Site": "same-origin"}
    )

    assert response.status_code == 302
    assert Subscriber.objects.count() == 1


def test_a_post_whose_origin_is_this_site_needs_no_csrf_token(strict_client, topics):
    response = strict_client.post(
        SUBSCRIBE, form_data(topics), headers={"Origin": "http://testserver"}
    )

    assert response.status_code == 302
    assert Subscriber.objects.count() == 1


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Sec-Fetch-Site": "cross-site"},
        {"Origin": "https://elsewhere.example"},
        {"Origin": "null"},
    ],
    ids=["no-headers", "cross-site", "foreign-origin", "null-origin"],
)
def test_an_unproven_post_shows_the_form_again_filled_in_with_a_fresh_token(
    strict_client, topics, headers
):
    response = strict_client.post(
        SUBSCRIBE, form_data(topics[:2], email="sam@example.org"), headers=headers
    )

    assert response.status_code == 200
    page = soup(response)
    assert "select ‘Sign up’ to finish" in page.find(class_="notice").get_text()
    assert page.find(id="id_email")["value"] == "sam@example.org"
    checked = [
        box["value"]
        for box in page.find_all("input", attrs={"name": "topics"})
        if box.has_attr("checked")
    ]
    assert checked == [str(topic.pk) for topic in topics[:2]]
    assert page.find("input", attrs={"name": "source"})["value"] == "/newsletter/"
    token = page.find("input", attrs={"name": "csrfmiddlewaretoken"})["value"]
    assert Subscriber.objects.count() == 0

    again = strict_client.post(SUBSCRIBE, {**form_data(topics[:2]), "csrfmiddlewaretoken": token})
    assert again.status_code == 302
    assert Subscriber.objects.get().email == "sam@example.org"


# ---- the footer box on every page ----


def test_the_footer_box_has_every_topic_ticked_the_consent_and_no_csrf_token(
    client, home_page, topics
):
    response = client.get("/privacy/")

    page = soup(response)
    box = page.find("section", class_="signup-box")
    form = box.find("form")
    assert form["action"] == SUBSCRIBE
    assert form["method"] == "post"
    boxes = form.find_all("input", attrs={"name": "topics"})
    assert [box_["value"] for box_ in boxes] == [str(topic.pk) for topic in topics]
    assert all(box_.has_attr("checked") for box_ in boxes)
    assert form.find("a", href="/privacy/")
    assert form.find("input", attrs={"name": "source"})["value"] == "/privacy/"
    assert form.find("input", attrs={"name": "consent_version"})["value"] == (
        consent.CURRENT_VERSION
    )
    assert form.find("input", attrs={"name": "website"})
    assert form.find("input", attrs={"name": "csrfmiddlewaretoken"}) is None
    assert page.find("label", attrs={"for": "signup-box-email"})


def test_a_page_with_the_footer_box_sets_no_csrf_cookie_so_it_can_be_cached(
    client, home_page, topics
):
    response = client.get("/privacy/")

    assert soup(response).find(id="signup-box-email")
    assert "csrftoken" not in response.cookies


def test_the_footer_shows_a_renamed_topic_once_the_change_is_committed(
    rf, topics, django_capture_on_commit_callbacks
):
    render_to_string("components/signup_box.html", {"request": rf.get("/")})

    with django_capture_on_commit_callbacks(execute=True):
        topics[0].name = "Training dates"
        topics[0].save()
    with django_capture_on_commit_callbacks(execute=True):
        TopicFactory(name="Child exploitation", slug="exploitation", sort_order=0)

    html = render_to_string("components/signup_box.html", {"request": rf.get("/")})
    page = BeautifulSoup(html, "html.parser")
    labels = [label.get_text() for label in page.select(".signup-topics label")]
    assert labels[:2] == ["Child exploitation", "Training dates"]


def test_without_topics_the_footer_links_to_the_subscribe_page(rf):
    html = render_to_string("components/signup_box.html", {"request": rf.get("/")})

    page = BeautifulSoup(html, "html.parser")
    assert page.find("form") is None
    assert page.find("a", href=SUBSCRIBE)


def test_a_footer_sign_up_is_recorded_with_the_page_it_came_from(client, home_page, topics):
    page = soup(client.get("/privacy/"))
    form = page.find("section", class_="signup-box").find("form")
    data = {
        field["name"]: field.get("value", "")
        for field in form.find_all("input")
        if field.get("type") != "checkbox"
    }
    data["email"] = "reader@example.org"
    data["topics"] = [box["value"] for box in form.find_all("input", attrs={"name": "topics"})]

    response = client.post(form["action"], data, headers={"Sec-Fetch-Site": "same-origin"})

    assert response.status_code == 302
    record = ConsentRecord.objects.get()
    assert record.source_url == "/privacy/"
    assert record.topic_names == [topic.name for topic in topics]


# ---- email me a link ----


def test_the_manage_link_page_asks_for_an_email_address(client):
    response = client.get(MANAGE)

    assert response.status_code == 200
    page = soup(response)
    assert page.h1.get_text() == "Get a link to manage your subscription"
    assert page.find("label", attrs={"for": "id_email"})


def test_asking_for_a_link_gives_the_same_reply_whatever_the_address(client, topics):
    SubscriberFactory(email="confirmed@example.org", topics=topics)
    SubscriberFactory(email="unsubscribed@example.org", status=Subscriber.Status.UNSUBSCRIBED)

    replies = set()
    for email in ["confirmed@example.org", "unsubscribed@example.org", "nobody@example.org"]:
        response = client.post(MANAGE, {"email": email})
        assert response.status_code == 302
        page = client.get(response["Location"])
        replies.add((response["Location"], page.content))

    assert len(replies) == 1
    assert next(iter(replies))[0] == LINK_SENT
    assert [message.to for message in mail.outbox] == [["confirmed@example.org"]]


def test_asking_for_a_link_with_a_bad_address_shows_the_message_beside_the_field(client):
    response = client.post(MANAGE, {"email": "nope"})

    assert response.status_code == 400
    assert error_beside(soup(response), "id_email") == f"Error: {signup.ERROR_EMAIL_FORMAT}"


def test_asking_for_a_link_with_the_honeypot_filled_sends_nothing(client, topics):
    SubscriberFactory(email="confirmed@example.org", topics=topics)

    response = client.post(MANAGE, {"email": "confirmed@example.org", "website": "x"})

    assert response["Location"] == LINK_SENT
    assert mail.outbox == []


def test_asking_for_links_is_limited_per_client_address(client, one_rate_limit_window):
    statuses = [
        client.post(MANAGE, {"email": f"p{n}@example.org"}, REMOTE_ADDR="10.0.0.9").status_code
        for n in range(11)
    ]

    assert statuses == [302] * 10 + [429]
