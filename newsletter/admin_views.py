"""Sending an issue from the Wagtail admin: preview the email, send a test, send to
subscribers (with a confirmation step that shows how many will get it), watch it go.

Every view here needs the permission 'newsletter.send_issue' (Settings > Groups > "Can send
newsletter issues"), except the preview, which anyone who can edit the issue may see. The
rules are in newsletter/sending.py; these views only ask and show.
"""

from functools import wraps

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.csp import CSP
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.csp import csp_override
from django.views.decorators.http import require_POST

from newsletter import bounces, sending
from newsletter.email_edition import EXAMPLE_TOKEN, render_edition
from newsletter.models import NewsletterIssuePage
from newsletter.sending_models import Send
from subscriptions.models import Topic

# The email's own styles are inline (as mail programs need); its pictures are the site's.
PREVIEW_CSP = {
    "default-src": [CSP.NONE],
    "style-src": [CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "https:", "data:"],
    "frame-ancestors": [CSP.SELF],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.NONE],
}


def can_send(user):
    return user.is_active and user.has_perm(sending.SEND_PERMISSION)


def forbidden(request, reason):
    """A 403 page in the admin that says why and what to do (Wagtail's own handling would
    redirect to the dashboard, which hides what happened)."""
    return TemplateResponse(
        request,
        "newsletter/admin/forbidden.html",
        {"page_title": "You cannot do this", "reason": reason},
        status=403,
    )


NO_SEND_PERMISSION = (
    "You do not have permission to send newsletter issues. Ask an administrator to add you "
    "to a group with the permission “Can send newsletter issues to subscribers and test "
    "addresses”."
)


def send_permission_required(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not can_send(request.user):
            return forbidden(request, NO_SEND_PERMISSION)
        return view(request, *args, **kwargs)

    return wrapped


def _issue(page_id):
    return get_object_or_404(NewsletterIssuePage, pk=page_id)


def _can_preview(user, issue):
    return can_send(user) or issue.permissions_for_user(user).can_edit()


class SendForm(forms.Form):
    topics = forms.ModelMultipleChoiceField(
        queryset=Topic.objects.order_by("sort_order", "pk"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Only subscribers who chose these topics",
        help_text="Leave every box empty to send to all confirmed subscribers. Tick topics to "
        "send only to people who chose at least one of them.",
    )
    resend = forms.BooleanField(
        required=False,
        label="Send again to those who have not had it",
        help_text="This issue has been sent before. Tick this to send it to the confirmed "
        "subscribers who have not had it yet (people who signed up since, or whose email "
        "failed). Nobody gets it twice.",
    )

    def __init__(self, *args, sent_before=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.sent_before = sent_before
        if not sent_before:
            del self.fields["resend"]

    def clean(self):
        cleaned = super().clean()
        if self.sent_before and not cleaned.get("resend"):
            self.add_error(
                "resend",
                "This issue has been sent before. Tick this box to send it to the subscribers "
                "who have not had it yet.",
            )
        return cleaned


class TestSendForm(forms.Form):
    addresses = forms.CharField(
        label="Send a test to",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=f"Up to {sending.MAX_TEST_ADDRESSES} email addresses, separated by commas "
        "or new lines. The test is marked [Test] and its unsubscribe links do nothing.",
    )

    def clean_addresses(self):
        try:
            return sending.clean_test_addresses(self.cleaned_data["addresses"])
        except ValidationError as error:
            raise forms.ValidationError(error.messages) from None


@send_permission_required
def send_test(request, page_id):
    issue = _issue(page_id)
    if not issue.live:
        messages.error(request, "Only a published issue can be sent. Publish it first.")
        return redirect("wagtailadmin_pages:edit", issue.pk)
    if request.method == "POST":
        form = TestSendForm(request.POST)
        if form.is_valid():
            addresses = form.cleaned_data["addresses"]
            sending.send_test(issue=issue, addresses=addresses, user=request.user)
            messages.success(
                request,
                f"Test email of “{issue.title}” on its way to {', '.join(addresses)}.",
            )
            return redirect("newsletter_sending:send", issue.pk)
    else:
        form = TestSendForm(initial={"addresses": request.user.email})
    return TemplateResponse(
        request,
        "newsletter/admin/send_test.html",
        {"issue": issue, "form": form, "page_title": f"Send a test of “{issue.title}”"},
        status=400 if request.method == "POST" else 200,
    )


@send_permission_required
def send(request, page_id):
    """Choose who gets it (GET, POST), then confirm with the count (POST with 'confirm')."""
    issue = _issue(page_id)
    sent_before = sending.has_been_sent(issue)
    context = {
        "issue": issue,
        "page_title": f"Send “{issue.title}” to subscribers",
        "sends": _with_outcomes(
            Send.objects.filter(issue=issue).select_related("requested_by").order_by("-pk")[:10]
        ),
        "unfinished": sending.unfinished_send(issue),
        "test_form": TestSendForm(initial={"addresses": request.user.email}),
    }
    if not issue.live:
        context["refusal"] = "Only a published issue can be sent. Publish it first."
        return TemplateResponse(request, "newsletter/admin/send.html", context)
    data = request.POST if request.method == "POST" else None
    form = SendForm(data, sent_before=sent_before)
    context["form"] = form
    if request.method != "POST" or not form.is_valid():
        return TemplateResponse(
            request,
            "newsletter/admin/send.html",
            context,
            status=400 if request.method == "POST" else 200,
        )
    topics = list(form.cleaned_data["topics"])
    resend = bool(form.cleaned_data.get("resend"))
    if "confirm" not in request.POST:
        context.update(
            confirming=True,
            topics=topics,
            resend=resend,
            recipients=sending.audience(issue=issue, topics=topics, resend=resend).count(),
        )
        return TemplateResponse(request, "newsletter/admin/send_confirm.html", context)
    try:
        queued = sending.queue_send(issue=issue, user=request.user, topics=topics, resend=resend)
    except sending.SendRefused as refusal:
        messages.error(request, str(refusal))
        return redirect("newsletter_sending:send", issue.pk)
    messages.success(request, f"Sending “{issue.title}” to subscribers has started.")
    return redirect("newsletter_sending:progress", queued.pk)


def _with_outcomes(sends):
    """The sends, each with ``outcomes`` (sent, delivered, bounced...) for the history."""
    sends = list(sends)
    found = bounces.outcomes(send.pk for send in sends)
    for send in sends:
        send.outcomes = found[send.pk]
    return sends


def _send_or_404(send_id):
    return get_object_or_404(Send.objects.select_related("issue", "requested_by"), pk=send_id)


@send_permission_required
def progress(request, send_id):
    send_row = _send_or_404(send_id)
    counts = sending.progress(send_row)
    if request.GET.get("format") == "json":
        response = JsonResponse(counts.as_dict())
        response["Cache-Control"] = "no-store"
        return response
    return TemplateResponse(
        request,
        "newsletter/admin/progress.html",
        {
            "send": send_row,
            "issue": send_row.issue,
            "counts": counts,
            "reasons": sending.failure_reasons(send_row),
            "outcomes": bounces.outcomes([send_row.pk])[send_row.pk],
            "outcomes_by_day": bounces.outcomes_by_day(send_row),
            "topics": list(send_row.topics.all()),
            "page_title": f"Sending “{send_row.issue.title}”",
            "json_url": reverse("newsletter_sending:progress", args=[send_row.pk]) + "?format=json",
        },
    )


@require_POST
@send_permission_required
def stop(request, send_id):
    send_row = _send_or_404(send_id)
    cancelled = sending.cancel(send=send_row, user=request.user)
    if cancelled:
        messages.success(request, f"Stopped: {cancelled:,} subscribers will not get this send.")
    return redirect("newsletter_sending:progress", send_row.pk)


def preview(request, page_id):
    issue = _issue(page_id)
    if not _can_preview(request.user, issue):
        return forbidden(request, "You cannot preview this issue: you cannot edit it.")
    edition = render_edition(issue, token=EXAMPLE_TOKEN)
    return TemplateResponse(
        request,
        "newsletter/admin/preview.html",
        {
            "issue": issue,
            "edition": edition,
            "page_title": f"Email preview of “{issue.title}”",
            "can_send": can_send(request.user) and issue.live,
        },
    )


@xframe_options_sameorigin
@csp_override(PREVIEW_CSP)
def preview_html(request, page_id):
    """The email's HTML alone, for the preview's sandboxed frame."""
    issue = _issue(page_id)
    if not _can_preview(request.user, issue):
        return HttpResponse("Forbidden", status=403, content_type="text/plain")
    edition = render_edition(issue, token=EXAMPLE_TOKEN)
    response = HttpResponse(edition.html, content_type="text/html; charset=utf-8")
    response["Cache-Control"] = "no-store"
    return response


def urlpatterns():
    return [
        path("issues/<int:page_id>/send/", send, name="send"),
        path("issues/<int:page_id>/send-test/", send_test, name="send_test"),
        path("issues/<int:page_id>/email-preview/", preview, name="preview"),
        path("issues/<int:page_id>/email-preview/email.html", preview_html, name="preview_html"),
        path("sends/<int:send_id>/", progress, name="progress"),
        path("sends/<int:send_id>/stop/", stop, name="stop"),
    ]
