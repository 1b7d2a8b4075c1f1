"""The Content Security Policy: the public site's strict policy, the admin's own policy, and
the nonce given to Wagtail's inline initialisers and to nothing else."""

import datetime
import re

import pytest

from lscp_site.admin_csp import add_nonce_to_wagtail_scripts
from tests.newsletter.factories import make_index, make_issue
from tests.training.factories import london, make_course, make_session
from tests.training.factories import make_index as make_training_index

# As sent, less the nonce: Django adds 'nonce-...' to script-src and style-src only on
# responses that used it.
PUBLIC_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
}
ADMIN_POLICY = {
    **PUBLIC_POLICY,
    "style-src-elem": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:", "blob:"],
}
NONCE = re.compile(r"'nonce-([^']+)'")


def directives(response):
    """The enforced policy as {directive: [values]}, less the nonce."""
    header = response["Content-Security-Policy"]
    policy = {}
    for directive in header.split(";"):
        name, *values = directive.split()
        policy[name] = [value for value in values if not NONCE.fullmatch(value)]
    return policy


def nonce_of(response):
    return NONCE.search(response["Content-Security-Policy"])[1]


@pytest.fixture
def issue(home_page):
    return make_issue(make_index(home_page), datetime.date(2025, 3, 1))


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/privacy/", "/newsletter/march-2025/", "/search/?q=x"])
def test_public_pages_keep_the_strict_policy(client, issue, path):
    response = client.get(path)

    assert response.status_code == 200
    assert directives(response) == PUBLIC_POLICY
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_signed_in_editors_get_the_strict_policy_on_public_pages(admin_client, issue):
    response = admin_client.get("/newsletter/march-2025/")

    assert response.status_code == 200
    assert directives(response) == PUBLIC_POLICY


@pytest.mark.django_db
def test_admin_pages_carry_the_admin_policy(admin_client, issue):
    for path in ["/admin/", "/admin/pages/", f"/admin/pages/{issue.pk}/edit/", "/admin/images/"]:
        response = admin_client.get(path)

        assert response.status_code == 200, path
        assert directives(response) == ADMIN_POLICY, path
        assert response["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_the_admin_login_page_carries_the_admin_policy_and_is_never_cached(client):
    response = client.get("/admin/login/")

    assert response.status_code == 200
    assert directives(response) == ADMIN_POLICY
    assert response["X-Cache"] == "bypass"


@pytest.mark.django_db
def test_wagtail_previews_may_be_framed_by_the_admin_only(admin_client, issue):
    response = admin_client.get(f"/admin/pages/{issue.pk}/edit/preview/")

    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert directives(response) == {**ADMIN_POLICY, "frame-ancestors": ["'self'"]}


@pytest.mark.django_db
def test_a_view_with_its_own_policy_keeps_it(admin_client, issue):
    response = admin_client.get(f"/admin/newsletter/issues/{issue.pk}/email-preview/email.html")

    assert response.status_code == 200
    assert directives(response)["default-src"] == ["'none'"]
    assert directives(response)["style-src"] == ["'unsafe-inline'"]


SCRIPT = re.compile(r"<script(?P<attributes>[^>]*)>(?P<code>.*?)</script>", re.DOTALL)


def inline_scripts(response):
    """(attributes, code) of each inline script the browser would run."""
    return [
        (match["attributes"], match["code"])
        for match in SCRIPT.finditer(response.content.decode())
        if "src=" not in match["attributes"] and "application/json" not in match["attributes"]
    ]


@pytest.mark.django_db
def test_every_inline_script_of_the_editor_carries_the_responses_nonce(admin_client, issue):
    response = admin_client.get(f"/admin/pages/{issue.pk}/edit/")

    assert directives(response) == ADMIN_POLICY
    nonce = nonce_of(response)
    assert f"script-src 'self' 'nonce-{nonce}'" in response["Content-Security-Policy"]
    scripts = inline_scripts(response)
    assert any(code.startswith('initDateTimeChooser("id_go_live_at"') for _, code in scripts)
    assert [code for attributes, code in scripts if attributes != f' nonce="{nonce}"'] == []


@pytest.mark.django_db
def test_a_revision_shown_in_the_admin_gets_the_admin_policy_not_the_public_one(
    admin_client, issue
):
    """Wagtail runs a previewed page through every middleware as if it were public."""
    revision = issue.save_revision()

    response = admin_client.get(f"/admin/pages/{issue.pk}/revisions/{revision.pk}/view/")

    assert response.status_code == 200
    assert b"March Newsletter" in response.content
    assert directives(response) == ADMIN_POLICY


@pytest.mark.django_db
def test_the_course_editors_inline_panel_scripts_carry_the_nonce(admin_client, home_page):
    course = make_course(
        make_training_index(home_page), sessions=[make_session(start=london(2030, 5, 1, 10))]
    )

    response = admin_client.get(f"/admin/pages/{course.pk}/edit/")

    nonce = nonce_of(response)
    html = response.content.decode()
    assert f'<script nonce="{nonce}">' in html
    assert "<script>" not in html


WAGTAIL_SCRIPTS = [
    'initDateTimeChooser("id_go_live_at", {"dayOfWeekStart": 1, "format": "Y-m-d H:i"});',
    'initDateChooser("id_start_date", {"dayOfWeekStart": 1, "format": "Y-m-d"});',
    'initTimeChooser("id_sessions-__prefix__-start", {"dayOfWeekStart": 1, "format": "H:i"});',
    'new PageChooser("id_page", {"modelNames": ["wagtailcore.page"], "canChooseRoot": false});',
    'new SnippetChooser("id_category", {"modalUrl": "/admin/snippets/choose/"});',
    'createTaskChooser("id_workflow_tasks-0-task");',
    "\n        (function() {\n            var panel = new InlinePanel(JSON.parse("
    '"{\\u0022formsetPrefix\\u0022: \\u0022id_sessions\\u0022}"));\n        })();\n    ',
]
OTHER_SCRIPTS = [
    "alert(document.cookie);",
    'initDateChooser("id_x", {}); alert(1);',
    'initDateChooser("id_x", alert(1));',
    'initDateChooser("id_x" + alert(1), {});',
    'new PageChooser("id_page", {"a": 1}, fetch("//evil.example"));',
    'new Function("alert(1)")();',
    '(function() { var panel = new InlinePanel(JSON.parse("{}") || alert(1)); })();',
    '(function() { var panel = new InlinePanel(JSON.parse("\\u0022x\\u0022")); })();',
]


@pytest.mark.parametrize("code", WAGTAIL_SCRIPTS)
def test_wagtails_own_initialisers_get_the_nonce(code):
    html = f"<p>Before</p><script>{code}</script><p>After</p>"

    assert add_nonce_to_wagtail_scripts(html, "N0NCE") == (
        f'<p>Before</p><script nonce="N0NCE">{code}</script><p>After</p>'
    )


@pytest.mark.parametrize("code", OTHER_SCRIPTS)
def test_any_other_inline_script_does_not(code):
    html = f"<script>{code}</script>"

    assert add_nonce_to_wagtail_scripts(html, "N0NCE") == html


def test_a_script_element_opened_early_swallows_the_initialiser_and_gets_no_nonce():
    html = '<script>alert(1)<p><script>initDateChooser("id_x", {});</script>'

    assert add_nonce_to_wagtail_scripts(html, "N0NCE") == html


def test_scripts_with_attributes_are_left_alone():
    html = '<script type="module">initDateChooser("id_x", {});</script>'

    assert add_nonce_to_wagtail_scripts(html, "N0NCE") == html
