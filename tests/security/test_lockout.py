"""django-axes behind a proxy locks the attacker's client, not the editor: failures count
per username AND client address, the address read as the rate limits read it."""

from django.test import override_settings

import pytest

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.2"
ATTACKER = "203.0.113.66"
EDITOR = "198.51.100.7"


def sign_in(client, username, password, *, via):
    return client.post(
        "/admin/login/",
        {"username": username, "password": password},
        REMOTE_ADDR=PROXY,
        headers={"X-Forwarded-For": via},
    )


@override_settings(TRUSTED_PROXY_COUNT=1, AXES_FAILURE_LIMIT=5)
def test_an_attacker_behind_the_proxy_locks_only_their_own_client(client, admin_user):
    from django.test import Client

    for _ in range(5):
        sign_in(client, admin_user.username, "wrong", via=ATTACKER)

    attacker_again = sign_in(client, admin_user.username, "correct horse battery", via=ATTACKER)
    editor = Client()
    editor_response = sign_in(editor, admin_user.username, "correct horse battery", via=EDITOR)

    assert attacker_again.status_code == 429
    assert editor_response.status_code == 302
    assert "_auth_user_id" in editor.session


@override_settings(TRUSTED_PROXY_COUNT=1, AXES_FAILURE_LIMIT=5)
def test_the_lockout_records_the_client_address_not_the_proxy(client, admin_user):
    from axes.models import AccessAttempt

    sign_in(client, admin_user.username, "wrong", via=ATTACKER)

    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == [ATTACKER]


@pytest.mark.parametrize("remote_addr", [None, "unknown", "not-an-address"])
def test_a_sign_in_without_a_readable_address_is_recorded_without_one(rf, remote_addr):
    from lscp_site.ratelimit import client_ip

    request = rf.get("/admin/login/")
    if remote_addr is None:
        del request.META["REMOTE_ADDR"]
    else:
        request.META["REMOTE_ADDR"] = remote_addr

    assert client_ip(request) is None


def test_signing_in_in_code_works_on_every_database(client, admin_user):
    """force_login sends a request with no address through axes' sign-in records."""
    client.force_login(admin_user)

    assert "_auth_user_id" in client.session
