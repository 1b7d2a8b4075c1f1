"""Signing in to the admin with the second factor in tests, through django-otp's public API.

Editors who must use two-factor sign-in are sent to it before any admin page; tests that
are about something else sign in already verified, as an editor who gave their code.
"""

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def authenticator_of(user):
    """The user's confirmed authenticator app, set up if missing."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    return device


def current_code(device):
    """The 6-digit code the app shows now."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def sign_in_verified(client, user, backend=MODEL_BACKEND):
    """``client.force_login`` with the session verified by the user's authenticator."""
    client.force_login(user, backend=backend)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = authenticator_of(user).persistent_id
    session.save()
    return client
