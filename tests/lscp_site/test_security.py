"""Admin login lock-out after repeated failures (django-axes)."""

from django.test import override_settings

import pytest

from tests.two_factor import authenticator_of, current_code

pytestmark = pytest.mark.django_db


@override_settings(AXES_FAILURE_LIMIT=3)
def test_admin_login_locks_after_repeated_failures(client, admin_user):
    for _ in range(3):
        response = client.post(
            "/admin/login/", {"username": admin_user.username, "password": "wrong"}
        )
        assert response.status_code in (200, 429)

    locked = client.post(
        "/admin/login/", {"username": admin_user.username, "password": "correct horse battery"}
    )

    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session


def test_admin_login_works_with_the_right_password_and_code(client, admin_user):
    device = authenticator_of(admin_user)
    response = client.post(
        "/admin/login/",
        {
            "username": admin_user.username,
            "password": "correct horse battery",
            "otp_token": current_code(device),
        },
    )

    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_admin_login_form_needs_a_csrf_token(admin_user):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post(
        "/admin/login/", {"username": admin_user.username, "password": "correct horse battery"}
    )

    assert response.status_code == 403
