"""The archive and the issue pages as readers and editors meet them."""

import datetime
import json
from unittest import mock

from django.db import IntegrityError, transaction
from django.urls import reverse

from wagtail.models import Page
from wagtail.test.utils import WagtailPageTestCase
from wagtail.test.utils.form_data import querydict_from_html, rich_text

import pytest
from bs4 import BeautifulSoup

from home.demo import load_home_page
from home.models import HomePage
from lscp_site.models import ContentPage
from newsletter.models import NewsletterIndexPage, NewsletterIssuePage
from tests.newsletter.factories import item, make_index, make_issue, section
from tests.two_factor import sign_in_verified

MARCH_2025 = datetime.date(2025, 3, 1)


def soup(response):
    return BeautifulSoup(response.content, "html.parser")


# Wagtail's helpers log in with the first authentication backend, which here is django-axes
# (it only counts failed logins); sessions must name the model backend.
@mock.patch(
    "wagtail.test.utils.page_tests.AUTH_BACKEND", "django.contrib.auth.backends.ModelBackend"
)
class TestPageTree(WagtailPageTestCase):
    @classmethod
    def setUpTestData(cls):
        cls.home = load_home_page()

    def test_the_archive_lives_under_the_home_page_only(self):
        self.assertCanCreateAt(HomePage, NewsletterIndexPage)
        self.assertAllowedParentPageTypes(NewsletterIndexPage, {HomePage})
        self.assertCanNotCreateAt(ContentPage, NewsletterIndexPage)
        self.assertCanNotCreateAt(Page, NewsletterIndexPage)

    def test_issues_live_under_the_archive_and_have_no_children(self):
        self.assertAllowedSubpageTypes(NewsletterIndexPage, {NewsletterIssuePage})
        self.assertAllowedParentPageTypes(NewsletterIssuePage, {NewsletterIndexPage})
        self.assertCanNotCreateAt(HomePage, NewsletterIssuePage)
        self.assertAllowedSubpageTypes(NewsletterIssuePage, set())

    def test_there_is_one_archive(self):
        make_index(self.home)
        assert not NewsletterIndexPage.can_create_at(self.home)

    def test_issue_and_archive_render_and_preview(self):
        index = make_index(self.home)
        issue = make_issue(index, MARCH_2025)
        self.assertPageIsRenderable(index)
        self.assertPageIsRenderable(index, route_path="/2025/")
        self.assertPageIsRenderable(issue)
        previewer = self.create_superuser("previewer")
        sign_in_verified(self.client, previewer)
        edit_form = self.client.get(reverse("wagtailadmin_pages:edit", args=[issue.pk]))
        # The body's fields are drawn by JavaScript, so the form's HTML lacks them.
        post_data = with_body(
            querydict_from_html(edit_form.content.decode(), form_id="page-edit-form")
        )
        # As the signed-in superuser, whose session gave its two-factor code.
        self.assertPageIsPreviewable(issue, post_data=post_data, user=previewer)
        sign_in_verified(self.client, previewer)  # the assertion above signs out at its end
        self.assertPageIsPreviewable(index, user=previewer)
        self.assertPageIsRoutable(index, route_path="/2025/")


def test_issue_address_carries_month_and_year_so_two_marches_never_collide(
    client, newsletter_index
):
    march_2024 = make_issue(newsletter_index, datetime.date(2024, 3, 1), summary="Old news.")
    march_2025 = make_issue(newsletter_index, MARCH_2025, summary="New news.")

    assert march_2024.url == "/newsletter/march-2024/"
    assert march_2025.url == "/newsletter/march-2025/"
    assert "Old news." in client.get("/newsletter/march-2024/").text
    assert "New news." in client.get("/newsletter/march-2025/").text


def test_issue_month_is_kept_as_the_first_of_the_month(newsletter_index):
    issue = make_issue(newsletter_index, datetime.date(2025, 3, 17))
    issue.refresh_from_db()
    assert issue.issue_date == MARCH_2025


def test_the_database_refuses_two_issues_for_one_month(newsletter_index):
    make_issue(newsletter_index, MARCH_2025)
    april = make_issue(newsletter_index, datetime.date(2025, 4, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        NewsletterIssuePage.objects.filter(pk=april.pk).update(issue_date=MARCH_2025)


# --- Editors -----------------------------------------------------------------------------


def with_body(data, **fields):
    """The form data with a body of one section (and ``fields`` set)."""
    data = data.copy()
    body = {
        "body-count": "1",
        "body-0-type": "section",
        "body-0-deleted": "",
        "body-0-order": "0",
        "body-0-id": "",
        "body-0-value-heading": "Neglect audit practitioner focus groups",
        "body-0-value-text": rich_text("<p>Thank you to everyone who came.</p>"),
        "body-0-value-image": "",
        "body-0-value-image_alt": "",
        "body-0-value-calls_to_action-count": "0",
    }
    for key, value in {**body, **fields}.items():
        data[key] = value
    return data


def _add_issue_form(admin_client, index, **fields):
    url = reverse("wagtailadmin_pages:add", args=["newsletter", "newsletterissuepage", index.pk])
    form_page = admin_client.get(url)
    assert form_page.status_code == 200
    data = querydict_from_html(form_page.content.decode(), form_id="page-edit-form")
    return url, with_body(data, **fields)


def test_editor_leaving_the_slug_empty_gets_the_month_and_year(admin_client, newsletter_index):
    url, data = _add_issue_form(
        admin_client,
        newsletter_index,
        title="March Newsletter",
        issue_date="2025-03",
        summary="Training news.",
        slug="",
    )
    response = admin_client.post(url, data)

    assert response.status_code == 302, response.context["form"].errors
    issue = NewsletterIssuePage.objects.get()
    assert issue.slug == "march-2025"
    assert issue.issue_date == MARCH_2025
    assert not issue.live  # saved as a draft


@pytest.mark.parametrize("typed", ["March 2025", "mar 2025", "2025-03"])
def test_the_month_as_the_help_text_writes_it_is_accepted_in_a_plain_text_box(
    admin_client, newsletter_index, typed
):
    url, data = _add_issue_form(
        admin_client, newsletter_index, title="March Newsletter", issue_date=typed, summary="x"
    )
    response = admin_client.post(url, data)

    assert response.status_code == 302, response.context["form"].errors
    assert NewsletterIssuePage.objects.get().issue_date == MARCH_2025


def test_the_month_help_text_gives_an_example_a_month_box_takes(admin_client, newsletter_index):
    url, _ = _add_issue_form(admin_client, newsletter_index)
    form = admin_client.get(url).context["form"]

    help_text = form.fields["issue_date"].help_text
    # Chromium's month box refuses a typed "2025-03"; it takes the month's name, then the year.
    assert "2025-03" not in help_text
    assert "for example March 2025" in help_text
    assert form.fields["issue_date"].widget.attrs["placeholder"] == "March 2025"


def test_editor_adding_a_second_issue_for_a_month_is_told_which_issue_has_it(
    admin_client, newsletter_index
):
    make_issue(newsletter_index, MARCH_2025, title="March Newsletter")
    url, data = _add_issue_form(
        admin_client,
        newsletter_index,
        title="Another March issue",
        issue_date="2025-03",
        summary="Training news.",
        slug="",
    )
    response = admin_client.post(url, data)

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["issue_date"] == [
        "There is already an issue for March 2025: “March Newsletter”. Edit that issue, or "
        "choose another month."
    ]
    assert NewsletterIssuePage.objects.count() == 1


def test_editor_is_asked_for_alt_text_on_a_section_image(admin_client, newsletter_index):
    from wagtail.images.models import Image
    from wagtail.images.tests.utils import get_test_image_file

    image = Image.objects.create(title="Focus group", file=get_test_image_file())
    url, data = _add_issue_form(
        admin_client,
        newsletter_index,
        title="March Newsletter",
        issue_date="2025-03",
        summary="Training news.",
        **{"body-0-value-image": str(image.pk)},
    )
    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert "Describe the picture for people who cannot see it" in response.text
    assert not NewsletterIssuePage.objects.exists()


# --- The archive -------------------------------------------------------------------------


def test_archive_lists_issues_newest_first_grouped_by_year(client, newsletter_index):
    for day in [datetime.date(2024, 11, 1), MARCH_2025, datetime.date(2024, 12, 1)]:
        make_issue(newsletter_index, day)
    make_issue(newsletter_index, datetime.date(2025, 4, 1), live=False)

    page = soup(client.get("/newsletter/"))

    years = [h2.get_text(strip=True) for h2 in page.select("main section.issue-year > h2")]
    assert years == ["2025", "2024"]
    titles = [a.get_text(strip=True) for a in page.select("main .issue-card h3 a")]
    assert titles == [
        "March Newsletter 2025",
        "December Newsletter 2024",
        "November Newsletter 2024",
    ]


def test_year_page_lists_only_that_years_issues(client, newsletter_index):
    make_issue(newsletter_index, datetime.date(2024, 12, 1))
    make_issue(newsletter_index, MARCH_2025)

    response = client.get("/newsletter/2024/")

    page = soup(response)
    assert page.h1.get_text(strip=True) == "Newsletter issues from 2024"
    assert [a["href"] for a in page.select("main .issue-card h2 a")] == [
        "/newsletter/december-2024/"
    ]
    assert page.select_one(".year-nav a[aria-current=page]").get_text(strip=True).startswith("2024")


def test_archive_cards_link_where_wagtail_says_each_issue_is(client, newsletter_index):
    # Cards link where Wagtail says each issue is ({% pageurl %}), wherever the archive moves.
    issues = [
        make_issue(newsletter_index, datetime.date(2024, 12, 1)),
        make_issue(newsletter_index, MARCH_2025, title="Spring update"),
    ]
    issues[1].slug = "spring-update-2025"
    issues[1].save_revision().publish()
    newsletter_index.slug = "practitioner-newsletter"
    newsletter_index.save_revision().publish()
    expected = {
        issue.title: issue.specific_class.objects.get(pk=issue.pk).get_url() for issue in issues
    }
    assert expected["Spring update"] == "/practitioner-newsletter/spring-update-2025/"

    for address in ("/practitioner-newsletter/", "/practitioner-newsletter/2025/"):
        cards = soup(client.get(address)).select("main .issue-card a")
        assert cards
        for card in cards:
            title = next(title for title in expected if card.get_text().startswith(title))
            assert card["href"] == expected[title]
            assert client.get(card["href"]).status_code == 200


def test_the_year_links_lead_to_each_years_page(client, newsletter_index):
    for issue_date in (datetime.date(2023, 5, 1), datetime.date(2024, 12, 1), MARCH_2025):
        make_issue(newsletter_index, issue_date)
    index = NewsletterIndexPage.objects.get()

    links = soup(client.get("/newsletter/")).select(".year-nav a")

    assert [(a.get_text(), a["href"]) for a in links] == [
        (f"{year} issues", index.url + index.reverse_subpage("year", args=[year]))
        for year in (2025, 2024, 2023)
    ]
    for link in links:
        assert client.get(link["href"]).status_code == 200


def test_a_year_without_issues_is_not_found(client, newsletter_index):
    make_issue(newsletter_index, MARCH_2025)
    assert client.get("/newsletter/2019/").status_code == 404


def test_archive_is_paginated(client, newsletter_index):
    first = datetime.date(2020, 1, 1)
    for number in range(NewsletterIndexPage.issues_per_page + 1):
        make_issue(newsletter_index, first.replace(year=2020 + number // 12, month=number % 12 + 1))

    first_page = soup(client.get("/newsletter/"))
    second_page = soup(client.get("/newsletter/?page=2"))

    assert len(first_page.select(".issue-card")) == NewsletterIndexPage.issues_per_page
    assert [a["href"] for a in second_page.select(".issue-card a")] == ["/newsletter/january-2020/"]
    assert "Page 2 of 2" in second_page.select_one(".pagination").get_text()
    # Only the archive's real pages exist: any other number is a page not found.
    for number in ("3", "99", "0", "-1", "two", "2.0"):
        assert client.get(f"/newsletter/?page={number}").status_code == 404, number
    assert client.get("/newsletter/2020/?page=2").status_code == 404


# --- An issue ----------------------------------------------------------------------------


def test_issue_has_a_contents_list_linking_to_each_section(client, newsletter_index):
    make_issue(
        newsletter_index,
        MARCH_2025,
        body=[
            section("LSCP safeguarding training is changing!"),
            section("Neglect audit practitioner focus groups"),
            section("Neglect audit practitioner focus groups"),
            {"type": "signup_prompt", "value": None},
        ],
    )

    page = soup(client.get("/newsletter/march-2025/"))

    nav = page.find("nav", attrs={"aria-label": "In this issue"})
    links = [(a["href"], a.get_text(strip=True)) for a in nav.find_all("a")]
    assert links == [
        ("#lscp-safeguarding-training-is-changing", "LSCP safeguarding training is changing!"),
        ("#neglect-audit-practitioner-focus-groups", "Neglect audit practitioner focus groups"),
        ("#neglect-audit-practitioner-focus-groups-2", "Neglect audit practitioner focus groups"),
    ]
    for href, _ in links:
        assert page.find(id=href[1:]).name == "h2"
    headings = [h.name for h in page.main.find_all(["h1", "h2", "h3", "h4"])]
    assert headings[0] == "h1" and headings.count("h1") == 1
    assert "h3" not in headings and "h4" not in headings


def test_issue_links_to_the_previous_and_next_published_issues(client, newsletter_index):
    make_issue(newsletter_index, datetime.date(2025, 1, 1))
    make_issue(newsletter_index, datetime.date(2025, 2, 1))
    make_issue(newsletter_index, MARCH_2025)
    make_issue(newsletter_index, datetime.date(2025, 4, 1), live=False)

    page = soup(client.get("/newsletter/february-2025/"))
    pager = page.find("nav", attrs={"aria-label": "Other issues"})
    assert pager.find("a", rel="prev")["href"] == "/newsletter/january-2025/"
    assert pager.find("a", rel="next")["href"] == "/newsletter/march-2025/"

    last = soup(client.get("/newsletter/march-2025/")).find(
        "nav", attrs={"aria-label": "Other issues"}
    )
    assert last.find("a", rel="next") is None  # April is only a draft
    assert last.find("a", rel="prev")["href"] == "/newsletter/february-2025/"


def test_issue_links_skip_drafts_and_private_issues_to_the_nearest_readers_may_open(
    client, newsletter_index
):
    from wagtail.models import PageViewRestriction

    from newsletter.listing import neighbours
    from newsletter.models import NewsletterIssuePage

    months = [datetime.date(2024, month, 1) for month in range(1, 13)]
    issues = [
        make_issue(newsletter_index, month, live=month.month not in (5, 8)) for month in months
    ]
    PageViewRestriction.objects.create(
        page=issues[5],
        restriction_type=PageViewRestriction.LOGIN,  # June
    )
    PageViewRestriction.objects.create(
        page=issues[3],
        restriction_type=PageViewRestriction.PASSWORD,
        password="x",  # April
    )

    def months_either_side(issue):
        return tuple(
            other and other.issue_date.month
            for other in neighbours(NewsletterIssuePage.objects.all(), issue=issue)
        )

    # May and August are drafts, April and June private.
    assert months_either_side(issues[6]) == (3, 9)  # July
    assert months_either_side(issues[2]) == (2, 7)  # March
    assert months_either_side(issues[0]) == (None, 2)
    assert months_either_side(issues[11]) == (11, None)
    pager = soup(client.get("/newsletter/july-2024/")).find(
        "nav", attrs={"aria-label": "Other issues"}
    )
    assert pager.find("a", rel="prev")["href"] == "/newsletter/march-2024/"
    assert pager.find("a", rel="next")["href"] == "/newsletter/september-2024/"


def test_issue_links_follow_publishing_and_unpublishing_at_once(client, newsletter_index, settings):
    """The links are kept with the issue's body ({% cachefragment "issue-body" %}), which
    every change of the site's content replaces: each change shows on the next view."""
    from wagtail.models import PageViewRestriction

    settings.PAGE_CACHE_ENABLED = False

    def links():
        pager = soup(client.get("/newsletter/march-2024/")).find(
            "nav", attrs={"aria-label": "Other issues"}
        )
        return tuple(
            (link := pager.find("a", rel=rel)) and link["href"] for rel in ("prev", "next")
        )

    make_issue(newsletter_index, datetime.date(2024, 1, 1))
    make_issue(newsletter_index, datetime.date(2024, 3, 1))
    make_issue(newsletter_index, datetime.date(2024, 6, 1))
    assert links() == ("/newsletter/january-2024/", "/newsletter/june-2024/")

    february = make_issue(newsletter_index, datetime.date(2024, 2, 1))
    april = make_issue(newsletter_index, datetime.date(2024, 4, 1), live=False)
    assert links() == ("/newsletter/february-2024/", "/newsletter/june-2024/")

    april.save_revision().publish()
    assert links() == ("/newsletter/february-2024/", "/newsletter/april-2024/")

    PageViewRestriction.objects.create(
        page=april, restriction_type=PageViewRestriction.PASSWORD, password="x"
    )
    february.unpublish()
    assert links() == ("/newsletter/january-2024/", "/newsletter/june-2024/")


def test_issue_page_describes_itself_to_search_engines_and_social_media(client, newsletter_index):
    make_issue(newsletter_index, MARCH_2025, summary="Training is changing & more.")

    response = client.get("/newsletter/march-2025/")
    page = soup(response)

    # No CSP nonce on the data block (never run, so CSP does not apply): a CDN may share it.
    assert response["Cache-Control"].startswith("public")
    meta = {tag.get("property"): tag["content"] for tag in page.find_all("meta", property=True)}
    assert meta["og:title"] == "March Newsletter 2025"
    assert meta["og:description"] == "Training is changing & more."
    assert meta["og:url"] == "https://lscp.test/newsletter/march-2025/"
    assert meta["og:type"] == "article"
    script = page.find("script", type="application/ld+json")
    assert not script.get("nonce")
    data = json.loads(script.string)
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == "March Newsletter 2025"
    assert data["description"] == "Training is changing & more."
    assert data["url"] == "https://lscp.test/newsletter/march-2025/"
    # Made today, long after March 2025: dated in its own month, like any back issue.
    assert data["datePublished"] == "2025-03-01T09:00:00+00:00"
    assert data["publisher"]["name"] == "Leeds Safeguarding Children Partnership"


def test_json_ld_cannot_be_broken_out_of_by_a_title(client, newsletter_index):
    make_issue(newsletter_index, MARCH_2025, title="March </script><script>alert(1)</script>")

    html = client.get("/newsletter/march-2025/").text

    assert "</script><script>alert(1)" not in html
    script = BeautifulSoup(html, "html.parser").find("script", type="application/ld+json")
    assert json.loads(script.string)["headline"].startswith("March </script>")


def test_sign_up_box_appears_once_when_the_issue_has_a_sign_up_prompt(client, newsletter_index):
    make_issue(
        newsletter_index,
        MARCH_2025,
        body=[section("News"), {"type": "signup_prompt", "value": None}],
    )
    make_issue(newsletter_index, datetime.date(2025, 4, 1), body=[section("News")])

    with_prompt = soup(client.get("/newsletter/march-2025/"))
    without_prompt = soup(client.get("/newsletter/april-2025/"))

    assert len(with_prompt.select(".signup-box")) == 1
    assert with_prompt.select_one("article.issue .signup-box") is not None
    assert len(without_prompt.select(".signup-box")) == 1
    assert without_prompt.select_one("article.issue .signup-box") is None


def test_call_to_action_links_a_page_or_a_web_address(client, newsletter_index, home_page):
    privacy = Page.objects.get(slug="privacy")
    make_issue(
        newsletter_index,
        MARCH_2025,
        body=[
            section(
                "Training",
                calls_to_action=[
                    item({"link_text": "Read our privacy notice", "page": privacy.pk}),
                    item({"link_text": "See the NWG website", "url": "https://www.stop-ce.org/"}),
                ],
            )
        ],
    )

    page = soup(client.get("/newsletter/march-2025/"))

    actions = [(a["href"], a.get_text(strip=True)) for a in page.select(".issue-actions a")]
    assert actions == [
        ("/privacy/", "Read our privacy notice"),
        ("https://www.stop-ce.org/", "See the NWG website"),
    ]


# --- The home page -------------------------------------------------------------------------


def test_home_page_shows_the_latest_issue_with_its_contents_and_the_archive(
    client, newsletter_index
):
    make_issue(newsletter_index, datetime.date(2025, 2, 1), body=[section("Older news")])
    make_issue(
        newsletter_index,
        MARCH_2025,
        summary="Training is changing.",
        body=[section("LSCP safeguarding training is changing!"), section("Neglect audit")],
    )
    make_issue(newsletter_index, datetime.date(2025, 4, 1), live=False)

    page = soup(client.get("/"))

    box = page.select_one(".home-issue")
    assert box.h3.a["href"] == "/newsletter/march-2025/"
    assert "Training is changing." in box.get_text()
    contents = box.find("nav", attrs={"aria-label": "In the latest issue"})
    assert [(a["href"], a.get_text(strip=True)) for a in contents.find_all("a")] == [
        (
            "/newsletter/march-2025/#lscp-safeguarding-training-is-changing",
            "LSCP safeguarding training is changing!",
        ),
        ("/newsletter/march-2025/#neglect-audit", "Neglect audit"),
    ]
    assert box.find("a", href="/newsletter/").get_text(strip=True) == "Browse all newsletter issues"


def test_home_page_before_the_first_issue(client, newsletter_index):
    box = soup(client.get("/")).select_one(".home-issue")
    assert "The first issue is on its way." in box.get_text()


def test_copying_an_issue_is_refused_with_a_reason(admin_client, newsletter_index):
    issue = make_issue(newsletter_index, MARCH_2025)

    response = admin_client.get(reverse("wagtailadmin_pages:copy", args=[issue.pk]), follow=True)

    assert response.redirect_chain[-1][0] == reverse("wagtailadmin_pages:edit", args=[issue.pk])
    assert "Issues cannot be copied: there is one issue per month." in response.text
    response = admin_client.post(
        reverse("wagtailadmin_pages:copy", args=[issue.pk]),
        {"new_title": "Copy", "new_slug": "copy", "new_parent_page": newsletter_index.pk},
    )
    assert response.status_code == 302
    assert NewsletterIssuePage.objects.count() == 1


def test_an_issues_sections_follow_edits_and_moved_links_at_once_and_previews_stay_apart(
    client, newsletter_index, settings
):
    """An issue's body is rendered once per change of the site's content and read back
    ({% cachefragment "issue-body" %}): an edit to the issue, or to a page a section links
    to, shows on the next view; a preview of a draft renders the draft and leaves readers
    the published text."""
    from lscp_site.models import ContentPage

    settings.PAGE_CACHE_ENABLED = False
    help_page = ContentPage(title="Help", slug="help", introduction="Help.", body="<p>Help.</p>")
    newsletter_index.get_parent().add_child(instance=help_page)
    help_page.save_revision().publish()
    link = f'<p>Read <a linktype="page" id="{help_page.pk}">the help</a>.</p>'
    issue = make_issue(newsletter_index, MARCH_2025, body=[section("Help", link)])

    def section_html():
        return str(soup(client.get("/newsletter/march-2025/")).select_one(".issue-section"))

    assert 'href="/help/"' in section_html()
    assert section_html() == section_html()  # read back

    help_page.slug = "getting-help"
    help_page.save_revision().publish()
    assert 'href="/getting-help/"' in section_html()

    issue.body = [section("Help", link.replace("Read", "Please read"))]
    issue.save_revision().publish()
    assert "Please read" in section_html()

    issue.body = [section("Help", "<p>A draft nobody has published.</p>")]
    draft = issue.save_revision()
    preview = draft.as_object().make_preview_request()
    assert "A draft nobody has published." in preview.content.decode()
    assert "Please read" in section_html()
