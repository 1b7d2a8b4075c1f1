"""The Permissions-Policy header is on every response: pages, cached pages, errors, the
admin, feeds and static files."""

import pytest

pytestmark = pytest.mark.django_db


def policy_of(response):
    return dict(
        part.strip().split("=", 1) for part in response.headers["Permissions-Policy"].split(",")
    )


@pytest.mark.parametrize(
    "path", ["/", "/privacy/", "/search/?q=x", "/subscribe/", "/no-such-page/", "/robots.txt"]
)
def test_every_public_response_switches_off_unused_browser_features(client, home_page, path):
    response = client.get(path)

    policy = policy_of(response)
    assert policy["camera"] == "()"
    assert policy["microphone"] == "()"
    assert policy["geolocation"] == "()"
    assert policy["publickey-credentials-get"] == "(self)"


def test_a_page_served_from_the_page_cache_keeps_the_permissions_policy(client, home_page):
    client.get("/privacy/")
    again = client.get("/privacy/")

    assert "camera=()" in again.headers["Permissions-Policy"]


def test_the_admin_login_and_a_bad_request_carry_the_permissions_policy(client, home_page):
    assert "camera=()" in client.get("/admin/login/").headers["Permissions-Policy"]
    assert "camera=()" in client.get("/search/?q=%00").headers["Permissions-Policy"]
