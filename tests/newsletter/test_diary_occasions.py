"""One occasion, one line: an event and a training session for the same date are listed
once in an issue's diary, on the page and in the email, with the training line's places."""

import datetime

import pytest
import time_machine
from bs4 import BeautifulSoup

from newsletter.email_edition import render_edition
from tests.newsletter.factories import london, make_course, make_event, make_issue, section
from training.models import Session

ISSUE_DATE = datetime.date(2030, 5, 1)
BEFORE_THE_ISSUE = datetime.datetime(2030, 4, 20, 9, 0, tzinfo=datetime.UTC)
WEBINAR_START = london(2030, 5, 8, 14, 0)

pytestmark = pytest.mark.django_db


def diary_block():
    return {
        "type": "diary",
        "value": {
            "heading": "Dates for your diary",
            "mode": "automatic",
            "weeks": 8,
            "include_training": True,
            "events": [],
        },
    }


def webinar_event(event_index, title):
    return make_event(
        event_index,
        title,
        WEBINAR_START.date(),
        start_time=datetime.time(14, 0),
        end_time=datetime.time(15, 0),
        online=True,
    )


def webinar_course(training_index, title, *, linked_event=None):
    course = make_course(training_index, title, sessions=[(WEBINAR_START, 100)])
    if linked_event is not None:
        # As an editor does it: the course's draft names the event, then is published.
        draft = course.get_latest_revision_as_object()
        session = draft.sessions.get()
        session.diary_event = linked_event
        draft.save_revision().publish()
    return course


def rows_on_page(client, issue):
    page = BeautifulSoup(client.get(issue.url).content, "html.parser")
    return [
        " ".join(r.get_text(" ", strip=True).split()) for r in page.select(".issue-diary__item")
    ]


def test_an_event_linked_to_a_session_is_one_line_on_the_page_and_in_the_email(
    client, newsletter_index, event_index, training_index
):
    with time_machine.travel(BEFORE_THE_ISSUE, tick=False):
        event = webinar_event(event_index, "Exploitation briefing for practitioners (webinar)")
        webinar_course(training_index, "Child exploitation in Leeds", linked_event=event)
        make_event(event_index, "Mental Health Awareness Week", datetime.date(2030, 5, 12))
        issue = make_issue(newsletter_index, ISSUE_DATE, body=[section("News"), diary_block()])
        rows = rows_on_page(client, issue)
        edition = render_edition(issue)

    assert Session.objects.get().diary_event == event
    assert rows == [
        "8 May 2030, 2pm to 4pm Training Child exploitation in Leeds Online. 100 places left",
        "12 May 2030 Mental Health Awareness Week",
    ]
    assert edition.html.count("Exploitation briefing") == 0
    assert edition.html.count("Child exploitation in Leeds") == 1
    assert "100 places left" in edition.html
    assert edition.text.count("8 May 2030") == 1


def test_an_event_starting_with_a_session_under_its_course_title_is_matched(
    client, newsletter_index, event_index, training_index
):
    with time_machine.travel(BEFORE_THE_ISSUE, tick=False):
        webinar_event(event_index, "Child exploitation in Leeds – a guide (webinar)")
        webinar_course(training_index, "Child exploitation in Leeds - a guide")
        issue = make_issue(newsletter_index, ISSUE_DATE, body=[section("News"), diary_block()])
        rows = rows_on_page(client, issue)
        text = render_edition(issue).text

    assert rows == [
        "8 May 2030, 2pm to 4pm Training Child exploitation in Leeds - a guide Online. "
        "100 places left"
    ]
    assert text.count("8 May 2030") == 1
    assert "(webinar)" not in text


def test_different_occasions_on_the_same_day_stay_two_lines(
    client, newsletter_index, event_index, training_index
):
    with time_machine.travel(BEFORE_THE_ISSUE, tick=False):
        webinar_event(event_index, "Practitioner Group meeting")
        webinar_course(training_index, "Child exploitation in Leeds")
        issue = make_issue(newsletter_index, ISSUE_DATE, body=[section("News"), diary_block()])
        rows = rows_on_page(client, issue)

    assert len(rows) == 2


def test_every_diary_link_in_the_text_part_keeps_its_indent(
    newsletter_index, event_index, training_index
):
    long_title = "Safeguarding adolescents at risk of exploitation outside the home in Leeds"
    with time_machine.travel(BEFORE_THE_ISSUE, tick=False):
        webinar_course(training_index, long_title)
        make_event(event_index, "Mental Health Awareness Week", datetime.date(2030, 5, 12))
        issue = make_issue(newsletter_index, ISSUE_DATE, body=[section("News"), diary_block()])
        text = render_edition(issue).text

    diary = text.split("DATES FOR YOUR DIARY", 1)[1].split("\n--", 1)[0]
    links = [line for line in diary.splitlines() if "https://" in line]
    assert len(links) == 2
    assert links[0].startswith("  https://lscp.test/training/safeguarding-adolescents-at-risk")
    assert len(links[0]) > 72
    assert links[1] == "  https://lscp.test/events/mental-health-awareness-week/"
