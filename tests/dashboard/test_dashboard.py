"""The business unit's dashboard on the Wagtail admin home: four charts drawn as SVG from
the figures, each with its numbers as a table and a link to the list behind it, in a fixed
number of queries."""

import datetime

from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

import pytest
import time_machine
from bs4 import BeautifulSoup

from dashboard import charts
from dashboard.figures import dashboard_charts
from newsletter.sending_models import Delivery, Send
from subscriptions.models import Subscriber
from tests.newsletter.factories import make_index as make_newsletter_index
from tests.newsletter.factories import make_issue
from tests.training.factories import london, make_course, make_index, make_session
from tests.two_factor import sign_in_verified
from training.models import Attendance, Booking, BookingStatus

pytestmark = pytest.mark.django_db

NOW = london(2025, 6, 16, 10)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield NOW


def add_bookings(session, *, confirmed, attended=0, no_show=0, waiting=0):
    """Bookings written in bulk, as many as asked, marked as asked."""
    rows = []
    for number in range(confirmed + waiting):
        if number < attended:
            mark = Attendance.ATTENDED
        elif number < attended + no_show:
            mark = Attendance.NO_SHOW
        else:
            mark = Attendance.NOT_RECORDED
        rows.append(
            Booking(
                session=session,
                name=f"Delegate {number}",
                email=f"s{session.pk}-d{number}@example.org",
                organisation="Leeds City Council",
                job_role="Social worker",
                status=BookingStatus.CONFIRMED if number < confirmed else BookingStatus.WAITING,
                attendance=mark,
                privacy_agreed_at=NOW,
            )
        )
    Booking.objects.bulk_create(rows)


def add_subscribers(count, *, month_offset=0, first=0):
    when = NOW - datetime.timedelta(days=30 * month_offset)
    Subscriber.objects.bulk_create(
        Subscriber(
            email=f"f{first}-m{month_offset}-p{number}@example.org",
            status=Subscriber.Status.UNSUBSCRIBED
            if number % 5 == 0
            else Subscriber.Status.CONFIRMED,
            signed_up_at=when,
            confirmed_at=when,
            unsubscribed_at=when if number % 5 == 0 else None,
            suppressed_at=when if number == 1 else None,
            suppression_reason="Hard bounce" if number == 1 else "",
        )
        for number in range(count)
    )


def add_send(issue, *, sent, failed):
    send = Send.objects.create(issue=issue, requested_at=NOW, recipient_count=sent + failed)
    subscribers = list(Subscriber.objects.order_by("pk")[: sent + failed])
    Delivery.objects.bulk_create(
        Delivery(
            send=send,
            issue=issue,
            subscriber=subscriber,
            status=Delivery.Status.SENT if number < sent else Delivery.Status.FAILED,
        )
        for number, subscriber in enumerate(subscribers)
    )
    return send


def build_site(home_page, *, sessions_per_course, courses, subscribers, sends, first=0):
    training = make_index(home_page, slug=f"training-{first}")
    for number in range(first, first + courses):
        past = [make_session(start=london(2025, 5, 1 + day, 10), hours=3) for day in range(2)]
        coming = [
            make_session(start=london(2025, 7, 1, 10) + datetime.timedelta(days=day), capacity=20)
            for day in range(sessions_per_course)
        ]
        course = make_course(training, title=f"Course {number:03}", sessions=past + coming)
        for session in course.sessions.all():
            if session.start < NOW:
                add_bookings(session, confirmed=10, attended=8, no_show=2)
            else:
                add_bookings(session, confirmed=15, waiting=2)
    for month in range(3):
        add_subscribers(subscribers, month_offset=month, first=first)
    newsletter = make_newsletter_index(home_page, slug=f"newsletter-{first}")
    for month in range(sends):
        issue = make_issue(newsletter, datetime.date(2025 - first, 6 - month, 1))
        add_send(issue, sent=subscribers - 1, failed=1)


@pytest.fixture
def officer(django_user_model):
    user = django_user_model.objects.create_user(
        username="officer", email="officer@example.org", password="x"
    )
    user.groups.add(Group.objects.get(name="Editors"))
    for codename in ("manage_bookings", "manage_subscribers", "send_issue"):
        user.user_permissions.add(Permission.objects.get(codename=codename))
    return user


def soup_of(response):
    return BeautifulSoup(response.content, "html.parser")


def test_the_admin_home_shows_four_charts_with_their_numbers_and_lists(
    client, home_page, officer, frozen
):
    build_site(home_page, sessions_per_course=2, courses=2, subscribers=5, sends=1)
    client = sign_in_verified(client, officer)

    response = client.get("/admin/")

    assert response.status_code == 200
    page = soup_of(response)
    panel = page.select_one("section.lscp-dashboard")
    titles = [h3.get_text(strip=True) for h3 in panel.select("h3")]
    assert titles == [
        "Subscribers over time",
        "Places booked on the coming sessions",
        "Attendance rate per course",
        "The last newsletter sends",
    ]
    for chart in panel.select("article.lscp-chart"):
        svg = chart.select_one("svg.lscp-chart__drawing")
        assert svg["role"] == "img" and svg["aria-labelledby"]
        assert not chart.select("[style]") and not chart.select("script")
        assert chart.select_one("details table caption") is not None
        assert chart.select_one("p.lscp-chart__more a")["href"].startswith("/admin/")
    places = panel.select("article.lscp-chart")[1]
    first_row = [
        cell.get_text(strip=True) for cell in places.select("tbody tr")[0].find_all(["th", "td"])
    ]
    assert first_row == ["Course 000", "1 July 2025, 10am to 11am", "15", "20", "2"]
    assert places.select_one("tbody tr a")["href"].startswith("/admin/training/bookings/?session=")
    assert len(places.select("rect title")) == 4
    attendance = panel.select("article.lscp-chart")[2]
    rows = [
        [c.get_text(strip=True) for c in tr.find_all(["th", "td"])]
        for tr in attendance.select("tbody tr")
    ]
    assert rows == [
        ["Course 000", "16", "4", "0", "80%"],
        ["Course 001", "16", "4", "0", "80%"],
    ]
    subscribers = panel.select("article.lscp-chart")[0]
    assert "12 confirmed subscribers now, 3 unsubscribed" in subscribers.get_text()
    assert "3 with email stopped" in subscribers.get_text()
    assert len(subscribers.select("circle title")) == 36  # 12 months, three lines
    june = [
        c.get_text(strip=True) for c in subscribers.select("tbody tr")[-1].find_all(["th", "td"])
    ]
    assert june == ["Jun 2025", "5", "1", "1"]
    sends = panel.select("article.lscp-chart")[3]
    cells = [c.get_text(strip=True) for c in sends.select("tbody tr")[0].find_all(["th", "td"])]
    assert cells[0] == "June Newsletter" and cells[2:] == ["4", "1", "0", "0"]
    assert 'href="/static/dashboard/dashboard.css"' in response.content.decode() or page.select_one(
        'link[href*="dashboard/dashboard.css"]'
    )


def test_editors_without_the_permissions_see_no_dashboard(
    client, django_user_model, home_page, frozen
):
    user = django_user_model.objects.create_user(
        username="writer", email="writer@example.org", password="x"
    )
    user.groups.add(Group.objects.get(name="Editors"))
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")

    response = client.get("/admin/")

    assert response.status_code == 200
    assert soup_of(response).select_one("section.lscp-dashboard") is None


def queries_for_the_charts(officer):
    officer = type(officer).objects.get(pk=officer.pk)  # permissions not yet cached
    with CaptureQueriesContext(connection) as queries:
        dashboard_charts(user=officer)
    return len(queries)


def test_the_dashboard_runs_the_same_number_of_queries_on_a_small_and_a_large_site(
    home_page, officer, frozen
):
    build_site(home_page, sessions_per_course=1, courses=1, subscribers=2, sends=1)
    small = queries_for_the_charts(officer)

    build_site(home_page, sessions_per_course=12, courses=4, subscribers=40, sends=4, first=1)
    large = queries_for_the_charts(officer)

    assert Booking.objects.count() > 10 * 17
    assert small == large
    assert large <= 7  # permissions (2), then one query per chart


def test_axis_tops_are_round_numbers():
    assert [charts.nice_ceiling(value) for value in (0, 1, 3, 7, 12, 51, 900)] == [
        1,
        1,
        5,
        10,
        20,
        100,
        1000,
    ]


def test_a_bar_is_measured_against_its_own_scale():
    drawing = charts.bar_chart(
        rows=[
            ("Half full", [("booked", 5, "5 of 10")], 10, "5/10", ""),
            ("Full", [("booked", 20, "20 of 20")], 20, "20/20", ""),
        ],
        scale=1,
    )
    half, full = drawing["rows"]
    assert float(half.parts[0][1]) == pytest.approx(drawing["bar_width"] / 2)
    assert float(full.parts[0][1]) == pytest.approx(drawing["bar_width"])
