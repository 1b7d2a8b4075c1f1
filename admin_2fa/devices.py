"""Who needs a second factor, and the devices that give one (django-otp).

An editor proves it is them with a code from an authenticator app (TOTP, RFC 6238), with a
passkey (WebAuthn, django-otp-webauthn) where their browser offers one, or, when those are
lost, one of ten single-use backup codes. Accounts that can send an issue or
see subscribers or bookings (settings.ADMIN_2FA_REQUIRED_PERMISSIONS) and superusers must
set it up; every other editor is offered it.
"""

import base64

from django.conf import settings
from django.db import transaction

import segno
from django_otp import devices_for_user, user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

BACKUP_CODE_COUNT = 10
AUTHENTICATOR_NAME = "Authenticator app"
BACKUP_NAME = "Backup codes"


def two_factor_required(user):
    """True for accounts that must use a second factor: superusers, and anyone who can
    send issues or see subscribers or bookings."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return any(user.has_perm(name) for name in settings.ADMIN_2FA_REQUIRED_PERMISSIONS)


def has_two_factor(user):
    """True when the user has set up an authenticator app or a passkey (confirmed)."""
    return has_authenticator_app(user) or has_passkey(user)


def has_authenticator_app(user):
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def has_passkey(user):
    return WebAuthnCredential.objects.filter(user=user, confirmed=True).exists()


def passkeys(user):
    """The user's passkeys, oldest first."""
    return WebAuthnCredential.objects.filter(user=user, confirmed=True).order_by("created_at")


def remove_passkey(*, user, passkey_id):
    """Remove one of ``user``'s passkeys (a lost laptop, a security key given back).

    Refused (returns False) when it is the last way in for an account that needs two-factor
    sign-in and has no authenticator app: that would leave it with backup codes only.
    """
    with transaction.atomic():
        passkey = (
            WebAuthnCredential.objects.select_for_update().filter(user=user, pk=passkey_id).first()
        )
        if passkey is None:
            return False
        others = passkeys(user).exclude(pk=passkey.pk).exists()
        if two_factor_required(user) and not others and not has_authenticator_app(user):
            return False
        passkey.delete()
    return True


def can_verify(user):
    """True when the user has any confirmed device to give a code from."""
    return user_has_device(user, confirmed=True)


def start_enrolment(user):
    """The user's unconfirmed authenticator device, made if missing (a fresh secret)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=False)
    return device


def secret_for_typing(device):
    """The secret as authenticator apps ask for it when typed in: base32, in groups of 4."""
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_code_data_uri(device):
    """The otpauth:// link as a QR code, an SVG data URI (the admin's CSP allows data:)."""
    return segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2)


def confirm_enrolment(device, token):
    """Confirm the device if ``token`` is a current code from it; returns whether it was.

    The new app replaces any earlier one (a new phone): the old phone's codes stop working.
    """
    if not device.verify_token(token.strip().replace(" ", "")):
        return False
    with transaction.atomic():
        TOTPDevice.objects.filter(user_id=device.user_id).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
    return True


def new_backup_codes(user):
    """Replace the user's backup codes with BACKUP_CODE_COUNT new ones; returns them."""
    with transaction.atomic():
        device, _ = StaticDevice.objects.get_or_create(
            user=user, defaults={"name": BACKUP_NAME, "confirmed": True}
        )
        device.token_set.all().delete()
        codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def backup_codes_left(user):
    return StaticToken.objects.filter(device__user=user).count()


def reset_two_factor(user):
    """Remove every device of ``user`` (a lost phone or passkey): authenticator app, passkeys
    and backup codes. They set it up again at next sign-in. Returns how many devices were
    removed."""
    devices = list(devices_for_user(user, confirmed=None))
    for device in devices:
        device.delete()
    return len(devices)
