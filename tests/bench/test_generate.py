"""The large-content generator (bench/generate.py): a sound site, the same for a seed, and
pages written in bulk that are the rows Wagtail's own ``add_child`` writes."""

import datetime
import random
import re

from django.utils import timezone

from wagtail.models import Page

import pytest

from bench import generate as generator
from bench import generate_content
from events.models import EventCategory, EventPage
from newsletter.models import NewsletterIssuePage
from subscriptions.models import Subscriber
from training.models import Booking, CoursePage, Session

MANY = {"issues": 30, "courses": 24, "sessions": 90, "events": 70, "subscribers": 40}
FEW = {"issues": 3, "courses": 3, "sessions": 6, "events": 4, "subscribers": 4}
# Columns that differ between any two pages, however they were written.
OWN_TO_EACH_PAGE = {"id", "path", "slug", "url_path", "translation_key"}
# Wagtail sets these when a page is published; add_child alone leaves them empty.
SET_ON_PUBLISH = {"first_published_at", "last_published_at"}
TREE_SOUND = ([], [], [], [], [])  # treebeard's find_problems(): no problem of any kind


def build(sizes, seed=7):
    return generator.generate(seed=seed, pictures=2, **sizes)


def generated(model):
    return model.objects.filter(owner__username=generator.GENERATOR_USERNAME)


def an_event(slug, category):
    event = EventPage(
        title="Neglect practitioner forum",
        slug=slug,
        start_date=datetime.date(2031, 3, 4),
        start_time=datetime.time(9, 30),
        end_time=datetime.time(12, 0),
        online=True,
        location="Merrion House, 110 Merrion Centre, Leeds LS2 8BB",
        category=category,
        summary="A forum for practitioners.",
        body="<p>Bring a case to discuss.</p>",
    )
    event.ends_at = event.compute_ends_at()  # what EventPage.save() works out
    return event


def row(page):
    """Every column of the page's base row and of its page type's row."""
    columns = [f.attname for f in generator.own_fields(Page) + generator.own_fields(type(page))]
    found = type(page).objects.filter(pk=page.pk).values(*columns).get()
    return {name: value for name, value in found.items() if name not in OWN_TO_EACH_PAGE}


@pytest.mark.django_db
def test_pages_written_in_bulk_are_the_rows_wagtail_writes_in_the_tree_it_keeps():
    build({"issues": 0, "courses": 0, "sessions": 0, "events": 1, "subscribers": 0})
    diary = Page.objects.get(url_path="/home-lscp/events/").specific
    category = EventCategory.objects.first()
    by_wagtail = diary.add_child(instance=an_event("by-wagtail", category))

    in_bulk = generator.add_pages(
        diary,
        [an_event("in-bulk-1", category), an_event("in-bulk-2", category)],
        owner=None,
        published_at=timezone.now(),
        words=generator.Words(random.Random(1)),
    )
    after = diary.add_child(instance=an_event("after", category))

    expected = row(by_wagtail)
    for page in in_bulk:
        assert {k: v for k, v in row(page).items() if k not in SET_ON_PUBLISH} == {
            k: v for k, v in expected.items() if k not in SET_ON_PUBLISH
        }
        assert page.first_published_at is not None
        assert page.url_path == f"/home-lscp/events/{page.slug}/"
    # The tree as treebeard keeps it: Wagtail adds the next child after the bulk ones.
    assert Page.find_problems() == TREE_SOUND
    slugs = [page.slug for page in Page.objects.get(pk=diary.pk).get_children()]
    assert slugs[-4:] == ["by-wagtail", "in-bulk-1", "in-bulk-2", "after"]
    assert Page.objects.get(pk=diary.pk).numchild == len(slugs)
    assert after.path > in_bulk[1].path > in_bulk[0].path > by_wagtail.path


def test_child_paths_count_in_treebeards_alphabet():
    assert generator.child_path("0001", 1) == "00010001"
    assert generator.child_path("0001", 36) == "00010010"
    assert generator.position_of(generator.child_path("00010002", 1297)) == 1297


@pytest.mark.django_db
def test_generated_site_has_what_was_asked_for_in_a_sound_page_tree(client):
    report = build(MANY)

    assert report.counts["issues"] == generated(NewsletterIssuePage).live().count() == 30
    assert generated(CoursePage).live().count() == 24
    assert Session.objects.filter(course__in=generated(CoursePage)).count() == 90
    assert generated(EventPage).live().count() == 70
    assert Subscriber.objects.filter(email__endswith="@generated.example.net").count() == 40
    assert Booking.objects.count() == report.counts["bookings"] > 0
    assert Page.find_problems() == TREE_SOUND
    # Every issue has 10 to 20 sections.
    for issue in generated(NewsletterIssuePage):
        sections = [block for block in issue.body.raw_data if block["type"] == "section"]
        assert 10 <= len(sections) <= 20
    # Pages are what an editor could have saved, and readers reach them at their address.
    for model in (NewsletterIssuePage, CoursePage, EventPage):
        page = generated(model).order_by("-pk").first()
        page.full_clean()
        assert client.get(page.url).status_code == 200


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_site_and_a_new_run_replaces_the_old():
    def snapshot():
        return sorted(
            (page.url_path, page.title)
            for model in (NewsletterIssuePage, EventPage)
            for page in generated(model)
        )

    build(FEW, seed=3)
    first = snapshot()
    build(FEW, seed=3)
    assert snapshot() == first  # replaced, not added to
    assert Page.find_problems() == TREE_SOUND
    build(FEW, seed=4)
    assert snapshot() != first


@pytest.mark.django_db
def test_generated_pages_can_be_found_by_search(client):
    build(FEW)
    course = generated(CoursePage).first()
    response = client.get("/search/", {"q": course.title})
    assert response.status_code == 200
    assert course.url.encode() in response.content


@pytest.mark.django_db
def test_the_script_reports_what_it_made_and_how_long_it_took(capsys):
    generate_content.main(
        ["--seed=1", "--issues=2", "--courses=2", "--sessions=3", "--events=2", "--subscribers=2"]
    )
    out = capsys.readouterr().out
    assert re.search(r"Generated 2 issues, 2 courses, 3 sessions, \d+ bookings, 2 events", out)
    assert re.search(r"issues: \d+\.\ds", out)


def test_the_script_refuses_sessions_without_courses(capsys):
    with pytest.raises(SystemExit):
        generate_content.main(["--courses=0", "--sessions=3"])
    assert "Sessions need courses" in capsys.readouterr().err


class Steps:
    """A progress display that notes what it is told."""

    def __init__(self):
        self.done = []

    def advance(self, *, detail):
        self.done.append(detail)


@pytest.mark.django_db
def test_a_progress_display_is_advanced_once_a_step():
    steps = Steps()

    report = generator.generate(
        seed=1, issues=1, courses=1, sessions=1, events=1, subscribers=1, pictures=0, progress=steps
    )

    assert steps.done == list(report.timings) and len(steps.done) == generator.STEPS
