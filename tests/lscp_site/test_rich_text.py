"""Links to pages in rich text (lscp_site/rich_text.py): every page type's own address, in
one query for all the links of a text."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

from wagtail.models import Page, Site, get_page_models
from wagtail.rich_text import RichText

import pytest
from bs4 import BeautifulSoup

from tests.newsletter.factories import (
    make_course,
    make_event,
    make_event_index,
    make_issue,
    make_training_index,
    section,
)

pytestmark = pytest.mark.django_db


def soup(html):
    return BeautifulSoup(html, "html.parser")


URL_METHODS = ("get_url_parts", "get_url", "get_full_url", "relative_url", "url", "full_url")


@pytest.mark.parametrize("model", get_page_models(), ids=lambda model: model.__name__)
def test_no_page_type_builds_its_address_its_own_way(model):
    """The handler reads linked pages as plain pages, which is right only while no page
    type works out its address differently from a plain page. A page type that does must
    have its links read as its own type again (Wagtail's handler)."""
    for name in URL_METHODS:
        assert getattr(model, name) is getattr(Page, name), f"{model.__name__}.{name}"


def test_links_to_every_kind_of_page_in_one_query(home_page, newsletter_index, client):
    course = make_course(make_training_index(home_page), "Neglect")
    event = make_event(make_event_index(home_page), "Conference", datetime.date(2031, 5, 1))
    issue = make_issue(newsletter_index, datetime.date(2025, 3, 1))
    pages = [home_page, newsletter_index, issue, course, event]
    text = RichText(
        "<p>"
        + " ".join(f'<a linktype="page" id="{page.pk}">{page.title}</a>' for page in pages)
        + '<a linktype="page" id="999999">gone</a><a linktype="page">no page</a></p>'
    )
    Site.get_site_root_paths()  # read once, then kept in the cache

    with CaptureQueriesContext(connection) as queries:
        links = soup(str(text)).select("a")

    assert len(queries) == 1
    assert [link.get("href") for link in links] == [page.url for page in pages] + [None, None]
    assert [link.get("href") for link in links[:-2]] == [
        "/",
        "/newsletter/",
        "/newsletter/march-2025/",
        "/training/neglect/",
        "/events/conference/",
    ]
    for href in ["/", "/newsletter/", "/newsletter/march-2025/"]:
        assert client.get(href).status_code == 200


def test_an_issue_section_links_to_a_page(newsletter_index, client):
    link = f'<p>See <a linktype="page" id="{newsletter_index.pk}">every issue</a>.</p>'
    make_issue(newsletter_index, datetime.date(2025, 3, 1), body=[section("Links", link)])

    page = soup(client.get("/newsletter/march-2025/").content)

    assert page.select_one('.issue-section a[href="/newsletter/"]').text == "every issue"
