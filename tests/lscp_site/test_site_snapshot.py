"""The site snapshot (lscp_site/site_snapshot.py): the Site, the site settings, the view
restrictions and the sign-up topics every page reads, kept in the shared cache until any of
them changes.

Run with the page cache off, so every request renders and reads the snapshot; the page cache's
own invalidation tests (test_pagecache.py) run with it on.
"""

import datetime

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from wagtail.models import Page, PageViewRestriction, Site
from wagtail.models.sites import get_site_for_hostname

import pytest

from lscp_site import site_snapshot
from lscp_site.models import ContentPage, SiteSettings
from subscriptions.models import Topic
from tests.newsletter import factories


@pytest.fixture(autouse=True)
def _no_page_cache(settings):
    settings.PAGE_CACHE_ENABLED = False


@pytest.fixture
def privacy(home_page):
    SiteSettings.load()
    return ContentPage.objects.get(slug="privacy")


SNAPSHOT_TABLES = (
    "wagtailcore_site",
    "lscp_site_sitesettings",
    "wagtailcore_pageviewrestriction",
    "subscriptions_topic",
)


def queried_tables(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    sql = " ".join(query["sql"] for query in queries.captured_queries)
    return response, {table for table in SNAPSHOT_TABLES if f'"{table}"' in sql}


# ---- what a page reads -------------------------------------------------------------------


def test_a_page_reads_its_site_settings_and_restrictions_without_a_query(client, privacy):
    topic = Topic.objects.create(name="Training opportunities", slug="training")
    client.get("/privacy/")  # builds the snapshot

    response, tables = queried_tables(client, "/privacy/")

    assert response.status_code == 200
    assert tables == set()
    assert SiteSettings.load().quick_leave_url.encode() in response.content
    # The sign-up box in the footer offers the topic, its id as the checkbox's value.
    assert f'value="{topic.pk}" id="signup-box-topic-{topic.pk}"'.encode() in response.content
    assert b"Training opportunities" in response.content


def test_pages_outside_the_page_tree_read_the_settings_from_the_snapshot_too(client, privacy):
    client.get("/search/?q=leeds")

    response, tables = queried_tables(client, "/search/?q=leeds")

    assert response.status_code == 200
    assert "lscp_site_sitesettings" not in tables


def test_the_snapshot_is_built_again_after_a_change(client, privacy):
    client.get("/privacy/")
    privacy.save_revision().publish()

    _, tables = queried_tables(client, "/privacy/")

    assert tables == set(SNAPSHOT_TABLES)


# ---- every change shows at once ----------------------------------------------------------


def test_changing_the_site_settings_shows_at_once(client, privacy):
    client.get("/privacy/")

    settings_row = SiteSettings.load()
    settings_row.quick_leave_url = "https://www.metoffice.gov.uk/"
    settings_row.save()

    assert b"https://www.metoffice.gov.uk/" in client.get("/privacy/").content


def test_changing_the_sign_up_topics_shows_at_once(client, privacy):
    topic = Topic.objects.create(name="Training opportunities", slug="training")
    client.get("/privacy/")

    topic.name = "Training and development opportunities"
    topic.save()
    Topic.objects.create(name="Safeguarding week", slug="safeguarding-week")

    content = client.get("/privacy/").content
    assert b"Training and development opportunities" in content
    assert b"Safeguarding week" in content

    topic.delete()

    assert b"Training and development opportunities" not in client.get("/privacy/").content


def test_deleting_the_site_shows_at_once(client, privacy):
    client.get("/privacy/")

    Site.objects.get(is_default_site=True).delete()

    assert client.get("/privacy/").status_code == 404


def test_a_site_for_another_host_is_chosen_at_once(client, privacy):
    assert client.get("/privacy/").status_code == 200  # testserver: the default site

    # A site of its own, rooted elsewhere, for this hostname: its pages answer here now.
    other_home = Page.objects.get(depth=1).add_child(title="Other site", slug="other-site")
    Site.objects.create(hostname="testserver", port=80, root_page=other_home)

    assert client.get("/privacy/").status_code == 404
    assert client.get("/privacy/", HTTP_HOST="localhost").status_code == 200


def test_making_a_page_private_shows_at_once(client, privacy):
    client.get("/privacy/")

    PageViewRestriction.objects.create(
        page=privacy, restriction_type=PageViewRestriction.PASSWORD, password="secret"
    )
    response = client.get("/privacy/")

    assert b"password" in response.content.lower()
    assert b"Who we are" not in response.content


def test_a_restriction_on_a_section_covers_the_pages_below_it(client, home_page):
    index = factories.make_index(home_page)
    issue = factories.make_issue(index, datetime.date(2025, 3, 1))
    client.get(issue.url)

    PageViewRestriction.objects.create(page=index, restriction_type=PageViewRestriction.LOGIN)
    response = client.get(issue.url)

    assert response.status_code == 302
    assert "login" in response["Location"]


def test_making_a_page_public_again_shows_at_once(client, privacy):
    restriction = PageViewRestriction.objects.create(
        page=privacy, restriction_type=PageViewRestriction.PASSWORD, password="secret"
    )
    assert b"Who we are" not in client.get("/privacy/").content

    restriction.delete()

    assert b"Who we are" in client.get("/privacy/").content


def test_an_alias_of_a_private_page_is_private_too(client, privacy):
    PageViewRestriction.objects.create(
        page=privacy, restriction_type=PageViewRestriction.PASSWORD, password="secret"
    )
    privacy.create_alias(update_slug="privacy-copy")

    response = client.get("/privacy-copy/")

    assert b"password" in response.content.lower()
    assert b"Who we are" not in response.content


def test_a_snapshot_built_before_a_change_commits_is_dropped_at_commit(
    client, privacy, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        settings_row = SiteSettings.load()
        settings_row.contact_email = "safeguarding.team@leeds.gov.uk"
        settings_row.save()
        # A reader on another connection, before the commit, still reads the old row and
        # stores a snapshot of it: simulated by storing the old settings now.
        stale = site_snapshot.current_snapshot()
        stale.settings.contact_email = "old@example.org"
        cache.set(site_snapshot.SNAPSHOT_KEY_PREFIX + site_snapshot.pagecache.release(), stale)

    assert b"safeguarding.team@leeds.gov.uk" in client.get("/privacy/").content


def test_pages_are_served_from_the_database_when_the_cache_is_down(client, privacy, monkeypatch):
    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    client.get("/privacy/")
    monkeypatch.setattr(cache, "get_many", broken)
    settings_row = SiteSettings.load()
    settings_row.contact_email = "safeguarding.team@leeds.gov.uk"
    settings_row.save()
    Topic.objects.create(name="Training opportunities", slug="training")

    response = client.get("/privacy/")

    assert response.status_code == 200
    assert b"safeguarding.team@leeds.gov.uk" in response.content
    assert b"Training opportunities" in response.content


# ---- the same site as Wagtail chooses ----------------------------------------------------

# Sites as (hostname, port, is_default_site); requests as (hostname, port).
SITE_SETS = {
    "one default site": [("localhost", 80, True)],
    "one site, not the default": [("lscp.example.org", 443, False)],
    "default and a second hostname": [("localhost", 80, True), ("lscp.example.org", 443, False)],
    "default and the same hostname on another port": [
        ("lscp.example.org", 80, True),
        ("lscp.example.org", 8000, False),
    ],
    "one hostname on two ports, no default": [
        ("lscp.example.org", 80, False),
        ("lscp.example.org", 8000, False),
    ],
    "default elsewhere, one hostname on two ports": [
        ("localhost", 80, True),
        ("lscp.example.org", 80, False),
        ("lscp.example.org", 8000, False),
    ],
}
REQUESTS = [
    ("localhost", 80),
    ("localhost", 443),
    ("lscp.example.org", 80),
    ("lscp.example.org", 443),
    ("lscp.example.org", 8000),
    ("LSCP.example.org", 443),
    ("elsewhere.example.net", 80),
]


@pytest.mark.parametrize("sites", SITE_SETS.values(), ids=SITE_SETS.keys())
def test_the_snapshot_chooses_the_site_wagtail_chooses(sites, home_page):
    Site.objects.all().delete()
    root = Page.objects.get(depth=1)
    for number, (hostname, port, is_default) in enumerate(sites):
        home = root.add_child(title=f"Home {number}", slug=f"home-{number}")
        Site.objects.create(
            hostname=hostname, port=port, is_default_site=is_default, root_page=home
        )
    snapshot = site_snapshot.current_snapshot()

    for hostname, port in REQUESTS:
        try:
            expected = get_site_for_hostname(hostname, port).pk
        except Site.DoesNotExist:
            expected = None
        chosen = snapshot.site_for(hostname, port)
        assert (chosen.pk if chosen else None) == expected, (hostname, port)
