"""Subscribers in the Wagtail admin: list, export the list (CSV, as the bookings are
exported), inspect, export one person's data, erase a person.

Everything here needs the one permission 'subscriptions.manage_subscribers' (see
``SubscriberPermissionPolicy``), because it shows people's email addresses. Nobody adds or
edits subscribers in the admin: people sign themselves up, with their consent.
"""

import json

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.views import View

from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views import generic
from wagtail.admin.views.generic import IndexView
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.log_actions import log
from wagtail.permission_policies.base import BasePermissionPolicy

import django_filters

from lscp_site.csv_export import csv_safe, local_time
from subscriptions import signup
from subscriptions.models import Subscriber, Topic

MANAGE_PERMISSION = "subscriptions.manage_subscribers"


class SubscriberPermissionPolicy(BasePermissionPolicy):
    """'view' (list and inspect, export), 'unsubscribe' and 'delete' (erase) all need
    'subscriptions.manage_subscribers'; 'add' and 'change' nobody has."""

    actions = frozenset({"view", "unsubscribe", "delete"})

    def user_has_permission(self, user, action):
        return action in self.actions and user.is_active and user.has_perm(MANAGE_PERMISSION)

    def users_with_any_permission(self, actions):
        users = get_user_model().objects.filter(is_active=True)
        if not self.actions.intersection(actions):
            return users.none()
        app_label, codename = MANAGE_PERMISSION.split(".")
        permission = Permission.objects.filter(content_type__app_label=app_label, codename=codename)
        return users.filter(
            Q(is_superuser=True)
            | Q(user_permissions__in=permission)
            | Q(groups__permissions__in=permission)
        ).distinct()


class SubscriberFilterSet(WagtailFilterSet):
    email_stopped = django_filters.BooleanFilter(
        label="Email stopped (bounced or reported as spam)",
        field_name="suppressed_at",
        lookup_expr="isnull",
        exclude=True,
    )

    class Meta:
        model = Subscriber
        fields = ["status", "topics", "email_stopped"]


class SubscriberIndexView(generic.IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().prefetch_related("topics")

    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        for button in buttons:
            if button.url == self.get_delete_url(instance):
                button.label = "Erase"
        return buttons

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        confirmed = Q(subscribers__status=Subscriber.Status.CONFIRMED)
        context["topic_counts"] = Topic.objects.annotate(
            confirmed=Count("subscribers", filter=confirmed),
            pending=Count("subscribers", filter=Q(subscribers__status=Subscriber.Status.PENDING)),
        ).order_by("sort_order", "pk")
        by_status = dict(
            Subscriber.objects.values_list("status").annotate(n=Count("pk")).order_by()
        )
        context["status_counts"] = [
            (label, by_status.get(value, 0)) for value, label in Subscriber.Status.choices
        ]
        return context


class SubscriberInspectView(generic.InspectView):
    template_name = "subscriptions/admin/inspect.html"

    def get_object(self, queryset=None):
        return get_object_or_404(
            Subscriber.objects.prefetch_related("topics", "consent_records", "status_changes"),
            pk=self.pk,
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["export_url"] = reverse("subscriber:export", args=[self.object.pk])
        context["erase_url"] = reverse("subscriber:delete", args=[self.object.pk])
        if self.object.status != Subscriber.Status.UNSUBSCRIBED:
            context["unsubscribe_url"] = reverse("subscriber:unsubscribe", args=[self.object.pk])
        return context


class SubscriberEraseView(generic.DeleteView):
    page_title = "Erase"
    erased_pk = None

    def get_usage(self):
        return None

    @property
    def confirmation_message(self):
        return (
            "Erase everything the site keeps about this person: their address, topics, "
            "consent records and history, and any newsletter delivery records? This cannot "
            "be undone. Do this when they ask to be forgotten; to stop emails, unsubscribe "
            "them instead."
        )

    def delete_action(self):
        pk = self.object.pk
        signup.erase_subscriber(subscriber=self.object)
        # The audit log keeps that an erasure happened, and who did it, never the address.
        log(Subscriber(pk=pk), "subscriptions.erase", user=self.request.user, title=f"#{pk}")
        self.erased_pk = pk

    def get_success_message(self):
        return f"Subscriber #{self.erased_pk} erased, with their consent records and history."


class SubscriberExportView(PermissionCheckedMixin, View):
    """A JSON file of everything held about one person, to answer a subject access request."""

    model = Subscriber
    permission_required = "view"

    def get(self, request, pk):
        subscriber = get_object_or_404(Subscriber, pk=pk)
        data = signup.export_subscriber_data(subscriber=subscriber)
        log(subscriber, "subscriptions.export", user=request.user, title=f"#{pk}")
        response = HttpResponse(
            json.dumps(data, indent=2, ensure_ascii=False),
            content_type="application/json; charset=utf-8",
        )
        stamp = timezone.localdate().isoformat()
        response["Content-Disposition"] = f'attachment; filename="subscriber-{pk}-{stamp}.json"'
        response["Cache-Control"] = "no-store"
        return response


class SubscriberUnsubscribeView(PermissionCheckedMixin, View):
    model = Subscriber
    permission_required = "unsubscribe"
    http_method_names = ["post"]

    def post(self, request, pk):
        subscriber = get_object_or_404(Subscriber, pk=pk)
        result = signup.unsubscribe(
            subscriber=subscriber,
            note=f"Unsubscribed in the admin by {request.user.get_username()}",
        )
        if result.outcome == signup.Outcome.UNSUBSCRIBED:
            messages.success(request, f"{subscriber.email} is unsubscribed.")
        return redirect("subscriber:inspect", pk)


class SubscriberViewSet(ModelViewSet):
    model = Subscriber
    name = "subscriber"
    url_prefix = "subscribers"
    icon = "mail"
    menu_label = "Subscribers"
    menu_order = 250
    add_to_admin_menu = True
    index_view_class = SubscriberIndexView
    inspect_view_class = SubscriberInspectView
    delete_view_class = SubscriberEraseView
    inspect_view_enabled = True
    copy_view_enabled = False
    add_to_reference_index = False
    index_template_name = "subscriptions/admin/index.html"
    delete_template_name = "subscriptions/admin/erase.html"
    search_fields = ["email"]
    search_backend_name = None
    filterset_class = SubscriberFilterSet
    list_display = [
        "email",
        "status",
        Column("topic_list", label="Topics", classname="lscp-topics"),
        Column("suppression_reason", label="Email stopped because"),
        DateColumn("signed_up_at", label="Signed up", sort_key="signed_up_at"),
        DateColumn("confirmed_at", label="Confirmed", sort_key="confirmed_at"),
    ]
    list_per_page = 50
    # The list as it is filtered, as a CSV file: the same Download CSV as Training bookings.
    list_export = [
        "email",
        "get_status_display",
        "topic_list",
        "signed_up_at",
        "confirmed_at",
        "unsubscribed_at",
    ]
    export_headings = {
        "email": "Email",
        "get_status_display": "Status",
        "topic_list": "Topics",
        "signed_up_at": "Signed up",
        "confirmed_at": "Confirmed",
        "unsubscribed_at": "Unsubscribed",
    }
    export_filename = "subscribers"

    def get_index_view_kwargs(self, **kwargs):
        preprocess = {field: {IndexView.FORMAT_CSV: csv_safe} for field in ["email", "topic_list"]}
        for field in ["signed_up_at", "confirmed_at", "unsubscribed_at"]:
            preprocess[field] = {IndexView.FORMAT_CSV: local_time}
        return super().get_index_view_kwargs(custom_field_preprocess=preprocess, **kwargs)

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("inspect/<int:pk>/", self.inspect_view, name="inspect"),
            path("erase/<int:pk>/", self.delete_view, name="delete"),
            path("export/<int:pk>/", SubscriberExportView.as_view(), name="export"),
            path("unsubscribe/<int:pk>/", SubscriberUnsubscribeView.as_view(), name="unsubscribe"),
        ]

    def get_common_view_kwargs(self, **kwargs):
        # No add, edit, copy, history or usage views: see the module docstring.
        return {
            **super().get_common_view_kwargs(**kwargs),
            "add_url_name": None,
            "edit_url_name": None,
            "history_url_name": None,
            "usage_url_name": None,
        }

    def get_permissions_to_register(self):
        app_label, codename = MANAGE_PERMISSION.split(".")
        return Permission.objects.filter(content_type__app_label=app_label, codename=codename)
