"""Two-factor sign-in in a real browser, under the admin's Content Security Policy: an
editor who can send issues sets up an authenticator, signs in with its code, is refused
without one, and gets back in with a backup code."""

import datetime

from django.contrib.auth.models import Group, Permission

import pytest
import time_machine
from playwright.sync_api import expect

from tests.two_factor import current_code

browser_db = pytest.mark.django_db(transaction=True, serialized_rollback=True)
PASSWORD = "correct horse battery"


@pytest.fixture
def sender(home_page, django_user_model):
    user = django_user_model.objects.create_user(username="sender", password=PASSWORD)
    user.groups.add(Group.objects.get(name="Editors"))
    user.user_permissions.add(Permission.objects.get(codename="send_issue"))
    return user


def fill_sign_in(page, live_server, code=""):
    page.goto(live_server.url + "/admin/login/")
    page.get_by_label("Username").fill("sender")
    page.get_by_label("Password").fill(PASSWORD)
    if code:
        page.get_by_label("Authentication code").fill(code)
    page.get_by_role("button", name="Sign in").click()


def sign_out(page):
    page.context.clear_cookies()


@browser_db
def test_enrol_sign_in_with_a_code_be_refused_without_and_recover_with_a_backup_code(
    live_server, page, sender, csp_violations
):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    # First sign-in: the account can send issues, so it must set up an authenticator.
    fill_sign_in(page, live_server)
    expect(page.get_by_role("heading", name="Set up two-factor sign-in")).to_be_visible()
    expect(page.get_by_role("img", name="QR code")).to_be_visible()
    device = TOTPDevice.objects.get(user=sender, confirmed=False)
    page.get_by_label("Authentication code").fill(current_code(device))
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(page.get_by_role("heading", name="Your backup codes")).to_be_visible()
    codes = page.locator(".backup-codes").locator("code").all_inner_texts()
    assert len(codes) == 10
    page.get_by_role("link", name="Continue").click()
    expect(page).to_have_url(f"{live_server.url}/admin/")
    sign_out(page)

    # Without a code: the password alone reaches only the code page.
    fill_sign_in(page, live_server)
    expect(page.get_by_role("heading", name="Enter your authentication code")).to_be_visible()
    page.goto(live_server.url + "/admin/pages/")
    expect(page.get_by_role("heading", name="Enter your authentication code")).to_be_visible()
    page.get_by_label("Authentication code").fill("000000")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".error-message")).to_contain_text("That code is not right")
    sign_out(page)

    # With the app's code (the next one: a code works once), straight in.
    later = datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=31)
    with time_machine.travel(later):
        device.refresh_from_db()
        fill_sign_in(page, live_server, current_code(device))
        expect(page).to_have_url(f"{live_server.url}/admin/")
        sign_out(page)

        # Phone lost: a backup code gets them in, once.
        fill_sign_in(page, live_server)
        page.get_by_label("Authentication code").fill(codes[0])
        page.get_by_role("button", name="Continue").click()
        expect(page).to_have_url(f"{live_server.url}/admin/")
        expect(page.get_by_text("You signed in with a backup code")).to_be_visible()
    assert csp_violations == []
