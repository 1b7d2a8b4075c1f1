"""The Content Security Policy of the Wagtail admin.

The public site is sent ``SECURE_CSP``: scripts and styles only from this site or with the
response's nonce. The Wagtail admin (everything under ``/admin/``) is sent
``ADMIN_CSP`` instead (lscp_site/settings/base.py says why each of its directives differs).

Wagtail 8 writes a few inline ``<script>`` elements itself, with no nonce: the date and time
pickers, the page, image, document, snippet and task choosers, and the inline panels (a
course's sessions, a workflow's tasks). Form widgets are rendered without the request, so
Wagtail could not give them the nonce even if it wanted to. This middleware gives the nonce
to those scripts, and only to those: each one must be, character for character, one of
Wagtail's initialiser calls with JSON arguments (checked by parsing them). Any other inline
script on an admin page, for example one smuggled into content an editor opens, still does
not run, so the admin keeps ``script-src 'self'`` plus the nonce, as the public site has.

A view that chose its own policy with ``csp_override`` (the email preview in
newsletter/admin_views.py) keeps it. Wagtail's previews, which it marks as framable by the
admin (``X-Frame-Options: SAMEORIGIN``), may be framed by this site; no other admin page
may be framed at all.

Place the middleware *below* ``django.middleware.csp.ContentSecurityPolicyMiddleware``, so
that it sees the response first and writes the admin's header, which the CSP middleware
then leaves as it is.
"""

import json
import re

from django.conf import settings
from django.middleware.csp import get_nonce
from django.urls import reverse
from django.utils.csp import CSP, build_policy

# A <script> element exactly as Wagtail writes it: no attributes, code up to the first end
# tag (an HTML parser ends the element there too).
INLINE_SCRIPT = re.compile(r"<script>(?P<code>.*?)</script>", re.DOTALL)

HEADER = str(CSP.HEADER_ENFORCE)  # a plain str: WSGI servers refuse the enum
NONCE_SOURCE = re.compile(r"'nonce-([^']+)'")

# Wagtail's inline initialisers. Each call's arguments (the group "args") must parse as a
# JSON list of strings and objects: data, never code. The sources are named so that a
# Wagtail upgrade that changes one is easy to follow.
WAGTAIL_INITIALISERS = [
    # wagtailadmin/widgets/date_input.html, time_input.html, datetime_input.html
    re.compile(r"init(?:Date|Time|DateTime)Chooser\((?P<args>.*)\);"),
    # wagtail.admin.widgets.chooser.BaseChooser.render_js_init (page, image, document and
    # snippet choosers)
    re.compile(r"new (?:Page|Image|Document|Snippet)?Chooser\((?P<args>.*)\);"),
    # wagtail.admin.widgets.workflows.AdminTaskChooser.render_js_init
    re.compile(r"createTaskChooser\((?P<args>.*)\);"),
]
# wagtailadmin/panels/inline_panel.html and multiple_chooser_panel.html: the argument is a
# string literal holding JSON, so both levels are checked.
WAGTAIL_PANEL = re.compile(
    r"\(function\(\) \{\s*var panel = new (?:Inline|MultipleChooser)Panel\("
    r"JSON\.parse\((?P<json>\"(?:[^\"\\]|\\.)*\")\)\);\s*\}\)\(\);"
)


def _json(text):
    try:
        return json.loads(text)
    except ValueError:
        return None


def is_wagtail_initialiser(code):
    """Whether ``code`` is exactly one of Wagtail's inline initialisers, with data for
    arguments."""
    code = code.strip()
    for pattern in WAGTAIL_INITIALISERS:
        if match := pattern.fullmatch(code):
            arguments = _json(f"[{match['args']}]")
            return bool(arguments) and all(isinstance(a, str | dict) for a in arguments)
    if match := WAGTAIL_PANEL.fullmatch(code):
        options = _json(match["json"])
        return isinstance(options, str) and isinstance(_json(options), dict)
    return False


def add_nonce_to_wagtail_scripts(html, nonce):
    """``html`` with ``nonce`` on Wagtail's own inline initialisers, and only on them."""

    def replace(match):
        if is_wagtail_initialiser(match["code"]):
            return f'<script nonce="{nonce}">{match["code"]}</script>'
        return match[0]

    return INLINE_SCRIPT.sub(replace, html)


def admin_policy(response):
    """ADMIN_CSP for this response: framable by this site only if the view says so."""
    policy = dict(settings.ADMIN_CSP)
    if response.get("X-Frame-Options", "").upper() == "SAMEORIGIN":
        # Wagtail's previews (views/generic/preview.py) are shown in the editor's side panel.
        policy["frame-ancestors"] = [CSP.SELF]
    return policy


class AdminContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith(reverse("wagtailadmin_home")):
            return response
        if getattr(response, "_csp_config", None) is not None:
            return response  # the view chose its own policy
        policy = admin_policy(response)
        public = response.get(HEADER)
        if public is not None:
            # A preview: Wagtail ran the page through the whole middleware stack as if it
            # were the public page, which put the public policy on it with the nonce of
            # that pass (the one the page's HTML uses). Same nonce, the admin's policy.
            nonce = NONCE_SOURCE.search(public)
            response[HEADER] = build_policy(policy, nonce and nonce[1])
            return response
        if response.get("Content-Type", "").startswith("text/html") and not response.streaming:
            self._nonce_wagtail_scripts(request, response)
        # Written here: the CSP middleware leaves a policy a response already carries.
        response[HEADER] = build_policy(policy, get_nonce(request))
        return response

    def _nonce_wagtail_scripts(self, request, response):
        nonce = get_nonce(request)
        if nonce is None or b"<script>" not in response.content:
            return
        charset = response.charset
        html = response.content.decode(charset)
        response.content = add_nonce_to_wagtail_scripts(html, str(nonce)).encode(charset)
        if response.has_header("Content-Length"):
            response["Content-Length"] = str(len(response.content))
