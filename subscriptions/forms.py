from django import forms

from subscriptions import consent, signup
from subscriptions.models import Subscriber, Topic


class EmailAddressField(forms.CharField):
    """An email address, trimmed, checked by the same rule as ``signup.clean_email``."""

    def __init__(self, **kwargs):
        super().__init__(
            required=True,
            error_messages={"required": signup.ERROR_EMAIL_MISSING},
            widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
            **kwargs,
        )

    def clean(self, value):
        value = super().clean(value)
        return signup.clean_email(value)


class TopicsField(forms.ModelMultipleChoiceField):
    def __init__(self, **kwargs):
        super().__init__(
            queryset=Topic.objects.all(),
            widget=forms.CheckboxSelectMultiple,
            error_messages={
                "required": signup.ERROR_NO_TOPIC,
                "invalid_choice": "Choose from the topics listed",
                "invalid_pk_value": "Choose from the topics listed",
            },
            **kwargs,
        )


class HoneypotMixin(forms.Form):
    # People never see this field (it is off screen and skipped by the keyboard);
    # form-filling robots fill it in.
    website = forms.CharField(required=False, label="Leave this field empty")

    def is_spam(self):
        return bool(self.data.get("website", "").strip())


class SignupForm(HoneypotMixin, forms.Form):
    email = EmailAddressField(label="Email address")
    topics = TopicsField(label="Send me updates on")
    consent_version = forms.CharField(required=False, widget=forms.HiddenInput)
    source = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault(
            "topics", lambda: list(Topic.objects.values_list("pk", flat=True))
        )
        kwargs["initial"].setdefault("consent_version", consent.CURRENT_VERSION)
        super().__init__(*args, **kwargs)

    def clean_consent_version(self):
        # A page cached before the wording changed posts the version its reader saw.
        version = self.cleaned_data.get("consent_version")
        return version if version in consent.WORDINGS else consent.CURRENT_VERSION

    def clean_source(self):
        return signup.clean_source_url(self.cleaned_data.get("source"))

    @property
    def wording(self):
        version = self.data.get("consent_version") if self.is_bound else None
        return consent.wording_for(version)


class ManageLinkForm(HoneypotMixin, forms.Form):
    email = EmailAddressField(label="Email address")


class PreferencesForm(forms.Form):
    topics = TopicsField(label="Send me updates on")
    # Not required: a form without it (a page saved before it was added) keeps the choice.
    frequency = forms.ChoiceField(
        label="How often",
        choices=Subscriber.Frequency.choices,
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose one of the options listed"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topics"].error_messages["required"] = (
            f"{signup.ERROR_NO_TOPIC}, or unsubscribe from everything below"
        )
