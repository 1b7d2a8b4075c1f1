"""Send a signed-in but unverified admin session to its second factor before any admin page.

Below django-otp's OTPMiddleware (which gives ``request.user.is_verified()``). A user with
a device is asked for a code; a user who must use two-factor sign-in and has none is sent to
set it up. Signing in and out, and those two pages, stay open.
"""

from urllib.parse import urlencode

from django.http import HttpResponseRedirect
from django.urls import NoReverseMatch, reverse

from admin_2fa.devices import can_verify, two_factor_required

# The icon sprite and translations are fetched by every admin page, the verify page too.
# The passkey endpoints sign in with a passkey, or add a first one; django-otp-webauthn
# refuses to add one for an unverified session that already has a device.
OPEN_PATHS = (
    "login/",
    "logout/",
    "password_reset/",
    "2fa/verify/",
    "2fa/setup/",
    "2fa/passkeys/",
    "jsi18n/",
    "sprite/",
)


class RequireTwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        redirect_to = self.verification_needed(request)
        if redirect_to:
            query = urlencode({"next": request.get_full_path()})
            return HttpResponseRedirect(f"{redirect_to}?{query}")
        return self.get_response(request)

    def verification_needed(self, request):
        """The page the session must pass first, or None."""
        try:
            admin_root = reverse("wagtailadmin_home")
        except NoReverseMatch:  # a URLconf without the admin (tests' probes)
            return None
        if not request.path.startswith(admin_root):
            return None
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        if request.path[len(admin_root) :].startswith(OPEN_PATHS):
            return None
        if can_verify(user):
            return reverse("admin_2fa:verify")
        if two_factor_required(user):
            return reverse("admin_2fa:setup")
        return None
