"""One event's page: what it says, its "Add to calendar" file and its schema.org JSON-LD."""

import datetime
import json
import zoneinfo

import icalendar
import pytest
import time_machine
from bs4 import BeautifulSoup

from tests.events.factories import make_event

pytestmark = pytest.mark.django_db
LONDON = zoneinfo.ZoneInfo("Europe/London")
BEFORE = datetime.datetime(2025, 3, 1, 9, 0, tzinfo=LONDON)


def soup_of(response):
    return BeautifulSoup(response.content, "html.parser")


@pytest.fixture
def cea_day(diary, awareness_day):
    with time_machine.travel(BEFORE, tick=False):
        return make_event(
            diary,
            title="National Child Exploitation Awareness Day",
            slug="national-child-exploitation-awareness-day-2025",
            start_date=datetime.date(2025, 3, 18),
            category=awareness_day,
            summary="A day to think, spot and speak out against child exploitation.",
            organiser="National Working Group",
            external_url="https://www.nwgnetwork.org/",
            external_link_text="NWG website",
            hashtag="#CEADay25",
            body="<p>See the NWG website for how you can support the day.</p>",
            revision=True,
        )


@pytest.fixture
def webinar(diary, lscp_event):
    with time_machine.travel(BEFORE, tick=False):
        return make_event(
            diary,
            title="Child exploitation in Leeds – a guide for practitioners",
            slug="webinar",
            start_date=datetime.date(2025, 5, 8),
            start_time=datetime.time(14),
            end_time=datetime.time(15),
            online=True,
            category=lscp_event,
            summary="A live webinar introducing the Child Exploitation Practice Guidance.",
            revision=True,
        )


def get(client, url, when=BEFORE):
    with time_machine.travel(when, tick=False):
        return client.get(url)


def details(page):
    return {
        row.dt.get_text(strip=True): row.dd.get_text(" ", strip=True)
        for row in page.select(".event-details__row")
    }


def json_ld(page):
    scripts = page.select('script[type="application/ld+json"]')
    assert len(scripts) == 1
    return json.loads(scripts[0].string)


def test_the_event_page_shows_what_when_who_and_the_link(client, cea_day):
    response = get(client, "/events/national-child-exploitation-awareness-day-2025/")
    assert response.status_code == 200
    page = soup_of(response)
    assert page.h1.get_text() == "National Child Exploitation Awareness Day"
    assert page.select_one(".lead").get_text() == (
        "A day to think, spot and speak out against child exploitation."
    )
    assert details(page) == {
        "When": "18 March 2025 (all day)",
        "Organised by": "National Working Group",
        "Category": "Awareness day : more dates of this kind",
        "Hashtag": "#CEADay25",
    }
    link = page.select_one(".event-link a")
    assert link.get_text() == "NWG website"
    assert link["href"] == "https://www.nwgnetwork.org/"
    assert "See the NWG website" in page.select_one(".prose").get_text()
    crumbs = [a.get_text() for a in page.select(".breadcrumbs a")]
    assert crumbs == ["Home", "Dates for your diary"]


def test_a_timed_online_event_shows_its_hours_and_online(client, webinar):
    page = soup_of(get(client, "/events/webinar/"))
    assert details(page)["When"] == "8 May 2025, 2pm to 3pm"
    assert details(page)["Where"] == "Online"


def test_add_to_calendar_links_to_the_events_ics_file(client, webinar):
    page = soup_of(get(client, "/events/webinar/"))
    link = page.select_one(".event-add a")
    assert link["href"] == "/events/webinar/calendar.ics"
    assert link.get_text(" ", strip=True).startswith("Add to calendar")
    assert "Child exploitation in Leeds" in link.get_text()  # makes sense out of context


def test_the_ics_file_holds_the_event_field_by_field(client, webinar):
    response = get(client, "/events/webinar/calendar.ics")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="webinar.ics"'
    calendar = icalendar.Calendar.from_ical(response.content)
    assert [str(tz["tzid"]) for tz in calendar.timezones] == ["Europe/London"]
    (event,) = calendar.events
    assert str(event["uid"]) == f"event-{webinar.pk}@lscp.test"
    assert str(event["summary"]) == "Child exploitation in Leeds – a guide for practitioners"
    assert event["dtstart"].params["TZID"] == "Europe/London"
    assert event.decoded("dtstart") == datetime.datetime(2025, 5, 8, 14, tzinfo=LONDON)
    assert event.decoded("dtend") == datetime.datetime(2025, 5, 8, 15, tzinfo=LONDON)
    assert event.decoded("dtstamp") == BEFORE.astimezone(datetime.UTC)
    assert str(event["location"]) == "Online"
    assert str(event["url"]) == "https://lscp.test/events/webinar/"
    assert str(event["description"]) == (
        "A live webinar introducing the Child Exploitation Practice Guidance.\n\n"
        "More information: https://lscp.test/events/webinar/"
    )


def test_the_ics_file_of_an_all_day_event_uses_dates(client, cea_day):
    response = get(client, "/events/national-child-exploitation-awareness-day-2025/calendar.ics")
    (event,) = icalendar.Calendar.from_ical(response.content).events
    assert event.decoded("dtstart") == datetime.date(2025, 3, 18)
    assert event.decoded("dtend") == datetime.date(2025, 3, 19)
    assert "Organised by National Working Group." in str(event["description"])
    assert "NWG website: https://www.nwgnetwork.org/" in str(event["description"])


def test_the_uid_stays_the_same_when_the_event_changes(client, webinar):
    first = icalendar.Calendar.from_ical(get(client, "/events/webinar/calendar.ics").content)
    webinar.title = "Child exploitation webinar (moved)"
    webinar.start_date = datetime.date(2025, 5, 9)
    webinar.save_revision().publish()
    second = icalendar.Calendar.from_ical(get(client, "/events/webinar/calendar.ics").content)
    assert str(first.events[0]["uid"]) == str(second.events[0]["uid"])
    assert second.events[0].decoded("dtstart").date() == datetime.date(2025, 5, 9)


def test_no_ics_for_an_unpublished_or_unknown_event(client, webinar):
    webinar.unpublish()
    assert get(client, "/events/webinar/calendar.ics").status_code == 404
    assert get(client, "/events/nothing-here/calendar.ics").status_code == 404


def test_json_ld_describes_an_online_event(client, webinar):
    data = json_ld(soup_of(get(client, "/events/webinar/")))
    assert data == {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": "Child exploitation in Leeds – a guide for practitioners",
        "description": "A live webinar introducing the Child Exploitation Practice Guidance.",
        "url": "https://lscp.test/events/webinar/",
        "startDate": "2025-05-08T14:00:00+01:00",
        "endDate": "2025-05-08T15:00:00+01:00",
        "eventStatus": "https://schema.org/EventScheduled",
        "eventAttendanceMode": "https://schema.org/OnlineEventAttendanceMode",
        "location": {"@type": "VirtualLocation", "url": "https://lscp.test/events/webinar/"},
        "organizer": {
            "@type": "Organization",
            "name": "Leeds Safeguarding Children Partnership",
            "url": "https://lscp.test/",
        },
    }


def test_json_ld_of_an_all_day_date_with_an_outside_organiser(client, cea_day):
    data = json_ld(soup_of(get(client, cea_day.url)))
    assert data["startDate"] == "2025-03-18"
    assert "endDate" not in data
    assert data["eventAttendanceMode"] == "https://schema.org/OfflineEventAttendanceMode"
    assert data["organizer"] == {
        "@type": "Organization",
        "name": "National Working Group",
        "url": "https://www.nwgnetwork.org/",
    }


def test_json_ld_of_an_event_in_person_and_online(client, diary, lscp_event):
    with time_machine.travel(BEFORE, tick=False):
        event = make_event(
            diary,
            slug="hybrid",
            start_date=datetime.date(2025, 6, 23),
            end_date=datetime.date(2025, 6, 24),
            location="Leeds Civic Hall, Leeds LS1 1UR",
            online=True,
            category=lscp_event,
            revision=True,
        )
    data = json_ld(soup_of(get(client, event.url)))
    assert data["endDate"] == "2025-06-24"
    assert data["eventAttendanceMode"] == "https://schema.org/MixedEventAttendanceMode"
    assert data["location"] == [
        {
            "@type": "Place",
            "name": "Leeds Civic Hall, Leeds LS1 1UR",
            "address": "Leeds Civic Hall, Leeds LS1 1UR",
        },
        {"@type": "VirtualLocation", "url": "https://lscp.test/events/hybrid/"},
    ]


def test_json_ld_cannot_close_its_script_and_needs_no_csp_nonce(client, diary, lscp_event):
    with time_machine.travel(BEFORE, tick=False):
        event = make_event(
            diary,
            slug="tricky",
            title="</script><script>alert(1)</script>",
            category=lscp_event,
            revision=True,
        )
    response = get(client, event.url)
    assert b"</script><script>alert(1)" not in response.content
    page = soup_of(response)
    script = page.select_one('script[type="application/ld+json"]')
    assert json.loads(script.string)["name"] == "</script><script>alert(1)</script>"
    # A data block is never run, so CSP does not apply to it: without a nonce the page is
    # the same bytes for every reader and a CDN may share it.
    assert not script.has_attr("nonce")
    assert "'nonce-" not in response["Content-Security-Policy"]


def test_a_past_event_stays_readable_and_says_it_has_passed(client, cea_day):
    after = datetime.datetime(2025, 4, 1, 9, tzinfo=LONDON)
    response = get(client, cea_day.url, when=after)
    assert response.status_code == 200
    page = soup_of(response)
    assert "This date has passed." in page.select_one(".notice").get_text()
    assert page.select_one(".event-add") is None


def test_an_upcoming_event_has_no_passed_notice(client, cea_day):
    page = soup_of(get(client, cea_day.url))
    assert page.select_one(".notice") is None
