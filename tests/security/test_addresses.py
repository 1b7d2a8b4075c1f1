"""Addresses the mail system cannot send to (a non-ASCII part before the @) are refused
with a message beside the field, on sign-up and booking; international domain names are
still accepted and their emails go out."""

from django.core import mail

import pytest
from bs4 import BeautifulSoup

from lscp_site.email import ERROR_LOCAL_PART_NOT_ASCII
from subscriptions import consent
from subscriptions.models import Subscriber
from tests.subscriptions.factories import seed_topics
from training.models import Booking

pytestmark = pytest.mark.django_db

UNSENDABLE = "zq0100878İstanbul@example.org"
KELVIN_SIGN = "\u212aate@example.org"  # K (U+212A): matches [a-z] when case is ignored
INTERNATIONAL_DOMAIN = "ayse@bücher.example"

BOOKING = {
    "name": "Ann Smith",
    "organisation": "Leeds City Council",
    "job_role": "Social worker",
    "access_needs": "",
    "agree": "on",
    "website": "",
}


def sign_up(client, email):
    return client.post(
        "/subscribe/",
        {
            "email": email,
            "topics": [topic.pk for topic in seed_topics()],
            "consent_version": consent.CURRENT_VERSION,
            "source": "/newsletter/",
        },
        headers={"Sec-Fetch-Site": "same-origin"},
    )


def error_beside_email(response):
    """The message the email input points to (aria-describedby): what is read out beside it."""
    page = BeautifulSoup(response.content, "html.parser")
    described_by = page.find(id="id_email")["aria-describedby"].split()
    return " ".join(page.find(id=ref).get_text(" ", strip=True) for ref in described_by)


@pytest.mark.parametrize("email", [UNSENDABLE, KELVIN_SIGN])
def test_sign_up_refuses_a_non_ascii_local_part_beside_the_field(client, home_page, email):
    response = sign_up(client, email)

    assert response.status_code == 400
    assert ERROR_LOCAL_PART_NOT_ASCII in error_beside_email(response)
    assert not Subscriber.objects.exists()
    assert mail.outbox == []


def test_sign_up_accepts_an_international_domain_name_and_sends_to_it(
    client, home_page, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = sign_up(client, INTERNATIONAL_DOMAIN)

    assert response.status_code == 302
    assert Subscriber.objects.get().email == INTERNATIONAL_DOMAIN
    assert len(mail.outbox) == 1
    assert "xn--bcher-kva.example" in mail.outbox[0].message().as_string()


def test_booking_refuses_a_non_ascii_local_part_beside_the_field(client, session):
    url = f"/training/child-exploitation-in-leeds/book/{session.pk}/"

    response = client.post(url, {**BOOKING, "email": UNSENDABLE})

    assert response.status_code == 400
    assert ERROR_LOCAL_PART_NOT_ASCII in error_beside_email(response)
    assert not Booking.objects.exists()


def test_booking_accepts_an_international_domain_name(client, session, run_commit_hooks):
    url = f"/training/child-exploitation-in-leeds/book/{session.pk}/"

    with run_commit_hooks():
        response = client.post(url, {**BOOKING, "email": INTERNATIONAL_DOMAIN})

    assert response.status_code == 303
    assert Booking.objects.get().email == INTERNATIONAL_DOMAIN
    assert [message.to for message in mail.outbox] == [[INTERNATIONAL_DOMAIN]]
