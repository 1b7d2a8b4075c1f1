"""Demo content of the diary: the March 2025 issue's dates, its webinar, and dates to come.

The seed's four diary dates and the 8 May 2025 webinar keep their real dates (they fall into
the past archive as time goes on). A few more are dated relative to today so "upcoming" is
never empty. Loading twice changes nothing; a relative date that has since passed is moved
forward again.
"""

import datetime

from django.utils import timezone

from events.models import EventCategory, EventIndexPage, EventPage
from lscp_site.working_days import working_day_from

CATEGORIES = [
    (
        "Awareness day",
        "awareness-days",
        "National and international days that draw attention "
        "to an issue affecting children and young people.",
    ),
    ("Awareness week", "awareness-weeks", "Weeks of campaigning and events on one theme."),
    (
        "LSCP event",
        "lscp-events",
        "Webinars, briefings and forums run by the Leeds Safeguarding Children Partnership.",
    ),
    ("Conference", "conferences", "Conferences for practitioners in Leeds and West Yorkshire."),
    ("Campaign", "campaigns", "Campaigns the LSCP and its partners are running."),
]

INDEX = {
    "title": "Dates for your diary",
    "slug": "events",
    "introduction": "Awareness days and weeks, LSCP webinars and conferences for everyone in "
    "Leeds who works with children and young people. Add them to your own calendar.",
}

CEA_DAY_BODY = (
    "<p>Led by the National Working Group, National Child Exploitation Awareness Day on "
    "18 March 2025 aims to highlight the issues surrounding Child Exploitation (CE); "
    "encouraging everyone to think, spot and speak out against abuse and adopt a "
    "zero-tolerance to adults developing inappropriate relationships with children or "
    "children exploiting and abusing their peers.</p>"
    "<p>See the NWG website for information on how you can support the day.</p>"
)

WEBINAR_BODY = (
    "<p>In the last issue of the newsletter we told you about the new Child Exploitation "
    "Practice Guidance. It gives practitioners and managers an overview of good practice and "
    "information on contextual harm.</p>"
    "<p>The aim of the session is to introduce the guidance, to cover themes around child "
    "exploitation and trafficking, including adultification, gender bias and victim blaming "
    "language. It will give an overview of the processes in Leeds focused on responding to "
    "and managing exploitation and serious youth violence.</p>"
)

# The seed's dates, exactly as the March 2025 issue gives them.
SEED_EVENTS = [
    {
        "slug": "national-child-exploitation-awareness-day-2025",
        "title": "National Child Exploitation Awareness Day",
        "category": "awareness-days",
        "start_date": datetime.date(2025, 3, 18),
        "summary": "A day to think, spot and speak out against child exploitation, led by "
        "the National Working Group.",
        "organiser": "National Working Group",
        "external_url": "https://www.nwgnetwork.org/",
        "external_link_text": "NWG website",
        "hashtag": "#CEADay25",
        "body": CEA_DAY_BODY,
    },
    {
        "slug": "child-exploitation-in-leeds-webinar-2025",
        "title": "Child exploitation in Leeds – a guide for practitioners (webinar)",
        "category": "lscp-events",
        "start_date": datetime.date(2025, 5, 8),
        "start_time": datetime.time(14, 0),
        "end_time": datetime.time(15, 0),
        "online": True,
        "summary": "A live webinar introducing the Child Exploitation Practice Guidance: "
        "exploitation and trafficking, adultification, gender bias and victim blaming "
        "language.",
        "body": WEBINAR_BODY,
    },
    {
        "slug": "mental-health-awareness-week-2025",
        "title": "Mental Health Awareness Week",
        "category": "awareness-weeks",
        "start_date": datetime.date(2025, 5, 12),
        "end_date": datetime.date(2025, 5, 18),
        "summary": "A week to talk about mental health, including the mental health of the "
        "children and young people we work with.",
    },
    {
        "slug": "international-missing-childrens-day-2025",
        "title": "International Missing Children’s Day",
        "category": "awareness-days",
        "start_date": datetime.date(2025, 5, 25),
        "summary": "Remembering children who are missing, and raising awareness of what to "
        "do when a child goes missing.",
    },
    {
        "slug": "west-yorkshire-safeguarding-week-2025",
        "title": "West Yorkshire Safeguarding Week",
        "category": "awareness-weeks",
        "start_date": datetime.date(2025, 6, 23),
        "end_date": datetime.date(2025, 6, 27),
        "summary": "A week of free briefings and events on safeguarding children and adults, "
        "across the five districts of West Yorkshire.",
    },
]


def relative_events(today):
    """Dates that are always ahead of ``today``, so the diary's upcoming list is never empty:
    working days (lscp_site.working_days), at working hours."""

    def day(offset, *, days_in_a_row=1):
        return working_day_from(
            today + datetime.timedelta(days=offset), days_in_a_row=days_in_a_row
        )

    conference = day(60, days_in_a_row=2)
    return [
        {
            "slug": "practitioner-group-meeting",
            "title": "LSCP Practitioner Group meeting",
            "category": "lscp-events",
            "start_date": day(14),
            "start_time": datetime.time(13, 30),
            "end_time": datetime.time(15, 0),
            "online": True,
            "summary": "The Practitioner Group looks at how the LSCP shares important "
            "safeguarding messages. New members are welcome: email lscp.info@leeds.gov.uk.",
        },
        {
            "slug": "neglect-awareness-campaign",
            "title": "Neglect: see it, name it, act on it",
            "category": "campaigns",
            "start_date": day(7),
            "end_date": day(35),
            "summary": "A campaign following the neglect audit focus groups: how to notice "
            "neglect early and what to do next.",
        },
        {
            "slug": "neglect-audit-findings-briefing",
            "title": "Neglect audit findings: practitioner briefing",
            "category": "lscp-events",
            "start_date": day(28),
            "start_time": datetime.time(9, 30),
            "end_time": datetime.time(12, 30),
            "location": "Leeds Civic Hall, Portland Way, Leeds LS1 1UR",
            "online": True,
            "summary": "What practitioners told us in the neglect audit focus groups, and what "
            "the LSCP Executive will do next. In person, or join online.",
        },
        {
            "slug": "leeds-safeguarding-children-conference",
            "title": "Leeds safeguarding children conference",
            "category": "conferences",
            "start_date": conference,
            "end_date": conference + datetime.timedelta(days=1),
            "start_time": datetime.time(9, 0),
            "end_time": datetime.time(16, 30),
            "location": "Leeds Civic Hall, Portland Way, Leeds LS1 1UR",
            "summary": "Two days of talks and workshops on contextual safeguarding, "
            "exploitation and neglect, for practitioners from every agency in Leeds.",
        },
    ]


def load_categories():
    categories = {}
    for name, slug, description in CATEGORIES:
        category, _ = EventCategory.objects.get_or_create(
            slug=slug, defaults={"name": name, "description": description}
        )
        categories[slug] = category
    return categories


def load_index(home):
    index = EventIndexPage.objects.child_of(home).filter(slug=INDEX["slug"]).first()
    if index is None:
        index = EventIndexPage(**INDEX)
        home.add_child(instance=index)
        index.save_revision().publish()
    return index


def _publish(page):
    page.save_revision().publish()


def load_event(index, spec, categories, *, move_if_past=False):
    fields = {**spec, "category": categories[spec["category"]]}
    event = EventPage.objects.child_of(index).filter(slug=spec["slug"]).first()
    if event is None:
        event = EventPage(**fields)
        index.add_child(instance=event)
        _publish(event)
    elif move_if_past and event.ends_at <= timezone.now():
        for name in ("start_date", "end_date"):
            setattr(event, name, fields.get(name))
        _publish(event)
    return event


def load_demo(home):
    """The diary under ``home``: categories, the listing page and its events."""
    categories = load_categories()
    index = load_index(home)
    for spec in SEED_EVENTS:
        load_event(index, spec, categories)
    for spec in relative_events(timezone.localdate()):
        load_event(index, spec, categories, move_if_past=True)
    return index
