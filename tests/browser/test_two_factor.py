"""Two-factor sign-in in a real browser, under the admin's Content Security Policy: an
editor who can send issues sets up an authenticator, signs in with its code, is refused
without one, and gets back in with a backup code; another sets up a passkey with Chromium's
virtual authenticator, signs in with it, and is refused on a device without it."""

import datetime

from django.contrib.auth.models import Group, Permission

import pytest
import time_machine
from playwright.sync_api import expect

from tests.two_factor import current_code

browser_db = pytest.mark.django_db(transaction=True)
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


def virtual_authenticator(page):
    """Chromium's virtual authenticator (DevTools WebAuthn domain): a built-in passkey
    authenticator that says yes to fingerprint or PIN. Returns the DevTools session and
    its id."""
    devtools = page.context.new_cdp_session(page)
    devtools.send("WebAuthn.enable")
    added = devtools.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    return devtools, added["authenticatorId"]


@browser_db
def test_enrol_a_passkey_sign_in_with_it_and_be_refused_without_it(
    live_server, page, sender, settings, accessible, csp_violations
):
    from django_otp_webauthn.models import WebAuthnCredential

    # The live server is at http://localhost:<port>, which browsers allow passkeys on.
    settings.OTP_WEBAUTHN_RP_ID = "localhost"
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = [live_server.url]
    devtools, authenticator = virtual_authenticator(page)

    # First sign-in: set up with a passkey instead of an authenticator app.
    fill_sign_in(page, live_server)
    expect(page.get_by_role("heading", name="Set up two-factor sign-in")).to_be_visible()
    passkey_button = page.get_by_role("button", name="Use a passkey instead")
    expect(passkey_button).to_be_visible()
    accessible(page)
    passkey_button.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Your backup codes")).to_be_visible()
    assert WebAuthnCredential.objects.filter(user=sender).count() == 1
    page.get_by_role("link", name="Continue").click()
    expect(page).to_have_url(f"{live_server.url}/admin/")
    page.goto(live_server.url + "/admin/2fa/")
    expect(page.get_by_role("cell", name="Passkey 1", exact=True)).to_be_visible()
    accessible(page)
    sign_out(page)

    # The password alone reaches only the passkey page.
    fill_sign_in(page, live_server)
    expect(page.get_by_role("heading", name="Sign in with your passkey")).to_be_visible()
    page.goto(live_server.url + "/admin/pages/")
    expect(page.get_by_role("heading", name="Sign in with your passkey")).to_be_visible()
    accessible(page)

    # The passkey opens the admin, at the page asked for.
    page.get_by_role("button", name="Use your passkey").click()
    expect(page).to_have_url(f"{live_server.url}/admin/pages/")
    sign_out(page)

    # A device without this passkey is refused, and the page says so.
    devtools.send("WebAuthn.clearCredentials", {"authenticatorId": authenticator})
    fill_sign_in(page, live_server)
    page.get_by_role("button", name="Use your passkey").click()
    expect(page.locator("#passkey-verification-status-message")).to_contain_text("not allowed")
    expect(page.get_by_role("heading", name="Sign in with your passkey")).to_be_visible()
    sign_out(page)
    assert csp_violations == []
