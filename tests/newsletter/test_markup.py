"""What the site tells machines: the sitemap and robots.txt."""

import datetime
from urllib.parse import urlsplit
from xml.etree import ElementTree

from tests.newsletter.factories import make_issue


def test_sitemap_lists_the_archive_its_years_and_every_published_issue(client, newsletter_index):
    make_issue(newsletter_index, datetime.date(2024, 12, 1))
    make_issue(newsletter_index, datetime.date(2025, 3, 1))
    make_issue(newsletter_index, datetime.date(2025, 4, 1), live=False)

    response = client.get("/sitemap.xml")

    assert response.status_code == 200
    namespace = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locations = [
        urlsplit(loc.text).path.lstrip("/")
        for loc in ElementTree.fromstring(response.content).findall("s:url/s:loc", namespace)  # noqa: S314 - our own sitemap
    ]
    assert {
        "newsletter/",
        "newsletter/2025/",
        "newsletter/2024/",
        "newsletter/march-2025/",
        "newsletter/december-2024/",
        "privacy/",
    } <= set(locations)
    assert "newsletter/april-2025/" not in locations


def test_robots_txt_points_to_the_sitemap_and_keeps_crawlers_out_of_admin_and_signed_links(
    client,
):
    lines = client.get("/robots.txt").text.splitlines()

    assert "User-agent: *" in lines
    assert "Sitemap: https://lscp.test/sitemap.xml" in lines  # BASE_URL, not the Host header
    disallowed = {line.split(": ", 1)[1] for line in lines if line.startswith("Disallow:")}
    assert {
        "/admin/",
        "/subscribe/confirm/",
        "/subscribe/preferences/",
        "/subscribe/unsubscribe/",
        "/training/bookings/",
    } <= disallowed
