"""The public forms: booking a place and filtering the catalogue."""

import functools

from django import forms
from django.utils.safestring import mark_safe

from lscp_site.email import validate_deliverable_address
from training.models.audiences import Audience
from training.models.choices import CourseFormat, CourseType, LineManagerRole

PRIVACY_URL = "/privacy/"


class BookingForm(forms.Form):
    name = forms.CharField(
        label="Full name",
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": "Enter your full name"},
    )
    email = forms.EmailField(
        label="Work email address",
        max_length=254,
        help_text="We send your booking confirmation and joining details here.",
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        validators=[validate_deliverable_address],
        error_messages={
            "required": "Enter your work email address",
            "invalid": "Enter an email address in the right format, like name@example.org",
        },
    )
    organisation = forms.CharField(
        label="Organisation",
        max_length=200,
        help_text="For example: Leeds City Council, a school, a GP practice or a charity.",
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
        error_messages={"required": "Enter the organisation you work for"},
    )
    job_role = forms.CharField(
        label="Job role",
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "organization-title"}),
        error_messages={"required": "Enter your job role"},
    )
    access_needs = forms.CharField(
        label="Access needs (optional)",
        required=False,
        max_length=1000,
        help_text="Anything we can do so you can take part fully, for example captions, a "
        "hearing loop or step-free access.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    agree = forms.BooleanField(
        label=mark_safe(  # noqa: S308 - fixed text, no user input
            "I agree to the LSCP keeping these details to manage my booking, as the "
            f'<a href="{PRIVACY_URL}">privacy notice</a> explains'
        ),
        error_messages={"required": "Agree to us keeping your details so we can book your place"},
    )
    # Left empty by people; filled in by robots that complete every field they find.
    website = forms.CharField(required=False, label="Leave this empty")

    MANAGER_HELP = {
        LineManagerRole.COPIED: "We send your manager a copy of your booking confirmation. "
        "They do not get the joining details.",
        LineManagerRole.APPROVES: "This course needs your manager's approval. We hold your "
        "place and email them a link to approve it.",
    }

    def __init__(self, *args, course=None, **kwargs):
        """``course`` decides whether the form asks for the line manager's email."""
        super().__init__(*args, **kwargs)
        role = getattr(course, "line_manager", LineManagerRole.NOT_ASKED)
        if role in self.MANAGER_HELP:
            self.fields["manager_email"] = forms.EmailField(
                label="Your line manager's work email address",
                max_length=254,
                help_text=self.MANAGER_HELP[role],
                widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
                validators=[validate_deliverable_address],
                error_messages={
                    "required": "Enter your line manager's work email address",
                    "invalid": "Enter an email address in the right format, like name@example.org",
                },
            )
            # Shown after the delegate's own address, before the rest.
            self.order_fields(["name", "email", "manager_email"])

    def clean(self):
        cleaned_data = super().clean()
        own, manager = cleaned_data.get("email"), cleaned_data.get("manager_email")
        if own and manager and own.strip().lower() == manager.strip().lower():
            self.add_error(
                "manager_email",
                "Enter your line manager's address, not your own",
            )
        return cleaned_data

    def clean_website(self):
        if self.cleaned_data.get("website"):
            raise forms.ValidationError("Leave this field empty.")
        return ""

    def booking_details(self):
        data = self.cleaned_data
        return {
            "name": data["name"],
            "email": data["email"],
            "organisation": data["organisation"],
            "job_role": data["job_role"],
            "access_needs": data["access_needs"],
            "manager_email": data.get("manager_email", ""),
        }


class CourseFilterForm(forms.Form):
    """The catalogue's filters: a GET form, so filtered lists can be linked and bookmarked."""

    type = forms.ChoiceField(
        label="Type of course",
        required=False,
        choices=[("", "All types"), *CourseType.choices],
    )
    format = forms.ChoiceField(
        label="Format",
        required=False,
        choices=[("", "All formats"), *CourseFormat.choices],
    )
    audience = forms.ChoiceField(label="Who it is for", required=False)
    upcoming = forms.BooleanField(label="Only courses with dates coming up", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A function: Django reads it when the choices are shown or an audience is checked,
        # so the catalogue's first page, whose form is a cached fragment, does not ask.
        self.fields["audience"].choices = self.audience_choices
        # Shown beside the field when an address carries a value that is not offered (an old
        # link, or an audience since removed); the catalogue then ignores that filter.
        for name, what in (("type", "type of course"), ("format", "format"), ("audience", "group")):
            self.fields[name].error_messages["invalid_choice"] = f"Choose a {what} from the list."

    @functools.cached_property
    def audiences(self):
        # Loaded once as a list: a ModelChoiceField reads its choices through a server-side
        # cursor on PostgreSQL (three round trips on every catalogue page).
        return {audience.slug: audience for audience in Audience.objects.all()}

    def audience_choices(self):
        return [("", "Everyone"), *((slug, item.name) for slug, item in self.audiences.items())]

    def cleaned_filters(self):
        """The filters to apply. A value that is not one of the choices is ignored."""
        if not self.is_bound:
            return {"course_type": "", "format": "", "audience": None, "upcoming_only": False}
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "course_type": data.get("type", ""),
            "format": data.get("format", ""),
            "audience": self.audiences.get(data["audience"]) if data.get("audience") else None,
            "upcoming_only": bool(data.get("upcoming")),
        }
