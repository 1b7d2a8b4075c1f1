"""The admin's two-factor pages: verify a sign-in, set up an authenticator app or a passkey,
backup codes, and (superusers) reset another editor's lost device. Every rule is in
devices.py; django-otp-webauthn's own endpoints check and store passkeys, called by its
scripts from these pages."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from django_otp import login as otp_login

from admin_2fa import devices
from admin_2fa.forms import EnrolForm, VerifyForm


def _next_url(request, default="wagtailadmin_home"):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(default)


@never_cache
@require_http_methods(["GET", "POST"])
def verify(request):
    """The second step of signing in: a code from the app, or a backup code."""
    if request.user.is_verified():
        return redirect(_next_url(request))
    if not devices.can_verify(request.user):
        return redirect("admin_2fa:setup")
    form = VerifyForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        otp_login(request, form.device)
        if form.device.persistent_id.startswith("otp_static"):
            messages.warning(
                request,
                f"You signed in with a backup code; {devices.backup_codes_left(request.user)} "
                "are left. Set up your authenticator app again or make new codes.",
            )
        return redirect(_next_url(request))
    return TemplateResponse(
        request,
        "admin_2fa/verify.html",
        {
            "form": form,
            "next": _next_url(request),
            "passkey": devices.has_passkey(request.user),
            "code": devices.has_authenticator_app(request.user),
        },
        status=400 if form.errors else 200,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def setup(request):
    """Set up an authenticator app. Once a device exists, only a verified session may add
    another: a password alone must not let anyone replace the second factor."""
    user = request.user
    if devices.can_verify(user) and not user.is_verified():
        return redirect("admin_2fa:verify")
    device = devices.start_enrolment(user)
    form = EnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if devices.confirm_enrolment(device, form.cleaned_data["otp_token"]):
            otp_login(request, device)
            codes = devices.new_backup_codes(user)
            return TemplateResponse(
                request, "admin_2fa/backup_codes.html", {"codes": codes, "next": _next_url(request)}
            )
        form.add_error("otp_token", "That code is not right. Check the app shows this account.")
    return TemplateResponse(
        request,
        "admin_2fa/setup.html",
        {
            "form": form,
            "qr_code": devices.qr_code_data_uri(device),
            "secret": devices.secret_for_typing(device),
            "required": devices.two_factor_required(user),
            "next": _next_url(request),
        },
        status=400 if form.errors else 200,
    )


@never_cache
def overview(request):
    """The editor's own two-factor settings; superusers also see everyone's."""
    user = request.user
    context = {
        "enabled": devices.has_two_factor(user),
        "required": devices.two_factor_required(user),
        "backup_codes_left": devices.backup_codes_left(user),
        "authenticator_app": devices.has_authenticator_app(user),
        "passkeys": devices.passkeys(user),
    }
    if user.is_superuser:
        context["editors"] = [
            {"user": editor, "enabled": devices.has_two_factor(editor)}
            for editor in get_user_model().objects.filter(is_active=True).order_by("username")
        ]
    return TemplateResponse(request, "admin_2fa/overview.html", context)


@never_cache
@require_POST
def passkey_added(request):
    """Where admin_2fa/passkeys.js goes once django-otp-webauthn has stored a new passkey
    (which also verified the session). A first second factor comes with backup codes."""
    user = request.user
    if not devices.has_passkey(user) or not user.is_verified():
        return redirect("admin_2fa:setup")
    if devices.backup_codes_left(user) == 0:
        codes = devices.new_backup_codes(user)
        return TemplateResponse(
            request, "admin_2fa/backup_codes.html", {"codes": codes, "next": _next_url(request)}
        )
    messages.success(request, "Passkey added. You can sign in with it from now on.")
    return redirect(_next_url(request, default="admin_2fa:overview"))


@require_POST
def remove_passkey(request, passkey_id):
    passkey = get_object_or_404(devices.passkeys(request.user), pk=passkey_id)
    if devices.remove_passkey(user=request.user, passkey_id=passkey.pk):
        messages.success(request, "Passkey removed. It cannot be used to sign in any more.")
    else:
        messages.error(
            request,
            "This is your only passkey and you have no authenticator app, and your account "
            "needs two-factor sign-in. Add another passkey or an authenticator app first.",
        )
    return redirect("admin_2fa:overview")


@require_POST
def regenerate_backup_codes(request):
    if not devices.has_two_factor(request.user):
        return redirect("admin_2fa:setup")
    codes = devices.new_backup_codes(request.user)
    return TemplateResponse(
        request, "admin_2fa/backup_codes.html", {"codes": codes, "next": _next_url(request)}
    )


@require_POST
def reset(request, user_id):
    """A superuser removes another editor's devices (a lost phone and no backup codes)."""
    if not request.user.is_superuser:
        raise PermissionDenied
    editor = get_object_or_404(get_user_model(), pk=user_id)
    removed = devices.reset_two_factor(editor)
    messages.success(
        request,
        f"Two-factor sign-in reset for {editor.get_username()} ({removed} devices removed). "
        "They set it up again when they next sign in.",
    )
    return redirect("admin_2fa:overview")
