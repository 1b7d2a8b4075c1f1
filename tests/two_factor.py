"""Signing in to the admin with the second factor in tests, through django-otp's public API.

Editors who must use two-factor sign-in are sent to it before any admin page; tests that
are about something else sign in already verified, as an editor who gave their code.
"""

import base64
import hashlib
import json
import secrets
import struct

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
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


class SoftwarePasskey:
    """A passkey authenticator in Python, for tests through the Django test client: it
    answers django-otp-webauthn's options as a browser and authenticator would (WebAuthn
    level 3: "none" attestation, an ES256 key, user present and verified)."""

    def __init__(self, *, origin="https://lscp.test", rp_id="lscp.test"):
        self.origin = origin
        self.rp_id = rp_id
        self.private_key = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = secrets.token_bytes(32)
        self.sign_count = 0

    def _authenticator_data(self, *, attested=b""):
        flags = 0x01 | 0x04 | (0x40 if attested else 0)  # user present, verified, key
        self.sign_count += 1
        return (
            hashlib.sha256(self.rp_id.encode()).digest()
            + bytes([flags])
            + struct.pack(">I", self.sign_count)
            + attested
        )

    def _client_data(self, kind, options):
        data = {"type": kind, "challenge": options["challenge"], "origin": self.origin}
        return json.dumps(data).encode()

    def create(self, options):
        """The browser's answer to navigator.credentials.create() with ``options``."""
        numbers = self.private_key.public_key().public_numbers()
        cose_key = cbor2.dumps(
            {1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32), -3: numbers.y.to_bytes(32)}
        )
        attested = (
            bytes(16) + struct.pack(">H", len(self.credential_id)) + self.credential_id + cose_key
        )
        attestation = cbor2.dumps(
            {"fmt": "none", "attStmt": {}, "authData": self._authenticator_data(attested=attested)}
        )
        return {
            "id": _b64(self.credential_id),
            "rawId": _b64(self.credential_id),
            "type": "public-key",
            "response": {
                "clientDataJSON": _b64(self._client_data("webauthn.create", options)),
                "attestationObject": _b64(attestation),
                "transports": ["internal"],
            },
            "clientExtensionResults": {"credProps": {"rk": True}},
            "authenticatorAttachment": "platform",
        }

    def get(self, options):
        """The browser's answer to navigator.credentials.get() with ``options``."""
        client_data = self._client_data("webauthn.get", options)
        authenticator_data = self._authenticator_data()
        signature = self.private_key.sign(
            authenticator_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256())
        )
        return {
            "id": _b64(self.credential_id),
            "rawId": _b64(self.credential_id),
            "type": "public-key",
            "response": {
                "clientDataJSON": _b64(client_data),
                "authenticatorData": _b64(authenticator_data),
                "signature": _b64(signature),
            },
            "clientExtensionResults": {},
            "authenticatorAttachment": "platform",
        }


def _b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


PASSKEY_URLS = "/admin/2fa/passkeys/"


def add_passkey(client, passkey):
    """Add ``passkey`` for the client's signed-in user as the page's script does; returns
    the reply of the last step."""
    options = client.post(PASSKEY_URLS + "registration/begin/").json()
    return client.post(
        PASSKEY_URLS + "registration/complete/",
        passkey.create(options),
        content_type="application/json",
    )


def use_passkey(client, passkey, next_url=""):
    """Sign-in's second step with ``passkey``, as the verify page's script does."""
    options = client.post(PASSKEY_URLS + "authentication/begin/").json()
    query = f"?next={next_url}" if next_url else ""
    return client.post(
        PASSKEY_URLS + "authentication/complete/" + query,
        passkey.get(options),
        content_type="application/json",
    )
