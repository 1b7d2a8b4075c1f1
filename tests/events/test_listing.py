"""The diary at /events/: upcoming, past, categories, filters, pagination and query counts."""

import datetime
import zoneinfo

from django.db import connection
from django.test.utils import CaptureQueriesContext

import pytest
import time_machine
from bs4 import BeautifulSoup

from events.models import EventIndexPage, EventPage
from lscp_site.pagecache import invalidate_pages
from tests.bulk import add_live_pages
from tests.events.factories import EventCategoryFactory, make_event

pytestmark = pytest.mark.django_db
LONDON = zoneinfo.ZoneInfo("Europe/London")
TODAY = datetime.datetime(2025, 4, 15, 10, 0, tzinfo=LONDON)
EVENTS_PER_PAGE = EventIndexPage.events_per_page


@pytest.fixture
def frozen():
    with time_machine.travel(TODAY, tick=False):
        yield


def soup_of(response):
    return BeautifulSoup(response.content, "html.parser")


def card_titles(page):
    return [h3.get_text(strip=True) for h3 in page.select(".card-list .event-card h3")]


@pytest.fixture
def seed_diary(diary, awareness_day, awareness_week, lscp_event, frozen):
    """The March 2025 issue's diary, seen on 15 April 2025."""
    make_event(
        diary,
        title="National Child Exploitation Awareness Day",
        slug="cea-day",
        start_date=datetime.date(2025, 3, 18),
        category=awareness_day,
    )
    make_event(
        diary,
        title="Child exploitation in Leeds webinar",
        slug="webinar",
        start_date=datetime.date(2025, 5, 8),
        start_time=datetime.time(14),
        end_time=datetime.time(15),
        online=True,
        category=lscp_event,
    )
    make_event(
        diary,
        title="Mental Health Awareness Week",
        slug="mhaw",
        start_date=datetime.date(2025, 5, 12),
        end_date=datetime.date(2025, 5, 18),
        category=awareness_week,
    )
    make_event(
        diary,
        title="International Missing Children’s Day",
        slug="imcd",
        start_date=datetime.date(2025, 5, 25),
        category=awareness_day,
    )
    make_event(
        diary,
        title="West Yorkshire Safeguarding Week",
        slug="wysw",
        start_date=datetime.date(2025, 6, 23),
        end_date=datetime.date(2025, 6, 27),
        category=awareness_week,
    )
    return diary


def test_the_diary_lists_upcoming_dates_soonest_first_with_their_dates(client, seed_diary):
    response = client.get("/events/")
    assert response.status_code == 200
    page = soup_of(response)
    assert page.h1.get_text(strip=True) == "Dates for your diary"
    assert card_titles(page) == [
        "Child exploitation in Leeds webinar",
        "Mental Health Awareness Week",
        "International Missing Children’s Day",
        "West Yorkshire Safeguarding Week",
    ]
    dates = [p.get_text(strip=True) for p in page.select(".event-card__when")]
    assert dates == [
        "8 May 2025, 2pm to 3pm",
        "12 to 18 May 2025",
        "25 May 2025",
        "23 to 27 June 2025",
    ]
    assert "4 upcoming dates" in page.select_one("#event-results").get_text()
    assert page.select_one('.event-tabs a[aria-current="page"]').get_text() == "Upcoming dates"


def test_each_card_links_to_its_event_and_says_where(client, seed_diary):
    page = soup_of(client.get("/events/"))
    first = page.select_one(".event-card")
    assert first.h3.a["href"] == "/events/webinar/"
    assert "Online" in first.select_one(".meta").get_text()
    assert first.select_one(".tag").get_text() == "LSCP event"


def test_every_card_links_where_wagtail_says_its_event_is(client, seed_diary):
    expected = {event.title: event.get_url() for event in EventPage.objects.live()}
    for address in ("/events/", "/events/past/", "/events/category/awareness-days/"):
        links = soup_of(client.get(address)).select(".event-card h3 a")
        assert links, address
        for link in links:
            assert link["href"] == expected[link.get_text()]
            assert client.get(link["href"]).status_code == 200


def test_a_card_says_when_and_where_as_its_event_page_does(client, diary, frozen):
    make_event(diary, title="All day", start_date=datetime.date(2025, 5, 12))
    make_event(
        diary,
        title="A week",
        start_date=datetime.date(2025, 5, 12),
        end_date=datetime.date(2025, 5, 18),
        online=True,
    )
    make_event(
        diary,
        title="An afternoon",
        start_date=datetime.date(2025, 6, 3),
        start_time=datetime.time(14),
        end_time=datetime.time(16, 30),
        location="Leeds Civic Hall",
        online=True,
    )
    make_event(
        diary,
        title="Two days",
        start_date=datetime.date(2025, 7, 1),
        end_date=datetime.date(2025, 7, 2),
        start_time=datetime.time(9),
        end_time=datetime.time(13),
        location="Leeds Civic Hall",
    )
    cards = soup_of(client.get("/events/")).select(".event-card")
    assert len(cards) == 4
    for card in cards:
        event_page = soup_of(client.get(card.h3.a["href"]))
        details = {
            row.dt.get_text(strip=True): row.dd.get_text(" ", strip=True)
            for row in event_page.select(".event-details__row")
        }
        when = card.select_one(".event-card__when").get_text(strip=True)
        assert details["When"].removesuffix(" (all day)") == when
        where = card.select_one(".event-card__where")
        assert details.get("Where") == (where.get_text(strip=True) if where else None)
        assert event_page.h1.get_text() == card.h3.get_text(strip=True)


def test_a_card_shows_what_the_editor_typed_as_text(client, diary, frozen):
    typed = """Tom's "big" <script>alert(1)</script> & more"""
    escaped = "Tom&#x27;s &quot;big&quot; &lt;script&gt;alert(1)&lt;/script&gt; &amp; more"
    make_event(
        diary, title=typed, start_date=datetime.date(2025, 5, 1), summary=typed, location=typed
    )

    html = client.get("/events/").content.decode()

    assert f">{escaped}</a></h3>" in html
    assert f"<p>{escaped}</p>" in html
    assert f'<span class="event-card__where">{escaped}</span>' in html
    assert "<script>alert" not in html


def test_past_events_are_at_events_past_most_recent_first(client, seed_diary):
    response = client.get("/events/past/")
    assert response.status_code == 200
    page = soup_of(response)
    assert page.h1.get_text(strip=True) == "Past events"
    assert card_titles(page) == ["National Child Exploitation Awareness Day"]
    assert page.select_one('.event-tabs a[aria-current="page"]').get_text() == "Past events"
    crumbs = [a.get_text() for a in page.select(".breadcrumbs a")]
    assert crumbs == ["Home", "Dates for your diary"]


def test_an_event_moves_to_the_archive_once_it_is_over(client, seed_diary):
    with time_machine.travel(datetime.datetime(2025, 5, 19, 0, 0, tzinfo=LONDON), tick=False):
        upcoming = card_titles(soup_of(client.get("/events/")))
        past = card_titles(soup_of(client.get("/events/past/")))
    assert "Mental Health Awareness Week" not in upcoming
    assert past[0] == "Mental Health Awareness Week"


def test_filter_by_category(client, seed_diary):
    response = client.get("/events/", {"category": "awareness-weeks"})
    assert response.status_code == 200
    page = soup_of(response)
    assert card_titles(page) == ["Mental Health Awareness Week", "West Yorkshire Safeguarding Week"]
    assert page.select_one("#id_category option[selected]")["value"] == "awareness-weeks"
    assert "2 upcoming dates: Awareness week" in page.select_one("#event-results").get_text()
    assert page.select_one(".event-filters__clear")["href"] == "/events/"


def test_filter_by_month_includes_ranges_that_run_into_it(client, diary, awareness_week, frozen):
    make_event(
        diary,
        title="Across May and June",
        start_date=datetime.date(2025, 5, 30),
        end_date=datetime.date(2025, 6, 2),
        category=awareness_week,
    )
    make_event(
        diary, title="In June", start_date=datetime.date(2025, 6, 10), category=awareness_week
    )
    make_event(
        diary, title="In May", start_date=datetime.date(2025, 5, 10), category=awareness_week
    )
    page = soup_of(client.get("/events/", {"month": "2025-06"}))
    assert card_titles(page) == ["Across May and June", "In June"]
    assert "2 upcoming dates: June 2025" in page.select_one("#event-results").get_text()


def test_month_choices_are_the_months_with_dates_to_come(client, seed_diary):
    page = soup_of(client.get("/events/"))
    options = [(o["value"], o.get_text()) for o in page.select("#id_month option")]
    assert options == [("", "Any month"), ("2025-05", "May 2025"), ("2025-06", "June 2025")]


def test_category_and_month_together(client, seed_diary):
    page = soup_of(client.get("/events/", {"category": "awareness-days", "month": "2025-05"}))
    assert card_titles(page) == ["International Missing Children’s Day"]


def test_a_month_with_nothing_left_shows_an_empty_list_not_an_error(client, seed_diary):
    response = client.get("/events/", {"month": "2025-09"})
    assert response.status_code == 200
    page = soup_of(response)
    assert card_titles(page) == []
    assert "No dates match this filter" in page.get_text()
    assert page.select_one("#id_month option[selected]").get_text() == "September 2025"


def test_a_made_up_filter_value_is_explained_beside_the_field(client, seed_diary):
    response = client.get("/events/", {"category": "no-such-thing", "month": "May"})
    assert response.status_code == 400
    page = soup_of(response)
    summary = page.select_one(".error-summary")
    assert summary is not None
    assert [a["href"] for a in summary.select("a")] == ["#id_category", "#id_month"]
    category_error = page.select_one("#id_category-error").get_text()
    assert "Choose a category from the list." in category_error
    assert "Choose a month from the list." in page.select_one("#id_month-error").get_text()
    assert page.select_one("#id_category")["aria-invalid"] == "true"
    assert "Error:" in page.title.get_text()
    # The list is still there, unfiltered.
    assert len(card_titles(page)) == 4


def test_the_filter_is_a_plain_get_form(client, seed_diary):
    form = soup_of(client.get("/events/")).select_one("form.event-filters")
    assert form["method"] == "get"
    assert form["action"] == "/events/"
    assert form.select_one("button[type=submit]") is not None
    for select in form.select("select"):
        assert form.select_one(f'label[for="{select["id"]}"]') is not None


def test_the_past_archive_has_its_own_filter(client, seed_diary):
    page = soup_of(client.get("/events/past/", {"category": "lscp-events"}))
    assert card_titles(page) == []
    page = soup_of(client.get("/events/past/", {"category": "awareness-days"}))
    assert card_titles(page) == ["National Child Exploitation Awareness Day"]
    assert page.select_one("form.event-filters")["action"] == "/events/past/"
    options = [o["value"] for o in page.select("#id_month option")]
    assert options == ["", "2025-03"]


def test_a_category_has_its_own_page_and_feed(client, seed_diary):
    response = client.get("/events/category/awareness-weeks/")
    assert response.status_code == 200
    page = soup_of(response)
    assert page.h1.get_text(strip=True) == "Awareness week"
    assert card_titles(page) == ["Mental Health Awareness Week", "West Yorkshire Safeguarding Week"]
    assert page.select_one("#id_category option[selected]")["value"] == "awareness-weeks"
    feed = page.select_one('link[rel="alternate"][type="text/calendar"]')
    assert feed["href"] == "https://lscp.test/events/category/awareness-weeks/feed.ics"
    assert page.select_one(".event-subscribe a.button")["href"] == (
        "webcal://lscp.test/events/category/awareness-weeks/feed.ics"
    )


def test_an_unknown_category_page_is_not_found(client, seed_diary):
    assert client.get("/events/category/no-such-thing/").status_code == 404


def test_the_diary_offers_the_whole_feed_and_each_category(client, seed_diary):
    page = soup_of(client.get("/events/"))
    assert (
        page.select_one(".event-subscribe code").get_text() == "https://lscp.test/events/feed.ics"
    )
    links = [a["href"] for a in page.select(".event-subscribe__categories a")]
    assert "/events/category/awareness-weeks/" in links


def test_no_upcoming_dates_says_so_and_points_to_the_archive(client, diary, frozen):
    page = soup_of(client.get("/events/"))
    assert "There are no upcoming dates at the moment" in page.get_text()
    assert "0 upcoming dates" in page.select_one("#event-results").get_text()


def test_unpublished_events_disappear_but_past_ones_stay_readable(client, seed_diary):
    from events.models import EventPage

    webinar = EventPage.objects.get(slug="webinar")
    webinar.save_revision().publish()
    webinar.unpublish()
    assert "Child exploitation in Leeds webinar" not in card_titles(soup_of(client.get("/events/")))
    assert client.get("/events/webinar/").status_code == 404
    assert client.get("/events/cea-day/").status_code == 200


def test_pages_of_twenty(client, diary, awareness_day, frozen):
    for number in range(EVENTS_PER_PAGE + 3):
        make_event(
            diary,
            title=f"Date {number:02d}",
            start_date=datetime.date(2025, 5, 1) + datetime.timedelta(days=number),
            category=awareness_day,
        )
    first = soup_of(client.get("/events/"))
    assert len(card_titles(first)) == EVENTS_PER_PAGE
    assert first.select_one(".pagination__status").get_text() == "Page 1 of 2"
    next_link = first.select_one('.pagination a[rel="next"]')["href"]
    assert next_link == "?page=2"
    second = soup_of(client.get("/events/", {"page": 2}))
    assert card_titles(second) == ["Date 20", "Date 21", "Date 22"]
    assert "(page 2)" in second.title.get_text()
    # The page number keeps the filter.
    filtered = soup_of(client.get("/events/", {"category": "awareness-days"}))
    assert filtered.select_one('.pagination a[rel="next"]')["href"] == (
        "?category=awareness-days&page=2"
    )
    # Only what the page shows: a campaign's tag or a stray parameter is left behind, and
    # the first page has no number, so every link is an address the page cache keeps.
    tagged = soup_of(
        client.get("/events/", {"category": "awareness-days", "page": 2, "utm_source": "x"})
    )
    previous = tagged.select_one('.pagination a[rel="prev"]')["href"]
    assert previous == "?category=awareness-days"
    assert client.get(f"/events/{previous}")["X-Cache"] == "hit"  # kept when first shown
    # A page number that is not one shows the first page rather than failing.
    assert client.get("/events/", {"page": "x"}).status_code == 200


def test_the_home_page_shows_the_next_three_dates(client, seed_diary):
    page = soup_of(client.get("/"))
    section = page.select_one(".home-dates")
    assert section.h2.get_text() == "Dates for your diary"
    assert [h3.get_text(strip=True) for h3 in section.select("h3")] == [
        "Child exploitation in Leeds webinar",
        "Mental Health Awareness Week",
        "International Missing Children’s Day",
    ]
    assert section.select_one(".event-card__when").get_text() == "8 May 2025, 2pm to 3pm"
    assert section.select("a")[-1]["href"] == "/events/"


# --- Query counts ------------------------------------------------------------------------

LISTING_URLS = [
    "/events/",
    "/events/?category=awareness-days&month=2025-07",
    "/events/past/",
    "/events/past/?category=lscp-events",
    "/events/category/awareness-days/",
    "/events/?page=3",
    "/events/event-number-1/",
]
# Wagtail's routing and the site's settings, then the listing's own: categories, which pages
# are private, the months, the count, when it next changes and the page of cards.
MAX_QUERIES = 14


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def cold_and_warm(client, url):
    """Queries for ``url`` with its cached fragments cold (just after a change of content)
    and then warm (the same page again)."""
    invalidate_pages()
    cold = count_queries(client, url)
    return cold, count_queries(client, url)


def event_fields(number, categories):
    # Spread over October 2024 to November 2025: past and upcoming in every category.
    return {
        "title": f"Event number {number}",
        "start_date": datetime.date(2024, 10, 1) + datetime.timedelta(days=number * 97 % 400),
        "start_time": datetime.time(9 + number % 8) if number % 3 else None,
        "category": categories[number % len(categories)],
        "online": bool(number % 2),
    }


def add_events(diary, categories, count):
    """``count`` events made one by one, as an editor's pages are."""
    for number in range(count):
        make_event(diary, slug=f"event-number-{number}", **event_fields(number, categories))


def add_events_in_bulk(diary, categories, count, *, offset):
    """``count`` more events of the same kinds, written in bulk (tests/bulk.py)."""
    events = []
    for number in range(offset, offset + count):
        event = EventPage(
            slug=f"event-number-{number}",
            summary="A date for practitioners in Leeds.",
            **event_fields(number, categories),
        )
        event.ends_at = event.compute_ends_at()
        events.append(event)
    add_live_pages(diary, events)


def test_the_diary_and_its_events_run_the_same_few_queries_with_500_events(
    client, diary, frozen, settings
):
    # Count what the pages themselves do, not the anonymous page cache in front of them.
    settings.PAGE_CACHE_ENABLED = False
    categories = [
        EventCategoryFactory(name="Awareness day", slug="awareness-days"),
        EventCategoryFactory(name="LSCP event", slug="lscp-events"),
        EventCategoryFactory(name="Conference", slug="conferences"),
    ]
    add_events(diary, categories, 6)
    for url in LISTING_URLS:
        client.get(url)  # what every page reads once (the site's root paths, its settings)
    few = {url: cold_and_warm(client, url) for url in LISTING_URLS}

    add_events_in_bulk(diary, categories, 494, offset=6)
    assert EventPage.objects.live().count() == 500
    many = {url: cold_and_warm(client, url) for url in LISTING_URLS}

    assert many == few
    assert max(cold for cold, _ in many.values()) <= MAX_QUERIES, many
    # The page of cards and when it changes, the categories and months the filter offers,
    # the sign-up box's topics and the site settings, kept as fragments, are not read again.
    for url in ("/events/", "/events/past/", "/events/?page=3"):
        cold, warm = many[url]
        assert warm == cold - 6, (url, cold, warm)
    page = soup_of(client.get("/events/"))
    assert len(card_titles(page)) == EVENTS_PER_PAGE
    upcoming = EventPage.objects.filter(ends_at__gt=TODAY).count()
    pages = -(-upcoming // EVENTS_PER_PAGE)
    assert pages > 3
    assert page.select_one(".pagination__status").get_text() == f"Page 1 of {pages}"


def test_a_warm_page_of_cards_is_the_same_as_a_cold_one(client, seed_diary, settings):
    settings.PAGE_CACHE_ENABLED = False
    invalidate_pages()
    cold = client.get("/events/?category=awareness-weeks").content
    warm = client.get("/events/?category=awareness-weeks").content
    assert warm == cold
    assert card_titles(BeautifulSoup(warm, "html.parser")) == [
        "Mental Health Awareness Week",
        "West Yorkshire Safeguarding Week",
    ]


def test_each_filter_and_page_has_its_own_cards(client, diary, awareness_day, frozen, settings):
    # The page cache is off: only the cards kept as fragments could mix listings up.
    settings.PAGE_CACHE_ENABLED = False
    for number in range(EVENTS_PER_PAGE + 2):
        make_event(
            diary,
            title=f"Date {number:02d}",
            start_date=datetime.date(2025, 5, 1) + datetime.timedelta(days=number * 2),
            category=awareness_day,
        )
    make_event(diary, title="Over", start_date=datetime.date(2025, 4, 1), category=awareness_day)
    listings = {
        "/events/": "Date 00",
        "/events/?page=2": "Date 20",
        "/events/past/": "Over",
        "/events/?month=2025-06": "Date 16",
        "/events/category/awareness-days/": "Date 00",
        "/events/past/?category=awareness-days": "Over",
    }
    for _ in range(2):
        for address, first in listings.items():
            assert card_titles(soup_of(client.get(address)))[0] == first, address


def test_the_sitemap_lists_the_diary_its_archive_and_each_event(client, seed_diary):
    body = client.get("/sitemap.xml").content.decode()
    for path in ("/events/", "/events/past/", "/events/mhaw/", "/events/cea-day/"):
        assert f"<loc>http://localhost{path}</loc>" in body


def month_options(client, address):
    page = soup_of(client.get(address))
    return [o["value"] for o in page.select("#id_month option") if o["value"]]


def test_the_month_choices_follow_each_change_at_once(client, seed_diary, settings):
    settings.PAGE_CACHE_ENABLED = False
    assert month_options(client, "/events/") == ["2025-05", "2025-06"]

    added = make_event(
        seed_diary, title="Conference", slug="conf", start_date=datetime.date(2025, 8, 4)
    )
    assert month_options(client, "/events/") == ["2025-05", "2025-06", "2025-08"]

    EventPage.objects.get(slug="wysw").unpublish()
    assert month_options(client, "/events/") == ["2025-05", "2025-08"]

    added.delete()
    assert month_options(client, "/events/") == ["2025-05"]


def test_the_month_choices_move_to_the_past_as_time_passes(client, seed_diary, settings):
    settings.PAGE_CACHE_ENABLED = False
    assert month_options(client, "/events/past/") == ["2025-03"]

    # 20 May: the week of 12 to 18 May is over, but the 25 May day is still to come.
    with time_machine.travel(datetime.datetime(2025, 5, 20, 10, 0, tzinfo=LONDON), tick=False):
        assert month_options(client, "/events/") == ["2025-05", "2025-06"]
        assert month_options(client, "/events/past/") == ["2025-05", "2025-03"]

    with time_machine.travel(datetime.datetime(2025, 6, 1, 10, 0, tzinfo=LONDON), tick=False):
        assert month_options(client, "/events/") == ["2025-06"]
        # The past listing is most recent first, and so are its months, a month asked for
        # in the address among them.
        assert month_options(client, "/events/past/") == ["2025-05", "2025-03"]
        assert month_options(client, "/events/past/?month=2025-04") == [
            "2025-05",
            "2025-04",
            "2025-03",
        ]


def test_a_new_category_is_offered_and_has_its_feed_at_once_though_both_are_kept(
    client, seed_diary, fragments_kept_long
):
    def shown():
        page = soup_of(client.get("/events/"))
        return (
            [option["value"] for option in page.select("#id_category option") if option["value"]],
            [a["href"] for a in page.select(".event-subscribe__categories a")],
        )

    offered, feeds = shown()
    EventCategoryFactory(name="Conference", slug="conferences")

    assert shown() == (
        sorted([*offered, "conferences"]),
        sorted([*feeds, "/events/category/conferences/"]),
    )


def test_a_month_still_going_leaves_the_choices_when_the_next_month_starts(
    client, diary, awareness_day, fragments_kept_long
):
    make_event(
        diary,
        title="Spring conference",
        start_date=datetime.date(2025, 4, 28),
        end_date=datetime.date(2025, 5, 3),
        category=awareness_day,
    )
    make_event(diary, start_date=datetime.date(2025, 5, 10), category=awareness_day)

    with time_machine.travel(datetime.datetime(2025, 4, 30, 23, 0, tzinfo=LONDON), tick=False):
        assert month_options(client, "/events/") == ["2025-04", "2025-05"]
    # The conference is still going, but April is over: no event ended to say so.
    with time_machine.travel(datetime.datetime(2025, 5, 1, 9, 0, tzinfo=LONDON), tick=False):
        assert month_options(client, "/events/") == ["2025-05"]


def test_the_diary_cards_follow_each_change_at_once(
    client, seed_diary, lscp_event, awareness_day, settings
):
    # With the page cache off, only the cards kept as fragments could be stale.
    from wagtail.models import PageViewRestriction

    settings.PAGE_CACHE_ENABLED = False

    def listed(address):
        return card_titles(soup_of(client.get(address)))

    added = make_event(
        seed_diary, title="Conference", slug="conf", start_date=datetime.date(2025, 8, 4)
    )
    assert listed("/events/")[-1] == "Conference"
    assert "Conference" in listed("/events/?category=awareness-days")

    added.start_date = datetime.date(2025, 4, 1)  # moved to a day that is over
    added.category = lscp_event
    added.save_revision().publish()
    assert "Conference" not in listed("/events/")
    assert listed("/events/past/")[0] == "Conference"
    assert "Conference" not in listed("/events/past/?category=awareness-days")
    assert listed("/events/past/?category=lscp-events") == ["Conference"]

    restriction = PageViewRestriction.objects.create(page=added, restriction_type="login")
    assert "Conference" not in listed("/events/past/")
    restriction.delete()
    assert "Conference" in listed("/events/past/")

    EventPage.objects.get(slug="conf").unpublish()
    assert "Conference" not in listed("/events/past/")
    assert "2025-04" not in month_options(client, "/events/past/")


def test_what_a_card_says_follows_each_edit_at_once(client, seed_diary, settings):
    """A page of the diary's cards is kept as a fragment per content version: an edit to an
    event or to its category shows on the next view, though the same events are listed."""
    from events.models import EventCategory

    settings.PAGE_CACHE_ENABLED = False

    def cards():
        return [
            (card.h3.get_text(strip=True), card.select_one(".tag").get_text(strip=True))
            for card in soup_of(client.get("/events/")).select(".event-card")
        ]

    before = cards()
    assert cards() == before

    event = EventPage.objects.get(title=before[0][0])
    event.title = "Renamed awareness day"
    event.save_revision().publish()
    assert cards()[0][0] == "Renamed awareness day"

    category = EventCategory.objects.get(name=before[0][1])
    category.name = "Awareness days and weeks"
    category.save()
    assert cards()[0] == ("Renamed awareness day", "Awareness days and weeks")
