"""The public pages of the email sign-up: /subscribe/ and the links in emails.

Every rule is in ``signup.py``; these views turn requests into calls and results into
pages. The public replies never say whether an address is on the list.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from lscp_site import links
from lscp_site.ratelimit import rate_limited
from subscriptions import queued, signup
from subscriptions.forms import ManageLinkForm, PreferencesForm, SignupForm
from subscriptions.models import Subscriber
from subscriptions.tokens import LinkExpired, LinkInvalid

# A person may send the sign-up form, or ask for a link, this many times in this many seconds
# from one address. Counted in the shared cache (lscp_site.ratelimit): Redis in production.
FORM_LIMIT = 10
FORM_PERIOD = 10 * 60

ONE_CLICK_FIELD = "List-Unsubscribe"
ONE_CLICK_VALUE = "One-Click"


def _csrf_protected_placeholder(request):  # pragma: no cover - never called
    raise AssertionError


def _own_origins(request):
    origins = {f"{request.scheme}://{request.get_host()}"}
    origins.add(links.origin())
    origins.update(getattr(settings, "CSRF_TRUSTED_ORIGINS", []))
    return origins


def posted_from_this_site(request):
    """True when a POST certainly came from one of this site's own pages.

    The sign-up box in the footer of every page carries no CSRF token, so that pages can be
    cached and served to everyone (a token baked into a shared cache would be everyone's
    token). Browsers say where a form was sent from in headers that pages cannot forge:
    Sec-Fetch-Site (all current browsers) or, failing that, Origin. Without either, Django's
    usual token check decides; the sign-up view re-shows the form with a fresh token when
    that fails, instead of a 403 page.
    """
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site == "same-origin":
        return True
    if fetch_site is None:
        origin = request.headers.get("Origin")
        if origin and origin in _own_origins(request):
            return True
    check = CsrfViewMiddleware(lambda request: None)
    return check.process_view(request, _csrf_protected_placeholder, (), {}) is None


@csrf_exempt  # checked by posted_from_this_site(), which never answers 403
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@rate_limited(scope="subscribe", limit=FORM_LIMIT, period=FORM_PERIOD)
def subscribe(request):
    if request.method != "POST":
        form = SignupForm(initial={"source": request.path})
        return TemplateResponse(request, "subscriptions/subscribe.html", {"form": form})

    form = SignupForm(request.POST)
    if form.is_spam():
        return redirect("subscriptions:check_email")
    if not posted_from_this_site(request):
        # Most likely an old page from a cache or a browser that hides where it posts from:
        # show what they typed with a fresh token, and let them press the button again.
        status = 200 if form.is_valid() else 400
        return TemplateResponse(
            request,
            "subscriptions/subscribe.html",
            {"form": form, "needs_resubmit": True},
            status=status,
        )
    if form.is_valid():
        try:
            queued.request_subscription(
                email=form.cleaned_data["email"],
                topics=form.cleaned_data["topics"],
                source_url=form.cleaned_data["source"],
                consent_version=form.cleaned_data["consent_version"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("subscriptions:check_email")
    return TemplateResponse(request, "subscriptions/subscribe.html", {"form": form}, status=400)


@require_safe
def check_email(request):
    return TemplateResponse(request, "subscriptions/check_email.html")


@csrf_exempt  # checked by posted_from_this_site(), which never answers 403
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@rate_limited(scope="subscribe-link", limit=FORM_LIMIT, period=FORM_PERIOD)
def manage_link(request):
    if request.method != "POST":
        return TemplateResponse(
            request, "subscriptions/manage_link.html", {"form": ManageLinkForm()}
        )
    form = ManageLinkForm(request.POST)
    if form.is_spam():
        return redirect("subscriptions:link_sent")
    if not posted_from_this_site(request):
        status = 200 if form.is_valid() else 400
        return TemplateResponse(
            request,
            "subscriptions/manage_link.html",
            {"form": form, "needs_resubmit": True},
            status=status,
        )
    if form.is_valid():
        queued.request_manage_link(email=form.cleaned_data["email"])
        return redirect("subscriptions:link_sent")
    return TemplateResponse(request, "subscriptions/manage_link.html", {"form": form}, status=400)


@require_safe
def link_sent(request):
    return TemplateResponse(request, "subscriptions/link_sent.html")


def _link_problem(request, error=None):
    if error is None:
        problem, status = "unknown", 404
    elif isinstance(error, LinkExpired):
        problem, status = "expired", 410
    elif isinstance(error, signup.LinkGone):
        problem, status = "gone", 410
    else:
        problem, status = "invalid", 400
    return TemplateResponse(
        request,
        "subscriptions/link_problem.html",
        {"problem": problem, "form": ManageLinkForm()},
        status=status,
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request, token):
    """GET shows a button; only the POST confirms, so link checkers confirm nobody."""
    if request.method != "POST":
        try:
            subscriber, _record = signup.check_confirmation(token=token)
        except LinkInvalid as error:
            return _link_problem(request, error)
        return TemplateResponse(
            request,
            "subscriptions/confirm.html",
            {"subscriber": subscriber, "topics": subscriber.topics.all(), "token": token},
        )
    try:
        result = signup.confirm(token=token)
    except LinkInvalid as error:
        return _link_problem(request, error)
    return TemplateResponse(
        request,
        "subscriptions/confirmed.html",
        {"result": result, "subscriber": result.subscriber, "outcome": result.outcome.value},
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def preferences(request, token):
    subscriber = Subscriber.objects.filter(token=token).first()
    if subscriber is None:
        return _link_problem(request)
    saved = False
    status = 200
    form = PreferencesForm(
        initial={"topics": subscriber.topics.all(), "frequency": subscriber.frequency}
    )
    if request.method == "POST" and subscriber.is_confirmed:
        form = PreferencesForm(request.POST)
        if form.is_valid():
            try:
                signup.update_preferences(
                    subscriber=subscriber,
                    topics=form.cleaned_data["topics"],
                    frequency=form.cleaned_data["frequency"] or None,
                )
            except signup.NotSubscribed:
                subscriber.refresh_from_db()
            else:
                saved = True
        else:
            status = 400
    return TemplateResponse(
        request,
        "subscriptions/preferences.html",
        {
            "subscriber": subscriber,
            "form": form,
            "saved": saved,
            "one_click_field": ONE_CLICK_FIELD,
            "one_click_value": ONE_CLICK_VALUE,
        },
        status=status,
    )


@csrf_exempt  # RFC 8058: mail providers POST here with no cookie and no CSRF token
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token):
    """GET asks; POST with ``List-Unsubscribe=One-Click`` unsubscribes at once (RFC 8058).

    The token in the URL is the authority, so there is nothing for a CSRF token to add; the
    view reads no session and answers the POST itself, with no redirect.
    """
    subscriber = Subscriber.objects.filter(token=token).first()
    if subscriber is None:
        return _link_problem(request)
    context = {
        "subscriber": subscriber,
        "one_click_field": ONE_CLICK_FIELD,
        "one_click_value": ONE_CLICK_VALUE,
    }
    if request.method != "POST":
        return TemplateResponse(request, "subscriptions/unsubscribe.html", context)
    if request.POST.get(ONE_CLICK_FIELD) != ONE_CLICK_VALUE:
        return TemplateResponse(
            request, "subscriptions/unsubscribe.html", {**context, "bad_request": True}, status=400
        )
    note = (
        "Unsubscribed from the link on this site"
        if request.POST.get("from_page")
        else "Unsubscribed in one click from an email"
    )
    result = signup.unsubscribe(subscriber=subscriber, note=note)
    return TemplateResponse(
        request, "subscriptions/unsubscribed.html", {"subscriber": result.subscriber}
    )
