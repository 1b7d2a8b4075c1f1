"""The catalogue at /training/ and the course pages, as practitioners see them."""

import contextlib
import json

from django.db import connection
from django.test.utils import CaptureQueriesContext

from wagtail.models import Page, PageViewRestriction

import pytest
from bs4 import BeautifulSoup

from home.models import HomePage
from lscp_site.models import SiteSettings
from tests.training.factories import (
    JOINING_DETAILS,
    AudienceFactory,
    book,
    london,
    make_course,
    make_session,
)
from training.models import Audience, CoursePage, Session, TrainingIndexPage

pytestmark = pytest.mark.django_db

VENUE = "Merrion House, 110 Merrion Centre, Leeds LS2 8BB"


def soup_of(response):
    return BeautifulSoup(response.content, "html.parser")


def course_titles(page):
    return [h3.get_text(strip=True) for h3 in page.select(".course-card h3")]


@pytest.fixture
def programme(catalogue):
    leads = AudienceFactory(name="Designated safeguarding leads", slug="safeguarding-leads")
    everyone = AudienceFactory(name="All practitioners", slug="all-practitioners")
    intro = make_course(
        catalogue,
        title="Introduction to Safeguarding Children & Young People",
        course_type="core",
        format="live_webinar",
        audiences=[everyone],
        sessions=[make_session(start=london(2025, 4, 10, 9, 30), hours=3)],
    )
    together = make_course(
        catalogue,
        title="Working Together to Safeguard Children",
        course_type="core",
        format="face_to_face",
        audiences=[everyone, leads],
        sessions=[
            make_session(
                start=london(2025, 4, 24, 9, 30), hours=6.5, format="face_to_face", venue=VENUE
            )
        ],
    )
    exploitation = make_course(
        catalogue,
        title="Child exploitation in Leeds - a guide for practitioners",
        course_type="topic",
        format="live_webinar",
        audiences=[leads],
        sessions=[make_session(start=london(2025, 5, 8, 14))],
    )
    neglect = make_course(
        catalogue,
        title="Neglect: the graded care profile",
        course_type="topic",
        format="e_learning",
        elearning_url="https://learning.example.org/neglect",
    )
    past_only = make_course(
        catalogue,
        title="Contextual safeguarding",
        course_type="topic",
        sessions=[make_session(start=london(2025, 1, 20, 14))],
    )
    return {
        "intro": intro,
        "together": together,
        "exploitation": exploitation,
        "neglect": neglect,
        "past_only": past_only,
    }


def test_catalogue_lists_every_course_core_courses_first(client, programme):
    response = client.get("/training/")

    assert response.status_code == 200
    page = soup_of(response)
    assert page.h1.get_text(strip=True) == "Training"
    assert course_titles(page) == [
        "Introduction to Safeguarding Children & Young People",
        "Working Together to Safeguard Children",
        "Child exploitation in Leeds - a guide for practitioners",
        "Contextual safeguarding",
        "Neglect: the graded care profile",
    ]


def test_each_course_card_says_who_the_course_is_for_what_it_is_and_its_next_date(
    client, programme
):
    cards = {
        card.h3.get_text(strip=True): card.get_text(" ", strip=True)
        for card in soup_of(client.get("/training/")).select(".course-card")
    }

    together = cards["Working Together to Safeguard Children"]
    assert "For: All practitioners, Designated safeguarding leads" in together
    assert "Core" in together and "Face to face" in together
    assert "24 April 2025" in together
    assert "For:" in cards["Introduction to Safeguarding Children & Young People"]
    assert "For:" not in cards["Neglect: the graded care profile"]  # no audience chosen


def test_every_course_card_links_where_wagtail_says_its_course_is(client, programme):
    expected = {course.title: course.get_url() for course in programme.values()}
    links = soup_of(client.get("/training/")).select(".course-card h3 a")
    assert len(links) == len(expected)
    for link in links:
        assert link["href"] == expected[link.get_text(strip=True)]
        assert client.get(link["href"]).status_code == 200


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (
            "type=core",
            [
                "Introduction to Safeguarding Children & Young People",
                "Working Together to Safeguard Children",
            ],
        ),
        ("format=face_to_face", ["Working Together to Safeguard Children"]),
        ("format=e_learning", ["Neglect: the graded care profile"]),
        (
            "audience=safeguarding-leads",
            [
                "Working Together to Safeguard Children",
                "Child exploitation in Leeds - a guide for practitioners",
            ],
        ),
        (
            "upcoming=on",
            [
                "Introduction to Safeguarding Children & Young People",
                "Working Together to Safeguard Children",
                "Child exploitation in Leeds - a guide for practitioners",
            ],
        ),
        (
            "type=topic&format=live_webinar&upcoming=on",
            ["Child exploitation in Leeds - a guide for practitioners"],
        ),
    ],
)
def test_catalogue_filters_work_as_a_plain_get_form(client, programme, query, expected):
    response = client.get(f"/training/?{query}")

    assert response.status_code == 200
    assert course_titles(soup_of(response)) == expected


def test_filter_form_is_a_labelled_get_form_that_keeps_the_choices(client, programme):
    page = soup_of(client.get("/training/?type=core&upcoming=on"))

    form = page.select_one("form.training-filters")
    assert form["method"] == "get"
    for control in form.select("select, input[type=checkbox]"):
        assert page.select_one(f'label[for="{control["id"]}"]') is not None
    assert form.select_one('select[name="type"] option[selected]')["value"] == "core"
    assert form.select_one('input[name="upcoming"]').has_attr("checked")
    assert page.select_one(".training-filters__clear")["href"] == "/training/"


def test_the_filter_offers_a_new_audience_at_once_though_its_form_is_kept(
    client, programme, fragments_kept_long
):
    def offered():
        page = soup_of(client.get("/training/"))
        return [option["value"] for option in page.select('select[name="audience"] option')]

    before = offered()
    Audience.objects.create(name="Youth workers", slug="youth-workers")

    assert offered() == [*before, "youth-workers"]  # by name, as always


def test_an_unknown_filter_value_is_ignored_and_said_so_beside_its_field(client, programme):
    response = client.get("/training/?type=nonsense&audience=nobody&page=99")

    assert response.status_code == 200
    page = soup_of(response)
    assert len(course_titles(page)) == 5
    for name, message in (
        ("type", "Choose a type of course from the list."),
        ("audience", "Choose a group from the list."),
    ):
        select = page.select_one(f'select[name="{name}"]')
        assert select["aria-invalid"] == "true"
        error = page.select_one(f"#{select['aria-describedby']}")
        assert error.get_text(" ", strip=True) == f"Error: {message}"
    assert not page.select_one('select[name="format"]').has_attr("aria-invalid")


def test_catalogue_lists_the_next_sessions_across_courses_soonest_first(client, programme):
    page = soup_of(client.get("/training/"))

    section = page.select_one('section[aria-labelledby="next-sessions-heading"]')
    items = [li.get_text(" ", strip=True) for li in section.select("li")]
    assert len(items) == 3
    assert items[0].startswith("Introduction to Safeguarding Children & Young People")
    assert "10 April 2025, 9:30am to 12:30pm" in items[0]
    assert "24 April 2025, 9:30am to 4pm" in items[1]
    assert VENUE in items[1]
    assert "8 May 2025, 2pm to 3pm" in items[2]
    assert "10 places left" in items[2]


def test_catalogue_leaves_out_draft_and_private_courses(client, catalogue, programme):
    make_course(catalogue, title="A draft course", live=False)
    private = make_course(
        catalogue, title="Staff only course", sessions=[make_session(start=london(2025, 4, 2, 10))]
    )
    PageViewRestriction.objects.create(page=private, restriction_type="login")

    page = soup_of(client.get("/training/"))

    assert "A draft course" not in course_titles(page)
    assert "Staff only course" not in course_titles(page)
    assert (
        "Staff only course"
        not in page.select_one("#next-sessions-heading").find_parent("section").get_text()
    )


def test_course_page_shows_what_a_practitioner_needs_to_decide(client, catalogue):
    leads = AudienceFactory(name="Designated safeguarding leads", slug="safeguarding-leads")
    make_course(
        catalogue,
        title="Working Together to Safeguard Children",
        slug="working-together",
        course_type="core",
        format="face_to_face",
        summary="How agencies in Leeds work together.",
        who_it_is_for="Take the introduction first.",
        learning_outcomes="Know your role\n- Resolve disagreements\n\n",
        duration="Full day, 9:30am to 4pm",
        body="<h2>About the course</h2><p>Case studies from Leeds.</p>",
        audiences=[leads],
        sessions=[
            make_session(
                start=london(2025, 4, 24, 9, 30), hours=6.5, format="face_to_face", venue=VENUE
            )
        ],
    )

    response = client.get("/training/working-together/")

    assert response.status_code == 200
    page = soup_of(response)
    assert page.h1.get_text(strip=True) == "Working Together to Safeguard Children"
    assert len(page.select("h1")) == 1
    assert page.select_one(".lead").get_text(strip=True) == "How agencies in Leeds work together."
    facts = page.select_one(".course__facts").get_text(" ", strip=True)
    assert "Duration Full day, 9:30am to 4pm" in facts
    assert "Format Face to face" in facts
    assert "Designated safeguarding leads. Take the introduction first." in facts
    assert [li.get_text() for li in page.select("h2 + ul li")][:2] == [
        "Know your role",
        "Resolve disagreements",
    ]
    session = page.select_one(".session")
    assert session.h3.get_text(strip=True) == "24 April 2025, 9:30am to 4pm"
    assert VENUE in session.get_text()
    book_link = session.select_one("a.button")
    assert book_link.get_text(" ", strip=True) == "Book your place on 24 April 2025, 9:30am to 4pm"
    assert book_link["href"].startswith("/training/working-together/book/")
    crumbs = [a.get_text() for a in page.select(".breadcrumbs a")]
    assert crumbs == ["Home", "Training"]


@pytest.fixture
def three_sessions(catalogue):
    course = make_course(
        catalogue,
        slug="states",
        sessions=[
            make_session(start=london(2025, 4, 1, 10), capacity=5),
            make_session(start=london(2025, 4, 2, 10), capacity=1),
            make_session(
                start=london(2025, 4, 3, 10), capacity=5, booking_closes_at=london(2025, 3, 1, 12)
            ),
        ],
    )
    return course, list(course.sessions.order_by("start"))


def test_each_session_shows_its_state(client, three_sessions):
    _course, (open_session, full_session, _closed) = three_sessions
    book(open_session)
    book(open_session)
    book(full_session)

    page = soup_of(client.get("/training/states/"))

    states = [p.get_text(strip=True) for p in page.select(".session .session-state")]
    assert states == ["3 places left", "Fully booked - join the waiting list", "Booking closed"]
    buttons = [
        a.get_text(" ", strip=True).split(" on ")[0] for a in page.select(".session a.button")
    ]
    assert buttons == ["Book your place", "Join the waiting list"]


def test_one_place_left_is_singular(client, three_sessions):
    _course, (open_session, *_rest) = three_sessions
    for _ in range(4):
        book(open_session)

    page = soup_of(client.get("/training/states/"))

    assert page.select_one(".session-state").get_text(strip=True) == "1 place left"


def test_a_cancelled_session_says_so_and_cannot_be_booked(client, three_sessions):
    from training import booking as booking_rules

    _course, (open_session, *_rest) = three_sessions
    booking_rules.cancel_session(session=open_session)

    page = soup_of(client.get("/training/states/"))

    first = page.select_one(".session")
    assert first.select_one(".session-state").get_text(strip=True) == "Cancelled"
    assert first.select_one("a.button") is None


def test_past_sessions_are_not_offered(client, catalogue):
    make_course(
        catalogue,
        slug="past",
        sessions=[make_session(start=london(2025, 2, 1, 10))],
    )

    page = soup_of(client.get("/training/past/"))

    assert page.select(".session") == []
    assert "There are no dates for this course at the moment." in page.get_text()


def test_joining_details_and_delegates_never_appear_on_public_pages(client, session, home_page):
    book(session, name="Ann Confidential", email="ann.confidential@example.org")

    for path in [
        "/",
        "/training/",
        "/training/child-exploitation-in-leeds/",
        f"/training/child-exploitation-in-leeds/book/{session.pk}/",
        "/sitemap.xml",
    ]:
        response = client.get(path)
        assert response.status_code == 200, path
        text = response.content.decode()
        assert "secret-7731" not in text, path
        assert "KITE-42" not in text, path
        assert "Ann Confidential" not in text, path
        assert "ann.confidential" not in text, path


def test_joining_details_are_not_in_the_search_index(client, session):
    book(session, name="Ann Confidential")

    assert not CoursePage.objects.live().search("KITE-42")
    assert not Page.objects.live().search("secret-7731")
    assert not Page.objects.live().search("Confidential")
    assert CoursePage.objects.live().search("Child exploitation")
    for query in ("KITE-42", "secret-7731", "Confidential"):
        results = soup_of(client.get(f"/search/?q={query}"))
        assert results.select('a[href="/training/child-exploitation-in-leeds/"]') == [], query


def test_course_page_carries_course_json_ld_with_an_instance_per_session(client, catalogue):
    leads = AudienceFactory(name="Designated safeguarding leads", slug="safeguarding-leads")
    make_course(
        catalogue,
        title="Working Together </script><script>alert(1)</script>",
        slug="json-ld",
        summary="How agencies work together.",
        learning_outcomes="Know your role",
        audiences=[leads],
        sessions=[
            make_session(start=london(2025, 1, 10, 10)),  # past: left out
            make_session(start=london(2025, 4, 10, 10)),
            make_session(
                start=london(2025, 7, 1, 9, 30), hours=2, format="face_to_face", venue=VENUE
            ),
        ],
    )

    response = client.get("/training/json-ld/")

    page = soup_of(response)
    (script,) = page.select('script[type="application/ld+json"]')
    assert not script.has_attr("nonce")  # a data block is never run: CSP does not apply
    assert "</script><script>" not in script.decode_contents()
    data = json.loads(script.string)
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "Course"
    assert data["name"] == "Working Together </script><script>alert(1)</script>"
    assert data["url"] == "https://lscp.test/training/json-ld/"
    assert data["provider"]["name"] == "Leeds Safeguarding Children Partnership"
    assert data["teaches"] == ["Know your role"]
    assert data["audience"]["audienceType"] == "Designated safeguarding leads"
    online, onsite = data["hasCourseInstance"]
    assert online["@type"] == "CourseInstance"
    assert online["courseMode"] == "online"
    assert online["startDate"] == "2025-04-10T10:00:00+01:00"
    assert online["endDate"] == "2025-04-10T11:00:00+01:00"
    assert online["location"] == {
        "@type": "VirtualLocation",
        "url": "https://lscp.test/training/json-ld/",
    }
    assert onsite["courseMode"] == "onsite"
    assert onsite["location"]["name"] == VENUE
    assert onsite["eventAttendanceMode"] == "https://schema.org/OfflineEventAttendanceMode"
    assert "secret-7731" not in script.string
    assert JOINING_DETAILS not in response.content.decode()


def test_page_tree_rules(catalogue):
    assert TrainingIndexPage.max_count == 1
    assert TrainingIndexPage.allowed_parent_page_models() == [HomePage]
    assert CoursePage.allowed_parent_page_models() == [TrainingIndexPage]
    assert TrainingIndexPage.allowed_subpage_models() == [CoursePage]
    assert CoursePage.allowed_subpage_models() == []
    assert not TrainingIndexPage.can_create_at(catalogue.get_parent())  # one catalogue only
    assert CoursePage.can_create_at(catalogue)


def test_a_course_cannot_take_the_slug_of_the_booking_links(catalogue):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        catalogue.add_child(instance=CoursePage(title="Bookings", slug="bookings", summary="x"))

    assert "used by the booking links" in error.value.message_dict["slug"][0]


def test_home_page_shows_the_next_sessions_with_places(client, catalogue):
    course = make_course(
        catalogue,
        title="Child exploitation in Leeds - a guide for practitioners",
        sessions=[
            make_session(start=london(2025, 4, 1, 14), capacity=1),
            make_session(start=london(2025, 4, 8, 14), capacity=3),
        ],
    )
    full, _open = course.sessions.order_by("start")
    book(full)

    page = soup_of(client.get("/"))

    section = page.select_one('section[aria-labelledby="home-training-heading"]')
    assert section is not None
    items = [li.get_text(" ", strip=True) for li in section.select("li")]
    assert len(items) == 1
    assert "8 April 2025, 2pm to 3pm" in items[0]
    assert "3 places left" in items[0]


# ---- the catalogue's listing, kept in a fragment until a change or its sessions' next moment


def status_line(page):
    return page.select_one('[role="status"]').get_text(" ", strip=True)


def test_the_catalogue_follows_each_change_at_once(client, programme, catalogue, settings):
    settings.PAGE_CACHE_ENABLED = False  # every request renders
    everything = course_titles(soup_of(client.get("/training/")))
    leads_only = course_titles(soup_of(client.get("/training/?audience=safeguarding-leads")))

    added = make_course(catalogue, title="A new core course", course_type="core", revision=True)
    page = soup_of(client.get("/training/"))
    assert course_titles(page) == ["A new core course", *everything]
    assert status_line(page) == "6 courses"

    added.unpublish()
    assert course_titles(soup_of(client.get("/training/"))) == everything

    intro = programme["intro"]
    intro.audiences.add(Audience.objects.get(slug="safeguarding-leads"))
    intro.save_revision().publish()
    assert course_titles(soup_of(client.get("/training/?audience=safeguarding-leads"))) == [
        intro.title,
        *leads_only,
    ]

    assert course_titles(soup_of(client.get("/training/?format=face_to_face"))) == [
        programme["together"].title
    ]
    Session.objects.create(
        course=programme["exploitation"],
        start=london(2025, 6, 2, 9, 30),
        end=london(2025, 6, 2, 12, 30),
        format="face_to_face",
        venue=VENUE,
        capacity=12,
    )
    assert course_titles(soup_of(client.get("/training/?format=face_to_face"))) == [
        programme["together"].title,
        programme["exploitation"].title,
    ]

    PageViewRestriction.objects.create(page=programme["together"], restriction_type="login")
    assert programme["together"].title not in course_titles(soup_of(client.get("/training/")))


@pytest.mark.parametrize(
    ("query", "keep"),
    [
        ("", lambda number: True),
        ("type=core", lambda number: number % 3 == 0),
        ("type=topic", lambda number: number % 3 != 0),
        ("format=face_to_face", lambda number: number % 4 == 0),
        ("audience=all-practitioners", lambda number: number % 2 == 1),
    ],
)
def test_the_pages_of_the_catalogue_list_every_matching_course_once_in_order(
    client, catalogue, query, keep, settings
):
    settings.PAGE_CACHE_ENABLED = False
    everyone = AudienceFactory(name="All practitioners", slug="all-practitioners")
    for number in range(45):
        make_course(
            catalogue,
            title=f"Course {number % 7} {number:02d}",
            course_type="core" if number % 3 == 0 else "topic",
            audiences=[everyone] if number % 2 else [],
            sessions=[
                make_session(
                    start=london(2025, 6, 1 + number % 28, 9),
                    format="face_to_face" if number % 4 == 0 else "live_webinar",
                    venue=VENUE if number % 4 == 0 else "",
                )
            ],
        )
    # Core courses first, then by title.
    expected = [
        title
        for _type, title in sorted(
            ("core" if number % 3 == 0 else "topic", f"Course {number % 7} {number:02d}")
            for number in range(45)
            if keep(number)
        )
    ]

    shown = []
    for number in (1, 2, 3):
        shown += course_titles(soup_of(client.get(f"/training/?{query}&page={number}")))
        if len(shown) >= len(expected):
            break
    assert shown == expected


@contextlib.contextmanager
def reading(*tables):
    """The queries run inside the block that read any of ``tables``."""
    read = []
    with CaptureQueriesContext(connection) as queries:
        yield read
    read.extend(q["sql"] for q in queries if any(table in q["sql"] for table in tables))


def weekly_course(catalogue, *, first_capacity, capacity=10):
    """A course with four weekly sessions from Monday 10 March 2025 (a week after NOW), the
    first closing for booking on the Friday before it."""
    return make_course(
        catalogue,
        title="Neglect: the graded care profile",
        sessions=[
            make_session(
                start=london(2025, 3, 10, 9, 30),
                capacity=first_capacity,
                booking_closes_at=london(2025, 3, 7, 17, 0),
            ),
            *(
                make_session(start=london(2025, 3, day, 9, 30), capacity=capacity)
                for day in (17, 24, 31)
            ),
        ],
        revision=True,
    )


def test_a_catalogue_card_follows_bookings_and_the_clock_without_a_change(
    client, catalogue, later, fragments_kept_until_their_moment
):
    """A page of the catalogue's cards is kept in a fragment until the next change or the
    first moment one of its sessions closes for booking or starts (the session_state
    tag): a booking shows at once, and so does a deadline or a start passing with nothing
    changed on the site."""
    course = weekly_course(catalogue, first_capacity=2)

    def dates():
        card = soup_of(client.get("/training/")).select_one(".course-card")
        return [item.get_text(" ", strip=True) for item in card.select(".course-card__dates li")]

    first = dates()
    assert first[0].endswith("2 places left") and len(first) == 3
    with reading("training_session") as read:  # read back from the fragment
        assert dates() == first
    assert read == []

    book(course.sessions.order_by("start").first())
    assert dates()[0].endswith("1 place left")

    with later(london(2025, 3, 7, 17, 0)):  # booking closes
        assert dates()[0].endswith("booking closed")
    with later(london(2025, 3, 10, 9, 31)):  # the first session has started: the fourth shows
        shown = dates()
    assert len(shown) == 3 and "31 March 2025" in shown[-1] and "10 March" not in shown[0]


def test_a_course_page_follows_bookings_and_the_clock_without_a_change(
    client, catalogue, later, fragments_kept_until_their_moment
):
    """A course page's article and structured data are kept in fragments until the next
    change or the first moment one of its sessions closes for booking, starts or ends
    (Session.next_change_after): a booking shows at once, and so does each moment passing
    with nothing changed on the site."""
    course = make_course(
        catalogue,
        title="Neglect: the graded care profile",
        slug="neglect",
        sessions=[
            make_session(
                start=london(2025, 3, 10, 9, 30),
                capacity=2,
                booking_closes_at=london(2025, 3, 7, 17, 0),
            ),
            make_session(start=london(2025, 3, 17, 9, 30)),
        ],
        revision=True,
    )

    def shown():
        page = soup_of(client.get("/training/neglect/"))
        (script,) = page.select('script[type="application/ld+json"]')
        starts = [each["startDate"] for each in json.loads(script.string)["hasCourseInstance"]]
        states = [
            " ".join(session.get_text(" ", strip=True).split())
            for session in page.select(".session-list .session")
        ]
        return states, starts

    states, starts = shown()
    assert "2 places left" in states[0] and len(states) == len(starts) == 2
    with reading("training_session", "training_audience") as read:  # from the fragments
        assert shown() == (states, starts)
    assert read == []

    book(course.sessions.order_by("start").first())
    assert "1 place left" in shown()[0][0]

    with later(london(2025, 3, 7, 17, 0)):  # booking closes
        states, starts = shown()
        assert "Booking closed" in states[0] and len(starts) == 2
    with later(london(2025, 3, 10, 9, 31)):  # started: out of the structured data
        states, starts = shown()
        assert len(states) == 2 and starts == ["2025-03-17T09:30:00+00:00"]
    with later(london(2025, 3, 10, 11, 31)):  # over: off the page
        states, starts = shown()
        assert len(states) == 1 and "17 March 2025" in states[0]


def test_the_next_sessions_boxes_follow_bookings_and_the_clock_without_a_change(
    client, catalogue, later, fragments_kept_until_their_moment
):
    """The home page's and the catalogue's next sessions are kept in fragments until one of
    them closes for booking or starts: a booking shows at once, and so does each such
    moment with nothing changed."""
    course = weekly_course(catalogue, first_capacity=1, capacity=5)

    def boxes():
        home = soup_of(client.get("/")).select_one('[aria-labelledby="home-training-heading"]')
        listing = soup_of(client.get("/training/")).select_one(".next-sessions")
        return [
            [" ".join(li.get_text(" ", strip=True).split()) for li in box.select("li")]
            for box in (home, listing)
        ]

    home, listing = boxes()
    assert "10 March 2025" in home[0] and "1 place left" in home[0] and len(home) == 3
    assert "10 March 2025" in listing[0] and "1 place left" in listing[0]
    with reading("training_session") as read:  # read back from the fragment
        assert soup_of(client.get("/")).select_one(".next-sessions")
    assert read == []

    book(course.sessions.order_by("start").first())
    home, listing = boxes()
    assert "17 March 2025" in home[0]  # the home page lists sessions with places only
    assert "Fully booked" in listing[0]

    with later(london(2025, 3, 7, 17, 0)):  # the first closes for booking
        assert "Booking closed" in boxes()[1][0]
    with later(london(2025, 3, 17, 9, 31)):  # the first two have started
        home, listing = boxes()
        assert "24 March 2025" in home[0] and "31 March 2025" in home[1] and len(home) == 2
        assert "24 March 2025" in listing[0]


def test_through_the_page_cache_booking_shows_closed_from_the_closing_minute(
    client, catalogue, later
):
    """Cached pages and their fragments are kept only until a session they show closes
    for booking: the catalogue and the home page say so from that minute."""
    SiteSettings.load()  # made on first read: a change of content of its own
    weekly_course(catalogue, first_capacity=5)

    def first_date(path, selector):
        response = client.get(path)
        item = soup_of(response).select_one(selector)
        return response["X-Cache"], " ".join(item.get_text(" ", strip=True).split())

    with later(london(2025, 3, 7, 16, 59)):
        for path in ("/training/", "/"):
            assert client.get(path)["X-Cache"] == "miss"
        x_cache, card = first_date("/training/", ".course-card__dates li")
        assert x_cache == "hit" and "10 March 2025" in card and card.endswith("5 places left")
        x_cache, home = first_date("/", ".next-sessions li")
        assert x_cache == "hit" and "10 March 2025" in home and "5 places left" in home

    with later(london(2025, 3, 7, 17, 0)):
        x_cache, card = first_date("/training/", ".course-card__dates li")
        assert x_cache == "miss" and card.endswith("booking closed")
        x_cache, listed = first_date("/training/", ".next-sessions li")
        assert x_cache == "hit" and "Booking closed" in listed
        x_cache, home = first_date("/", ".next-sessions li")  # only sessions with places
        assert x_cache == "miss" and "17 March 2025" in home


def test_the_page_cache_keeps_the_catalogue_only_for_the_filters_it_shows(client, programme):
    SiteSettings.load()  # made on first read: a change of content of its own

    def second_view(query):
        client.get(f"/training/?{query}")
        return client.get(f"/training/?{query}")

    for query in ("", "type=core", "type=core&format=&audience=", "audience=all-practitioners"):
        assert second_view(query)["X-Cache"] == "hit", query
    response = second_view("upcoming=on&type=topic")
    assert response["X-Cache"] == "hit"
    assert course_titles(soup_of(response)) == [programme["exploitation"].title]
    # Values it does not show, and parameters it has no use for, are served uncached.
    for query in ("type=nonsense", "colour=red", "page=1", "page=99", "upcoming=yes"):
        response = second_view(query)
        assert response.status_code == 200 and response["X-Cache"] != "hit", query


def test_a_courses_format_label_follows_its_sessions_not_a_field_that_disagrees(client, catalogue):
    # The course was entered as a live webinar, but its dates are face to face.
    make_course(
        catalogue,
        title="Introduction to Safeguarding Children & Young People",
        slug="introduction",
        format="live_webinar",
        sessions=[
            make_session(
                start=london(2025, 4, 10, 9, 30), hours=3, format="face_to_face", venue=VENUE
            )
        ],
    )
    mixed = make_course(
        catalogue,
        title="Working Together",
        slug="working-together",
        format="face_to_face",
        sessions=[
            make_session(start=london(2025, 4, 24, 9, 30), format="face_to_face", venue=VENUE),
            make_session(start=london(2025, 5, 2, 9, 30)),
        ],
    )
    make_course(catalogue, title="No dates yet", slug="no-dates", format="live_webinar")

    course_page = soup_of(client.get("/training/introduction/"))
    tags = course_page.select_one(".course__tags").get_text(" ", strip=True)
    assert "Face to face" in tags and "webinar" not in tags.lower()
    facts = course_page.select_one(".course__facts").get_text(" ", strip=True)
    assert "Format Face to face" in facts
    mixed_page = soup_of(client.get(mixed.url))
    assert "Format Live webinar or face to face" in mixed_page.select_one(
        ".course__facts"
    ).get_text(" ", strip=True)

    cards = {
        card.h3.get_text(strip=True): card.select_one(".course-card__tags").get_text(
            " ", strip=True
        )
        for card in soup_of(client.get("/training/")).select(".course-card")
    }
    assert cards["Introduction to Safeguarding Children & Young People"].endswith("Face to face")
    assert cards["Working Together"].endswith("Live webinar or face to face")
    assert cards["No dates yet"].endswith("Live webinar")
