"""The diary's demo content: the seed's dates, the webinar and dates that are always ahead."""

import datetime
import io
import zoneinfo

from django.core.management import call_command

import pytest
import time_machine

from events import demo
from events.models import EventCategory, EventIndexPage, EventPage
from events.queries import upcoming_events

pytestmark = pytest.mark.django_db
LONDON = zoneinfo.ZoneInfo("Europe/London")


def snapshot():
    return sorted(
        (e.slug, e.start_date, e.end_date, e.start_time, e.end_time, e.latest_revision_id)
        for e in EventPage.objects.all()
    )


def test_demo_builds_the_diary_with_the_seed_dates(home_page):
    index = demo.load_demo(home_page)
    assert index.slug == "events"
    assert index.title == "Dates for your diary"
    assert index.live
    assert set(EventCategory.objects.values_list("name", flat=True)) == {
        "Awareness day",
        "Awareness week",
        "LSCP event",
        "Conference",
        "Campaign",
    }
    cea = EventPage.objects.get(slug="national-child-exploitation-awareness-day-2025")
    assert (cea.start_date, cea.end_date) == (datetime.date(2025, 3, 18), None)
    assert cea.organiser == "National Working Group"
    assert cea.external_link_text == "NWG website"
    assert cea.hashtag == "#CEADay25"
    assert cea.category.name == "Awareness day"
    mhaw = EventPage.objects.get(title="Mental Health Awareness Week")
    assert (mhaw.start_date, mhaw.end_date) == (
        datetime.date(2025, 5, 12),
        datetime.date(2025, 5, 18),
    )
    imcd = EventPage.objects.get(title="International Missing Children’s Day")
    assert imcd.start_date == datetime.date(2025, 5, 25)
    wysw = EventPage.objects.get(title="West Yorkshire Safeguarding Week")
    assert (wysw.start_date, wysw.end_date) == (
        datetime.date(2025, 6, 23),
        datetime.date(2025, 6, 27),
    )
    webinar = EventPage.objects.get(slug="child-exploitation-in-leeds-webinar-2025")
    assert webinar.starts == datetime.datetime(2025, 5, 8, 14, tzinfo=LONDON)
    assert webinar.ends == datetime.datetime(2025, 5, 8, 15, tzinfo=LONDON)
    assert webinar.online
    assert webinar.category.name == "LSCP event"
    assert all(page.live for page in EventPage.objects.all())


def test_demo_always_has_upcoming_dates(home_page):
    with time_machine.travel(datetime.datetime(2031, 2, 1, 12, tzinfo=LONDON)):
        demo.load_demo(home_page)
        upcoming = upcoming_events()
    assert len(upcoming) >= 3
    assert all(event.start_date.year >= 2031 for event in upcoming)


def test_loading_the_demo_twice_changes_nothing(home_page):
    demo.load_demo(home_page)
    before = snapshot()
    demo.load_demo(home_page)
    assert snapshot() == before
    assert EventIndexPage.objects.count() == 1


def test_a_relative_date_that_has_passed_moves_forward_on_the_next_load(home_page):
    with time_machine.travel(datetime.datetime(2025, 1, 10, 12, tzinfo=LONDON)):
        demo.load_demo(home_page)
    with time_machine.travel(datetime.datetime(2026, 1, 10, 12, tzinfo=LONDON)):
        demo.load_demo(home_page)
        meeting = EventPage.objects.get(slug="practitioner-group-meeting")
        # 14 days on is Saturday 24 January: the meeting moves to the Monday.
        assert meeting.start_date == datetime.date(2026, 1, 26)
        assert meeting in upcoming_events()
    seed = EventPage.objects.get(slug="mental-health-awareness-week-2025")
    assert seed.start_date == datetime.date(2025, 5, 12)  # real dates never move


def test_load_demo_command_builds_the_diary_and_the_home_page_shows_it(client, db):
    call_command("load_demo", stdout=io.StringIO())
    assert EventIndexPage.objects.get().url == "/events/"
    response = client.get("/")
    assert response.status_code == 200
    assert "LSCP Practitioner Group meeting" in response.content.decode()
    assert client.get("/events/").status_code == 200
