from django import forms
from django.core.exceptions import ValidationError

from wagtail.admin.forms.auth import LoginForm as WagtailLoginForm

from django_otp import match_token

from admin_2fa.devices import has_authenticator_app

CODE_HELP = (
    "The 6-digit code your authenticator app shows now, or one of your backup codes. "
    "Leave it empty if you use a passkey or have not set up two-factor sign-in: you will be "
    "asked next."
)
ERROR_WRONG_CODE = (
    "That code is not right. Enter the code your authenticator app shows now (it changes "
    "every 30 seconds), or an unused backup code."
)


def code_field(**kwargs):
    return forms.CharField(
        label="Authentication code",
        max_length=16,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}
        ),
        **kwargs,
    )


class LoginForm(WagtailLoginForm):
    """WAGTAILADMIN_USER_LOGIN_FORM: Wagtail's sign-in, with the second factor's code.

    A right code marks the session verified as it signs in (django-otp reads
    ``user.otp_device`` when the user is logged in). Without a code the sign-in goes ahead
    unverified, and RequireTwoFactorMiddleware asks for the code before any admin page.
    """

    otp_token = code_field(required=False, help_text=CODE_HELP)

    def clean(self):
        cleaned_data = super().clean()
        user = self.get_user()
        token = (cleaned_data.get("otp_token") or "").strip().replace(" ", "")
        if user is not None and token:
            device = match_token(user, token)
            if device is None:
                raise ValidationError(ERROR_WRONG_CODE, code="invalid_otp")
            user.otp_device = device
        return cleaned_data


class VerifyForm(forms.Form):
    otp_token = code_field(help_text="The 6-digit code, or one of your backup codes.")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.device = None
        if not has_authenticator_app(user):  # passkeys only: the box is for backup codes
            self.fields["otp_token"].help_text = "One of your backup codes."

    def clean_otp_token(self):
        token = self.cleaned_data["otp_token"].strip().replace(" ", "")
        self.device = match_token(self.user, token)
        if self.device is None:
            raise ValidationError(ERROR_WRONG_CODE, code="invalid_otp")
        return token


class EnrolForm(forms.Form):
    otp_token = code_field(help_text="The 6-digit code your authenticator app shows now.")
