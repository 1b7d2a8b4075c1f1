"""The privacy notice and the accessibility statement as the demo loads them: what a UK public
body must say, breadcrumbs, and email addresses that are links."""

import pytest
from bs4 import BeautifulSoup

from home.demo import load_content_pages, period_wording
from lscp_site.models import ContentPage

pytestmark = pytest.mark.django_db


def text_of(response):
    return " ".join(BeautifulSoup(response.content, "html.parser").get_text(" ").split())


@pytest.mark.parametrize("path", ["/privacy/", "/accessibility/", "/staying-safe-online/"])
def test_plain_pages_have_breadcrumbs_home_then_the_page(client, home_page, path):
    page = BeautifulSoup(client.get(path).content, "html.parser")

    crumbs = page.select_one("nav.breadcrumbs[aria-label='Breadcrumb']")
    assert crumbs is not None
    assert [(a.get_text(), a["href"]) for a in crumbs.select("a")] == [("Home", "/")]
    assert crumbs.select_one("[aria-current='page']").get_text() == page.h1.get_text()


@pytest.mark.parametrize("path", ["/privacy/", "/accessibility/"])
def test_email_addresses_in_statements_are_mailto_links(client, home_page, path):
    page = BeautifulSoup(client.get(path).content, "html.parser")
    body = page.select_one("main article")

    mailtos = [a for a in body.select("a[href^='mailto:']")]
    assert mailtos
    for link in mailtos:
        assert link["href"] == f"mailto:{link.get_text()}"
    # No address is left as plain text outside a link.
    for link in body.select("a"):
        link.decompose()
    assert "@" not in body.get_text()


def test_privacy_notice_gives_lawful_basis_retention_and_the_ico(client, home_page, settings):
    text = text_of(client.get("/privacy/"))

    assert "data controller" in text
    assert "Article 6(1)(a)" in text and "consent" in text  # email updates
    assert "Article 6(1)(e)" in text and "public interest" in text  # training bookings
    assert "Information Commissioner's Office" in text
    assert "0303 123 1113" in text
    assert "Wycliffe House, Water Lane, Wilmslow, Cheshire, SK9 5AF" in text
    assert "Sign-ups that are never confirmed are deleted after 30 days" in text
    assert "Training bookings are deleted one year after the session" in text
    for kept_with_the_booking in (
        "access needs",
        "line manager's email address",
        "register",
        "certificate of attendance",
    ):
        assert kept_with_the_booking in text.split("Training bookings are deleted", 1)[1]
    assert (
        "On a course with a refresher period, if you attended we keep your booking until your "
        "refresher falls due" in text
    )
    # Booking emails are transactional: they still go to a stopped address (training test).
    assert "sent even if you have unsubscribed from email updates or we have stopped" in text
    assert "deleted one year after the sending finished" in text
    for right in ("copy of the information", "correct", "erase", "withdraw your consent"):
        assert right in text


def test_privacy_notice_follows_the_retention_settings(home_page, settings):
    settings.BOOKING_RETENTION_DAYS = 730
    settings.NEWSLETTER_DELIVERY_RETENTION_DAYS = 90
    ContentPage.objects.filter(slug="privacy").delete()

    load_content_pages(home_page)

    body = ContentPage.objects.get(slug="privacy").body
    assert "deleted 2 years after the session" in body
    assert "deleted 90 days after the sending finished" in body
    assert period_wording(365) == "one year"


def test_accessibility_statement_follows_the_model_statement(client, home_page):
    text = text_of(client.get("/accessibility/"))

    assert "partially compliant with the Web Content Accessibility Guidelines version 2.2 AA" in (
        text
    )
    assert (
        "Public Sector Bodies (Websites and Mobile Applications) (No. 2) Accessibility "
        "Regulations 2018" in text
    )
    for heading in (
        "Feedback and contact information",
        "Reporting accessibility problems with this website",
        "Enforcement procedure",
        "Non-accessible content",
        "Preparation of this accessibility statement",
    ):
        assert heading in text
    assert "Equality and Human Rights Commission" in text
    assert "Equality Advisory and Support Service" in text
    assert "Equality Commission for Northern Ireland" in text
    assert "This statement was prepared on" in text
    assert "different format" in text


def test_loading_again_updates_loader_pages_but_keeps_an_editors_changes(home_page, admin_user):
    privacy = ContentPage.objects.get(slug="privacy")
    privacy.body = "<p>Old wording.</p>"
    privacy.save_revision().publish()
    statement = ContentPage.objects.get(slug="accessibility")
    statement.body = "<p>An editor's wording.</p>"
    statement.save_revision(user=admin_user).publish()

    load_content_pages(home_page)

    assert "Information Commissioner" in ContentPage.objects.get(slug="privacy").body
    assert ContentPage.objects.get(slug="accessibility").body == "<p>An editor's wording.</p>"
