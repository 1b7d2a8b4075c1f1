"""Checks before a send: what they find, the link to fix each, links checked in the
background against a local server (no outside network), and sending anyway."""

import datetime
import http.server
import threading
import time

from django.core import mail
from django.core.cache import cache
from django.urls import reverse

import pytest
from bs4 import BeautifulSoup

from newsletter import checks
from newsletter.sending_models import Send
from tests.events.factories import make_event
from tests.newsletter.factories import item, make_issue, section
from tests.newsletter.sending_support import make_image, sender_user, subscribers
from tests.two_factor import sign_in_verified

pytestmark = pytest.mark.django_db


class Answers(http.server.BaseHTTPRequestHandler):
    """/ok answers 200, /gone 404, /broken 500, /slow after two seconds."""

    def _answer(self):
        if self.path == "/slow":
            time.sleep(2)
        status = {"/ok": 200, "/gone": 404, "/broken": 500, "/slow": 200}.get(self.path, 404)
        self.send_response(status)
        self.end_headers()

    do_HEAD = _answer
    do_GET = _answer

    def log_message(self, *args):
        pass


@pytest.fixture
def web():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Answers)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(autouse=True)
def link_checks_on(settings):
    settings.NEWSLETTER_LINK_CHECK = True
    settings.NEWSLETTER_LINK_CHECK_TIMEOUT = 0.5
    settings.NEWSLETTER_LINK_CHECK_LIMIT = 5
    cache.clear()


def flawed_issue(newsletter_index, event_index, web):
    past = make_event(event_index, title="Old conference", start_date=datetime.date(2020, 1, 9))
    body = [
        section(
            "Focus group",
            f'<p>To book, <a href="{web}/ok">click here</a>. The <a href="{web}/gone">old '
            f'policy</a> and the <a href="{web}/broken">audit tool</a>.</p>',
            image=make_image().pk,
            image_alt="",
        ),
        section("Nothing yet", "<p></p>"),
        section(
            "Conference",
            "<p>It was good.</p>",
            calls_to_action=[item({"link_text": "See the programme", "page": past.pk})],
        ),
    ]
    return make_issue(newsletter_index, datetime.date(2026, 3, 1), body=body)


def kinds(problems):
    return sorted((problem.kind, problem.where) for problem in problems)


def test_content_checks_name_each_problem_where_it_is_with_a_link_to_the_block(
    newsletter_index, event_index, web
):
    issue = flawed_issue(newsletter_index, event_index, web)
    problems = checks.content_problems(issue)

    assert kinds(problems) == [
        ("alt_text", "Section 1: “Focus group”"),
        ("empty_section", "Section 2: “Nothing yet”"),
        ("link_text", "Section 1: “Focus group”"),
        ("past_date", "Section 3: “Conference”"),
    ]
    first_block = issue.body[0].id
    edit = reverse("wagtailadmin_pages:edit", args=[issue.pk])
    alt = next(p for p in problems if p.kind == "alt_text")
    assert alt.fix_url == f"{edit}#block-{first_block}-section"
    assert "“click here”" in next(p for p in problems if p.kind == "link_text").message
    assert "Old conference" in next(p for p in problems if p.kind == "past_date").message


def test_a_clean_issue_has_no_problems(newsletter_index):
    issue = make_issue(newsletter_index, datetime.date(2026, 3, 1))
    assert checks.content_problems(issue) == []


def test_links_answering_404_or_500_are_found_in_the_background_and_kept(
    newsletter_index, event_index, web
):
    issue = flawed_issue(newsletter_index, event_index, web)
    # The test settings run the task at once; on a real queue the first answer is "checking".
    found = checks.link_check(issue, revision_id=issue.live_revision_id)

    assert found["finished"] and found["checked"] == 3
    messages = sorted(problem.message for problem in found["problems"])
    assert messages == [
        f"The link “audit tool” to {web}/broken answers 500.",
        f"The link “old policy” to {web}/gone answers 404.",
    ]
    assert all(p.where == "Section 1: “Focus group”" for p in found["problems"])
    # Kept: asking again fetches nothing.
    again = checks.link_check(issue, revision_id=issue.live_revision_id, start=False)
    assert [p.message for p in again["problems"]] == [p.message for p in found["problems"]]


def test_a_slow_link_is_given_up_within_the_time_limit(newsletter_index, web):
    body = [section("Slow", f'<p>Read <a href="{web}/slow">the slow report</a>.</p>')]
    issue = make_issue(newsletter_index, datetime.date(2026, 3, 1), body=body)
    started = time.monotonic()
    found = checks.check_links(issue=issue, revision_id=issue.live_revision_id)
    assert time.monotonic() - started < 1.5
    assert len(found["problems"]) == 1
    assert "no answer" in found["problems"][0]["message"]


def test_the_confirm_step_shows_the_problems_and_the_editor_may_send_anyway(
    client,
    django_user_model,
    newsletter_index,
    event_index,
    web,
    django_capture_on_commit_callbacks,
):
    issue = flawed_issue(newsletter_index, event_index, web)
    people = subscribers(2)
    sign_in_verified(
        client, sender_user(django_user_model), backend="django.contrib.auth.backends.ModelBackend"
    )
    send_url = reverse("newsletter_sending:send", args=[issue.pk])
    confirm = client.post(send_url, {})
    page = BeautifulSoup(confirm.content, "html.parser")
    text = page.get_text(" ", strip=True)
    assert "You can still send the issue as it is" in text
    assert "The picture has no description" in text
    assert f"{web}/gone answers 404" in text
    fix_links = [a["href"] for a in page.find_all("a") if a.get_text().startswith("Fix this")]
    assert f"#block-{issue.body[0].id}-section" in fix_links[0]
    assert len(fix_links) == 6

    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(send_url, {"confirm": "1"})
    assert sent.status_code == 302
    assert Send.objects.get().issue == issue
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in people)


def test_the_issue_editor_shows_the_checks_as_a_panel(
    client, admin_user, newsletter_index, event_index, web
):
    issue = flawed_issue(newsletter_index, event_index, web)
    sign_in_verified(client, admin_user, backend="django.contrib.auth.backends.ModelBackend")
    response = client.get(reverse("wagtailadmin_pages:edit", args=[issue.pk]))
    assert response.status_code == 200
    text = BeautifulSoup(response.content, "html.parser").get_text(" ", strip=True)
    assert "Checks before sending" in text
    assert "This section has no text." in text
    assert "does not say where it goes" in text
