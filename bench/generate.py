"""A large, realistic site for benchmarks and tests (``bench/generate_content.py``).

Builds on the home page and the index pages of the demo (creating them if need be) and adds,
from a seed so that the same seed always gives the same site (dates relative to today):

* newsletter issues of 10 to 20 blocks each: sections (some with a picture, some linking a
  course or an event in their text, most with a call to action), an automatic "Dates for
  your diary", a training spotlight and the sign-up prompt;
* courses with their sessions (past and to come), audiences and bookings, some sessions
  full with a waiting list, a few cancelled;
* events in every category over the last two years and the next one;
* subscribers (mostly confirmed, some pending, some unsubscribed) with their topics,
  consent records and history.

It lives in bench/, outside what production installs: it replaces content wholesale and
must never run on the live site.

Why pages are written in bulk: Wagtail creates pages one by one through treebeard (a few
queries and signals per page, and a revision each when published), about 50 ms a page here.
This module works out each new page's materialised path from its parent's last child, writes
the base page rows with ``bulk_create`` and each page type's own rows as Django's fixture
loading does (the serialisation framework, one INSERT a row, no model ``save()``), and
indexes the pages for search in bulk. Pages are live without a revision (Wagtail makes one
the first time an editor saves). tests/bench/test_generate.py compares what this writes with
what Wagtail's ``add_child`` writes.

Everything generated is recognisable, so that running it again replaces it rather than
adding to it: pages are owned by the inactive user ``content-generator``, pictures are in the
"Generated content" collection, people's addresses end ``@generated.example.net``.
"""

import datetime
import io
import random
import time
import uuid
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core import serializers
from django.core.files.images import ImageFile
from django.db import router, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify

from wagtail.images import get_image_model
from wagtail.models import Collection, Page
from wagtail.search.backends import get_search_backends

from PIL import Image as PillowImage
from PIL import ImageDraw

from events.dates import LONDON
from events.demo import load_categories
from events.demo import load_index as load_events_index
from events.models import EventPage
from home.demo import load_home_page
from lscp_site.pagecache import invalidate_pages
from newsletter.dates import MONTH_NAMES, issue_slug
from newsletter.demo import load_index as load_newsletter_index
from newsletter.models import NewsletterIssuePage
from subscriptions import consent
from subscriptions.demo import load_topics
from subscriptions.models import ConsentRecord, StatusChange, Subscriber
from training.demo import load_audiences
from training.demo import load_index as load_training_index
from training.models import (
    Booking,
    BookingStatus,
    CourseFormat,
    CoursePage,
    CourseType,
    Session,
    SessionCancellation,
    SessionFormat,
)

GENERATOR_USERNAME = "content-generator"
IMAGE_COLLECTION = "Generated content"
EMAIL_DOMAIN = "generated.example.net"
BATCH_SIZE = 500

FULL = {"issues": 200, "courses": 100, "sessions": 500, "events": 500, "subscribers": 10_000}


# --- Words the content is made of -----------------------------------------------------------

TOPICS = [
    "neglect",
    "child exploitation",
    "domestic abuse",
    "online safety",
    "contextual safeguarding",
    "early help",
    "safer sleep",
    "child sexual abuse",
    "female genital mutilation",
    "county lines",
    "self-harm",
    "missing children",
    "young carers",
    "private fostering",
    "parental mental health",
    "harmful sexual behaviour",
    "bruising in non-mobile babies",
    "professional curiosity",
    "the voice of the child",
    "elective home education",
]
SECTION_HEADINGS = [
    "New {topic} guidance for practitioners",
    "Learning from a local review: {topic}",
    "{Topic}: what the audit found",
    "Spotlight on {topic}",
    "Have your say on {topic}",
    "{Topic} resources for schools",
    "Update from the {topic} task group",
    "Seven minute briefing: {topic}",
    "{Topic} - a reminder of the Leeds procedure",
    "National guidance on {topic} has changed",
]
SENTENCES = [
    "Practitioners across Leeds told us that {topic} is one of the hardest things to spot early.",
    "The LSCP has published a short guide to {topic} for everyone who works with children "
    "and families.",
    "If you are worried about a child, speak to your designated safeguarding lead and "
    "contact the Front Door on 0113 376 0336.",
    "The guidance explains what good practice looks like and where to go for advice.",
    "Managers are asked to share this with their teams and discuss it in supervision.",
    "Thank you to everyone who took part in the focus groups last month.",
    "Remember that a child's lived experience is at the centre of every decision we make.",
    "The findings will be presented to the LSCP Executive, which will agree the next steps.",
    "The new procedure applies from the start of next month across all partner agencies.",
    "Look out for the signs, ask the question, and record what you see and hear.",
    "A recording of the briefing is available for those who could not attend.",
    "Schools and colleges should read this alongside Keeping Children Safe in Education.",
]
COURSE_TITLES = [
    "Understanding {topic}",
    "{Topic}: a practitioner's guide",
    "Responding to {topic}",
    "{Topic} in practice",
    "Working with families affected by {topic}",
    "{Topic} for managers and supervisors",
]
EVENT_TITLES = [
    "{Topic} awareness day",
    "{Topic} awareness week",
    "LSCP briefing: {topic}",
    "{Topic} practitioner forum",
    "Conference: {topic} in West Yorkshire",
    "{Topic} campaign launch",
]
VENUES = [
    "Merrion House, 110 Merrion Centre, Leeds LS2 8BB",
    "Leeds Civic Hall, Portland Way, Leeds LS1 1UR",
    "St George's Centre, 60 Great George Street, Leeds LS1 3DL",
    "Thackray Museum of Medicine, Beckett Street, Leeds LS9 7LN",
]
FIRST_NAMES = ["Amira", "Ben", "Chloe", "Dev", "Ewa", "Femi", "Grace", "Harpreet", "Isla", "Jon"]
LAST_NAMES = ["Ahmed", "Brown", "Clarke", "Dhillon", "Evans", "Fraser", "Green", "Hussain"]
ORGANISATIONS = [
    "Leeds City Council Children's Services",
    "Leeds Teaching Hospitals NHS Trust",
    "West Yorkshire Police",
    "Leeds Community Healthcare",
    "A primary school in Leeds",
]
PICTURE_COLOURS = [
    ((0, 94, 165), (255, 209, 0)),
    ((0, 114, 65), (255, 255, 255)),
    ((212, 53, 28), (255, 221, 200)),
    ((76, 44, 146), (204, 198, 255)),
    ((11, 12, 12), (243, 242, 241)),
    ((0, 48, 120), (150, 220, 250)),
]


# The steps of generate() that its Report times (and advances a progress display by).
STEPS = 6


@dataclass
class Report:
    """What was generated and how long each step took (seconds)."""

    counts: dict = field(default_factory=dict)
    timings: dict = field(default_factory=dict)
    # A progress display of STEPS steps (lscp_site.progress.Progress), advanced as each is done.
    progress: object = None

    def step(self, name, started):
        self.timings[name] = time.perf_counter() - started
        if self.progress is not None:
            self.progress.advance(detail=name)


class Words:
    """Seeded text: the same seed writes the same site."""

    def __init__(self, rng):
        self.rng = rng

    def topic(self):
        return self.rng.choice(TOPICS)

    def fill(self, pattern, topic):
        return pattern.format(topic=topic, Topic=topic[:1].upper() + topic[1:])

    def sentences(self, topic, count):
        return " ".join(self.fill(pattern, topic) for pattern in self.rng.sample(SENTENCES, count))

    def uuid(self):
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))


# --- Writing pages in bulk ------------------------------------------------------------------


def generator_user():
    user, _ = get_user_model().objects.get_or_create(
        username=GENERATOR_USERNAME,
        defaults={"is_active": False, "first_name": "Content", "last_name": "generator"},
    )
    return user


def child_path(parent_path, position):
    """Treebeard's materialised path of the ``position``-th child (from 1) of the page at
    ``parent_path``: ``Page.steplen`` digits of ``Page.alphabet``."""
    base, digits = len(Page.alphabet), ""
    while position:
        position, digit = divmod(position, base)
        digits = Page.alphabet[digit] + digits
    return parent_path + digits.rjust(Page.steplen, Page.alphabet[0])


def position_of(path):
    """The inverse of :func:`child_path`: which child of its parent ``path`` is."""
    number = 0
    for digit in path[-Page.steplen :]:
        number = number * len(Page.alphabet) + Page.alphabet.index(digit)
    return number


def own_fields(model):
    """The fields of ``model``'s own table (not its parent page's), many-to-many aside."""
    return [
        f
        for f in model._meta.get_fields(include_parents=False)
        if getattr(f, "concrete", False) and not f.many_to_many and not f.primary_key
    ]


def add_pages(parent, pages, *, owner, published_at, words):
    """Insert ``pages`` (unsaved instances of one specific page type) as the last children of
    ``parent``, live. Returns them as read back from the database, in the same order."""
    if not pages:
        return pages
    model = type(pages[0])
    using = router.db_for_write(Page)
    parent.refresh_from_db(fields=["numchild", "path", "depth", "url_path", "locale"])
    last = parent.get_last_child()
    first = position_of(last.path) + 1 if last else 1
    base_fields = own_fields(Page)
    bases = []
    for offset, page in enumerate(pages):
        page.path = child_path(parent.path, first + offset)
        page.depth = parent.depth + 1
        page.numchild = 0
        page.url_path = f"{parent.url_path}{page.slug}/"
        page.locale_id = parent.locale_id
        page.translation_key = words.uuid()
        page.live = True
        page.has_unpublished_changes = False
        page.first_published_at = page.first_published_at or published_at
        page.last_published_at = page.last_published_at or page.first_published_at
        page.draft_title = page.title
        page.owner = owner
        bases.append(Page(**{f.attname: getattr(page, f.attname) for f in base_fields}))
    Page.objects.using(using).bulk_create(bases, batch_size=BATCH_SIZE)
    for page, base in zip(pages, bases, strict=True):
        page.pk = base.pk
    # Django's bulk_create() refuses a model with a parent table. Fixture loading writes such
    # a model's own row alone (a raw save): the same here, one INSERT a page.
    names = [f.name for f in own_fields(model)]
    rows = serializers.serialize("python", pages, fields=names)
    for row in serializers.deserialize("python", rows, using=using):
        row.save(using=using, force_insert=True)
    Page.objects.using(using).filter(pk=parent.pk).update(numchild=F("numchild") + len(pages))
    parent.numchild += len(pages)
    saved = model.objects.using(using).in_bulk([page.pk for page in pages])
    return [saved[page.pk] for page in pages]


def index_for_search(pages):
    """Add pages (all of one specific type) to every search backend in one go."""
    if not pages:
        return
    model = type(pages[0])
    for backend in get_search_backends(with_auto_update=True):
        backend.add_bulk(model, pages)


# --- Removing what an earlier run generated ---------------------------------------------------


def remove_generated(owner):
    """Delete everything an earlier run generated, with what hangs off it."""
    pages = Page.objects.filter(owner=owner)
    Booking.objects.filter(session__course__in=pages.values("pk")).delete()
    Booking.objects.filter(email__endswith="@" + EMAIL_DOMAIN).delete()
    Session.objects.filter(course__in=pages.values("pk")).delete()
    # Treebeard's queryset delete removes the pages with their descendants and fixes the
    # parents' numchild; Django's collector deletes each page type's own rows with them.
    pages.delete()
    get_image_model().objects.filter(collection__name=IMAGE_COLLECTION).delete()
    Subscriber.objects.filter(email__endswith="@" + EMAIL_DOMAIN).delete()


# --- Pictures ---------------------------------------------------------------------------------


def make_pictures(count, *, words):
    """A few pictures for issue sections: flat shapes in the site's colours, as JPEGs."""
    root = Collection.get_first_root_node()
    collection = Collection.objects.filter(name=IMAGE_COLLECTION).first()
    if collection is None:
        collection = root.add_child(name=IMAGE_COLLECTION)
    image_model = get_image_model()
    images = []
    for number in range(count):
        background, shape = PICTURE_COLOURS[number % len(PICTURE_COLOURS)]
        picture = PillowImage.new("RGB", (1600, 1000), background)
        draw = ImageDraw.Draw(picture)
        for _ in range(12):
            x, y = words.rng.randrange(0, 1500), words.rng.randrange(0, 900)
            size = words.rng.randrange(60, 400)
            draw.ellipse((x, y, x + size, y + size), fill=shape)
        buffer = io.BytesIO()
        picture.save(buffer, "JPEG", quality=80)
        topic = words.topic()
        images.append(
            image_model.objects.create(
                title=f"Practitioners discussing {topic}",
                file=ImageFile(buffer, name=f"generated-{number + 1}.jpg"),
                collection=collection,
            )
        )
    return images


# --- Training ---------------------------------------------------------------------------------


def make_courses(index, *, count, session_count, owner, words, now):
    audiences = list(load_audiences().values())
    courses, taken = [], set(CoursePage.objects.values_list("slug", flat=True))
    for number in range(count):
        topic = words.topic()
        title = words.fill(words.rng.choice(COURSE_TITLES), topic)
        slug = slugify(title)[:70]
        if slug in taken:
            slug = f"{slug}-{number + 1}"
        taken.add(slug)
        elearning = number % 10 == 9
        course_format = (
            CourseFormat.E_LEARNING
            if elearning
            else words.rng.choice([CourseFormat.LIVE_WEBINAR, CourseFormat.FACE_TO_FACE])
        )
        courses.append(
            CoursePage(
                title=title,
                slug=slug,
                course_type=CourseType.CORE if number % 7 == 0 else CourseType.TOPIC,
                format=course_format,
                summary=words.sentences(topic, 2),
                who_it_is_for="Practitioners in any agency who work with children, young "
                f"people and families and want to know more about {topic}.",
                learning_outcomes="\n".join(
                    [
                        f"Recognise the signs of {topic}",
                        f"Know how to respond to {topic} in Leeds",
                        "Know where to find local procedures and guidance",
                    ]
                ),
                duration="E-learning, about 1 hour"
                if elearning
                else words.rng.choice(["1 hour", "3 hours", "Full day, 9:30am to 4pm"]),
                body=f"<h2>About the course</h2><p>{words.sentences(topic, 4)}</p>"
                f"<h2>Before you book</h2><p>{words.sentences(topic, 2)}</p>",
                elearning_url="https://www.leeds.gov.uk/elearning" if elearning else "",
            )
        )
    add_pages(index, courses, owner=owner, published_at=now, words=words)
    through = CoursePage.audiences.through
    through.objects.bulk_create(
        [
            through(coursepage_id=course.pk, audience_id=audience.pk)
            for course in courses
            for audience in words.rng.sample(audiences, words.rng.randint(1, 3))
        ],
        batch_size=BATCH_SIZE,
    )
    sessions = make_sessions(
        [course for course in courses if not course.elearning_url],
        count=session_count,
        words=words,
        now=now,
    )
    index_for_search(courses)
    return courses, sessions


def make_sessions(courses, *, count, words, now):
    if not courses or not count:
        return []
    sessions, orders = [], {}
    today = timezone.localtime(now).date()
    for number in range(count):
        course = courses[number % len(courses)]
        day = today + datetime.timedelta(days=words.rng.randint(-180, 270))
        hour = words.rng.choice([9, 10, 13, 14])
        hours = words.rng.choice([1, 2, 3])
        start = datetime.datetime.combine(day, datetime.time(hour, 30), tzinfo=LONDON)
        online = words.rng.random() < 0.6
        orders[course.pk] = orders.get(course.pk, -1) + 1
        sessions.append(
            Session(
                course_id=course.pk,
                sort_order=orders[course.pk],
                start=start,
                end=start + datetime.timedelta(hours=hours),
                format=SessionFormat.LIVE_WEBINAR if online else SessionFormat.FACE_TO_FACE,
                venue="" if online else words.rng.choice(VENUES),
                joining_details=f"Join on Microsoft Teams: https://teams.microsoft.com/l/"
                f"meetup-join/generated-{number}\nPasscode: LSCP{number:04d}"
                if online
                else "",
                capacity=words.rng.choice([12, 20, 24, 30, 50]),
                booking_closes_at=start - datetime.timedelta(days=2)
                if words.rng.random() < 0.3
                else None,
            )
        )
    Session.objects.bulk_create(sessions, batch_size=BATCH_SIZE)
    SessionCancellation.objects.bulk_create(
        [SessionCancellation(session=s) for s in sessions if words.rng.random() < 0.03],
        batch_size=BATCH_SIZE,
    )
    return sessions


def make_bookings(sessions, *, words, now):
    """Confirmed places on most sessions (a few full, with people waiting)."""
    bookings = []
    for session in sessions:
        roll = words.rng.random()
        if roll < 0.15:
            confirmed, waiting = session.capacity, words.rng.randint(1, 5)
        else:
            confirmed, waiting = words.rng.randint(0, session.capacity - 1), 0
        booked_at = min(session.start, now) - datetime.timedelta(days=30)
        for place in range(confirmed + waiting):
            first = words.rng.choice(FIRST_NAMES)
            last = words.rng.choice(LAST_NAMES)
            bookings.append(
                Booking(
                    session=session,
                    name=f"{first} {last}",
                    email=f"{first}.{last}.{session.pk}.{place}@{EMAIL_DOMAIN}".lower(),
                    organisation=words.rng.choice(ORGANISATIONS),
                    job_role=words.rng.choice(["Social worker", "Teacher", "Health visitor"]),
                    status=BookingStatus.CONFIRMED if place < confirmed else BookingStatus.WAITING,
                    created_at=booked_at,
                    confirmed_at=booked_at if place < confirmed else None,
                    privacy_agreed_at=booked_at,
                )
            )
    Booking.objects.bulk_create(bookings, batch_size=BATCH_SIZE)
    return bookings


# --- The diary --------------------------------------------------------------------------------


def make_events(index, *, count, owner, words, now):
    categories = list(load_categories().values())
    today = timezone.localtime(now).date()
    taken = set(EventPage.objects.values_list("slug", flat=True))
    events = []
    for number in range(count):
        topic = words.topic()
        title = words.fill(words.rng.choice(EVENT_TITLES), topic)
        start = today + datetime.timedelta(days=words.rng.randint(-730, 365))
        slug = f"{slugify(title)[:60]}-{start:%Y-%m-%d}"
        if slug in taken:
            slug = f"{slug}-{number + 1}"
        taken.add(slug)
        kind = words.rng.random()
        fields = {}
        if kind < 0.4:  # an all-day date
            pass
        elif kind < 0.55:  # a week
            fields["end_date"] = start + datetime.timedelta(days=6)
        else:  # a timed event, online or in person or both
            hour = words.rng.choice([9, 10, 13, 14])
            fields["start_time"] = datetime.time(hour, 30)
            fields["end_time"] = datetime.time(hour + words.rng.choice([1, 2, 3]), 0)
            fields["online"] = words.rng.random() < 0.6
            if not fields["online"] or words.rng.random() < 0.3:
                fields["location"] = words.rng.choice(VENUES)
        national = "awareness" in title.lower()
        event = EventPage(
            title=title,
            slug=slug,
            start_date=start,
            category=words.rng.choice(categories),
            summary=words.sentences(topic, 2)[:300],
            organiser="National Working Group" if national else "",
            external_url="https://www.nwgnetwork.org/" if national else "",
            external_link_text="NWG website" if national else "",
            hashtag=f"#{slugify(topic).replace('-', '')[:20]}" if national else "",
            body=f"<p>{words.sentences(topic, 3)}</p><p>{words.sentences(topic, 2)}</p>",
            **fields,
        )
        event.ends_at = event.compute_ends_at()
        events.append(event)
    add_pages(index, events, owner=owner, published_at=now, words=words)
    index_for_search(events)
    return events


# --- The newsletter ---------------------------------------------------------------------------


def _rich_text(words, topic, *, courses, events):
    paragraphs = [f"<p>{words.sentences(topic, words.rng.randint(2, 4))}</p>"]
    if words.rng.random() < 0.4:
        items = "".join(f"<li>{words.sentences(topic, 1)}</li>" for _ in range(3))
        paragraphs.append(f"<ul>{items}</ul>")
    roll = words.rng.random()
    if roll < 0.3 and courses:
        course = words.rng.choice(courses)
        paragraphs.append(
            f'<p>See <a linktype="page" id="{course.pk}">{course.title}</a> for dates.</p>'
        )
    elif roll < 0.5 and events:
        event = words.rng.choice(events)
        paragraphs.append(
            f'<p>Add <a linktype="page" id="{event.pk}">{event.title}</a> to your diary.</p>'
        )
    elif roll < 0.7:
        paragraphs.append(
            '<p>Questions? Email <a href="mailto:lscp.info@leeds.gov.uk">'
            "lscp.info@leeds.gov.uk</a>.</p>"
        )
    return "".join(paragraphs)


def _section(words, *, courses, events, images):
    topic = words.topic()
    value = {
        "heading": words.fill(words.rng.choice(SECTION_HEADINGS), topic),
        "text": _rich_text(words, topic, courses=courses, events=events),
        "image": None,
        "image_alt": "",
        "image_decorative": False,
        "calls_to_action": [],
    }
    if images and words.rng.random() < 0.25:
        image = words.rng.choice(images)
        value["image"] = image.pk
        value["image_alt"] = image.title
    if words.rng.random() < 0.6:
        if courses and words.rng.random() < 0.6:
            course = words.rng.choice(courses)
            action = {"link_text": f"Book your place on {course.title}", "page": course.pk}
        else:
            action = {
                "link_text": f"Read the guidance on {topic}",
                "url": "https://www.leeds.gov.uk/",
            }
        value["calls_to_action"] = [
            {"type": "item", "value": {"page": None, "url": "", **action}, "id": words.uuid()}
        ]
    return {"type": "section", "value": value, "id": words.uuid()}


def _issue_body(words, *, sections, courses, events, images):
    """``sections`` sections, most issues with a diary and a training spotlight among them,
    and the sign-up prompt at the end."""
    body = [_section(words, courses=courses, events=events, images=images) for _ in range(sections)]
    if words.rng.random() < 0.7:
        diary = {
            "heading": "Dates for your diary",
            "mode": "automatic",
            "weeks": 8,
            "include_training": True,
            "events": [],
        }
        body.insert(min(3, len(body)), {"type": "diary", "value": diary, "id": words.uuid()})
    if courses and words.rng.random() < 0.5:
        chosen = words.rng.sample(courses, min(len(courses), words.rng.randint(2, 3)))
        spotlight = {
            "heading": "Training spotlight",
            "introduction": "Places are still available on these courses.",
            "courses": [
                {"type": "item", "value": course.pk, "id": words.uuid()} for course in chosen
            ],
            "sessions_per_course": 3,
        }
        body.insert(
            min(6, len(body)),
            {"type": "training_spotlight", "value": spotlight, "id": words.uuid()},
        )
    body.append({"type": "signup_prompt", "value": None, "id": words.uuid()})
    return body


def free_months(count, *, today):
    """The ``count`` most recent months, from this one back, that have no issue yet."""
    taken = set(NewsletterIssuePage.objects.values_list("issue_date", flat=True))
    months, month = [], today.replace(day=1)
    while len(months) < count:
        if month not in taken:
            months.append(month)
        month = (month - datetime.timedelta(days=1)).replace(day=1)
    return months


def make_issues(index, *, count, owner, words, now, courses, events, images):
    issues = []
    for month in free_months(count, today=timezone.localtime(now).date()):
        topics = [words.topic() for _ in range(3)]
        # Issues come out early in their month; this month's goes out today at the latest.
        published = min(
            datetime.datetime.combine(month + datetime.timedelta(days=2), datetime.time(9), LONDON),
            now,
        )
        issues.append(
            NewsletterIssuePage(
                title=f"{MONTH_NAMES[month.month - 1]} Newsletter",
                slug=issue_slug(month),
                issue_date=month,
                summary=f"In this issue: {topics[0]}, {topics[1]} and {topics[2]}, with "
                "training that has places left and dates for your diary.",
                body=_issue_body(
                    words,
                    sections=words.rng.randint(10, 20),
                    courses=courses,
                    events=events,
                    images=images,
                ),
                first_published_at=published,
                last_published_at=published,
            )
        )
    add_pages(index, issues, owner=owner, published_at=now, words=words)
    index_for_search(issues)
    return issues


# --- Subscribers --------------------------------------------------------------------------------


def make_subscribers(count, *, words, now):
    if not count:
        return []
    topics = load_topics()
    wording = consent.current()
    Status = Subscriber.Status
    subscribers = []
    for number in range(count):
        roll = words.rng.random()
        status = (
            Status.CONFIRMED
            if roll < 0.85
            else Status.UNSUBSCRIBED
            if roll < 0.95
            else Status.PENDING
        )
        signed_up = now - datetime.timedelta(
            days=words.rng.randint(0 if status == Status.PENDING else 31, 1500),
            seconds=words.rng.randint(0, 86_399),
        )
        first, last = words.rng.choice(FIRST_NAMES), words.rng.choice(LAST_NAMES)
        subscribers.append(
            Subscriber(
                email=f"{first}.{last}.{number}@{EMAIL_DOMAIN}".lower(),
                status=status,
                token=f"generated-{words.uuid()}",
                signed_up_at=signed_up,
                confirmed_at=None if status == Status.PENDING else signed_up,
                unsubscribed_at=now if status == Status.UNSUBSCRIBED else None,
            )
        )
    Subscriber.objects.bulk_create(subscribers, batch_size=2000)
    through = Subscriber.topics.through
    links, consents, changes = [], [], []
    for subscriber in subscribers:
        chosen = words.rng.sample(topics, words.rng.randint(1, len(topics)))
        links += [through(subscriber_id=subscriber.pk, topic_id=topic.pk) for topic in chosen]
        consents.append(
            ConsentRecord(
                subscriber=subscriber,
                wording_version=wording.version,
                wording=wording.text,
                given_at=subscriber.signed_up_at,
                source_url="/subscribe/",
                topic_names=[topic.name for topic in chosen],
                confirmed_at=subscriber.confirmed_at,
            )
        )
        changes.append(
            StatusChange(
                subscriber=subscriber,
                status=Status.PENDING,
                changed_at=subscriber.signed_up_at,
                note="Signed up",
            )
        )
        if subscriber.confirmed_at:
            changes.append(
                StatusChange(
                    subscriber=subscriber,
                    status=Status.CONFIRMED,
                    changed_at=subscriber.confirmed_at,
                    note="Confirmed from the emailed link",
                )
            )
        if subscriber.unsubscribed_at:
            changes.append(
                StatusChange(
                    subscriber=subscriber,
                    status=Status.UNSUBSCRIBED,
                    changed_at=subscriber.unsubscribed_at,
                    note="Unsubscribed",
                )
            )
    through.objects.bulk_create(links, batch_size=5000)
    ConsentRecord.objects.bulk_create(consents, batch_size=2000)
    StatusChange.objects.bulk_create(changes, batch_size=5000)
    return subscribers


# --- The whole site -----------------------------------------------------------------------------


def generate(
    *,
    seed=42,
    issues=FULL["issues"],
    courses=FULL["courses"],
    sessions=FULL["sessions"],
    events=FULL["events"],
    subscribers=FULL["subscribers"],
    pictures=8,
    now=None,
    progress=None,
):
    """Replace any generated content with a new set of the given sizes. Returns a Report."""
    now = now or timezone.now()
    words = Words(random.Random(seed))
    report = Report(progress=progress)
    with transaction.atomic():
        started = time.perf_counter()
        owner = generator_user()
        remove_generated(owner)
        report.step("remove earlier content", started)

        started = time.perf_counter()
        home = load_home_page()
        newsletter_index = load_newsletter_index(home)
        training_index = load_training_index(home)
        events_index = load_events_index(home)
        images = make_pictures(pictures if issues else 0, words=words)
        report.step("home, index pages and pictures", started)

        started = time.perf_counter()
        course_pages, session_rows = make_courses(
            training_index, count=courses, session_count=sessions, owner=owner, words=words, now=now
        )
        bookings = make_bookings(session_rows, words=words, now=now)
        report.step("courses, sessions and bookings", started)

        started = time.perf_counter()
        event_pages = make_events(events_index, count=events, owner=owner, words=words, now=now)
        report.step("events", started)

        started = time.perf_counter()
        issue_pages = make_issues(
            newsletter_index,
            count=issues,
            owner=owner,
            words=words,
            now=now,
            courses=course_pages,
            events=event_pages,
            images=images,
        )
        report.step("issues", started)

        started = time.perf_counter()
        people = make_subscribers(subscribers, words=words, now=now)
        report.step("subscribers", started)

        invalidate_pages()
    report.counts = {
        "issues": len(issue_pages),
        "courses": len(course_pages),
        "sessions": len(session_rows),
        "bookings": len(bookings),
        "events": len(event_pages),
        "subscribers": len(people),
        "pictures": len(images),
    }
    return report
