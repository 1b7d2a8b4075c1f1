"""The blocks of an issue: validation, the diary, the training spotlight, previews."""

import datetime

from django.urls import reverse

from wagtail.blocks.stream_block import StreamBlockValidationError
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.images.models import Image
from wagtail.images.tests.utils import get_test_image_file

import pytest
import time_machine
from bs4 import BeautifulSoup

from newsletter.blocks import (
    CallToActionBlock,
    DiaryBlock,
    IssueBody,
    SectionBlock,
    SignupPromptBlock,
    TrainingSpotlightBlock,
)
from newsletter.models import NewsletterIssuePage
from tests.newsletter.factories import (
    item,
    london,
    make_course,
    make_event,
    make_issue,
    section,
)

ISSUE_DATE = datetime.date(2030, 3, 1)
BEFORE_THE_ISSUE = datetime.datetime(2030, 2, 20, 9, 0, tzinfo=datetime.UTC)


def page_of(client, issue):
    return BeautifulSoup(client.get(issue.url).content, "html.parser")


def diary_rows(page):
    return [
        " ".join(row.get_text(" ", strip=True).split()) for row in page.select(".issue-diary__item")
    ]


# --- Validation ----------------------------------------------------------------------------


@pytest.fixture
def image(db):
    return Image.objects.create(title="Focus group", file=get_test_image_file())


def section_value(**value):
    block = SectionBlock()
    return block.to_python(
        {"heading": "Focus groups", "text": "<p>Thank you.</p>", "calls_to_action": [], **value}
    )


def test_a_section_image_needs_alt_text(image):
    with pytest.raises(StructBlockValidationError) as error:
        SectionBlock().clean(section_value(image=image.pk))
    assert "image_alt" in error.value.block_errors


def test_a_decorative_section_image_needs_no_alt_text(image):
    value = SectionBlock().clean(section_value(image=image.pk, image_decorative=True))
    assert value["image"] == image


def test_a_section_with_neither_text_nor_a_call_to_action_is_refused():
    with pytest.raises(StructBlockValidationError) as error:
        SectionBlock().clean(section_value(text=""))
    assert "text" in error.value.block_errors


def test_a_call_to_action_links_a_page_or_an_address_but_not_both(home_page):
    block = CallToActionBlock()
    with pytest.raises(StructBlockValidationError) as neither:
        block.clean(block.to_python({"link_text": "Book now"}))
    assert "page" in neither.value.block_errors
    with pytest.raises(StructBlockValidationError) as both:
        block.clean(
            block.to_python(
                {"link_text": "Book", "page": home_page.pk, "url": "https://example.org/"}
            )
        )
    assert "url" in both.value.block_errors


def test_a_hand_picked_diary_needs_events():
    block = DiaryBlock()
    with pytest.raises(StructBlockValidationError) as error:
        block.clean(block.to_python({"mode": "chosen", "events": []}))
    assert "events" in error.value.block_errors


def test_an_issue_has_at_most_one_sign_up_prompt():
    body = IssueBody()
    value = body.to_python(
        [
            {"type": "signup_prompt", "value": None, "id": "a"},
            {"type": "signup_prompt", "value": None, "id": "b"},
        ]
    )
    with pytest.raises(StreamBlockValidationError) as error:
        body.clean(value)
    assert [str(e.message) for e in error.value.non_block_errors.as_data()] == [
        "Sign-up prompt: The maximum number of items is 1"
    ]


def test_every_block_tells_editors_what_it_is_for():
    for block in [
        SectionBlock(),
        CallToActionBlock(),
        DiaryBlock(),
        TrainingSpotlightBlock(),
        SignupPromptBlock(),
    ]:
        assert block.meta.icon
        assert block.meta.template.startswith("components/blocks/newsletter_")
        assert block.get_description()
        assert hasattr(block.meta, "preview_value") or block.meta.preview_template


# --- Images --------------------------------------------------------------------------------


def test_a_section_image_is_shown_with_its_alt_text(client, newsletter_index, image):
    issue = make_issue(
        newsletter_index,
        ISSUE_DATE,
        body=[
            section("With a picture", image=image.pk, image_alt="Practitioners round a table"),
            section("Decorative", image=image.pk, image_decorative=True),
        ],
    )

    pictures = page_of(client, issue).select(".issue-section picture")

    assert [picture.img["alt"] for picture in pictures] == ["Practitioners round a table", ""]
    for picture in pictures:
        # AVIF where the browser takes it, else WebP (the <img>).
        [avif] = picture.find_all("source")
        assert avif["type"] == "image/avif"
        assert all(url.endswith(".webp") for url in picture.img["srcset"].split(" ")[::2])
        for candidate in [avif, picture.img]:
            # 480 and 800 pixels wide, or the picture's own width if narrower (640 here).
            widths = [each.split(" ")[1] for each in candidate["srcset"].split(", ")]
            assert widths == ["480w", "640w"]
            assert candidate["sizes"] == "(min-width: 48rem) 42rem, 100vw"
        assert picture.img["loading"] == "lazy"
        assert int(picture.img["width"]) > 0 and int(picture.img["height"]) > 0


# --- The diary -----------------------------------------------------------------------------


@pytest.fixture
def diary_site(newsletter_index, event_index, training_index):
    with time_machine.travel(BEFORE_THE_ISSUE, tick=False):
        make_event(event_index, "Earlier date", datetime.date(2030, 2, 20))
        make_event(
            event_index,
            "Awareness week",
            datetime.date(2030, 3, 10),
            end_date=datetime.date(2030, 3, 16),
        )
        make_event(event_index, "Later date", datetime.date(2030, 6, 1))
        make_event(event_index, "Unpublished date", datetime.date(2030, 3, 5), live=False)
        make_course(training_index, "Working Together", sessions=[(london(2030, 3, 12, 9, 30), 12)])
    return newsletter_index


def diary(mode="automatic", **value):
    return {
        "type": "diary",
        "value": {
            "heading": "Dates for your diary",
            "mode": mode,
            "weeks": 8,
            "include_training": True,
            "events": [],
            **value,
        },
    }


def test_automatic_diary_lists_events_and_sessions_from_the_issue_date(client, diary_site):
    with time_machine.travel(BEFORE_THE_ISSUE, tick=False):
        issue = make_issue(diary_site, ISSUE_DATE, body=[section("News"), diary()])
        page = page_of(client, issue)

    assert diary_rows(page) == [
        "10 to 16 March 2030 Awareness week",
        "12 March 2030, 9:30am to 11:30am Training Working Together Online. 12 places left",
    ]
    assert page.select_one(".issue-diary a")["href"] == "/events/awareness-week/"


def test_automatic_diary_can_leave_out_training_and_set_the_weeks(client, diary_site):
    with time_machine.travel(BEFORE_THE_ISSUE, tick=False):
        issue = make_issue(
            diary_site,
            ISSUE_DATE,
            body=[section("News"), diary(weeks=14, include_training=False)],
        )
        rows = diary_rows(page_of(client, issue))

    assert rows == ["10 to 16 March 2030 Awareness week", "1 June 2030 Later date"]


def test_hand_picked_diary_lists_its_published_events_in_date_order(client, diary_site):
    from events.models import EventPage

    later = EventPage.objects.get(title="Later date")
    earlier = EventPage.objects.get(title="Earlier date")
    unpublished = EventPage.objects.get(title="Unpublished date")
    issue = make_issue(
        diary_site,
        ISSUE_DATE,
        body=[
            section("News"),
            diary("chosen", events=[item(later.pk), item(unpublished.pk), item(earlier.pk)]),
        ],
    )

    assert diary_rows(page_of(client, issue)) == [
        "20 February 2030 Earlier date",
        "1 June 2030 Later date",
    ]


def test_an_empty_diary_says_so_and_points_to_the_events(client, newsletter_index, event_index):
    issue = make_issue(newsletter_index, ISSUE_DATE, body=[section("News"), diary()])
    block = page_of(client, issue).select_one(".issue-diary")
    assert "No dates are in the diary for these weeks yet" in block.get_text()
    assert block.find("a", href="/events/") is not None


# --- The training spotlight ----------------------------------------------------------------


def test_training_spotlight_shows_next_sessions_and_places_left(
    client, newsletter_index, training_index
):
    with time_machine.travel(BEFORE_THE_ISSUE, tick=False):
        course = make_course(
            training_index,
            "Working Together to Safeguard Children",
            sessions=[
                (london(2030, 4, 2, 9, 30), 20),
                (london(2030, 3, 5, 9, 30), 1),
                (london(2030, 5, 7, 9, 30), 20),
            ],
        )
        hidden = make_course(training_index, "Withdrawn course", live=False)
        issue = make_issue(
            newsletter_index,
            ISSUE_DATE,
            body=[
                section("News"),
                {
                    "type": "training_spotlight",
                    "value": {
                        "heading": "Training spotlight",
                        "introduction": "Places are going fast.",
                        "courses": [item(course.pk), item(hidden.pk)],
                        "sessions_per_course": 2,
                    },
                },
            ],
        )
        page = page_of(client, issue)

    spotlight = page.select_one(".issue-spotlight")
    assert [h3.get_text(strip=True) for h3 in spotlight.find_all("h3")] == [
        "Working Together to Safeguard Children"
    ]
    sessions = [li.get_text(" ", strip=True) for li in spotlight.select("li")]
    assert sessions == [
        "5 March 2030, 9:30am to 11:30am, Online: 1 place left",
        "2 April 2030, 9:30am to 11:30am, Online: 20 places left",
    ]
    book = spotlight.find("a", class_="button")
    assert book["href"] == course.url
    assert book.get_text(strip=True) == "Book your place on Working Together to Safeguard Children"
    nav = page.find("nav", attrs={"aria-label": "In this issue"})
    assert "Training spotlight" in [a.get_text(strip=True) for a in nav.find_all("a")]


# --- Kept between views --------------------------------------------------------------------


def test_the_diary_and_spotlight_are_read_back_until_a_session_starts(
    client, newsletter_index, training_index, fragments_kept_long
):
    """An issue's body is rendered once per change and read back ({% cachefragment
    "issue-body" %}); the diary and the spotlight show what the passing of time changes, so
    it is kept only until their first session starts, with nothing else changed."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with time_machine.travel(BEFORE_THE_ISSUE, tick=False) as traveller:
        course = make_course(
            training_index,
            "Working Together",
            sessions=[(london(2030, 3, 5, 9, 30), 3), (london(2030, 4, 2, 9, 30), 20)],
        )
        spotlight = {
            "type": "training_spotlight",
            "value": {
                "heading": "Training spotlight",
                "introduction": "",
                "sessions_per_course": 1,
                "courses": [item(course.pk)],
            },
        }
        issue = make_issue(newsletter_index, ISSUE_DATE, body=[section("News"), diary(), spotlight])

        def shown():
            page = page_of(client, issue)
            spotlight = page.select_one(".issue-spotlight")
            return diary_rows(page), [li.get_text(" ", strip=True) for li in spotlight.select("li")]

        before = (
            [
                "5 March 2030, 9:30am to 11:30am Training Working Together Online. 3 places left",
                "2 April 2030, 9:30am to 11:30am Training Working Together Online. 20 places left",
            ],
            ["5 March 2030, 9:30am to 11:30am, Online: 3 places left"],
        )
        assert shown() == before
        with CaptureQueriesContext(connection) as read_back:
            assert shown() == before
        assert not [query for query in read_back if "training_session" in query["sql"]]

        traveller.move_to(london(2030, 3, 5, 9, 29))
        assert shown() == before
        traveller.move_to(london(2030, 3, 5, 9, 31))
        assert shown() == (
            [
                "5 March 2030, 9:30am to 11:30am Training Working Together Online",
                "2 April 2030, 9:30am to 11:30am Training Working Together Online. 20 places left",
            ],
            ["2 April 2030, 9:30am to 11:30am, Online: 20 places left"],
        )


def spotlight(*courses, per_course=1):
    return {
        "type": "training_spotlight",
        "value": {
            "heading": "Training spotlight",
            "introduction": "",
            "sessions_per_course": per_course,
            "courses": [item(course.pk) for course in courses],
        },
    }


def test_the_issue_body_is_kept_until_a_publish_then_rendered_again(
    client, newsletter_index, fragments_kept_long
):
    """The fragment is read back while nothing is published (a change written behind
    Wagtail's back, with no signal, does not show), and rendered afresh on the first view
    after a publish."""
    from newsletter.models import NewsletterIssuePage

    issue = make_issue(newsletter_index, ISSUE_DATE, body=[section("News", "<p>First.</p>")])

    def text():
        return page_of(client, issue).select_one(".issue-section .prose").get_text(strip=True)

    assert text() == "First."
    NewsletterIssuePage.objects.filter(pk=issue.pk).update(body=[section("News", "<p>Behind.</p>")])
    assert text() == "First."  # kept: no publish since it was rendered

    issue.refresh_from_db()
    issue.body = [section("News", "<p>Published.</p>")]
    issue.save_revision().publish()
    assert text() == "Published."


def test_publishing_one_issue_keeps_the_bodies_of_the_others_but_renews_their_pager(
    client, newsletter_index, fragments_kept_long
):
    """Another issue's body shows nothing of this one and is read back; its pager, which
    names this issue, is rendered again at once."""
    from newsletter.models import NewsletterIssuePage

    older = make_issue(
        newsletter_index, ISSUE_DATE, body=[section("News", "<p>First.</p>")], title="Older"
    )
    newer = make_issue(
        newsletter_index,
        ISSUE_DATE + datetime.timedelta(days=31),
        body=[section("News", "<p>Newer.</p>")],
        title="Newer",
    )

    def shown():
        page = page_of(client, older)
        return (
            page.select_one(".issue-section .prose").get_text(strip=True),
            page.select_one("a[rel=next]").get_text(" ", strip=True).split(" (")[0],
        )

    assert shown() == ("First.", "Next issue: Newer")
    NewsletterIssuePage.objects.filter(pk=older.pk).update(body=[section("News", "<p>Behind.</p>")])
    newer.title = "Newest"
    newer.save_revision().publish()
    assert shown() == ("First.", "Next issue: Newest")

    older.refresh_from_db()
    older.save_revision().publish()
    assert shown() == ("Behind.", "Next issue: Newest")


def test_book_your_place_goes_when_the_last_session_starts_through_the_page_cache(
    client, newsletter_index, training_index, settings
):
    """Served from the page cache (and the fragment within it), the spotlight offers a
    place until the course's only session starts, then says none is open, with nothing
    edited in between."""
    from lscp_site.models import SiteSettings

    settings.PAGE_CACHE_ENABLED = True
    settings.PAGE_CACHE_SECONDS = 365 * 24 * 60 * 60  # only the session's moment can end it
    SiteSettings.load()  # made on first use, which is a change: made before the first view
    with time_machine.travel(BEFORE_THE_ISSUE, tick=False) as traveller:
        course = make_course(
            training_index, "Working Together", sessions=[(london(2030, 3, 5, 9, 30), 3)]
        )
        issue = make_issue(newsletter_index, ISSUE_DATE, body=[section("News"), spotlight(course)])

        def offered():
            response = client.get(issue.url)
            box = BeautifulSoup(response.content, "html.parser").select_one(".issue-spotlight")
            return response.get("X-Cache"), box.find("a", class_="button") is not None

        traveller.move_to(london(2030, 3, 5, 8, 0))  # pages are kept a day at most
        assert offered() == ("miss", True)
        assert offered() == ("hit", True)
        traveller.move_to(london(2030, 3, 5, 9, 29))
        assert offered() == ("hit", True)
        traveller.move_to(london(2030, 3, 5, 9, 30) + datetime.timedelta(seconds=1))
        assert offered() == ("miss", False)
        assert "No sessions are open to booking yet" in page_of(client, issue).text


def test_the_issue_body_is_rendered_again_when_a_listed_session_closes_for_booking(
    client, newsletter_index, training_index, fragments_kept_long
):
    """A session that closes for booking before it starts: the body is kept only until it
    closes, so what a course offers is worked out again from that moment."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from training.models import Session

    with time_machine.travel(BEFORE_THE_ISSUE, tick=False) as traveller:
        course = make_course(
            training_index, "Working Together", sessions=[(london(2030, 3, 5, 9, 30), 3)]
        )
        Session.objects.filter(course=course).update(booking_closes_at=london(2030, 3, 4, 17))
        issue = make_issue(newsletter_index, ISSUE_DATE, body=[section("News"), spotlight(course)])

        def sessions_read():
            with CaptureQueriesContext(connection) as queries:
                page_of(client, issue)
            return len([q for q in queries if "training_session" in q["sql"]])

        assert sessions_read() == 1
        traveller.move_to(london(2030, 3, 4, 16, 59))
        assert sessions_read() == 0  # read back
        traveller.move_to(london(2030, 3, 4, 17))
        assert sessions_read() == 1  # rendered again at the closing moment


# --- Previews for editors ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("section", "LSCP safeguarding training is changing!"),
        ("diary", "Dates for your diary"),
        ("training_spotlight", "Working Together"),
        ("signup_prompt", "Get the newsletter by email"),
    ],
)
def test_every_block_has_a_preview(admin_client, training_index, name, expected):
    make_course(training_index, "Working Together", sessions=[])
    block = NewsletterIssuePage.body.field.stream_block.child_blocks[name]

    response = admin_client.get(
        reverse("wagtailadmin_block_preview"), {"id": block.definition_prefix}
    )

    assert response.status_code == 200
    assert expected in response.text
    assert "/static/css/site.css" in response.text


def test_a_section_whose_text_is_an_empty_paragraph_counts_as_empty():
    with pytest.raises(StructBlockValidationError) as error:
        SectionBlock().clean(section_value(text='<p data-block-key="x"></p>'))
    assert "text" in error.value.block_errors
