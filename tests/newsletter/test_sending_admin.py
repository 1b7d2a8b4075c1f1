"""Sending from the Wagtail admin: the buttons, the confirm step, tests, progress, preview,
history, and who may do it."""

import re

from django.core import mail
from django.urls import reverse

from wagtail.models import PageLogEntry

import pytest
from bs4 import BeautifulSoup

from newsletter import sending
from newsletter.sending_models import Delivery, Send
from tests.newsletter.sending_support import rich_issue, sender_user, subscribers, topic
from tests.two_factor import sign_in_verified

pytestmark = pytest.mark.django_db

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


@pytest.fixture
def issue(newsletter_index):
    return rich_issue(newsletter_index)


@pytest.fixture
def sender(django_user_model):
    return sender_user(django_user_model)


@pytest.fixture
def editor(django_user_model):
    """Can edit pages in the admin, cannot send."""
    return sender_user(django_user_model, "editor", can_send=False)


def login(client, user):
    return sign_in_verified(client, user, backend=MODEL_BACKEND)


def soup(response):
    return BeautifulSoup(response.content, "html.parser")


def urls(issue, send=None):
    found = {
        "send": reverse("newsletter_sending:send", args=[issue.pk]),
        "send_test": reverse("newsletter_sending:send_test", args=[issue.pk]),
        "preview": reverse("newsletter_sending:preview", args=[issue.pk]),
        "preview_html": reverse("newsletter_sending:preview_html", args=[issue.pk]),
    }
    if send:
        found["progress"] = reverse("newsletter_sending:progress", args=[send.pk])
        found["stop"] = reverse("newsletter_sending:stop", args=[send.pk])
    return found


# --- Permissions ---------------------------------------------------------------------------


def test_people_without_the_send_permission_get_403_on_every_sending_action(client, editor, issue):
    subscribers(2)
    send = sending.queue_send(issue=issue)
    login(client, editor)
    address = urls(issue, send)
    for name in ("send", "send_test", "progress"):
        assert client.get(address[name]).status_code == 403, name
    assert client.post(address["send"], {"confirm": "1"}).status_code == 403
    assert client.post(address["send_test"], {"addresses": "x@example.org"}).status_code == 403
    assert client.post(address["stop"]).status_code == 403
    assert Send.objects.count() == 1 and not mail.outbox
    send.refresh_from_db()
    assert send.cancelled_at is None


def test_editors_who_cannot_send_may_still_preview_the_email(client, editor, issue):
    login(client, editor)
    assert client.get(urls(issue)["preview"]).status_code == 200


def test_people_who_cannot_edit_or_send_cannot_preview(client, django_user_model, issue):
    outsider = django_user_model.objects.create_user(username="outsider", password="pw")
    from django.contrib.auth.models import Permission

    outsider.user_permissions.add(Permission.objects.get(codename="access_admin"))
    login(client, outsider)
    assert client.get(urls(issue)["preview"]).status_code == 403
    assert client.get(urls(issue)["preview_html"]).status_code == 403


def test_the_buttons_show_only_to_senders_and_only_on_published_issues(
    client, sender, editor, issue, newsletter_index
):
    edit_url = reverse("wagtailadmin_pages:edit", args=[issue.pk])
    address = urls(issue)
    page = login(client, sender).get(edit_url)
    assert page.status_code == 200
    html = page.content.decode()
    for name in ("send", "send_test", "preview"):
        assert f'href="{address[name]}"' in html, name
    page = login(client, editor).get(edit_url)
    html = page.content.decode()
    assert f'href="{address["preview"]}"' in html
    assert f'href="{address["send"]}"' not in html
    draft = rich_issue(newsletter_index, live=False, issue_date=issue.issue_date.replace(month=4))
    html = login(client, sender).get(reverse("wagtailadmin_pages:edit", args=[draft.pk])).content
    assert reverse("newsletter_sending:send", args=[draft.pk]).encode() not in html
    # And in the page listing's more menu.
    listing = client.get(reverse("wagtailadmin_explore", args=[newsletter_index.pk]))
    assert f'href="{address["send"]}"'.encode() in listing.content


# --- Sending -------------------------------------------------------------------------------


def test_sending_asks_for_confirmation_with_the_count_then_sends(
    client, sender, issue, django_capture_on_commit_callbacks
):
    people = subscribers(3)
    subscribers(1, status="pending", prefix="pending")
    login(client, sender)
    address = urls(issue)
    form = client.get(address["send"])
    assert form.status_code == 200
    confirm = client.post(address["send"], {})
    assert confirm.status_code == 200
    text = soup(confirm).get_text(" ", strip=True)
    assert "3 confirmed subscribers will get “March Newsletter” by email" in text
    assert not Send.objects.exists() and not mail.outbox  # nothing yet

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(address["send"], {"confirm": "1"})
    send = Send.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("newsletter_sending:progress", args=[send.pk])
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in people)
    entry = PageLogEntry.objects.get(page=issue, action="newsletter.send")
    assert entry.user == sender and entry.data["recipients"] == 3


def test_sending_to_chosen_topics_only(client, sender, issue, django_capture_on_commit_callbacks):
    training = topic("Training and development opportunities", "training")
    chosen = subscribers(2, topics=[training], prefix="t")
    subscribers(3, prefix="others")
    login(client, sender)
    confirm = client.post(urls(issue)["send"], {"topics": [training.pk]})
    text = soup(confirm).get_text(" ", strip=True)
    assert "2 confirmed subscribers who chose “Training and development opportunities”" in text
    hidden = soup(confirm).select("input[type=hidden][name=topics]")
    assert [field["value"] for field in hidden] == [str(training.pk)]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(urls(issue)["send"], {"topics": [training.pk], "confirm": "1"})
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in chosen)
    assert list(Send.objects.get().topics.all()) == [training]


def test_sending_again_needs_the_box_ticked_and_reaches_only_newcomers(
    client, sender, issue, django_capture_on_commit_callbacks
):
    subscribers(2, prefix="first")
    login(client, sender)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(urls(issue)["send"], {"confirm": "1"})
    assert len(mail.outbox) == 2
    newcomer = subscribers(1, prefix="new")[0]

    refused = client.post(urls(issue)["send"], {"confirm": "1"})
    assert refused.status_code == 400
    error = soup(refused).select_one(".error-message")
    assert "sent before" in error.get_text()
    assert Send.objects.count() == 1

    confirm = client.post(urls(issue)["send"], {"resend": "on"})
    assert "1 confirmed subscriber " in soup(confirm).get_text(" ", strip=True)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(urls(issue)["send"], {"resend": "on", "confirm": "1"})
    assert [m.to[0] for m in mail.outbox[2:]] == [newcomer.email]
    assert Send.objects.count() == 2


def test_an_unpublished_issue_cannot_be_sent_from_the_admin(client, sender, newsletter_index):
    draft = rich_issue(newsletter_index, live=False)
    subscribers(1)
    login(client, sender)
    page = client.get(urls(draft)["send"])
    assert "Only a published issue can be sent" in page.content.decode()
    assert not soup(page).select("form")
    client.post(urls(draft)["send"], {"confirm": "1"})
    assert not Send.objects.exists()
    response = client.post(urls(draft)["send_test"], {"addresses": "me@example.org"})
    assert response.status_code == 302 and not mail.outbox


def test_a_test_email_goes_to_the_typed_addresses_and_is_in_the_history(
    client, sender, issue, django_capture_on_commit_callbacks
):
    login(client, sender)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            urls(issue)["send_test"], {"addresses": "one@example.org, two@example.org"}
        )
    assert response.status_code == 302
    assert sorted(m.to[0] for m in mail.outbox) == ["one@example.org", "two@example.org"]
    assert all(m.subject.startswith("[Test] ") for m in mail.outbox)
    entry = PageLogEntry.objects.get(page=issue, action="newsletter.send_test")
    assert entry.user == sender and entry.data == {"recipients": 2}
    history = client.get(reverse("wagtailadmin_pages:history", args=[issue.pk]))
    assert "Test email sent to 2 addresses" in history.content.decode()


def test_a_bad_test_address_is_shown_beside_the_field(client, sender, issue):
    login(client, sender)
    response = client.post(urls(issue)["send_test"], {"addresses": "me@example.org, nonsense"})
    assert response.status_code == 400
    assert "“nonsense” is not an email address" in soup(response).get_text()
    assert not mail.outbox


# --- Progress ------------------------------------------------------------------------------


def test_progress_page_and_its_json_show_the_counts(client, sender, issue, settings):
    settings.NEWSLETTER_SEND_BATCH_SIZE = 2
    subscribers(5)
    send = sending.queue_send(issue=issue, user=sender)
    sending.prepare(send_id=send.pk)
    sending.deliver_batch(send_id=send.pk)
    login(client, sender)
    page = client.get(urls(issue, send)["progress"])
    cells = {
        row.th.get_text(strip=True): row.td.get_text(strip=True)
        for row in soup(page).select("[data-send-progress] table tr")
    }
    assert cells["Recipients"] == "5"
    assert cells["Sent"] == "2"
    assert cells["Queued"] == "3"
    assert cells["Remaining"] == "3"
    assert cells["Failed"] == "0"
    data = client.get(urls(issue, send)["progress"] + "?format=json").json()
    assert data["sent"] == 2 and data["remaining"] == 3 and data["finished"] is False
    # The page's script is a static file (no inline script under the CSP).
    script = soup(page).find("script", src=re.compile("send_progress"))
    assert script is not None


def test_stopping_a_send_from_the_progress_page(client, sender, issue, settings):
    settings.NEWSLETTER_SEND_BATCH_SIZE = 2
    subscribers(4)
    send = sending.queue_send(issue=issue, user=sender)
    sending.prepare(send_id=send.pk)
    login(client, sender)
    response = client.post(urls(issue, send)["stop"])
    assert response.status_code == 302
    assert set(Delivery.objects.values_list("status", flat=True)) == {"cancelled"}
    assert PageLogEntry.objects.filter(page=issue, action="newsletter.send_cancelled").exists()


def _report(send, subscriber, kind, when, *, suppressed=False):
    from newsletter.sending_models import DeliveryEvent

    return DeliveryEvent.objects.create(
        key=f"{send.pk}-{subscriber.pk}-{kind}-{when.isoformat()}",
        kind=kind,
        provider="Amazon SES",
        occurred_at=when,
        send=send,
        subscriber=subscriber,
        suppressed=suppressed,
    )


def test_the_send_history_shows_what_became_of_each_send_day_by_day(client, sender, issue):
    import datetime

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from newsletter.sending_models import DeliveryEvent

    Kind = DeliveryEvent.Kind
    people = subscribers(5)
    send = sending.queue_send(issue=issue, user=sender)
    sending.prepare(send_id=send.pk)
    sending.run_delivery(send_id=send.pk, chain=False)
    first = timezone.now().replace(hour=10)
    second = first + datetime.timedelta(days=1)
    for person in people[:3]:
        _report(send, person, Kind.DELIVERED, first)
    _report(send, people[3], Kind.HARD_BOUNCE, first, suppressed=True)
    _report(send, people[4], Kind.COMPLAINED, second, suppressed=True)
    _report(send, people[0], Kind.SOFT_BOUNCE, second)
    login(client, sender)

    page = soup(client.get(urls(issue, send)["progress"]))
    section = page.find("section", attrs={"aria-labelledby": "outcomes-heading"})
    totals = {
        row.th.get_text(strip=True): row.td.get_text(strip=True)
        for row in section.find("table").select("tr")
    }
    assert totals == {
        "Sent": "5",
        "Delivered": "3",
        "Bounced or refused": "2",
        "Reported as spam": "1",
        "Addresses stopped": "2",
    }
    days = [
        [cell.get_text(strip=True) for cell in row.find_all(["th", "td"])]
        for row in section.find_all("table")[1].select("tbody tr")
    ]
    assert days == [
        [f"{first:%-d %B %Y}", "3", "1", "0", "1"],
        [f"{second:%-d %B %Y}", "0", "1", "1", "1"],
    ]

    # The issue's send page lists the same for each earlier send, in queries that do not
    # grow with the number of sends.
    with CaptureQueriesContext(connection) as one_send:
        client.get(urls(issue)["send"])
    rows = soup(client.get(urls(issue)["send"])).select("#sends-heading ~ table tbody tr")
    assert [cell.get_text(strip=True) for cell in rows[0].find_all("td")][4:] == [
        "5",
        "3",
        "2",
        "1",
        "2",
    ]
    for _ in range(3):
        Send.objects.create(issue=issue, requested_at=timezone.now(), finished_at=timezone.now())
    with CaptureQueriesContext(connection) as four_sends:
        client.get(urls(issue)["send"])
    assert len(four_sends.captured_queries) == len(one_send.captured_queries)


# --- Preview -------------------------------------------------------------------------------


def test_preview_shows_the_email_in_a_sandboxed_frame_under_its_own_csp(client, sender, issue):
    login(client, sender)
    page = client.get(urls(issue)["preview"])
    assert page.status_code == 200
    frame = soup(page).find("iframe")
    assert frame["src"] == urls(issue)["preview_html"]
    assert frame.has_attr("sandbox") and not frame["sandbox"]  # no scripts, no top navigation
    assert "LSCP SAFEGUARDING TRAINING IS CHANGING!" in soup(page).find("pre").get_text()
    # The admin page itself keeps the admin's policy: no inline script runs there.
    directives = dict(
        part.strip().split(" ", 1) for part in page["Content-Security-Policy"].split(";")
    )
    assert "unsafe-inline" not in directives["script-src"]
    assert "unsafe-inline" not in directives["style-src"]  # style="" attributes

    email_html = client.get(urls(issue)["preview_html"])
    assert email_html.status_code == 200
    policy = email_html["Content-Security-Policy"]
    assert "style-src 'unsafe-inline'" in policy
    assert "script-src" not in policy and "default-src 'none'" in policy
    assert "frame-ancestors 'self'" in policy
    assert email_html["X-Frame-Options"] == "SAMEORIGIN"
    assert "View this issue online" in email_html.content.decode()
