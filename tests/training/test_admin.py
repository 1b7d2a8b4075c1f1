"""Bookings in the Wagtail admin, and the course editor's rules about sessions."""

import csv
import io

from django.contrib.auth.models import Group, Permission
from django.core import mail

from wagtail.test.utils.form_data import querydict_from_html

import pytest
from bs4 import BeautifulSoup

from tests.training.factories import book, london, make_course, make_session
from tests.two_factor import sign_in_verified
from training import booking as booking_rules
from training.models import Booking, BookingStatus, Session

pytestmark = pytest.mark.django_db

INDEX = "/admin/training/bookings/"


def soup_of(response):
    return BeautifulSoup(response.content, "html.parser")


def editor(django_user_model, username, *, bookings=False):
    user = django_user_model.objects.create_user(
        username=username, email=f"{username}@example.org", password="x"
    )
    user.groups.add(Group.objects.get(name="Editors"))
    if bookings:
        user.user_permissions.add(Permission.objects.get(codename="manage_bookings"))
    return user


@pytest.fixture
def officer_client(client, django_user_model):
    """The business unit's bookings officer: an editor with the bookings permission."""
    user = editor(django_user_model, "officer", bookings=True)
    return sign_in_verified(client, user)


@pytest.fixture
def editor_client(client, django_user_model):
    """An editor who writes pages but has no business seeing delegates."""
    user = editor(django_user_model, "writer")
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


@pytest.fixture
def booked(session):
    return [
        book(session, name="Ann Smith", email="ann@example.org", organisation="=HYPERLINK(1)"),
        book(session, name="Bob Jones", email="bob@example.org", access_needs="Captions"),
    ]


def test_delegates_are_hidden_from_editors_without_the_bookings_permission(
    editor_client, session, booked
):
    cancel_one = f"{INDEX}cancel/{booked[0].pk}/"
    cancel_all = f"{INDEX}sessions/{session.pk}/cancel/"
    for path in (
        INDEX,
        f"{INDEX}?session={session.pk}",
        f"{INDEX}?export=csv",
        f"{INDEX}results/",
        f"{INDEX}inspect/{booked[0].pk}/",
        cancel_one,
        cancel_all,
    ):
        assert editor_client.get(path).status_code == 403, path
    assert editor_client.post(cancel_one).status_code == 403
    assert editor_client.post(cancel_all).status_code == 403
    assert Booking.objects.filter(status=BookingStatus.CONFIRMED).count() == 2
    home = editor_client.get("/admin/").content.decode()
    assert INDEX not in home  # no menu item


def test_bookings_officer_sees_the_delegates_of_a_session_with_their_status(
    officer_client, session, booked
):
    booking_rules.cancel(booking=booked[1])

    response = officer_client.get(f"{INDEX}?session={session.pk}")

    assert response.status_code == 200
    page = soup_of(response)
    rows = [row.get_text(" ", strip=True) for row in page.select("table.listing tbody tr")]
    assert len(rows) == 2
    assert any("Ann Smith" in row and "Confirmed" in row for row in rows)
    assert any("Bob Jones" in row and "Cancelled" in row for row in rows)
    assert "1 of 10 places taken, 0 waiting" in page.get_text()
    assert officer_client.get("/admin/").content.decode().count(INDEX) >= 1


def test_csv_export_lists_the_delegates_of_a_session(officer_client, catalogue, session, booked):
    other = make_course(catalogue, sessions=[make_session(start=london(2025, 4, 1, 10))])
    book(other.sessions.get(), name="Someone Else")

    response = officer_client.get(f"{INDEX}?session={session.pk}&export=csv")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="training-bookings.csv"' in response["Content-Disposition"]
    content = b"".join(response.streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(content)))
    assert [row["Name"] for row in rows] == ["Ann Smith", "Bob Jones"]
    ann = next(row for row in rows if row["Name"] == "Ann Smith")
    assert ann["Work email"] == "ann@example.org"
    assert ann["Organisation"] == "'=HYPERLINK(1)"  # never read as a formula
    assert ann["Course"] == "Child exploitation in Leeds - a guide for practitioners"
    assert ann["Session starts"] == "2025-05-08 14:00"
    assert ann["Where"] == "Online"
    assert ann["Status"] == "Confirmed"
    bob = next(row for row in rows if row["Name"] == "Bob Jones")
    assert bob["Access needs"] == "Captions"


def test_an_editor_cancels_a_booking_after_confirming(officer_client, catalogue, run_commit_hooks):
    course = make_course(
        catalogue, sessions=[make_session(start=london(2025, 4, 1, 10), capacity=1)]
    )
    session = course.sessions.get()
    holder = book(session, name="Ann Smith")
    waiting = book(session, email="waiting@example.org")
    path = f"{INDEX}cancel/{holder.pk}/"

    confirm = officer_client.get(path)
    assert confirm.status_code == 200
    assert "Ann Smith" in confirm.content.decode()
    holder.refresh_from_db()
    assert holder.status == BookingStatus.CONFIRMED
    mail.outbox.clear()

    with run_commit_hooks():
        response = officer_client.post(path)

    assert response.status_code == 302
    assert response["Location"] == f"{INDEX}?session={session.pk}"
    holder.refresh_from_db()
    waiting.refresh_from_db()
    assert holder.status == BookingStatus.CANCELLED
    assert holder.cancelled_by == "editor"
    assert waiting.status == BookingStatus.CONFIRMED
    assert sorted(m.to[0] for m in mail.outbox) == sorted([holder.email, "waiting@example.org"])


def test_an_editor_cancels_a_whole_session_and_everyone_is_emailed(
    officer_client, session, booked, run_commit_hooks
):
    listing = soup_of(officer_client.get(f"{INDEX}?session={session.pk}"))
    assert listing.select_one(f'a[href="{INDEX}sessions/{session.pk}/cancel/"]') is not None
    path = f"{INDEX}sessions/{session.pk}/cancel/"
    assert "2 people booked or waiting" in officer_client.get(path).content.decode()
    mail.outbox.clear()

    with run_commit_hooks():
        officer_client.post(path)

    assert set(Booking.objects.values_list("status", flat=True)) == {BookingStatus.CANCELLED}
    assert sorted(m.to[0] for m in mail.outbox) == ["ann@example.org", "bob@example.org"]


def test_course_editor_shows_counts_per_session_without_names(editor_client, session, booked):
    response = editor_client.get(f"/admin/pages/{session.course_id}/edit/")

    assert response.status_code == 200
    text = soup_of(response).get_text(" ", strip=True)
    assert "8 May 2025, 2pm to 3pm" in text
    assert "2 of 10" in text
    assert "Ann Smith" not in response.content.decode()
    assert "only to people with the bookings permission" in text


def test_course_editor_links_officers_to_each_sessions_delegates(officer_client, session, booked):
    response = officer_client.get(f"/admin/pages/{session.course_id}/edit/")

    assert soup_of(response).select_one(f'a[href="{INDEX}?session={session.pk}"]') is not None


def edit_form(client, course):
    response = client.get(f"/admin/pages/{course.pk}/edit/")
    return querydict_from_html(response.content.decode(), form_id="page-edit-form")


def publish(client, course, data):
    data["action-publish"] = "action-publish"
    return client.post(f"/admin/pages/{course.pk}/edit/", data)


def test_a_session_with_people_booked_cannot_be_removed_in_the_editor(
    admin_client, session, booked
):
    data = edit_form(admin_client, session.course)
    data["sessions-0-DELETE"] = "1"

    response = publish(admin_client, session.course, data)

    assert response.status_code == 200  # the form again
    text = soup_of(response).get_text(" ", strip=True)
    assert "cannot be removed: 2 people are booked or waiting" in text
    assert Session.objects.filter(pk=session.pk).exists()


def test_a_session_whose_bookings_were_all_cancelled_can_be_removed(admin_client, session, booked):
    booking_rules.cancel_session(session=session)
    data = edit_form(admin_client, session.course)
    data["sessions-0-DELETE"] = "1"

    response = publish(admin_client, session.course, data)

    assert response.status_code == 302
    assert not Session.objects.filter(pk=session.pk).exists()
    assert not Booking.objects.exists()


def test_capacity_cannot_go_below_the_places_already_taken(admin_client, session, booked):
    # A place held for a manager's approval is taken as much as a confirmed one.
    Booking.objects.filter(pk=booked[1].pk).update(status=BookingStatus.AWAITING_APPROVAL)
    data = edit_form(admin_client, session.course)
    data["sessions-0-capacity"] = "1"

    response = publish(admin_client, session.course, data)

    assert response.status_code == 200
    assert (
        "2 places are already taken (confirmed or held for a manager&#x27;s approval)"
        in response.content.decode()
    )
    session.refresh_from_db()
    assert session.capacity == 10


def test_editing_a_course_keeps_its_sessions_and_their_bookings(admin_client, session, booked):
    data = edit_form(admin_client, session.course)
    data["sessions-0-capacity"] = "12"
    data["summary"] = "A new summary."

    response = publish(admin_client, session.course, data)

    assert response.status_code == 302
    reloaded = Session.objects.get(pk=session.pk)
    assert reloaded.capacity == 12
    assert Booking.objects.filter(session=reloaded).count() == 2
    # And again, from the revision that edit made.
    data = edit_form(admin_client, session.course)
    data["sessions-0-venue"] = ""
    assert publish(admin_client, session.course, data).status_code == 302
    assert Session.objects.get().pk == session.pk


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"sessions-0-end": "2025-05-08 13:00"}, "end", "The session must end after it starts."),
        ({"sessions-0-capacity": "0"}, "capacity", "at least 1"),
        (
            {"sessions-0-format": "face_to_face", "sessions-0-venue": ""},
            "venue",
            "Give the venue's name and address",
        ),
        ({"sessions-0-joining_details": ""}, "joining_details", "Add the webinar link"),
        (
            {"sessions-0-booking_closes_at": "2025-05-08 14:30"},
            "booking_closes_at",
            "Booking must close by the time the session starts.",
        ),
    ],
)
def test_session_rows_explain_what_is_wrong(admin_client, session, change, field, message):
    data = edit_form(admin_client, session.course)
    data.update(change)

    response = publish(admin_client, session.course, data)

    assert response.status_code == 200
    page = soup_of(response)
    assert message in page.get_text(" ", strip=True)
    assert page.select_one(f'[name="sessions-0-{field}"]') is not None


def test_a_course_with_people_booked_cannot_be_deleted(admin_client, session, booked):
    response = admin_client.post(f"/admin/pages/{session.course_id}/delete/", follow=True)

    assert "cannot be deleted: people are booked on sessions to come" in response.content.decode()
    assert Session.objects.filter(pk=session.pk).exists()


def test_a_course_whose_sessions_are_over_can_be_deleted(admin_client, session, booked, later):
    with later(london(2025, 6, 1)):
        response = admin_client.post(f"/admin/pages/{session.course_id}/delete/")

    assert response.status_code == 302
    assert not Session.objects.exists()
    assert not Booking.objects.exists()


def test_publishing_an_old_revision_never_deletes_a_session_people_are_booked_on(catalogue):
    from django.db.models import ProtectedError

    course = make_course(
        catalogue, sessions=[make_session(start=london(2025, 4, 1, 10))], revision=True
    )
    old_revision = course.latest_revision
    draft = course.get_latest_revision_as_object()
    draft.sessions.add(make_session(start=london(2025, 5, 1, 10)))
    draft.save_revision().publish()
    added = Session.objects.get(course=course, start=london(2025, 5, 1, 10))
    booking = book(added)

    with pytest.raises(ProtectedError):
        old_revision.publish()

    assert Session.objects.filter(pk=added.pk).exists()
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED


def test_an_editor_creates_a_course_with_its_sessions(admin_client, catalogue):
    add_url = f"/admin/pages/add/training/coursepage/{catalogue.pk}/"
    data = querydict_from_html(admin_client.get(add_url).content.decode(), form_id="page-edit-form")
    data.update(
        {
            "title": "Neglect in Leeds",
            "slug": "neglect-in-leeds",
            "summary": "Recognising and responding to neglect.",
            "sessions-TOTAL_FORMS": "1",
            "sessions-0-start": "2025-04-01 10:00",
            "sessions-0-end": "2025-04-01 12:00",
            "sessions-0-format": "live_webinar",
            "sessions-0-joining_details": "https://teams.example.org/neglect",
            "sessions-0-capacity": "25",
            "sessions-0-ORDER": "1",
            "action-publish": "action-publish",
        }
    )

    response = admin_client.post(add_url, data)

    assert response.status_code == 302
    session = Session.objects.get(course__slug="neglect-in-leeds")
    assert session.start == london(2025, 4, 1, 10)
    assert session.capacity == 25


def test_a_preview_shows_the_editors_unsaved_sessions_with_their_places(session, django_user_model):
    book(session)
    draft = session.course.get_latest_revision_as_object()
    draft.sessions.add(make_session(start=london(2025, 6, 5, 10), capacity=7))

    response = draft.make_preview_request()

    assert response.status_code == 200
    states = [p.get_text(strip=True) for p in soup_of(response).select(".session-state")]
    assert states == ["9 places left", "7 places left"]


def test_a_delegates_details_are_erased_on_request_and_their_place_passed_on(
    officer_client, catalogue, run_commit_hooks
):
    course = make_course(
        catalogue, sessions=[make_session(start=london(2025, 4, 1, 10), capacity=1)]
    )
    session = course.sessions.get()
    holder = book(session, name="Ann Smith")
    waiting = book(session, email="waiting@example.org")
    path = f"{INDEX}erase/{holder.pk}/"
    assert "Ann Smith" in officer_client.get(path).content.decode()
    mail.outbox.clear()

    with run_commit_hooks():
        response = officer_client.post(path)

    assert response.status_code == 302
    assert not Booking.objects.filter(pk=holder.pk).exists()
    waiting.refresh_from_db()
    assert waiting.status == BookingStatus.CONFIRMED
    assert [m.to for m in mail.outbox] == [["waiting@example.org"]]


def test_only_the_bookings_permission_can_erase_details(editor_client, session, booked):
    path = f"{INDEX}erase/{booked[0].pk}/"

    assert editor_client.get(path).status_code == 403
    assert editor_client.post(path).status_code == 403
    assert Booking.objects.filter(pk=booked[0].pk).exists()
