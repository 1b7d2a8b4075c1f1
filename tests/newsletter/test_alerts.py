"""Topic alerts ("as it happens") and the weekly digest: what is new in a topic, who gets it,
grouping, exactly once through the sending ledger, and the emails themselves."""

import datetime

from django.core import mail
from django.urls import reverse

import pytest
import time_machine
from django_tasks_db.models import DBTaskResult

from newsletter import alerts
from newsletter.alert_models import DigestWeek, TopicNews
from newsletter.sending_models import Delivery, Send
from subscriptions import signup
from subscriptions.models import Subscriber
from tests.events.factories import make_event
from tests.newsletter.factories import make_issue, section
from tests.subscriptions.factories import SubscriberFactory, TopicFactory
from tests.training.factories import london, make_course, make_session
from tests.two_factor import sign_in_verified

pytestmark = pytest.mark.django_db

Frequency = Subscriber.Frequency
NOW = london(2026, 3, 4, 10, 0)  # a Wednesday


@pytest.fixture
def topics():
    return {
        slug: TopicFactory(slug=slug, name=name, sort_order=order)
        for order, (slug, name) in enumerate(
            [
                ("training", "Training and development opportunities"),
                ("guidance", "Local protocols and guidance"),
                ("learning", "Learning from reviews and best practice"),
                ("events", "Events, campaigns and national guidance"),
            ]
        )
    }


@pytest.fixture
def run_tasks(django_capture_on_commit_callbacks):
    def run(function, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return function(*args, **kwargs)

    return run


def person(email, *, topics, frequency, status="confirmed"):
    return SubscriberFactory(email=email, status=status, topics=topics, frequency=frequency)


def course_with_session(training_index, *, title="Working Together", start=None):
    return make_course(
        training_index,
        title=title,
        sessions=[make_session(start=start or london(2026, 4, 2, 9, 30))],
        revision=True,
    )


def recipients():
    return sorted(address for message in mail.outbox for address in message.to)


# --- What counts as new ------------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_publishing_a_course_event_or_tagged_section_records_news_in_its_topic_once(
    topics, training_index, event_index, newsletter_index
):
    course = course_with_session(training_index)
    make_event(
        event_index, title="Safeguarding week", start_date=datetime.date(2026, 5, 1), revision=True
    )
    issue = make_issue(
        newsletter_index,
        datetime.date(2026, 3, 1),
        body=[section("New escalation protocol", topic=topics["guidance"].pk), section("Other")],
    )
    course.save_revision().publish()  # republished: not new again

    news = {(item.topic.slug, item.kind, item.title) for item in TopicNews.objects.all()}
    assert news == {
        ("training", "session", "Working Together"),
        ("events", "event", "Safeguarding week"),
        ("guidance", "guidance", "New escalation protocol"),
    }
    assert TopicNews.objects.count() == 3
    guidance = TopicNews.objects.get(kind="guidance")
    assert guidance.url == f"{issue.url}#new-escalation-protocol"
    assert TopicNews.objects.get(kind="session").when == "2 April 2026, 9:30am to 10:30am"


@time_machine.travel(NOW, tick=False)
def test_past_events_and_sessions_are_not_news(topics, training_index, event_index):
    course_with_session(training_index, start=london(2026, 1, 5, 9))
    make_event(event_index, start_date=datetime.date(2026, 1, 1), revision=True)
    assert not TopicNews.objects.exists()


# --- As it happens ---------------------------------------------------------------------------


def test_an_alert_groups_what_was_published_within_the_delay_and_goes_only_to_as_it_happens(
    topics, training_index, run_tasks
):
    alert_me = person("now@example.org", topics=[topics["training"]], frequency=Frequency.IMMEDIATE)
    person("weekly@example.org", topics=[topics["training"]], frequency=Frequency.WEEKLY)
    person("monthly@example.org", topics=[topics["training"]], frequency=Frequency.MONTHLY)
    person("other@example.org", topics=[topics["events"]], frequency=Frequency.IMMEDIATE)
    person(
        "pending@example.org",
        topics=[topics["training"]],
        frequency=Frequency.IMMEDIATE,
        status="pending",
    )
    person(
        "gone@example.org",
        topics=[topics["training"]],
        frequency=Frequency.IMMEDIATE,
        status="unsubscribed",
    )
    with time_machine.travel(NOW, tick=False):
        course_with_session(training_index, title="Working Together")
    with time_machine.travel(NOW + datetime.timedelta(minutes=2), tick=False):
        course_with_session(training_index, title="Neglect <strategy> & tools")
        assert run_tasks(alerts.send_due_alerts) == []  # the first is not due yet

    with time_machine.travel(NOW + datetime.timedelta(minutes=6), tick=False):
        sends = run_tasks(alerts.send_due_alerts)
        again = run_tasks(alerts.send_due_alerts)

    assert again == []
    assert len(sends) == 1 and sends[0].kind == Send.Kind.ALERT
    assert recipients() == [alert_me.email]
    message = mail.outbox[0]
    assert message.subject == "2 new in Training and development opportunities"
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert "Working Together" in message.body and "Neglect <strategy> & tools" in message.body
    assert "Neglect &lt;strategy&gt; &amp; tools" in html
    assert "<strategy>" not in html
    assert message.body.startswith("Leeds Safeguarding Children Partnership")  # shared layout
    assert f"/subscribe/preferences/{alert_me.token}/" in message.body
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert alert_me.token in message.extra_headers["List-Unsubscribe"]
    assert Delivery.objects.get().status == Delivery.Status.SENT


def test_an_alert_is_sent_once_even_when_its_task_runs_twice(topics, training_index, run_tasks):
    person("now@example.org", topics=[topics["training"]], frequency=Frequency.IMMEDIATE)
    with time_machine.travel(NOW, tick=False):
        course_with_session(training_index)
    with time_machine.travel(NOW + datetime.timedelta(minutes=6), tick=False):
        topic = topics["training"]
        first = run_tasks(alerts.send_topic_alert_task.enqueue, topic_id=topic.pk)
        second = run_tasks(alerts.send_topic_alert_task.enqueue, topic_id=topic.pk)
    assert first.return_value is not None and second.return_value is None
    assert len(mail.outbox) == 1
    assert Send.objects.filter(kind=Send.Kind.ALERT).count() == 1


def test_publishing_defers_the_alert_by_the_delay_on_a_real_queue(
    topics, training_index, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        course_with_session(training_index)
    queued = DBTaskResult.objects.filter(task_path="newsletter.alerts.send_topic_alert_task")
    assert queued.count() >= 1
    assert {row.run_after for row in queued} == {NOW + alerts.alert_delay()}
    assert {row.args_kwargs["kwargs"]["topic_id"] for row in queued} == {topics["training"].pk}


# --- Weekly digest ---------------------------------------------------------------------------


def test_the_digest_is_due_on_the_set_day_and_time_in_leeds(settings):
    settings.NEWSLETTER_DIGEST_WEEKDAY = 0
    settings.NEWSLETTER_DIGEST_TIME = "08:00"
    assert alerts.digest_moment(london(2026, 3, 9, 8, 0)) == london(2026, 3, 9, 8, 0)
    assert alerts.digest_moment(london(2026, 3, 9, 7, 59)) == london(2026, 3, 2, 8, 0)
    assert alerts.digest_moment(NOW) == london(2026, 3, 2, 8, 0)


def test_each_weekly_subscriber_gets_one_digest_of_their_topics_and_nothing_when_nothing_is_new(
    topics, training_index, event_index, run_tasks
):
    both = person(
        "both@example.org",
        topics=[topics["training"], topics["events"]],
        frequency=Frequency.WEEKLY,
    )
    training = person(
        "training@example.org", topics=[topics["training"]], frequency=Frequency.WEEKLY
    )
    person("learning@example.org", topics=[topics["learning"]], frequency=Frequency.WEEKLY)
    person("monthly@example.org", topics=[topics["training"]], frequency=Frequency.MONTHLY)
    person("now@example.org", topics=[topics["training"]], frequency=Frequency.IMMEDIATE)
    with time_machine.travel(london(2026, 3, 3, 12), tick=False):
        course_with_session(training_index, title="Working Together")
        make_event(
            event_index,
            title="Safeguarding week",
            start_date=datetime.date(2026, 5, 1),
            revision=True,
        )
    mail.outbox.clear()  # the alert to "now@"
    with time_machine.travel(london(2026, 3, 9, 7, 0), tick=False):
        # Not Monday 08:00 yet: the week before's digest, which had nothing new, is all.
        early = run_tasks(alerts.send_weekly_digest)
    assert early.week_of == datetime.date(2026, 3, 2) and early.recipient_count == 0
    assert mail.outbox == []

    with time_machine.travel(london(2026, 3, 9, 8, 5), tick=False):
        week = run_tasks(alerts.send_weekly_digest)
        assert run_tasks(alerts.send_weekly_digest) is None  # once a week

    assert week.recipient_count == 2 and week.news_count == 2
    by_address = {message.to[0]: message for message in mail.outbox}
    assert sorted(by_address) == [both.email, training.email]
    assert "Safeguarding week" in by_address[both.email].body
    assert "Working Together" in by_address[both.email].body
    assert "Safeguarding week" not in by_address[training.email].body
    assert by_address[training.email].subject == "Your weekly LSCP update: 1 new this week"
    for address, message in by_address.items():
        subscriber = Subscriber.objects.get(email=address)
        assert subscriber.token in message.body
        assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    mail.outbox.clear()
    with time_machine.travel(london(2026, 3, 16, 8, 5), tick=False):
        quiet = run_tasks(alerts.send_weekly_digest)
    assert quiet.news_count == 0 and quiet.recipient_count == 0
    assert mail.outbox == []
    assert DigestWeek.objects.count() == 3


# --- Preferences -----------------------------------------------------------------------------


def test_preferences_page_offers_how_often_and_saves_it(client, topics):
    subscriber = person("sam@example.org", topics=[topics["training"]], frequency=Frequency.MONTHLY)
    url = f"/subscribe/preferences/{subscriber.token}/"
    page = client.get(url).content.decode()
    assert "The monthly newsletter only" in page
    assert 'value="monthly" id="id_frequency_0" checked' in page

    response = client.post(url, {"topics": [topics["training"].pk], "frequency": "weekly"})
    assert response.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.frequency == Frequency.WEEKLY

    bad = client.post(url, {"topics": [topics["training"].pk], "frequency": "hourly"})
    assert bad.status_code == 400
    assert "Choose one of the options listed" in bad.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.frequency == Frequency.WEEKLY


def test_a_new_subscriber_gets_the_monthly_newsletter_only_and_the_export_says_how_often(topics):
    subscriber = SubscriberFactory(email="new@example.org", topics=[topics["training"]])
    assert subscriber.frequency == Frequency.MONTHLY
    data = signup.export_subscriber_data(subscriber=subscriber)
    assert data["subscriber"]["frequency"] == "The monthly newsletter only"


def test_an_alert_has_no_issue_progress_page(client, admin_user, topics, training_index, run_tasks):
    person("now@example.org", topics=[topics["training"]], frequency=Frequency.IMMEDIATE)
    with time_machine.travel(NOW, tick=False):
        course_with_session(training_index)
    with time_machine.travel(NOW + datetime.timedelta(minutes=6), tick=False):
        (send,) = run_tasks(alerts.send_due_alerts)
    sign_in_verified(client, admin_user, backend="django.contrib.auth.backends.ModelBackend")
    response = client.get(reverse("newsletter_sending:progress", args=[send.pk]))
    assert response.status_code == 404
