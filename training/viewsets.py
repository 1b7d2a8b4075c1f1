"""Training bookings in the Wagtail admin.

Delegates' names, emails and access needs are personal data: every view here needs the one
custom permission "Can see delegates' details, export them and cancel bookings"
(training.manage_bookings), given to the business unit's bookings group. Other editors see
only the counts on the course editor's Bookings panel. Nothing here writes a booking itself:
cancelling goes through training.booking.
"""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.views.generic import TemplateView

from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.menus import MenuItem
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic import IndexView, InspectView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets import HeaderButton, ListingButton
from wagtail.permission_policies import ModelPermissionPolicy

import django_filters

from events.dates import format_when
from lscp_site.csv_export import csv_safe, local_time
from training import attendance as attendance_rules
from training import booking as booking_rules
from training.admin_forms import RegisterForm
from training.models import Attendance, Booking, BookingStatus, CoursePage, Session
from training.models.bookings import BOOKINGS_PERMISSION


class BookingPermissionPolicy(ModelPermissionPolicy):
    """Viewing, exporting and cancelling bookings all need training.manage_bookings. Nobody
    adds, edits or deletes a booking here: bookings are made and cancelled by the rules in
    training.booking, and deleted by the retention purge."""

    actions = {"view", "cancel", "register"}

    def user_has_permission(self, user, action):
        return action in self.actions and user.is_active and user.has_perm(BOOKINGS_PERMISSION)

    def users_with_any_permission(self, actions):
        if not self.actions.intersection(actions):
            return get_user_model().objects.none()
        return self._get_users_with_any_permission_codenames(["manage_bookings"])


class BookingFilterSet(WagtailFilterSet):
    course = django_filters.ModelChoiceFilter(
        label="Course",
        field_name="session__course",
        queryset=CoursePage.objects.order_by("title"),
    )
    session = django_filters.ModelChoiceFilter(
        label="Session",
        queryset=Session.objects.select_related("course").order_by("-start"),
    )
    status = django_filters.ChoiceFilter(label="Status", choices=BookingStatus.choices)
    attendance = django_filters.ChoiceFilter(label="Attendance", choices=Attendance.choices)

    class Meta:
        model = Booking
        fields = ["course", "session", "status", "attendance"]


class BookingsPermissionRequired:
    """Delegates' details are personal data: without the bookings permission the answer is a
    plain 403 page (not Wagtail's usual redirect to the dashboard), saying who to ask."""

    def dispatch(self, request, *args, **kwargs):
        if not BookingPermissionPolicy(Booking).user_has_permission(request.user, "view"):
            return TemplateResponse(request, "training/admin/no_permission.html", status=403)
        return super().dispatch(request, *args, **kwargs)


class BookingIndexView(BookingsPermissionRequired, IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("session__course")

    @cached_property
    def chosen_session(self):
        session_id = self.request.GET.get("session", "")
        if not session_id.isdigit():
            return None
        return Session.objects.filter(pk=session_id).select_related("course").with_counts().first()

    def get_page_subtitle(self):
        session = self.chosen_session
        if session is None:
            return super().get_page_subtitle()
        return (
            f"{session}: {session.confirmed_count} of {session.capacity} places taken, "
            f"{session.waiting_count} waiting"
        )

    @cached_property
    def header_buttons(self):
        buttons = list(super().header_buttons)
        session = self.chosen_session
        if session is not None and not session.is_cancelled:
            buttons.append(
                HeaderButton(
                    "Register",
                    url=reverse("training_bookings:register", args=[session.pk]),
                    icon_name="tasks",
                )
            )
        if (
            session is not None
            and not session.is_cancelled
            and session.end > timezone.now()
            and self.user_has_permission("cancel")
        ):
            buttons.append(
                HeaderButton(
                    "Cancel this session",
                    url=reverse("training_bookings:cancel_session", args=[session.pk]),
                    icon_name="warning",
                )
            )
        return buttons

    def get_list_more_buttons(self, instance):
        buttons = list(super().get_list_more_buttons(instance))
        if (
            instance.is_active
            and instance.session.end > timezone.now()
            and self.user_has_permission("cancel")
        ):
            buttons.append(
                ListingButton(
                    "Cancel booking",
                    url=reverse("training_bookings:cancel", args=[instance.pk]),
                    icon_name="cross",
                    priority=40,
                )
            )
        if self.user_has_permission("cancel"):
            buttons.append(
                MenuItem(
                    "Erase details",
                    url=reverse("training_bookings:erase", args=[instance.pk]),
                    icon_name="bin",
                    priority=50,
                )
            )
        return buttons


class BookingInspectView(BookingsPermissionRequired, InspectView):
    def get_object(self, queryset=None):
        return get_object_or_404(Booking.objects.select_related("session__course"), pk=self.pk)


class _ConfirmView(
    BookingsPermissionRequired, PermissionCheckedMixin, WagtailAdminTemplateMixin, TemplateView
):
    """A page asking the editor to confirm; the work happens only on POST."""

    model = Booking
    permission_required = "cancel"
    header_icon = "warning"

    def index_url(self, session):
        return reverse("training_bookings:index") + f"?session={session.pk}"

    def get_breadcrumbs_items(self):
        return [
            {"url": reverse("wagtailadmin_home"), "label": "Home"},
            {"url": reverse("training_bookings:index"), "label": "Training bookings"},
            {"url": "", "label": self.get_page_title()},
        ]


class _ConfirmBookingView(_ConfirmView):
    """Confirming an action on one booking: the booking, its session's dates, the way back."""

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.booking = get_object_or_404(
            Booking.objects.select_related("session__course"), pk=kwargs["pk"]
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            booking=self.booking,
            when=format_when(self.booking.session.start, self.booking.session.end),
            back_url=self.index_url(self.booking.session),
        )
        return context


class CancelBookingView(_ConfirmBookingView):
    template_name = "training/admin/confirm_cancel_booking.html"
    page_title = "Cancel booking"

    def post(self, request, *args, **kwargs):
        try:
            booking_rules.cancel(booking=self.booking, by_editor=True)
        except booking_rules.BookingError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                f"Cancelled {self.booking.name}'s booking. They have been emailed; if they "
                "held a place, it has gone to the first person waiting.",
            )
        return redirect(self.index_url(self.booking.session))


class EraseBookingView(_ConfirmBookingView):
    """The delegate asked us to erase their details (privacy notice, 'Your rights')."""

    template_name = "training/admin/confirm_erase_booking.html"
    page_title = "Erase delegate's details"

    def post(self, request, *args, **kwargs):
        booking_rules.erase(booking=self.booking)
        messages.success(request, f"Erased {self.booking.name}'s details from this booking.")
        return redirect(self.index_url(self.booking.session))


class CancelSessionView(_ConfirmView):
    template_name = "training/admin/confirm_cancel_session.html"
    page_title = "Cancel session"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.session = get_object_or_404(
            Session.objects.select_related("course").with_counts(), pk=kwargs["pk"]
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            session=self.session,
            when=format_when(self.session.start, self.session.end),
            people=self.session.confirmed_count + self.session.waiting_count,
            back_url=self.index_url(self.session),
        )
        return context

    def post(self, request, *args, **kwargs):
        try:
            cancelled = booking_rules.cancel_session(session=self.session, by=request.user)
        except booking_rules.BookingError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                f"Cancelled the session. {len(cancelled)} "
                f"{'person has' if len(cancelled) == 1 else 'people have'} been emailed. "
                "You can now remove the session from the course page.",
            )
        return redirect(self.index_url(self.session))


class RegisterView(
    BookingsPermissionRequired, PermissionCheckedMixin, WagtailAdminTemplateMixin, TemplateView
):
    """A session's register: printable before it starts, marked once it has started."""

    model = Booking
    permission_required = "register"
    header_icon = "tasks"
    template_name = "training/admin/register.html"
    page_title = "Register"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.session = get_object_or_404(Session.objects.select_related("course"), pk=kwargs["pk"])
        self.closed = attendance_rules.register_opens(session=self.session)

    def get_page_subtitle(self):
        return str(self.session)

    def get_breadcrumbs_items(self):
        return [
            {"url": reverse("wagtailadmin_home"), "label": "Home"},
            {"url": reverse("training_bookings:index"), "label": "Training bookings"},
            {"url": self.back_url(), "label": str(self.session)},
            {"url": "", "label": "Register"},
        ]

    def back_url(self):
        return reverse("training_bookings:index") + f"?session={self.session.pk}"

    def get_form(self):
        bookings = attendance_rules.register_bookings(self.session)
        data = self.request.POST if self.request.method == "POST" else None
        return RegisterForm(data, bookings=bookings)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = kwargs.get("form") or self.get_form()
        context.update(
            session=self.session,
            when=format_when(self.session.start, self.session.end),
            form=form,
            rows=form.rows(),
            closed=self.closed,
            back_url=self.back_url(),
        )
        return context

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        if self.closed is not None or not form.is_valid():
            if self.closed is not None:
                messages.error(request, self.closed.message)
            context = self.get_context_data(form=form)
            return self.render_to_response(context, status=400)
        try:
            changed = attendance_rules.record_attendance(
                session=self.session, marks=form.marks(), user=request.user
            )
        except attendance_rules.AttendanceError as error:
            messages.error(request, error.message)
            return self.render_to_response(self.get_context_data(form=form), status=409)
        messages.success(
            request,
            f"Saved the register ({len(changed)} "
            f"{'change' if len(changed) == 1 else 'changes'}). Everyone marked as attended "
            "is emailed a link to their certificate of attendance.",
        )
        return redirect(reverse("training_bookings:register", args=[self.session.pk]))


class BookingViewSet(ModelViewSet):
    model = Booking
    name = "training_bookings"
    url_prefix = "training/bookings"
    icon = "group"
    menu_label = "Training bookings"
    menu_order = 250
    add_to_admin_menu = True
    copy_view_enabled = False
    inspect_view_enabled = True
    index_view_class = BookingIndexView
    inspect_view_class = BookingInspectView
    filterset_class = BookingFilterSet
    list_display = [
        "name",
        Column("email", label="Work email", sort_key="email", classname="lscp-email"),
        "organisation",
        "job_role",
        "session",
        "status",
        "attendance",
        "created_at",
    ]
    list_per_page = 50
    search_fields = ["name", "email", "organisation"]
    inspect_view_fields = [
        "name",
        "email",
        "organisation",
        "job_role",
        "access_needs",
        "manager_email",
        "session",
        "status",
        "created_at",
        "confirmed_at",
        "approval_due_at",
        "cancelled_at",
        "cancelled_by",
        "attendance",
        "attendance_recorded_at",
        "certificate_sent_at",
        "privacy_agreed_at",
        "reminded_at",
        "followed_up_at",
        "refresher_reminded_at",
    ]
    list_export = [
        "name",
        "email",
        "organisation",
        "job_role",
        "access_needs",
        "manager_email",
        "session.course.title",
        "session.start",
        "session.location",
        "get_status_display",
        "get_attendance_display",
        "created_at",
    ]
    export_headings = {
        "get_status_display": "Status",
        "get_attendance_display": "Attendance",
        "email": "Work email",
        "manager_email": "Line manager's email",
        "session.course.title": "Course",
        "session.start": "Session starts",
        "session.location": "Where",
        "created_at": "Booked at",
    }
    export_filename = "training-bookings"

    def get_index_view_kwargs(self, **kwargs):
        preprocess = {
            field: {IndexView.FORMAT_CSV: csv_safe}
            for field in [
                "name",
                "email",
                "organisation",
                "job_role",
                "access_needs",
                "manager_email",
            ]
        }
        for field in ["session.start", "created_at"]:
            preprocess[field] = {IndexView.FORMAT_CSV: local_time}
        return super().get_index_view_kwargs(custom_field_preprocess=preprocess, **kwargs)

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("inspect/<int:pk>/", self.inspect_view, name="inspect"),
            path("cancel/<int:pk>/", CancelBookingView.as_view(), name="cancel"),
            path("erase/<int:pk>/", EraseBookingView.as_view(), name="erase"),
            path("sessions/<int:pk>/cancel/", CancelSessionView.as_view(), name="cancel_session"),
            path("sessions/<int:pk>/register/", RegisterView.as_view(), name="register"),
        ]

    def get_permissions_to_register(self):
        return super().get_permissions_to_register().filter(codename="manage_bookings")
