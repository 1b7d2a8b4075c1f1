"""Admin forms of training: the course page's editing form (the rules that need the bookings
behind each session) and a session's register."""

from django import forms
from django.utils import timezone

from wagtail.admin.forms import WagtailAdminPageForm

from events.dates import format_when
from training.models.bookings import Attendance
from training.models.sessions import Session


class CoursePageForm(WagtailAdminPageForm):
    """Stops an editor removing a session people are booked on, or shrinking it below the
    places already given. Cancelling a session is done from Training bookings, which emails
    everyone on it."""

    def clean(self):
        cleaned_data = super().clean()
        sessions = self.formsets.get("sessions")
        if self.instance.pk and sessions is not None and sessions.is_bound:
            sessions.is_valid()  # clean the rows so their values can be compared
            self._check_sessions_against_bookings(sessions)
        return cleaned_data

    def _check_sessions_against_bookings(self, formset):
        kept = {}
        for form in formset.forms:
            if form.instance.pk is None:
                continue
            if formset.can_delete and formset._should_delete_form(form):
                continue
            kept[form.instance.pk] = form

        now = timezone.now()
        for session in Session.objects.filter(course_id=self.instance.pk).with_counts():
            booked = session.confirmed_count + session.waiting_count
            form = kept.get(session.pk)
            if form is None:
                if booked and session.end > now:
                    people = "person is" if booked == 1 else "people are"
                    self.add_error(
                        None,
                        f"The session on {format_when(session.start, session.end)} cannot be "
                        f"removed: {booked} {people} booked or waiting. Cancel the session in "
                        "Training bookings first (everyone on it is emailed), then remove it.",
                    )
                continue
            capacity = form.cleaned_data.get("capacity") if hasattr(form, "cleaned_data") else None
            if capacity is not None and capacity < session.confirmed_count:
                taken = session.confirmed_count
                places = "1 place is" if taken == 1 else f"{taken} places are"
                form.add_error(
                    "capacity",
                    f"{places} already taken (confirmed or held for a manager's approval), "
                    f"so there must be at least {taken} places. Cancel bookings in Training "
                    "bookings first to make it smaller.",
                )


class RegisterForm(forms.Form):
    """A session's register: one pair of radio buttons (attended, did not attend) for each
    person with a confirmed place. A row left unmarked keeps its mark."""

    CHOICES = [
        (Attendance.ATTENDED, Attendance.ATTENDED.label),
        (Attendance.NO_SHOW, Attendance.NO_SHOW.label),
    ]

    def __init__(self, *args, bookings, **kwargs):
        super().__init__(*args, **kwargs)
        self.bookings = list(bookings)
        for booking in self.bookings:
            recorded = booking.attendance != Attendance.NOT_RECORDED
            self.fields[self.field_name(booking)] = forms.ChoiceField(
                label=booking.name,
                choices=self.CHOICES,
                widget=forms.RadioSelect,
                required=False,
                initial=booking.attendance if recorded else None,
            )

    @staticmethod
    def field_name(booking):
        return f"booking_{booking.pk}"

    def rows(self):
        """(booking, its bound field) for each person, in register order."""
        return [(booking, self[self.field_name(booking)]) for booking in self.bookings]

    def marks(self):
        """{booking id: mark} for the rows marked."""
        return {
            booking.pk: self.cleaned_data[self.field_name(booking)]
            for booking in self.bookings
            if self.cleaned_data.get(self.field_name(booking))
        }
