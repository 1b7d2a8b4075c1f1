"""The newsletter in the Wagtail admin.

Sending (newsletter/admin_views.py): "Email preview", "Send a test" and "Send to
subscribers" in the more-actions menu of a newsletter issue (its header and the page
listing), the admin URLs under /admin/newsletter/, the send permission for Settings >
Groups, and the lines that sends and tests add to an issue's history.

Issues: copying one (or making an alias) is refused, as there is one issue per month.
"""

from django.contrib import messages
from django.contrib.auth.models import Permission
from django.shortcuts import redirect
from django.urls import include, path, reverse

from wagtail import hooks
from wagtail.admin.widgets import Button
from wagtail.log_actions import LogFormatter

from newsletter import admin_views, sending
from newsletter.models import NewsletterIssuePage


@hooks.register("register_admin_urls")
def register_sending_urls():
    return [
        path(
            "newsletter/",
            include(
                (admin_views.urlpatterns(), "newsletter_sending"), namespace="newsletter_sending"
            ),
        )
    ]


def _sending_buttons(page, user, priority):
    # From the content type (cached): no query for the other pages of a listing.
    if not issubclass(page.specific_class or type(page), NewsletterIssuePage):
        return []
    buttons = []
    if admin_views.can_send(user) or page.permissions_for_user(user).can_edit():
        buttons.append(
            Button(
                "Email preview",
                reverse("newsletter_sending:preview", args=[page.pk]),
                icon_name="mail",
                priority=priority,
            )
        )
    if page.live and admin_views.can_send(user):
        buttons.append(
            Button(
                "Send a test email",
                reverse("newsletter_sending:send_test", args=[page.pk]),
                icon_name="mail",
                priority=priority + 1,
            )
        )
        buttons.append(
            Button(
                "Send to subscribers",
                reverse("newsletter_sending:send", args=[page.pk]),
                icon_name="mail",
                priority=priority + 2,
            )
        )
    return buttons


@hooks.register("register_page_header_buttons")
def page_header_sending_buttons(page, user, view_name=None, next_url=None):
    return _sending_buttons(page, user, priority=62)


@hooks.register("register_page_listing_more_buttons")
def page_listing_sending_buttons(page, user, next_url=None):
    return _sending_buttons(page, user, priority=45)


@hooks.register("register_permissions")
def register_send_permission():
    app_label, codename = sending.SEND_PERMISSION.split(".")
    return Permission.objects.filter(content_type__app_label=app_label, codename=codename)


def _recipients(count):
    return f"{count:,} {'subscriber' if count == 1 else 'subscribers'}"


@hooks.register("register_log_actions")
def register_sending_log_actions(actions):
    @actions.register_action(sending.LOG_SEND)
    class SendFormatter(LogFormatter):
        label = "Send to subscribers"

        def format_message(self, log_entry):
            data = log_entry.data or {}
            message = f"Sending to {_recipients(data.get('recipients', 0))}"
            if data.get("topics"):
                message += f" who chose {', '.join(data['topics'])}"
            if data.get("resend"):
                message += " (again, to those who had not had it)"
            return message

    @actions.register_action(sending.LOG_SEND_TEST)
    class SendTestFormatter(LogFormatter):
        label = "Send a test email"

        def format_message(self, log_entry):
            count = (log_entry.data or {}).get("recipients", 0)
            return f"Test email sent to {count} {'address' if count == 1 else 'addresses'}"

    @actions.register_action(sending.LOG_SEND_FINISHED)
    class SendFinishedFormatter(LogFormatter):
        label = "Sending finished"

        def format_message(self, log_entry):
            data = log_entry.data or {}
            message = f"Sending finished: sent to {_recipients(data.get('sent', 0))}"
            extras = [
                f"{data[key]:,} {key}"
                for key in ("failed", "skipped", "cancelled")
                if data.get(key)
            ]
            return message + (f" ({', '.join(extras)})" if extras else "")

    @actions.register_action(sending.LOG_SEND_CANCELLED)
    class SendCancelledFormatter(LogFormatter):
        label = "Sending stopped"

        def format_message(self, log_entry):
            count = (log_entry.data or {}).get("cancelled", 0)
            return f"Sending stopped: {_recipients(count)} will not get it"


@hooks.register("before_copy_page")
def refuse_to_copy_an_issue(request, page):
    """An issue is one month's: a copy (or an alias) would be a second issue for the month.

    Stopped here with a message rather than by the database, which refuses the duplicate.
    """
    if page.specific_class is NewsletterIssuePage:
        messages.error(
            request,
            "Issues cannot be copied: there is one issue per month. To start a new issue, "
            "add a child page to the Newsletter and copy across any text you need.",
        )
        return redirect("wagtailadmin_pages:edit", page.pk)
    return None
