"""The page shell: the home page, plain pages, Quick leave and skip links on every page type."""

import datetime

from wagtail.models import Page, PageViewRestriction

import pytest
from bs4 import BeautifulSoup

from home.models import HomePage
from lscp_site.models import DEFAULT_QUICK_LEAVE_URL, ContentPage, SiteSettings
from tests.newsletter.factories import make_issue

pytestmark = pytest.mark.django_db

PAGE_PATHS = ["/", "/privacy/", "/accessibility/", "/staying-safe-online/", "/search/?q=privacy"]


def soup_of(response):
    return BeautifulSoup(response.content, "html.parser")


def test_home_page_shows_the_demo_introduction(client, home_page):
    response = client.get("/")

    assert response.status_code == 200
    page = soup_of(response)
    assert page.h1.get_text(strip=True) == "Leeds Safeguarding Children Partnership"
    assert "practitioners who work with children" in page.select_one(".lead").get_text()


@pytest.mark.parametrize("path", PAGE_PATHS)
def test_every_page_type_has_quick_leave_and_both_skip_links(client, home_page, path):
    response = client.get(path)

    assert response.status_code == 200
    page = soup_of(response)
    skip_links = page.select("a.skip-link")
    assert [link.get_text(strip=True) for link in skip_links] == [
        "Skip to main content",
        "Quick leave this site",
    ]
    assert skip_links[0]["href"] == "#main-content"
    assert page.select_one("#main-content") is not None
    button = page.select_one(".quick-leave a.quick-leave__button")
    assert "Quick leave" in button.get_text()
    for link in (button, skip_links[1]):
        assert link["href"] == DEFAULT_QUICK_LEAVE_URL
        assert set(link["rel"]) == {"nofollow", "noreferrer"}


def test_quick_leave_goes_to_the_destination_editors_set(client, home_page, fragments_kept_long):
    client.get("/privacy/")  # the Quick leave fragment kept with the address before
    site_settings = SiteSettings.load()
    site_settings.quick_leave_url = "https://www.example.com/weather"
    site_settings.save()

    page = soup_of(client.get("/privacy/"))

    assert {a["href"] for a in page.select("[data-quick-leave-link]")} == {
        "https://www.example.com/weather"
    }


def test_not_found_page_keeps_quick_leave(client, home_page):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    page = soup_of(response)
    assert page.h1.get_text(strip=True) == "Page not found"
    assert page.select_one(".quick-leave a.quick-leave__button") is not None


def test_header_navigation_and_footer_links(client, home_page):
    page = soup_of(client.get("/privacy/"))

    nav = page.select_one("nav[aria-label='Main']")
    assert [a.get_text(strip=True) for a in nav.select("a")] == [
        "Newsletter",
        "Training",
        "Dates for your diary",
        "Subscribe",
    ]
    footer_hrefs = {a["href"] for a in page.select("footer a")}
    assert {"/privacy/", "/accessibility/", "/staying-safe-online/"} <= footer_hrefs
    assert "mailto:lscp.info@leeds.gov.uk" in footer_hrefs


def test_staying_safe_online_says_history_is_not_erased(client, home_page):
    text = " ".join(soup_of(client.get("/staying-safe-online/")).get_text(" ").split())

    assert "does not erase your browser history" in text
    assert "private" in text.lower()


def test_pages_carry_a_strict_content_security_policy(client, home_page):
    response = client.get("/")

    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "object-src 'none'" in policy
    assert "unsafe-inline" not in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


@pytest.mark.parametrize("path", PAGE_PATHS)
def test_inline_scripts_carry_the_response_nonce(client, home_page, path):
    response = client.get(path)
    policy = response.headers["Content-Security-Policy"]

    for script in soup_of(response).find_all("script"):
        if script.get("src"):
            assert script["src"].startswith("/static/")
            continue
        nonce = script.get("nonce")
        assert nonce, f"inline script without a nonce on {path}"
        assert f"'nonce-{nonce}'" in policy


def test_page_tree_rules():
    assert HomePage.max_count == 1
    assert HomePage.allowed_parent_page_models() == [Page]
    assert ContentPage in HomePage.allowed_subpage_models()
    assert set(ContentPage.allowed_parent_page_models()) == {HomePage, ContentPage}


def test_robots_txt_points_to_the_sitemap_and_keeps_crawlers_out_of_private_urls(client):
    response = client.get("/robots.txt")

    body = response.content.decode()
    assert response.status_code == 200
    assert "Disallow: /admin/" in body
    assert "Sitemap: https://lscp.test/sitemap.xml" in body  # BASE_URL, not the Host header


def test_rich_text_links_to_pages_become_their_addresses(home_page):
    """Wagtail's own link handler: a page's address; a link to a page that is gone keeps its
    text."""
    from wagtail.rich_text import expand_db_html

    privacy = Page.objects.get(url_path__endswith="/privacy/")
    accessibility = Page.objects.get(url_path__endswith="/accessibility/")
    source = (
        f'<p><a linktype="page" id="{privacy.pk}">Privacy</a>, '
        f'<a linktype="page" id="{accessibility.pk}">access</a>, '
        f'<a linktype="page" id="{privacy.pk}">privacy again</a>, '
        '<a linktype="page" id="999999">gone</a></p>'
    )
    html = expand_db_html(source)

    assert html == (
        '<p><a href="/privacy/">Privacy</a>, <a href="/accessibility/">access</a>, '
        '<a href="/privacy/">privacy again</a>, <a>gone</a></p>'
    )


def test_an_index_of_one_child_type_serves_its_children_as_wagtail_routes_them(
    client, newsletter_index
):
    """ChildPagesOfOneType reads an issue's address in one query; what readers get is what
    Wagtail's own route() gives: the live issue, 404 for a draft or an unknown slug, the
    archive's own sub-paths first, a restricted issue behind its login, and a page of
    another type placed there by code still served by Wagtail's route()."""
    make_issue(newsletter_index, datetime.date(2025, 3, 1), title="March 2025 Newsletter")
    make_issue(newsletter_index, datetime.date(2025, 4, 1), title="April draft", live=False)
    private = make_issue(newsletter_index, datetime.date(2025, 5, 1), title="Staff only")
    PageViewRestriction.objects.create(page=private, restriction_type="login")
    other = ContentPage(title="Not an issue", slug="not-an-issue", body="<p>Placed by code.</p>")
    newsletter_index.add_child(instance=other)
    other.save_revision().publish()

    issue = client.get("/newsletter/march-2025/")
    assert issue.status_code == 200
    assert soup_of(issue).h1.get_text(strip=True) == "March 2025 Newsletter"
    assert client.get("/newsletter/april-2025/").status_code == 404
    assert client.get("/newsletter/no-such-issue/").status_code == 404
    assert client.get("/newsletter/march-2025/more/").status_code == 404
    assert client.get("/newsletter/2025/").status_code == 200  # the archive's year page
    restricted = client.get("/newsletter/may-2025/")
    assert restricted.status_code == 302
    assert "/_util/login/" in restricted["Location"]
    assert soup_of(client.get("/newsletter/not-an-issue/")).h1.get_text(strip=True) == (
        "Not an issue"
    )
