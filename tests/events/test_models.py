"""Event pages: where they may live, what editors must fill in, and how dates are stored."""

import datetime
import zoneinfo

from django.core.exceptions import ValidationError
from django.db.models import ProtectedError
from django.urls import reverse

from wagtail.models import Page
from wagtail.test.utils.form_data import nested_form_data, rich_text

import pytest
from bs4 import BeautifulSoup

from events.models import EventCategory, EventIndexPage, EventPage
from home.models import HomePage
from tests.events.factories import make_event

pytestmark = pytest.mark.django_db
LONDON = zoneinfo.ZoneInfo("Europe/London")


# --- The page tree -----------------------------------------------------------------------


def test_the_diary_lives_under_the_home_page_only_and_holds_only_events():
    assert EventIndexPage.parent_page_types == ["home.HomePage"]
    assert EventIndexPage.allowed_subpage_models() == [EventPage]
    assert EventPage.allowed_parent_page_models() == [EventIndexPage]
    assert EventPage.allowed_subpage_models() == []
    assert EventIndexPage in HomePage.allowed_subpage_models()
    assert EventPage not in HomePage.allowed_subpage_models()


def test_there_is_only_one_diary(diary, home_page):
    assert EventIndexPage.max_count == 1
    assert not EventIndexPage.can_create_at(home_page)


def test_every_field_an_editor_sees_has_help_text():
    for model in (EventPage, EventIndexPage, EventCategory):
        own_fields = [
            field
            for field in model._meta.get_fields(include_parents=False)
            if getattr(field, "editable", False)
            and not field.auto_created
            and field.concrete
            and not field.name.endswith("_ptr")
        ]
        assert own_fields, model
        for field in own_fields:
            assert field.help_text, f"{model.__name__}.{field.name} has no help text"


# --- Dates as stored ---------------------------------------------------------------------


def test_an_all_day_event_starts_on_a_date_and_is_over_at_midnight_after_its_last_day(diary):
    event = make_event(
        diary, start_date=datetime.date(2025, 5, 12), end_date=datetime.date(2025, 5, 18)
    )
    assert event.starts == datetime.date(2025, 5, 12)
    assert event.ends == datetime.date(2025, 5, 18)
    assert event.all_day
    event.refresh_from_db()
    assert event.ends_at == datetime.datetime(2025, 5, 19, 0, 0, tzinfo=LONDON)


def test_a_timed_event_starts_and_ends_on_the_leeds_clock(diary):
    event = make_event(
        diary,
        start_date=datetime.date(2025, 5, 8),
        start_time=datetime.time(14, 0),
        end_time=datetime.time(15, 0),
    )
    assert event.starts == datetime.datetime(2025, 5, 8, 14, 0, tzinfo=LONDON)
    assert event.ends == datetime.datetime(2025, 5, 8, 15, 0, tzinfo=LONDON)
    event.refresh_from_db()
    # Stored in UTC: 3pm BST is 2pm UTC.
    assert event.ends_at == datetime.datetime(2025, 5, 8, 14, 0, tzinfo=datetime.UTC)


def test_a_winter_event_is_over_at_the_gmt_time(diary):
    event = make_event(
        diary,
        start_date=datetime.date(2025, 1, 14),
        start_time=datetime.time(9, 30),
        end_time=datetime.time(12, 30),
    )
    event.refresh_from_db()
    assert event.ends_at == datetime.datetime(2025, 1, 14, 12, 30, tzinfo=datetime.UTC)


def test_a_start_time_without_an_end_time_lasts_until_the_end_of_the_day(diary):
    event = make_event(diary, start_date=datetime.date(2025, 5, 8), start_time=datetime.time(14))
    assert event.ends is None
    assert event.ends_at == datetime.datetime(2025, 5, 9, 0, 0, tzinfo=LONDON)


def test_an_end_date_equal_to_the_start_is_a_one_day_event(diary):
    event = make_event(
        diary, start_date=datetime.date(2025, 3, 18), end_date=datetime.date(2025, 3, 18)
    )
    assert event.ends is None


def test_changing_the_dates_moves_the_end(diary):
    event = make_event(diary, start_date=datetime.date(2025, 5, 8))
    event.end_date = datetime.date(2025, 5, 10)
    event.save()
    event.refresh_from_db()
    assert event.ends_at == datetime.datetime(2025, 5, 11, 0, 0, tzinfo=LONDON)


def test_where_reads_online_a_place_or_both(diary):
    online = make_event(diary, online=True)
    place = make_event(diary, location="Leeds Civic Hall")
    both = make_event(diary, online=True, location="Leeds Civic Hall")
    nowhere = make_event(diary)
    assert online.where == "Online"
    assert place.where == "Leeds Civic Hall"
    assert both.where == "Leeds Civic Hall and online"
    assert nowhere.where == ""


# --- Validation --------------------------------------------------------------------------


def build_event(diary, awareness_day, **fields):
    values = {
        "title": "Test",
        "slug": "test",
        "start_date": datetime.date(2025, 5, 12),
        "category": awareness_day,
        "summary": "A date.",
        **fields,
    }
    event = EventPage(**values)
    # A page must know its place in the tree before it is cleaned (the slug check).
    event.path = diary.path + "9999"
    event.depth = diary.depth + 1
    return event


def errors_of(event):
    with pytest.raises(ValidationError) as caught:
        event.full_clean()
    return caught.value.message_dict


def test_the_end_date_cannot_be_before_the_start(diary, awareness_day):
    event = build_event(diary, awareness_day, end_date=datetime.date(2025, 5, 11))
    assert errors_of(event) == {
        "end_date": [
            "The end date cannot be before the start date (12 May 2025). For a one-day event, "
            "leave it empty."
        ]
    }


def test_an_end_time_needs_a_start_time(diary, awareness_day):
    event = build_event(diary, awareness_day, end_time=datetime.time(15))
    assert errors_of(event) == {
        "end_time": [
            "An end time needs a start time. Add the start time, or leave both empty for an "
            "all-day event."
        ]
    }


def test_an_end_time_before_the_start_time_on_one_day_is_refused(diary, awareness_day):
    event = build_event(
        diary, awareness_day, start_time=datetime.time(14), end_time=datetime.time(13, 30)
    )
    assert errors_of(event)["end_time"] == [
        "The end time must be after the start time (2pm) on a one-day event. If it runs past "
        "midnight, give the end date too."
    ]


def test_an_end_time_equal_to_the_start_time_is_refused(diary, awareness_day):
    event = build_event(
        diary, awareness_day, start_time=datetime.time(14), end_time=datetime.time(14)
    )
    assert "end_time" in errors_of(event)


def test_an_earlier_clock_time_on_a_later_day_is_fine(diary, awareness_day):
    event = build_event(
        diary,
        awareness_day,
        start_time=datetime.time(19),
        end_date=datetime.date(2025, 5, 13),
        end_time=datetime.time(2),
    )
    event.full_clean()
    assert event.ends == datetime.datetime(2025, 5, 13, 2, tzinfo=LONDON)


def test_an_external_link_needs_its_words_and_words_need_a_link(diary, awareness_day):
    no_words = build_event(diary, awareness_day, external_url="https://www.nwgnetwork.org/")
    assert errors_of(no_words) == {
        "external_link_text": [
            "Add the words for the link, for example 'NWG website', so readers know where it goes."
        ]
    }
    no_link = build_event(diary, awareness_day, external_link_text="NWG website")
    assert errors_of(no_link) == {
        "external_url": ["Add the web address the link goes to, or remove the link text."]
    }


def test_a_hashtag_is_one_word_and_gains_its_hash(diary, awareness_day):
    event = build_event(diary, awareness_day, hashtag="CEADay25")
    event.full_clean()
    assert event.hashtag == "#CEADay25"
    bad = build_event(diary, awareness_day, hashtag="#CEA Day 25")
    assert "hashtag" in errors_of(bad)


def test_a_category_in_use_cannot_be_deleted(diary, awareness_day):
    make_event(diary, category=awareness_day)
    with pytest.raises(ProtectedError):
        awareness_day.delete()


# --- The editor's form in the Wagtail admin ----------------------------------------------


def event_form_data(category, **overrides):
    data = {
        "title": "Mental Health Awareness Week",
        "slug": "mental-health-awareness-week",
        "start_date": "2025-05-12",
        "end_date": "",
        "start_time": "",
        "end_time": "",
        "category": str(category.pk),
        "summary": "A week to talk about mental health.",
        "organiser": "",
        "external_url": "",
        "external_link_text": "",
        "hashtag": "",
        "location": "",
        "body": rich_text(""),
        "comments-TOTAL_FORMS": "0",
        "comments-INITIAL_FORMS": "0",
        "comments-MIN_NUM_FORMS": "0",
        "comments-MAX_NUM_FORMS": "1000",
        "action-publish": "action-publish",
    }
    data.update(overrides)
    return nested_form_data(data)


def add_url(diary):
    return reverse("wagtailadmin_pages:add", args=("events", "eventpage", diary.pk))


def error_beside(response, field_name):
    page = BeautifulSoup(response.content, "html.parser")
    field = page.select_one(f'[data-field-wrapper] [name="{field_name}"]') or page.select_one(
        f'[name="{field_name}"]'
    )
    assert field is not None, field_name
    wrapper = field.find_parent(attrs={"data-field-wrapper": True})
    errors = wrapper.select(".error-message")
    return " ".join(error.get_text(" ", strip=True) for error in errors)


def test_an_editor_can_publish_an_event_from_the_admin(admin_client, diary, awareness_week):
    response = admin_client.post(
        add_url(diary), event_form_data(awareness_week, end_date="2025-05-18")
    )
    assert response.status_code == 302
    event = EventPage.objects.get(slug="mental-health-awareness-week")
    assert event.live
    assert event.end_date == datetime.date(2025, 5, 18)
    assert event.ends_at == datetime.datetime(2025, 5, 19, tzinfo=LONDON)


def test_the_admin_shows_an_end_date_before_the_start_beside_the_field(
    admin_client, diary, awareness_week
):
    response = admin_client.post(
        add_url(diary), event_form_data(awareness_week, end_date="2025-05-01")
    )
    assert response.status_code == 200
    assert "The end date cannot be before the start date (12 May 2025)" in error_beside(
        response, "end_date"
    )
    assert not EventPage.objects.exists()


def test_the_admin_shows_an_end_time_without_a_start_beside_the_end_time(
    admin_client, diary, awareness_week
):
    response = admin_client.post(add_url(diary), event_form_data(awareness_week, end_time="15:00"))
    assert response.status_code == 200
    assert "An end time needs a start time" in error_beside(response, "end_time")
    assert not EventPage.objects.exists()


def test_the_admin_shows_an_end_time_before_the_start_beside_the_end_time(
    admin_client, diary, awareness_week
):
    response = admin_client.post(
        add_url(diary), event_form_data(awareness_week, start_time="14:00", end_time="13:00")
    )
    assert response.status_code == 200
    assert "The end time must be after the start time (2pm)" in error_beside(response, "end_time")


def test_editors_can_manage_categories_as_snippets(admin_client):
    url = reverse("wagtailsnippets_events_eventcategory:add")
    response = admin_client.post(
        url, {"name": "Conference", "slug": "conferences", "description": ""}
    )
    assert response.status_code == 302
    assert EventCategory.objects.get(slug="conferences").name == "Conference"


# --- Search ------------------------------------------------------------------------------


def test_events_are_found_by_site_search_on_summary_and_organiser(client, diary, awareness_day):
    make_event(
        diary,
        title="National Child Exploitation Awareness Day",
        summary="Think, spot and speak out against abuse.",
        organiser="National Working Group",
        category=awareness_day,
        revision=True,
    )
    found = Page.objects.live().specific().search("Working Group")
    assert [page.title for page in found] == ["National Child Exploitation Awareness Day"]
    found = Page.objects.live().specific().search("spot speak")
    assert [page.title for page in found] == ["National Child Exploitation Awareness Day"]


def test_an_editor_can_preview_a_new_event_before_saving(admin_client, diary, lscp_event):
    url = reverse("wagtailadmin_pages:preview_on_add", args=("events", "eventpage", diary.pk))
    data = event_form_data(
        lscp_event,
        title="Webinar preview",
        slug="webinar-preview",
        start_date="2025-05-08",
        start_time="14:00",
        end_time="15:00",
    )
    assert admin_client.post(url, data).json()["is_valid"] is True
    response = admin_client.get(url)
    assert response.status_code == 200
    page = BeautifulSoup(response.content, "html.parser")
    assert page.h1.get_text() == "Webinar preview"
    assert "8 May 2025, 2pm to 3pm" in page.select_one(".event-details").get_text()
    assert not EventPage.objects.exists()
