"""Booking a place through the form, the page after it, and cancelling by the emailed link."""

from django.core import mail, signing
from django.test import Client

import pytest
from bs4 import BeautifulSoup

from tests.training.factories import book, london, make_course, make_session
from training import booking as booking_rules
from training import links
from training.models import Booking, BookingStatus

pytestmark = pytest.mark.django_db

GOOD = {
    "name": "Ann Smith",
    "email": "ann.smith@example.org",
    "organisation": "Leeds City Council",
    "job_role": "Social worker",
    "access_needs": "",
    "agree": "on",
    "website": "",
}


def soup_of(response):
    return BeautifulSoup(response.content, "html.parser")


@pytest.fixture
def book_url(session):
    return f"/training/child-exploitation-in-leeds/book/{session.pk}/"


def test_booking_form_asks_for_each_detail_with_a_label(client, book_url):
    response = client.get(book_url)

    assert response.status_code == 200
    page = soup_of(response)
    assert page.h1.get_text(strip=True) == (
        "Book a place: Child exploitation in Leeds - a guide for practitioners"
    )
    assert "8 May 2025, 2pm to 3pm" in page.select_one(".booking-session").get_text()
    form = page.select_one("form.booking-form")
    assert form["method"] == "post"
    assert form.select_one('input[name="csrfmiddlewaretoken"]') is not None
    names = [
        field["name"] for field in form.select("input, textarea") if field.get("type") != "hidden"
    ]
    assert names == [
        "name",
        "email",
        "organisation",
        "job_role",
        "access_needs",
        "agree",
        "website",
    ]
    for name in ["name", "email", "organisation", "job_role", "access_needs", "agree"]:
        control = form.select_one(f'[name="{name}"]')
        assert page.select_one(f'label[for="{control["id"]}"]') is not None, name
    assert form.select_one('input[name="email"]')["autocomplete"] == "email"
    privacy = page.select_one('label[for="id_agree"] a')
    assert privacy["href"] == "/privacy/"
    assert form.select_one("button").get_text(strip=True) == "Book your place"


def test_booking_a_place_confirms_it_and_says_an_email_is_on_its_way(
    client, session, book_url, run_commit_hooks
):
    with run_commit_hooks():
        response = client.post(book_url, GOOD)

    assert response.status_code == 303
    booking = Booking.objects.get()
    assert (booking.name, booking.email, booking.status) == (
        "Ann Smith",
        "ann.smith@example.org",
        BookingStatus.CONFIRMED,
    )
    assert response["Location"] == f"/training/bookings/requested/{session.pk}/"
    page = soup_of(client.get(response["Location"]))
    assert page.h1.get_text(strip=True) == "Check your email"
    assert "8 May 2025, 2pm to 3pm" in page.get_text()
    assert [m.subject.split(":")[0] for m in mail.outbox] == ["Booking confirmed"]
    assert mail.outbox[0].to == ["ann.smith@example.org"]


def test_a_full_session_offers_the_waiting_list(client, catalogue, run_commit_hooks):
    course = make_course(
        catalogue, slug="full", sessions=[make_session(start=london(2025, 4, 1, 10), capacity=1)]
    )
    session = course.sessions.get()
    book(session)
    url = f"/training/full/book/{session.pk}/"

    page = soup_of(client.get(url))
    assert "This session is fully booked" in page.select_one(".notice").get_text()
    assert page.select_one("form button").get_text(strip=True) == "Join the waiting list"

    with run_commit_hooks():
        response = client.post(url, GOOD)
    page = soup_of(client.get(response["Location"]))
    assert page.h1.get_text(strip=True) == "Check your email"
    joined = mail.outbox[-1]
    assert joined.subject.startswith("You are on the waiting list")
    assert "You are number 1." in joined.body


def test_missing_details_show_the_form_again_with_errors_beside_the_fields(client, book_url):
    response = client.post(book_url, {**GOOD, "name": "", "email": "not-an-email", "agree": ""})

    assert response.status_code == 400
    page = soup_of(response)
    assert page.title.get_text().startswith("Error: ")
    summary = page.select_one(".error-summary")
    assert [a["href"] for a in summary.select("a")] == ["#id_name", "#id_email", "#id_agree"]
    name_error = page.select_one("#id_name_error").get_text(" ", strip=True)
    assert name_error == "Error: Enter your full name"
    assert "right format" in page.select_one("#id_email_error").get_text()
    assert page.select_one("#id_email")["aria-invalid"] == "true"
    assert "id_email_error" in page.select_one("#id_email")["aria-describedby"]
    assert page.select_one("#id_organisation")["value"] == "Leeds City Council"
    assert not Booking.objects.exists()


def test_booking_twice_answers_as_a_first_booking_and_tells_the_address_by_email(
    client, session, book_url, run_commit_hooks
):
    book(session, email="Ann.Smith@example.org")
    mail.outbox.clear()

    with run_commit_hooks():
        again = client.post(book_url, GOOD)
    with run_commit_hooks():
        first = client.post(book_url, {**GOOD, "email": "someone.new@example.org"})

    assert (again.status_code, again["Location"]) == (first.status_code, first["Location"])
    assert client.get(again["Location"]).content == client.get(first["Location"]).content
    assert Booking.objects.filter(email__iexact="ann.smith@example.org").count() == 1
    reminders = [m for m in mail.outbox if m.subject.startswith("You already have a booking")]
    assert [m.to for m in reminders] == [["Ann.Smith@example.org"]]
    assert "/training/bookings/cancel/" in reminders[0].body


def test_booking_after_booking_closed_is_refused_with_a_message(client, book_url, later):
    with later(london(2025, 5, 8, 14, 0)):
        response = client.post(book_url, GOOD)
        shown = client.get(book_url)

    assert response.status_code == 409
    assert soup_of(response).h1.get_text(strip=True) == "Booking closed"
    assert "booking has closed" in response.content.decode()
    assert shown.status_code == 200
    assert soup_of(shown).select_one("form.booking-form") is None
    assert not Booking.objects.exists()


def test_a_cancelled_session_cannot_be_booked_through_the_form(client, session, book_url):
    booking_rules.cancel_session(session=session)

    response = client.post(book_url, GOOD)

    assert response.status_code == 409
    assert "This session has been cancelled" in response.content.decode()
    assert not Booking.objects.exists()


def test_a_robot_filling_the_hidden_field_books_nothing(client, book_url):
    response = client.post(book_url, {**GOOD, "website": "http://spam.example"})

    assert response.status_code == 400
    assert not Booking.objects.exists()


def test_booking_needs_the_csrf_token(session, book_url):
    response = Client(enforce_csrf_checks=True).post(book_url, GOOD)

    assert response.status_code == 403
    assert not Booking.objects.exists()


def test_booking_is_rate_limited(client, book_url, one_rate_limit_window):
    for number in range(20):
        client.post(book_url, {**GOOD, "email": f"person{number}@example.org"})

    response = client.post(book_url, {**GOOD, "email": "one.more@example.org"})

    assert response.status_code == 429
    assert not Booking.objects.filter(email="one.more@example.org").exists()


def test_a_session_of_another_course_is_not_found(client, catalogue, session):
    other = make_course(catalogue, slug="other")

    assert client.get(f"/training/other/book/{session.pk}/").status_code == 404
    assert other.pk != session.course_id


def test_the_page_after_booking_of_no_such_session_is_not_found(client, session):
    assert client.get(f"/training/bookings/requested/{session.pk + 1000}/").status_code == 404


# ---- cancelling by the emailed link ----


def cancel_path(booking):
    return f"/training/bookings/cancel/{links.cancel_token(booking)}/"


def test_cancel_link_shows_a_confirm_page_and_changes_nothing_on_get(client, session):
    booking = book(session, name="Ann Smith")

    response = client.get(cancel_path(booking))

    assert response.status_code == 200
    page = soup_of(response)
    assert page.h1.get_text(strip=True) == "Cancel your booking"
    assert "Ann Smith" in page.get_text()
    assert page.select_one("form")["method"] == "post"
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED


def test_cancel_link_cancels_on_post_and_frees_the_place(client, catalogue, run_commit_hooks):
    course = make_course(
        catalogue,
        slug="one-place",
        sessions=[make_session(start=london(2025, 4, 1, 10), capacity=1)],
    )
    session = course.sessions.get()
    holder = book(session)
    waiting = book(session, email="waiting@example.org")
    mail.outbox.clear()

    with run_commit_hooks():
        response = client.post(cancel_path(holder))

    assert response.status_code == 200
    assert soup_of(response).h1.get_text(strip=True) == "Your booking is cancelled"
    holder.refresh_from_db()
    waiting.refresh_from_db()
    assert holder.status == BookingStatus.CANCELLED
    assert waiting.status == BookingStatus.CONFIRMED
    assert sorted(m.to[0] for m in mail.outbox) == sorted([holder.email, "waiting@example.org"])


def test_cancel_link_used_again_says_it_is_already_cancelled(client, session):
    booking = book(session)
    client.post(cancel_path(booking))

    response = client.post(cancel_path(booking))

    assert response.status_code == 200
    assert soup_of(response).h1.get_text(strip=True) == "This booking was already cancelled"


def test_a_tampered_cancel_link_is_a_clear_400_page(client, session):
    booking = book(session)
    token = links.cancel_token(booking)
    forged = signing.dumps({"booking": booking.pk}, salt="some.other.purpose")

    for bad in (token[:-3] + "abc", forged, "nonsense"):
        for method in (client.get, client.post):
            response = method(f"/training/bookings/cancel/{bad}/")
            assert response.status_code == 400
            page = soup_of(response)
            assert page.h1.get_text(strip=True) == "This link does not work"
            assert "lscp.info@leeds.gov.uk" in page.get_text()
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED


def test_a_cancel_link_expires_when_the_session_ends(client, session, later):
    booking = book(session)
    path = cancel_path(booking)

    with later(london(2025, 5, 8, 14, 59)):
        assert client.get(path).status_code == 200
    with later(london(2025, 5, 8, 15, 0)):
        response = client.post(path)

    assert response.status_code == 410
    assert soup_of(response).h1.get_text(strip=True) == "This link has expired"
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED


def test_a_cancel_link_for_a_deleted_booking_has_expired(client, session):
    booking = book(session)
    path = cancel_path(booking)
    Booking.objects.filter(pk=booking.pk).delete()

    assert client.get(path).status_code == 410
