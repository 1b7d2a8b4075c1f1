"""Passkeys (django-otp-webauthn) as the second factor: added alongside or instead of an
authenticator app, used at sign-in after the password, never alone; removed by a reset and
with the account."""

from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

import pytest
from django_otp.plugins.otp_static.models import StaticToken
from django_otp_webauthn.models import WebAuthnCredential, WebAuthnUserHandle

from admin_2fa.devices import new_backup_codes
from tests.two_factor import (
    PASSKEY_URLS,
    SoftwarePasskey,
    add_passkey,
    authenticator_of,
    current_code,
    sign_in_verified,
    use_passkey,
)

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"


def sign_in(client, user, code=""):
    return client.post(
        "/admin/login/", {"username": user.username, "password": PASSWORD, "otp_token": code}
    )


@pytest.fixture
def sender(django_user_model):
    """An editor who can send issues: two-factor sign-in is required."""
    user = django_user_model.objects.create_user(username="sender", password=PASSWORD)
    user.groups.add(Group.objects.get(name="Editors"))
    user.user_permissions.add(Permission.objects.get(codename="send_issue"))
    return user


@pytest.fixture
def sender_with_passkey(client, sender):
    """The sender, who set up a passkey (and so has backup codes), then signed out."""
    passkey = SoftwarePasskey()
    sign_in(client, sender)
    assert add_passkey(client, passkey).status_code == 200
    new_backup_codes(sender)
    client.logout()
    return sender, passkey


def test_the_setup_page_offers_a_passkey_beside_the_app_with_the_librarys_scripts(client, sender):
    sign_in(client, sender)

    page = client.get("/admin/2fa/setup/")

    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="passkey-register-button"' in html
    assert 'id="otp_webauthn_config" type="application/json"' in html
    assert "/static/django_otp_webauthn/otp_webauthn_register.js" in html
    assert "/static/admin_2fa/passkeys.js" in html
    assert "data:image/svg+xml" in html  # the authenticator app is still offered


def test_a_passkey_instead_of_an_app_verifies_the_session_and_gives_backup_codes(client, sender):
    sign_in(client, sender)
    assert client.get("/admin/pages/").status_code == 302  # sent to set up

    reply = add_passkey(client, SoftwarePasskey())

    assert reply.status_code == 200
    assert WebAuthnCredential.objects.filter(user=sender, confirmed=True).count() == 1
    codes_page = client.post("/admin/2fa/passkey-added/", {"next": "/admin/pages/"})
    assert codes_page.status_code == 200
    assert b"Your backup codes" in codes_page.content
    assert StaticToken.objects.filter(device__user=sender).count() == 10
    assert client.get("/admin/pages/").status_code == 200


def test_with_a_passkey_the_password_alone_reaches_only_the_verify_page(
    client, sender_with_passkey
):
    sender, _ = sender_with_passkey
    sign_in(client, sender)

    assert client.get("/admin/pages/")["Location"].startswith("/admin/2fa/verify/")
    verify = client.get("/admin/2fa/verify/")
    assert b"Sign in with your passkey" in verify.content
    assert b'id="passkey-verification-button"' in verify.content
    assert b"/static/django_otp_webauthn/otp_webauthn_auth.js" in verify.content
    assert b"One of your backup codes." in verify.content


def test_a_lost_passkey_is_replaced_by_a_backup_code_once(client, sender):
    sign_in(client, sender)
    add_passkey(client, SoftwarePasskey())
    codes = new_backup_codes(sender)
    client.logout()
    sign_in(client, sender)

    reply = client.post("/admin/2fa/verify/", {"otp_token": codes[0], "next": "/admin/pages/"})

    assert reply["Location"] == "/admin/pages/"
    assert client.get("/admin/pages/").status_code == 200
    client.logout()
    sign_in(client, sender)
    again = client.post("/admin/2fa/verify/", {"otp_token": codes[0]})
    assert again.status_code == 400
    assert b"That code is not right" in again.content


def test_the_passkey_after_the_password_opens_the_admin(client, sender_with_passkey):
    sender, passkey = sender_with_passkey
    sign_in(client, sender)

    reply = use_passkey(client, passkey, next_url="/admin/pages/")

    assert reply.status_code == 200
    assert reply.json()["redirect_url"] == "/admin/pages/"
    assert client.get("/admin/pages/").status_code == 200
    assert WebAuthnCredential.objects.get(user=sender).last_used_at is not None


def test_a_passkey_never_signs_in_without_the_password(client, sender_with_passkey):
    _, passkey = sender_with_passkey

    begin = client.post(PASSKEY_URLS + "authentication/begin/")

    assert begin.status_code in (302, 403)  # to the sign-in page, or refused
    assert client.get("/admin/pages/").status_code == 302
    assert "_auth_user_id" not in client.session


def test_another_editors_passkey_is_refused(client, sender_with_passkey, django_user_model):
    _, passkey = sender_with_passkey
    other = django_user_model.objects.create_user(username="other", password=PASSWORD)
    other.groups.add(Group.objects.get(name="Editors"))
    other.user_permissions.add(Permission.objects.get(codename="send_issue"))
    authenticator_of(other)
    sign_in(client, other)

    reply = use_passkey(client, passkey)

    assert 400 <= reply.status_code < 500
    assert client.get("/admin/pages/")["Location"].startswith("/admin/2fa/verify/")


def test_a_passkey_answer_for_another_site_is_refused(client, sender_with_passkey):
    sender, passkey = sender_with_passkey
    passkey.origin = "https://lscp.example.org"
    sign_in(client, sender)

    reply = use_passkey(client, passkey)

    assert 400 <= reply.status_code < 500
    assert client.get("/admin/pages/").status_code == 302


def test_a_password_alone_cannot_add_a_passkey_to_an_account_with_a_device(client, sender):
    authenticator_of(sender)
    sign_in(client, sender)

    begin = client.post(PASSKEY_URLS + "registration/begin/")

    assert begin.status_code == 403
    assert not WebAuthnCredential.objects.filter(user=sender).exists()


def test_a_verified_editor_adds_a_passkey_beside_the_app(client, sender):
    device = authenticator_of(sender)
    new_backup_codes(sender)
    sign_in(client, sender, current_code(device))

    assert add_passkey(client, SoftwarePasskey()).status_code == 200
    added = client.post("/admin/2fa/passkey-added/", follow=True)

    assert b"Passkey added" in added.content
    assert StaticToken.objects.filter(device__user=sender).count() == 10  # codes kept
    overview = client.get("/admin/2fa/").content.decode()
    assert "Passkey 1" in overview
    assert "Move to a new phone" in overview


def test_the_only_way_in_of_an_account_that_needs_it_cannot_be_removed(client, sender_with_passkey):
    sender, passkey = sender_with_passkey
    sign_in(client, sender)
    use_passkey(client, passkey)
    credential = WebAuthnCredential.objects.get(user=sender)

    refused = client.post(f"/admin/2fa/remove-passkey/{credential.pk}/", follow=True)
    assert b"This is your only passkey" in refused.content
    assert WebAuthnCredential.objects.filter(user=sender).exists()

    add_passkey(client, SoftwarePasskey())
    client.post(f"/admin/2fa/remove-passkey/{credential.pk}/")
    assert not WebAuthnCredential.objects.filter(pk=credential.pk).exists()
    assert WebAuthnCredential.objects.filter(user=sender).count() == 1


def test_an_editor_cannot_remove_someone_elses_passkey(sender_with_passkey, admin_user):
    sender, _ = sender_with_passkey
    credential = WebAuthnCredential.objects.get(user=sender)
    superuser = sign_in_verified(Client(), admin_user)

    reply = superuser.post(f"/admin/2fa/remove-passkey/{credential.pk}/")

    assert reply.status_code == 404
    assert WebAuthnCredential.objects.filter(pk=credential.pk).exists()


def test_a_superuser_reset_removes_passkeys_too(sender_with_passkey, admin_user):
    sender, _ = sender_with_passkey
    authenticator_of(sender)
    superuser = sign_in_verified(Client(), admin_user)

    superuser.post(f"/admin/2fa/reset/{sender.pk}/")

    assert not WebAuthnCredential.objects.filter(user=sender).exists()
    assert not StaticToken.objects.filter(device__user=sender).exists()


def test_the_reset_command_removes_passkeys(sender_with_passkey):
    sender, _ = sender_with_passkey

    call_command("reset_two_factor", sender.username)

    assert not WebAuthnCredential.objects.filter(user=sender).exists()


def test_deleting_an_editor_deletes_their_passkeys(sender_with_passkey):
    sender, _ = sender_with_passkey

    sender.delete()

    assert not WebAuthnCredential.objects.exists()
    assert not WebAuthnUserHandle.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        "{}",
        '{"id": "abc", "rawId": "!!", "type": "public-key", "response": {}}',
        '{"id": "\\u0000", "rawId": "AA", "type": "public-key", '
        '"response": {"clientDataJSON": "AA", "attestationObject": "AA", "authenticatorData": '
        '"AA", "signature": "AA"}}',
    ],
)
def test_malformed_passkey_answers_are_a_4xx_and_store_nothing(client, sender, body):
    sign_in(client, sender)
    for ceremony in ("registration", "authentication"):
        client.post(f"{PASSKEY_URLS}{ceremony}/begin/")

        reply = client.post(
            f"{PASSKEY_URLS}{ceremony}/complete/", body, content_type="application/json"
        )

        assert 400 <= reply.status_code < 500, (ceremony, reply.status_code)
    assert not WebAuthnCredential.objects.exists()
    assert client.get("/admin/pages/").status_code == 302


def test_the_overview_lists_passkeys_in_the_same_number_of_queries(client, sender_with_passkey):
    sender, passkey = sender_with_passkey
    sign_in(client, sender)
    use_passkey(client, passkey)
    client.get("/admin/2fa/")  # first visit's one-off work (menus, site settings)
    with CaptureQueriesContext(connection) as with_one:
        client.get("/admin/2fa/")
    add_passkey(client, SoftwarePasskey())
    add_passkey(client, SoftwarePasskey())

    with CaptureQueriesContext(connection) as with_three:
        page = client.get("/admin/2fa/")

    assert "Remove passkey 3" in page.content.decode()
    assert len(with_three) == len(with_one)
