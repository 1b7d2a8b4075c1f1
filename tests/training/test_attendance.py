"""The session register, certificates of attendance and no-shows: what the business unit
and the delegates see."""

import csv
import io
import re

from django.contrib.auth.models import Group, Permission
from django.core import mail

import pypdf
import pytest
from bs4 import BeautifulSoup
from PIL import ImageFile

from tests.training.factories import book, london, make_course, make_session
from tests.two_factor import sign_in_verified
from training import attendance, links, notifications
from training import booking as booking_rules
from training.models import Attendance, Booking, BookingStatus
from training.retention import purge_expired_bookings

pytestmark = pytest.mark.django_db

INDEX = "/admin/training/bookings/"
AFTER_THE_SESSION = london(2025, 5, 8, 15, 30)
CERTIFICATE_LINK = re.compile(r"https://lscp\.test(/training/bookings/certificate/[^/\s\"]+/)")


@pytest.fixture
def officer(django_user_model):
    user = django_user_model.objects.create_user(
        username="officer", email="officer@example.org", password="x"
    )
    user.groups.add(Group.objects.get(name="Editors"))
    user.user_permissions.add(Permission.objects.get(codename="manage_bookings"))
    return user


@pytest.fixture
def officer_client(client, officer):
    return sign_in_verified(client, officer)


@pytest.fixture
def delegates(session):
    ann = book(session, name="Ann O'Neil <b>", email="ann@example.org")
    bob = book(session, name="Bob Jones", email="bob@example.org")
    cat = book(session, name="Cat Lee", email="cat@example.org")
    mail.outbox.clear()
    return ann, bob, cat


def marks_of(session):
    return dict(Booking.objects.filter(session=session).values_list("name", "attendance"))


def test_the_register_cannot_be_marked_before_the_session_starts(session, delegates, officer):
    ann, _bob, _cat = delegates

    with pytest.raises(attendance.AttendanceError, match="opens when the session starts"):
        attendance.record_attendance(
            session=session, marks={ann.pk: Attendance.ATTENDED}, user=officer
        )

    assert set(marks_of(session).values()) == {Attendance.NOT_RECORDED}


def test_recording_attendance_marks_each_person_and_emails_attendees_a_certificate_once(
    session, delegates, officer, later, run_commit_hooks
):
    ann, bob, cat = delegates
    with later(AFTER_THE_SESSION), run_commit_hooks():
        changed = attendance.record_attendance(
            session=session,
            marks={ann.pk: Attendance.ATTENDED, bob.pk: Attendance.NO_SHOW},
            user=officer,
        )
    with later(AFTER_THE_SESSION), run_commit_hooks():
        # The register saved again, and the task run twice: still one email.
        attendance.record_attendance(
            session=session,
            marks={ann.pk: Attendance.ATTENDED, bob.pk: Attendance.NO_SHOW},
            user=officer,
        )
        notifications.send_certificate(ann.pk)

    assert {booking.pk for booking in changed} == {ann.pk, bob.pk}
    assert marks_of(session) == {
        "Ann O'Neil <b>": Attendance.ATTENDED,
        "Bob Jones": Attendance.NO_SHOW,
        "Cat Lee": Attendance.NOT_RECORDED,
    }
    ann.refresh_from_db()
    assert ann.attendance_recorded_at == AFTER_THE_SESSION
    assert ann.certificate_sent_at == AFTER_THE_SESSION
    assert [message.to for message in mail.outbox] == [["ann@example.org"]]


def test_a_mark_for_someone_without_a_place_on_the_session_saves_nothing(
    catalogue, session, delegates, officer, later
):
    ann, _bob, _cat = delegates
    other = make_course(catalogue, sessions=[make_session(start=london(2025, 5, 1, 10))])
    stranger = book(other.sessions.get())
    cancelled = book(session, name="Dan Cancelled")
    booking_rules.cancel(booking=cancelled)

    for outsider in (stranger, cancelled):
        with later(AFTER_THE_SESSION), pytest.raises(attendance.AttendanceError):
            attendance.record_attendance(
                session=session,
                marks={ann.pk: Attendance.ATTENDED, outsider.pk: Attendance.ATTENDED},
                user=officer,
            )

    assert Booking.objects.filter(attendance=Attendance.ATTENDED).count() == 0


def test_the_certificate_email_has_text_and_html_parts_with_the_link_and_the_name_escaped(
    session, delegates, officer, later, run_commit_hooks
):
    ann, _bob, _cat = delegates
    with later(AFTER_THE_SESSION), run_commit_hooks():
        attendance.record_attendance(
            session=session, marks={ann.pk: Attendance.ATTENDED}, user=officer
        )

    (message,) = mail.outbox
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert message.subject.startswith("Your certificate of attendance: Child exploitation")
    assert message.body.startswith("Leeds Safeguarding Children Partnership")  # shared layout
    assert "Dear Ann O'Neil <b>," in message.body
    assert "Neil &lt;b&gt;" in html and "Neil <b>" not in html
    assert "1 hour of training" in message.body
    (path,) = set(CERTIFICATE_LINK.findall(message.body))
    assert f'href="https://lscp.test{path}"' in html
    assert 'lang="en' in html


def certificate_path(session, booking, officer, later, run_commit_hooks):
    with later(AFTER_THE_SESSION), run_commit_hooks():
        attendance.record_attendance(
            session=session, marks={booking.pk: Attendance.ATTENDED}, user=officer
        )
    message = next(m for m in mail.outbox if m.to == [booking.email])
    return CERTIFICATE_LINK.search(message.body).group(1)


def test_the_certificate_link_downloads_a_pdf_with_the_name_course_date_and_hours(
    client, session, delegates, officer, later, run_commit_hooks
):
    ann, _bob, _cat = delegates
    path = certificate_path(session, ann, officer, later, run_commit_hooks)

    with later(london(2025, 6, 1, 9)):
        response = client.get(path)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert (
        response["Content-Disposition"]
        == 'attachment; filename="lscp-certificate-child-exploitation-in-leeds-2025-05-08.pdf"'
    )
    assert "no-cache" in response["Cache-Control"] or "private" in response["Cache-Control"]
    pdf = pypdf.PdfReader(io.BytesIO(response.content))
    text = " ".join(pdf.pages[0].extract_text().split())
    assert "Certificate of attendance" in text
    assert "Ann O'Neil <b>" in text
    assert "Child exploitation in Leeds - a guide for practitioners" in text
    assert "8 May 2025" in text
    assert "1 hour of training" in text
    assert pdf.metadata.title.startswith("Certificate of attendance: Child exploitation")
    assert pdf.trailer["/Root"]["/Lang"] == "en-GB"
    assert pdf.trailer["/Root"]["/MarkInfo"]["/Marked"]  # tagged for screen readers
    # WeasyPrint's import-time switch is undone: image uploads still refuse cut-off files.
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False


def test_a_certificate_link_that_was_altered_is_refused(
    client, session, delegates, officer, later, run_commit_hooks
):
    ann, _bob, _cat = delegates
    path = certificate_path(session, ann, officer, later, run_commit_hooks)
    cancel_token = links.cancel_token(ann)

    assert client.get(path[:-6] + "xxxxx/").status_code == 400
    # A genuine token signed for something else is no certificate link.
    assert client.get(f"/training/bookings/certificate/{cancel_token}/").status_code == 400


def test_a_certificate_link_stops_working_when_the_mark_is_corrected_or_the_booking_purged(
    client, session, delegates, officer, later, run_commit_hooks
):
    ann, bob, _cat = delegates
    ann_path = certificate_path(session, ann, officer, later, run_commit_hooks)
    bob_path = certificate_path(session, bob, officer, later, run_commit_hooks)
    with later(AFTER_THE_SESSION):
        attendance.record_attendance(
            session=session, marks={bob.pk: Attendance.NO_SHOW}, user=officer
        )

    assert client.get(bob_path).status_code == 410
    assert client.get(ann_path).status_code == 200
    with later(london(2026, 5, 9, 9)):
        assert purge_expired_bookings() == 3
        response = client.get(ann_path)
    assert response.status_code == 410
    assert b"no longer available" in response.content


# The register in the admin


def soup_of(response):
    return BeautifulSoup(response.content, "html.parser")


def register_url(session):
    return f"{INDEX}sessions/{session.pk}/register/"


def test_the_register_lists_confirmed_places_with_labelled_radio_buttons(
    officer_client, session, delegates, later
):
    waiting_session_booking = book(session, name="Wendy Waiting")
    Booking.objects.filter(pk=waiting_session_booking.pk).update(status=BookingStatus.WAITING)

    with later(AFTER_THE_SESSION):
        response = officer_client.get(register_url(session))

    assert response.status_code == 200
    page = soup_of(response)
    rows = page.select("table.register__table tbody tr")
    assert [row.th.get_text(strip=True) for row in rows] == [
        "Ann O'Neil <b>",
        "Bob Jones",
        "Cat Lee",
    ]
    first = rows[0].fieldset
    assert first.legend.get_text(strip=True) == "Attendance of Ann O'Neil <b>"
    radios = first.select("input[type=radio]")
    assert [radio["value"] for radio in radios] == ["attended", "no_show"]
    for radio in radios:
        assert page.select_one(f'label[for="{radio["id"]}"]') is not None
    assert page.select_one('link[href$="training/register.css"]') is not None
    assert page.select_one("form input[name=csrfmiddlewaretoken]") is not None


def test_saving_the_register_records_marks_and_shows_them_again(
    officer_client, session, delegates, later, run_commit_hooks
):
    ann, bob, cat = delegates
    with later(AFTER_THE_SESSION), run_commit_hooks():
        response = officer_client.post(
            register_url(session),
            {f"booking_{ann.pk}": "attended", f"booking_{bob.pk}": "no_show"},
        )
        assert response.status_code == 302
        page = soup_of(officer_client.get(response["Location"]))

    assert marks_of(session)["Bob Jones"] == Attendance.NO_SHOW
    assert [m.to for m in mail.outbox] == [["ann@example.org"]]
    assert page.select_one(f"#id_booking_{ann.pk}_0").has_attr("checked")
    assert page.select_one(f"#id_booking_{bob.pk}_1").has_attr("checked")
    assert not page.select(f"input[name=booking_{cat.pk}][checked]")
    assert "Saved the register (2 changes)" in page.get_text()


def test_before_the_session_the_register_is_printable_but_cannot_be_saved(
    officer_client, session, delegates
):
    ann, _bob, _cat = delegates

    page = soup_of(officer_client.get(register_url(session)))
    response = officer_client.post(register_url(session), {f"booking_{ann.pk}": "attended"})

    assert "The register opens when the session starts" in page.get_text()
    assert not page.select("input[type=radio]")
    assert len(page.select("table.register__table tbody tr")) == 3
    assert response.status_code == 400
    assert marks_of(session)["Ann O'Neil <b>"] == Attendance.NOT_RECORDED


def test_a_made_up_mark_is_refused_beside_the_person(officer_client, session, delegates, later):
    ann, _bob, _cat = delegates

    with later(AFTER_THE_SESSION):
        response = officer_client.post(register_url(session), {f"booking_{ann.pk}": "maybe"})

    assert response.status_code == 400
    assert soup_of(response).select_one(f"#id_booking_{ann.pk}-error") is not None
    assert marks_of(session)["Ann O'Neil <b>"] == Attendance.NOT_RECORDED


def test_the_register_is_hidden_from_editors_without_the_bookings_permission(
    client, django_user_model, session, delegates
):
    user = django_user_model.objects.create_user(
        username="writer", email="writer@example.org", password="x"
    )
    user.groups.add(Group.objects.get(name="Editors"))
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")

    assert client.get(register_url(session)).status_code == 403
    assert client.post(register_url(session), {}).status_code == 403


def test_no_shows_are_a_filter_and_a_column_of_the_bookings_list_and_in_its_export(
    officer_client, session, delegates, officer, later
):
    ann, bob, _cat = delegates
    with later(AFTER_THE_SESSION):
        attendance.record_attendance(
            session=session,
            marks={ann.pk: Attendance.ATTENDED, bob.pk: Attendance.NO_SHOW},
            user=officer,
        )

    listed = soup_of(officer_client.get(f"{INDEX}?attendance=no_show"))
    export = officer_client.get(f"{INDEX}?q=bob%40example.org&export=csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(export.streaming_content).decode())))

    assert "Bob Jones" in listed.get_text() and "Ann O'Neil" not in listed.get_text()
    assert "Did not attend" in listed.get_text()
    assert [(row["Name"], row["Attendance"]) for row in rows] == [("Bob Jones", "Did not attend")]


def test_erasing_a_delegate_erases_their_register_mark_and_certificate_link(
    client, session, delegates, officer, later, run_commit_hooks
):
    ann, _bob, _cat = delegates
    path = certificate_path(session, ann, officer, later, run_commit_hooks)

    booking_rules.erase(booking=ann)

    assert not Booking.objects.filter(email="ann@example.org").exists()
    assert client.get(path).status_code == 410
