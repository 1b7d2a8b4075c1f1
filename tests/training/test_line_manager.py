"""The line manager: asked for at booking when the course says so, copied into the
confirmation, or asked to approve the place by signed links in their email."""

import csv
import datetime
import io
from urllib.parse import urlsplit

from django.core import mail

import pytest
from bs4 import BeautifulSoup

from tests.training.factories import book, london, make_course, make_session, with_counts
from tests.training.mail import parts, sent_to
from tests.training.test_admin import editor
from tests.two_factor import sign_in_verified
from training import booking as booking_rules
from training import links
from training.models import Booking, BookingStatus, CancelledBy, LineManagerRole

pytestmark = pytest.mark.django_db

SESSION_START = london(2025, 5, 8, 14)  # a Thursday
APPROVAL_DUE = london(2025, 5, 7, 14)  # one working day before
SECRET = "secret-7731"  # in the joining details

FORM = {
    "name": "Ann <b>Smith</b>",
    "email": "ann@example.org",
    "manager_email": "mo.manager@example.org",
    "organisation": "Leeds City Council",
    "job_role": "Social worker",
    "access_needs": "",
    "agree": "on",
    "website": "",
}


def make_managed_course(catalogue, role, *, capacity=10, slug):
    return make_course(
        catalogue,
        title="Working Together to Safeguard Children",
        slug=slug,
        line_manager=role,
        sessions=[make_session(start=SESSION_START, capacity=capacity)],
        revision=True,
    )


@pytest.fixture
def copied(catalogue):
    return make_managed_course(catalogue, LineManagerRole.COPIED, slug="copied")


@pytest.fixture
def approval(catalogue):
    return make_managed_course(catalogue, LineManagerRole.APPROVES, capacity=1, slug="approval")


def book_url(course):
    return f"/training/{course.slug}/book/{course.sessions.get().pk}/"


def soup_of(response):
    return BeautifulSoup(response.content, "html.parser")


def link_path(message, action):
    """The path of the approve or decline link in a manager's email."""
    text, html = parts(message)
    label = {"approve": "Approve the place:", "decline": "Decline the place:"}[action]
    url = text.split(label, 1)[1].split()[0]
    assert f'href="{url}"' in html
    return url.removeprefix("https://lscp.test")


def test_the_form_asks_for_the_manager_only_when_the_course_does(client, webinar, copied):
    plain = soup_of(client.get(f"/training/{webinar.slug}/book/{webinar.sessions.get().pk}/"))
    asking = soup_of(client.get(book_url(copied)))

    assert plain.select_one('[name="manager_email"]') is None
    field = asking.select_one('input[name="manager_email"]')
    assert field["type"] == "email"
    label = asking.select_one(f'label[for="{field["id"]}"]').get_text(strip=True)
    assert label == "Your line manager's work email address"


@pytest.mark.parametrize(
    ("manager_email", "message"),
    [
        ("", "Enter your line manager's work email address"),
        ("not-an-address", "Enter an email address in the right format, like name@example.org"),
        ("ANN@example.org", "Enter your line manager's address, not your own"),
    ],
)
def test_a_missing_or_wrong_manager_address_is_explained_beside_the_field(
    client, copied, manager_email, message
):
    response = client.post(book_url(copied), {**FORM, "manager_email": manager_email})

    assert response.status_code == 400
    page = soup_of(response)
    error = page.select_one("#id_manager_email_error").get_text(" ", strip=True)
    assert error == f"Error: {message}"
    assert Booking.objects.count() == 0


def test_the_manager_gets_a_copy_of_the_confirmation_without_the_joining_details(
    client, copied, run_commit_hooks
):
    with run_commit_hooks():
        response = client.post(book_url(copied), FORM)

    assert response.status_code == 303
    booking = Booking.objects.get()
    assert (booking.status, booking.manager_email) == ("confirmed", "mo.manager@example.org")
    (own,) = sent_to("ann@example.org")
    (copy,) = sent_to("mo.manager@example.org")
    assert SECRET in own.body
    assert copy.subject.startswith("Booking confirmed: Working Together")
    text, html = parts(copy)
    assert "Ann <b>Smith</b> (Social worker, Leeds City Council) has booked a place" in text
    assert "Ann &lt;b&gt;Smith&lt;/b&gt;" in html and "<b>Smith" not in html
    for part in (text, html):
        assert SECRET not in part
        assert "/training/bookings/cancel/" not in part
    assert copy.attachments == []


def test_approval_holds_the_place_and_the_managers_link_confirms_it(
    client, approval, run_commit_hooks
):
    with run_commit_hooks():
        client.post(book_url(approval), FORM)
        book(approval.sessions.get(), email="second@example.org", manager_email="m2@example.org")

    held = Booking.objects.get(email="ann@example.org")
    assert held.status == BookingStatus.AWAITING_APPROVAL
    assert held.approval_due_at == APPROVAL_DUE
    # One place: held for Ann, so the next person waits.
    assert Booking.objects.get(email="second@example.org").status == BookingStatus.WAITING
    assert with_counts(held.session).places_left == 0
    (notice,) = sent_to("ann@example.org")
    assert notice.subject.startswith("Your place is held: ")
    assert "mo.manager@example.org" in notice.body
    assert SECRET not in notice.body
    (request,) = sent_to("mo.manager@example.org")
    text, _html = parts(request)
    assert "We are holding the place until 7 May 2025, 2pm." in text
    assert SECRET not in text

    mail.outbox.clear()
    approve = link_path(request, "approve")
    page = client.get(approve)  # a mail filter opening the link changes nothing
    assert page.status_code == 200
    assert soup_of(page).select_one("form button").get_text(strip=True) == "Approve the place"
    assert Booking.objects.get(pk=held.pk).status == BookingStatus.AWAITING_APPROVAL
    with run_commit_hooks():
        done = client.post(approve)

    assert "Place approved" in soup_of(done).h1.get_text()
    assert Booking.objects.get(pk=held.pk).status == BookingStatus.CONFIRMED
    (confirmation,) = mail.outbox
    assert confirmation.to == ["ann@example.org"]
    assert confirmation.subject.startswith("Booking confirmed: ")
    assert SECRET in confirmation.body
    # The link has done its work.
    again = client.post(approve)
    assert "already been answered" in soup_of(again).h1.get_text()


def test_a_declined_place_goes_to_the_next_person_and_the_delegate_is_told(
    client, approval, run_commit_hooks
):
    session = approval.sessions.get()
    with run_commit_hooks():
        book(session, email="ann@example.org", manager_email="mo@example.org")
        book(session, email="next@example.org", manager_email="nm@example.org")
    (request,) = sent_to("mo@example.org")
    mail.outbox.clear()

    with run_commit_hooks():
        response = client.post(link_path(request, "decline"))

    assert "Place declined" in soup_of(response).h1.get_text()
    declined = Booking.objects.get(email="ann@example.org")
    assert (declined.status, declined.cancelled_by) == ("cancelled", CancelledBy.MANAGER)
    (told,) = sent_to("ann@example.org")
    assert told.subject.startswith("Your manager declined your place: ")
    parts(told)
    # The next person waiting gets the place, held for their own manager's approval.
    assert Booking.objects.get(email="next@example.org").status == "awaiting_approval"
    (offer,) = sent_to("next@example.org")
    assert offer.subject.startswith("A place has come up for you: ")
    (ask,) = sent_to("nm@example.org")
    assert ask.subject.startswith("Please approve a training place: ")


def test_an_unanswered_place_is_released_when_its_time_runs_out(
    client, approval, later, run_commit_hooks
):
    session = approval.sessions.get()
    with run_commit_hooks():
        book(session, email="ann@example.org", manager_email="mo@example.org")
        book(session, email="next@example.org", manager_email="nm@example.org")
    (request,) = sent_to("mo@example.org")
    mail.outbox.clear()

    with later(APPROVAL_DUE - datetime.timedelta(minutes=1)), run_commit_hooks():
        assert booking_rules.expire_pending_approvals() == 0
    with later(APPROVAL_DUE), run_commit_hooks():
        assert booking_rules.expire_pending_approvals() == 1
        late = client.get(link_path(request, "approve"))

    assert late.status_code == 410
    expired = Booking.objects.get(email="ann@example.org")
    assert (expired.status, expired.cancelled_by) == ("cancelled", CancelledBy.APPROVAL_EXPIRED)
    (told,) = sent_to("ann@example.org")
    assert told.subject.startswith("Your place was not approved in time: ")
    # Promoted inside the last working day: held until the session starts at the latest.
    promoted = Booking.objects.get(email="next@example.org")
    assert promoted.status == "awaiting_approval"
    assert promoted.approval_due_at == SESSION_START


def test_moving_the_session_moves_the_approval_deadline_and_the_managers_link_follows(
    client, approval, later, run_commit_hooks
):
    with run_commit_hooks():
        book(approval.sessions.get(), email="ann@example.org", manager_email="mo@example.org")
    (request,) = sent_to("mo@example.org")
    # An editor moves the session a week later (Thursday 15 May) and publishes the course.
    draft = approval.get_latest_revision_as_object()
    moved = draft.sessions.get()
    moved.start += datetime.timedelta(days=7)
    moved.end += datetime.timedelta(days=7)
    draft.save_revision().publish()

    held = Booking.objects.get(email="ann@example.org")
    assert held.approval_due_at == london(2025, 5, 14, 14)  # one working day before
    with later(APPROVAL_DUE + datetime.timedelta(hours=1)), run_commit_hooks():
        assert booking_rules.expire_pending_approvals() == 0
        approved = client.post(link_path(request, "approve"))

    assert "Place approved" in soup_of(approved).h1.get_text()
    assert Booking.objects.get(pk=held.pk).status == BookingStatus.CONFIRMED


def test_an_altered_approval_link_is_refused(client, approval, run_commit_hooks):
    with run_commit_hooks():
        book(approval.sessions.get(), email="ann@example.org", manager_email="mo@example.org")
    (request,) = sent_to("mo@example.org")
    path = link_path(request, "approve")

    response = client.post(path.replace("/approval/", "/approval/x"))

    assert response.status_code == 400
    assert Booking.objects.get().status == "awaiting_approval"


def test_the_delegate_can_cancel_a_held_place_by_their_link_and_it_moves_on(client, approval):
    session = approval.sessions.get()
    held = book(session, email="ann@example.org", manager_email="mo@example.org")
    book(session, email="next@example.org", manager_email="nm@example.org")
    cancel = urlsplit(links.cancel_url(held)).path

    page = soup_of(client.get(cancel)).select_one(".booking-summary").get_text(" ", strip=True)
    assert "Place held, awaiting your manager's approval" in page
    assert client.post(cancel).status_code == 200

    assert Booking.objects.get(email="next@example.org").status == "awaiting_approval"


def test_the_managers_address_is_in_the_bookings_export_and_goes_when_erased(
    client, django_user_model, copied
):
    officer = sign_in_verified(client, editor(django_user_model, "officer", bookings=True))
    session = copied.sessions.get()
    booking = book(session, name="Ann Smith", manager_email="=mo@example.org")

    export = officer.get(f"/admin/training/bookings/?session={session.pk}&export=csv")
    (row,) = csv.DictReader(io.StringIO(b"".join(export.streaming_content).decode()))
    assert row["Line manager's email"] == "'=mo@example.org"  # never read as a formula
    inspect = officer.get(f"/admin/training/bookings/inspect/{booking.pk}/")
    assert "=mo@example.org" in inspect.content.decode()

    officer.post(f"/admin/training/bookings/erase/{booking.pk}/")

    assert not Booking.objects.filter(manager_email__contains="mo@example.org").exists()


def test_the_approval_page_runs_a_fixed_number_of_queries(
    client, approval, django_assert_num_queries
):
    held = book(approval.sessions.get(), email="ann@example.org", manager_email="mo@example.org")
    client.get("/")  # the site's settings (in fragments) and root paths, kept for any page

    with django_assert_num_queries(2):
        response = client.get(urlsplit(links.approval_url(held, links.APPROVE)).path)

    assert response.status_code == 200


def test_a_booking_with_no_manager_named_is_confirmed_as_before(approval, run_commit_hooks):
    # Made by the business unit, or before the course asked for approval.
    with run_commit_hooks():
        booking = book(approval.sessions.get(), email="ann@example.org")

    assert booking.status == BookingStatus.CONFIRMED
    assert [message.subject.split(":")[0] for message in mail.outbox] == ["Booking confirmed"]
