"""Two-factor sign-in for the admin: required for accounts that can send issues or see
subscribers or bookings, offered to the others; a code at sign-in or on the next page;
backup codes; a superuser resets a lost device."""

import datetime

from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.test import Client

import pytest
import time_machine
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from admin_2fa.devices import new_backup_codes
from tests.two_factor import authenticator_of, current_code, sign_in_verified

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"


def after_the_wait():
    """django-otp makes a device wait after a wrong code (1 s, then 2, 4...): go past it."""
    return time_machine.travel(datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=5))


def sign_in(client, user, code=""):
    return client.post(
        "/admin/login/", {"username": user.username, "password": PASSWORD, "otp_token": code}
    )


@pytest.fixture
def writer(django_user_model):
    """An editor who writes pages only: two-factor sign-in is offered, not required."""
    user = django_user_model.objects.create_user(username="writer", password=PASSWORD)
    user.groups.add(Group.objects.get(name="Editors"))
    return user


@pytest.fixture
def sender(django_user_model):
    """An editor who can send issues: two-factor sign-in is required."""
    user = django_user_model.objects.create_user(username="sender", password=PASSWORD)
    user.groups.add(Group.objects.get(name="Editors"))
    user.user_permissions.add(Permission.objects.get(codename="send_issue"))
    return user


def test_the_sign_in_page_asks_for_the_authentication_code(client):
    response = client.get("/admin/login/")

    assert b'name="otp_token"' in response.content
    assert b'autocomplete="one-time-code"' in response.content


def test_an_account_that_can_send_without_a_device_is_sent_to_set_one_up(client, sender):
    sign_in(client, sender)

    response = client.get("/admin/pages/")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/2fa/setup/?next=")


def test_an_editor_without_those_permissions_is_offered_it_but_may_go_on(client, writer):
    sign_in(client, writer)

    assert client.get("/admin/").status_code == 200
    overview = client.get("/admin/2fa/")
    assert b"Set up two-factor sign-in" in overview.content


def test_setting_up_needs_a_right_code_then_shows_backup_codes(client, sender):
    sign_in(client, sender)
    page = client.get("/admin/2fa/setup/")
    assert page.status_code == 200
    assert b"data:image/svg+xml" in page.content
    device = TOTPDevice.objects.get(user=sender, confirmed=False)

    wrong = client.post("/admin/2fa/setup/", {"otp_token": "000000"})
    with after_the_wait():
        right = client.post("/admin/2fa/setup/", {"otp_token": current_code(device)})
        pages = client.get("/admin/pages/")

    assert wrong.status_code == 400
    assert right.status_code == 200
    assert b"Your backup codes" in right.content
    assert StaticToken.objects.filter(device__user=sender).count() == 10
    assert pages.status_code == 200


def test_with_a_device_a_password_alone_is_not_enough(client, sender):
    authenticator_of(sender)
    sign_in(client, sender)

    dashboard = client.get("/admin/")
    # Nor can the session set up a device of its own instead.
    setup = client.get("/admin/2fa/setup/")

    assert dashboard.status_code == 302
    assert dashboard["Location"].startswith("/admin/2fa/verify/")
    assert setup["Location"] == "/admin/2fa/verify/"


def test_a_right_code_at_sign_in_opens_the_admin(client, sender):
    device = authenticator_of(sender)

    sign_in(client, sender, current_code(device))

    assert client.get("/admin/").status_code == 200


def test_a_wrong_code_at_sign_in_signs_nobody_in(client, sender):
    authenticator_of(sender)

    response = sign_in(client, sender, "123456")

    assert response.status_code == 200
    assert b"That code is not right" in response.content
    assert "_auth_user_id" not in client.session


def test_the_verify_page_takes_the_apps_code_or_a_backup_code_once(sender):
    device = authenticator_of(sender)
    codes = new_backup_codes(sender)
    first, second = Client(), Client()
    sign_in(first, sender)
    sign_in(second, sender)

    refused = first.post("/admin/2fa/verify/", {"otp_token": "999999", "next": "/admin/"})
    with after_the_wait():
        by_app = first.post("/admin/2fa/verify/", {"otp_token": current_code(device)})
        by_backup = second.post(
            "/admin/2fa/verify/", {"otp_token": codes[0], "next": "/admin/pages/"}
        )
        third = Client()
        sign_in(third, sender)
        used_again = third.post("/admin/2fa/verify/", {"otp_token": codes[0]})

    assert refused.status_code == 400
    assert (by_app.status_code, by_app["Location"]) == (302, "/admin/")
    assert (by_backup.status_code, by_backup["Location"]) == (302, "/admin/pages/")
    assert used_again.status_code == 400
    assert StaticToken.objects.filter(device__user=sender).count() == 9


def test_the_verify_page_only_goes_on_to_this_site(client, sender):
    device = authenticator_of(sender)
    sign_in(client, sender)

    response = client.post(
        "/admin/2fa/verify/", {"otp_token": current_code(device), "next": "https://evil.example/"}
    )

    assert response["Location"] == "/admin/"


def test_a_superuser_resets_a_lost_device(admin_client, sender):
    authenticator_of(sender)
    new_backup_codes(sender)

    response = admin_client.post(f"/admin/2fa/reset/{sender.pk}/")

    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=sender).exists()
    assert not StaticToken.objects.filter(device__user=sender).exists()


def test_only_a_superuser_may_reset_a_device(client, sender, writer):
    authenticator_of(writer)
    sign_in_verified(client, sender)
    authenticator_of(sender)

    response = client.post(f"/admin/2fa/reset/{writer.pk}/")

    # Wagtail answers a refused admin action with the dashboard and a message.
    assert (response.status_code, response["Location"]) == (302, "/admin/")
    assert TOTPDevice.objects.filter(user=writer).exists()


def test_the_reset_command_removes_a_users_devices(sender):
    authenticator_of(sender)

    call_command("reset_two_factor", "sender")

    assert not TOTPDevice.objects.filter(user=sender).exists()


def test_the_two_factor_pages_carry_the_admin_csp(client, sender):
    sign_in(client, sender)

    response = client.get("/admin/2fa/setup/")

    assert "img-src 'self' data: blob:" in response["Content-Security-Policy"]
