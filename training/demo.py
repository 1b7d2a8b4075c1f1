"""Demo training: the two core courses and the webinar from the March 2025 issue.

Sessions are dated relative to today so there is always something to book after
`make run`. Loading again changes nothing; a course whose sessions have all passed gets new
ones, so an old demo database comes back to life. Working Together also has a session that
took place a fortnight ago, its register marked (attendees are sent their certificates by
the task worker), so the register, certificates and the dashboard's attendance rate have
something to show.
"""

import datetime

from django.utils import timezone

from events.dates import LONDON
from events.models import EventPage
from lscp_site.working_days import working_day_from
from training.attendance import record_attendance
from training.models import (
    Attendance,
    Audience,
    Booking,
    BookingStatus,
    CourseFormat,
    CoursePage,
    CourseResource,
    CourseType,
    LineManagerRole,
    Session,
    SessionFormat,
    TrainingIndexPage,
)

AUDIENCES = [
    ("all-practitioners", "All practitioners"),
    ("safeguarding-leads", "Designated safeguarding leads"),
    ("managers", "Managers and supervisors"),
    ("education", "Schools and colleges"),
    ("health", "Health practitioners"),
]

TEAMS_DETAILS = (
    "Join on Microsoft Teams: https://teams.microsoft.com/l/meetup-join/lscp-demo-{code}\n"
    "Meeting ID: 371 204 {code}\n"
    "Passcode: LSCP{code}"
)
VENUE = "Merrion House, 110 Merrion Centre, Leeds LS2 8BB"
ACCESS = (
    "Come in by the main entrance on Merrion Way and ask at reception for the LSCP training "
    "room on the 2nd floor. Step-free throughout, with lifts and a hearing loop. The nearest "
    "car park is the Merrion Centre multi-storey."
)
FEEDBACK_FORM = "https://forms.office.com/e/lscp-training-feedback"

COURSES = [
    {
        "slug": "introduction-to-safeguarding-children-and-young-people",
        "title": "Introduction to Safeguarding Children & Young People",
        "course_type": CourseType.CORE,
        "format": CourseFormat.LIVE_WEBINAR,
        "summary": "The starting point for everyone who works with children, young people "
        "and families in Leeds: how to recognise abuse and neglect, and what to do when you "
        "are worried about a child.",
        "audiences": ["all-practitioners"],
        "who_it_is_for": "Practitioners and volunteers in any organisation who are new to "
        "safeguarding or need a refresher.",
        "learning_outcomes": "Recognise the signs and indicators of abuse and neglect\n"
        "Know how to respond when a child tells you something\n"
        "Understand how to share a concern and make a referral in Leeds\n"
        "Know where to find local procedures and guidance",
        "duration": "3 hours",
        "body": "<h2>About the course</h2><p>This core course covers the four categories of "
        "abuse, the voice of the child, professional curiosity and the Leeds threshold "
        "guidance. It is run as a live webinar, with time for questions.</p>",
        # The manager gets a copy of each confirmation.
        "after_booking": {"line_manager": LineManagerRole.COPIED, "feedback_url": FEEDBACK_FORM},
        "sessions": [
            (14, (9, 30), (12, 30), SessionFormat.LIVE_WEBINAR, 30),
            (49, (9, 30), (12, 30), SessionFormat.FACE_TO_FACE, 24),
        ],
    },
    {
        "slug": "working-together-to-safeguard-children",
        "title": "Working Together to Safeguard Children",
        "course_type": CourseType.CORE,
        "format": CourseFormat.FACE_TO_FACE,
        "summary": "How agencies in Leeds work together to keep children safe: roles and "
        "responsibilities, strategy discussions, child protection conferences and plans.",
        "audiences": ["all-practitioners", "safeguarding-leads", "managers"],
        "who_it_is_for": "Practitioners who contribute to multi-agency work with children "
        "and families. Take 'Introduction to Safeguarding Children & Young People' first.",
        "learning_outcomes": "Understand the statutory guidance Working Together to "
        "Safeguard Children\n"
        "Know your role in early help, child in need and child protection processes\n"
        "Contribute confidently to multi-agency meetings\n"
        "Resolve professional disagreements using the Leeds escalation policy",
        "duration": "Full day, 9:30am to 4pm",
        "body": "<h2>About the course</h2><p>A full-day, face-to-face course built around "
        "case studies from Leeds, so you practise the decisions you will meet at work.</p>",
        # Places need the manager's approval, and the training is refreshed every 3 years.
        "after_booking": {
            "line_manager": LineManagerRole.APPROVES,
            "reminder_working_days": 3,
            "feedback_url": FEEDBACK_FORM,
            "refresher_months": 36,
        },
        "resources": [
            (
                "Working Together to Safeguard Children 2023 (GOV.UK)",
                "https://www.gov.uk/government/publications/working-together-to-safeguard-children--2",
            ),
            ("Leeds multi-agency escalation policy", "https://www.leedsscp.org.uk/escalation"),
        ],
        "sessions": [
            (21, (9, 30), (16, 0), SessionFormat.FACE_TO_FACE, 20),
            (63, (9, 30), (16, 0), SessionFormat.FACE_TO_FACE, 20),
        ],
    },
    {
        "slug": "child-exploitation-in-leeds",
        "title": "Child exploitation in Leeds - a guide for practitioners",
        "course_type": CourseType.TOPIC,
        "format": CourseFormat.LIVE_WEBINAR,
        "summary": "A live webinar introducing the Child Exploitation Practice Guidance: "
        "themes around child exploitation and trafficking, and how Leeds responds to "
        "exploitation and serious youth violence.",
        "audiences": ["all-practitioners", "safeguarding-leads"],
        "who_it_is_for": "Practitioners and managers in any agency who work with children "
        "and young people at risk of exploitation.",
        "learning_outcomes": "Know what the Child Exploitation Practice Guidance asks of you\n"
        "Recognise adultification, gender bias and victim blaming language\n"
        "Understand contextual harm\n"
        "Know the Leeds processes for responding to exploitation and serious youth violence",
        "duration": "1 hour",
        "body": "<h2>About the webinar</h2><p>The aim of the session is to introduce the "
        "guidance, to cover themes around child exploitation and trafficking, including "
        "adultification, gender bias and victim blaming language. It will give an overview "
        "of the processes in Leeds focused on responding to and managing exploitation and "
        "serious youth violence.</p>",
        "after_booking": {"feedback_url": FEEDBACK_FORM},
        "resources": [
            (
                "Child Exploitation Practice Guidance",
                "https://www.leedsscp.org.uk/child-exploitation",
            ),
        ],
        # The date in the March 2025 issue (also in the diary as an event, so the session
        # names it and diaries list it once), then dates to come.
        "diary_event": "child-exploitation-in-leeds-webinar-2025",
        "fixed_sessions": [
            (datetime.date(2025, 5, 8), (14, 0), (15, 0), SessionFormat.LIVE_WEBINAR, 100),
        ],
        "sessions": [
            (10, (14, 0), (15, 0), SessionFormat.LIVE_WEBINAR, 100),
            (38, (14, 0), (15, 0), SessionFormat.LIVE_WEBINAR, 100),
        ],
    },
]


def _at(day, hour_minute):
    return datetime.datetime.combine(day, datetime.time(*hour_minute), tzinfo=LONDON)


def _session(day, start, end, session_format, capacity, code):
    online = session_format == SessionFormat.LIVE_WEBINAR
    return Session(
        start=_at(day, start),
        end=_at(day, end),
        format=session_format,
        venue="" if online else VENUE,
        access_details="" if online else ACCESS,
        joining_details=TEAMS_DETAILS.format(code=code) if online else "",
        capacity=capacity,
    )


def sessions_to_come(spec, today):
    """The course's sessions to come, each on the first working day from its offset."""
    return [
        _session(
            working_day_from(today + datetime.timedelta(days=offset)),
            start,
            end,
            kind,
            capacity,
            offset,
        )
        for offset, start, end, kind, capacity in spec["sessions"]
    ]


def load_audiences():
    return {
        slug: Audience.objects.get_or_create(slug=slug, defaults={"name": name})[0]
        for slug, name in AUDIENCES
    }


def load_index(home):
    index = TrainingIndexPage.objects.first()
    if index is None:
        index = TrainingIndexPage(
            title="Training",
            slug="training",
            introduction="LSCP safeguarding training for everyone who works with children "
            "and young people in Leeds: core courses and topic-based sessions, live online "
            "and face to face. Booking is free.",
        )
        home.add_child(instance=index)
        index.save_revision().publish()
    return index


def load_course(index, spec, audiences, today):
    course = CoursePage.objects.filter(slug=spec["slug"]).first()
    if course is None:
        fields = {
            key: spec[key]
            for key in (
                "slug",
                "title",
                "course_type",
                "format",
                "summary",
                "who_it_is_for",
                "learning_outcomes",
                "duration",
                "body",
            )
        }
        course = CoursePage(**fields, **spec.get("after_booking", {}))
        course.resources = _resources(spec)
        course.audiences = [audiences[slug] for slug in spec["audiences"]]
        diary_event = EventPage.objects.filter(slug=spec.get("diary_event", "")).first()
        past = [
            _session(day, start, end, kind, capacity, day.day)
            for day, start, end, kind, capacity in spec.get("fixed_sessions", [])
        ]
        for session in past:
            session.diary_event = diary_event
        course.sessions = past + sessions_to_come(spec, today)
        index.add_child(instance=course)
        course.save_revision().publish()
        return course
    draft = None
    if not course.sessions.filter(start__gt=timezone.now()).exists():
        draft = course.get_latest_revision_as_object()
        for session in sessions_to_come(spec, today):
            draft.sessions.add(session)
    # A demo loaded before the settings for after booking existed gets them; a setting an
    # editor has changed from its default is kept.
    missing = {
        name: value
        for name, value in spec.get("after_booking", {}).items()
        if getattr(course, name) == CoursePage._meta.get_field(name).get_default()
        and value != getattr(course, name)
    }
    if missing:
        draft = draft or course.get_latest_revision_as_object()
        for name, value in missing.items():
            setattr(draft, name, value)
        if not course.resources.exists():
            draft.resources = _resources(spec)
    if draft is not None:
        draft.save_revision().publish()
    return course


# The register of the demo's past session: who booked, and whether they came.
PAST_DELEGATES = [
    ("Priya Shah", "Leeds City Council", "Social worker", Attendance.ATTENDED),
    ("Tom O'Brien", "Leeds Teaching Hospitals", "Health visitor", Attendance.ATTENDED),
    (
        "Aisha Khan",
        "Carr Manor Community School",
        "Designated safeguarding lead",
        Attendance.ATTENDED,
    ),
    ("Gareth Lewis", "West Yorkshire Police", "Detective constable", Attendance.NO_SHOW),
    ("Hannah Wood", "Barnardo's Leeds", "Family support worker", Attendance.ATTENDED),
    ("Daniel Okafor", "Leeds Youth Service", "Youth worker", Attendance.NO_SHOW),
]
PAST_SESSION_DAYS_AGO = 14


def load_past_register(course, today):
    """A face-to-face session of ``course`` a fortnight ago with its register marked, unless
    the course already has a marked register (the bookings purge removes old ones)."""
    marked = Booking.objects.filter(session__course=course).exclude(
        attendance=Attendance.NOT_RECORDED
    )
    if marked.exists():
        return None
    day = today - datetime.timedelta(days=PAST_SESSION_DAYS_AGO)
    draft = course.get_latest_revision_as_object()
    draft.sessions.add(_session(day, (9, 30), (12, 30), SessionFormat.FACE_TO_FACE, 20, 0))
    draft.save_revision().publish()
    session = course.sessions.get(start=_at(day, (9, 30)))
    booked_at = _at(day - datetime.timedelta(days=21), (11, 0))
    # The booking rules refuse a session that has passed, so the demo writes the bookings
    # as the form would have made them three weeks before; the register goes through the
    # real rule.
    bookings = [
        Booking.objects.create(
            session=session,
            name=name,
            email=f"{name.split()[0].lower()}@demo.example.org",
            organisation=organisation,
            job_role=job_role,
            status=BookingStatus.CONFIRMED,
            created_at=booked_at,
            confirmed_at=booked_at,
            privacy_agreed_at=booked_at,
        )
        for name, organisation, job_role, _mark in PAST_DELEGATES
    ]
    marks = {booking.pk: mark for booking, (*_, mark) in zip(bookings, PAST_DELEGATES, strict=True)}
    record_attendance(session=session, marks=marks, user=None)
    return session


def _resources(spec):
    # sort_order as the admin's inline panel would set it: the follow-up email lists them so.
    return [
        CourseResource(title=title, link=link, sort_order=number)
        for number, (title, link) in enumerate(spec.get("resources", []))
    ]


def load_demo(home):
    audiences = load_audiences()
    index = load_index(home)
    today = timezone.localdate()
    courses = [load_course(index, spec, audiences, today) for spec in COURSES]
    working_together = next(
        c for c in courses if c.slug == "working-together-to-safeguard-children"
    )
    load_past_register(working_together, today)
    return courses
