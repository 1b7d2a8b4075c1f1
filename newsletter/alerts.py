"""Topic alerts ("as it happens") and the weekly digest: what is new in each email topic,
mailed through the same ledger as an issue (``newsletter/sending.py``: exactly once, with
one-click unsubscribe).

What counts as new in a topic
-----------------------------
- a course session (training): in the topic NEWSLETTER_TOPIC_FOR["session"] ("training");
- an event (events): in NEWSLETTER_TOPIC_FOR["event"] ("events");
- guidance: an issue section an editor marked with a topic ("Alert subscribers of a topic"
  in the section); in that topic, usually "Local protocols and guidance".
Each is recorded once, as a ``TopicNews`` row, when it is first published
(``record_news_for_page``, called on Wagtail's page_published signal; sessions added to a
live course outside the page editor on their own save).

As it happens
-------------
Publishing schedules ``send_topic_alert`` for ALERT_DELAY later (``run_after``); when it
runs, everything in that topic not yet alerted goes in one email (so several things
published within those minutes make one alert), to the confirmed subscribers who chose the
topic and "as it happens". ``send_due_alerts`` (settings.PERIODIC_TASKS) sends any alert
whose task was lost or could not be deferred.

Weekly
------
``send_weekly_digest`` (settings.PERIODIC_TASKS, every few minutes) sends the digest once
the set day and time (NEWSLETTER_DIGEST_WEEKDAY, NEWSLETTER_DIGEST_TIME, Europe/London)
has come, once per week (``DigestWeek``): to each confirmed weekly subscriber, everything
published in their topics in the seven days before that moment. Subscribers are grouped by
the topics their digest covers, so the email is rendered once per group (at most one
group per combination of topics), not once per person; nobody whose topics had nothing new
gets an email.
"""

import datetime
import logging
import zoneinfo
from collections import defaultdict

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Min
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.tasks import task
from django.utils import timezone

from wagtail.signals import page_published

from events.dates import format_when
from events.models import EventPage
from lscp_site.email import render_email
from lscp_site.links import absolute as absolute_url
from newsletter import sending
from newsletter.alert_models import DigestWeek, TopicNews
from newsletter.contents import issue_contents
from newsletter.email_edition import absolutise_urls, stand_in_subscriber, wrap_text
from newsletter.models import NewsletterIssuePage
from newsletter.sending_models import Send
from subscriptions.mailing import subscriber_links
from subscriptions.models import Subscriber, Topic
from subscriptions.queries import confirmed_subscribers
from training.models import CoursePage, Session

logger = logging.getLogger(__name__)

LONDON = zoneinfo.ZoneInfo("Europe/London")
Frequency = Subscriber.Frequency
Kind = TopicNews.Kind


def alert_delay():
    """How long an alert waits for more news in its topic before it goes."""
    return datetime.timedelta(seconds=int(getattr(settings, "NEWSLETTER_ALERT_DELAY_SECONDS", 300)))


def topic_slug_for(kind):
    """The topic a course session or an event is news in (NEWSLETTER_TOPIC_FOR)."""
    mapping = {"session": "training", "event": "events"}
    mapping.update(getattr(settings, "NEWSLETTER_TOPIC_FOR", {}))
    return mapping.get(kind)


# --- Recording what is new -------------------------------------------------------------------


def record_news(*, topic, kind, source, title, when, url, now=None):
    """Note one new thing in ``topic``; False if it was already noted (a republish)."""
    now = now or timezone.now()
    try:
        with transaction.atomic():
            TopicNews.objects.create(
                topic=topic,
                kind=kind,
                source=source,
                title=title[:255],
                when=when[:100],
                url=url[:500],
                published_at=now,
            )
    except IntegrityError:
        return False
    return True


def _topic(slug):
    return Topic.objects.filter(slug=slug).first() if slug else None


def news_of_course(*, course, now=None, sessions=None):
    """Record the course's sessions still to come; returns the topics with news."""
    now = now or timezone.now()
    topic = _topic(topic_slug_for(Kind.SESSION))
    if topic is None:
        return set()
    if sessions is None:
        sessions = Session.objects.filter(course_id=course.pk, start__gt=now)
    created = [
        record_news(
            topic=topic,
            kind=Kind.SESSION,
            source=f"session:{session.pk}",
            title=course.title,
            when=format_when(session.start, session.end),
            url=course.url or "",
            now=now,
        )
        for session in sessions
        if session.start > now
    ]
    return {topic.pk} if any(created) else set()


def news_of_event(*, event, now=None):
    now = now or timezone.now()
    topic = _topic(topic_slug_for(Kind.EVENT))
    if topic is None or (event.ends_at and event.ends_at < now):
        return set()
    created = record_news(
        topic=topic,
        kind=Kind.EVENT,
        source=f"event:{event.pk}",
        title=event.title,
        when=format_when(event.starts, event.ends),
        url=event.url or "",
        now=now,
    )
    return {topic.pk} if created else set()


def news_of_issue(*, issue, now=None):
    """Sections of the issue marked with a topic: guidance (or other news) in that topic."""
    now = now or timezone.now()
    topics = set()
    anchors = {entry.index: entry.anchor for entry in issue_contents(issue.body)}
    for index, block in enumerate(issue.body):
        if block.block_type != "section" or block.value.get("topic") is None:
            continue
        topic = block.value["topic"]
        anchor = anchors.get(index)
        if record_news(
            topic=topic,
            kind=Kind.GUIDANCE,
            source=f"section:{block.id}",
            title=block.value.get("heading") or issue.title,
            when="",
            url=f"{issue.url}#{anchor}" if issue.url and anchor else (issue.url or ""),
            now=now,
        ):
            topics.add(topic.pk)
    return topics


def record_news_for_page(*, page, now=None):
    """Record what publishing ``page`` made new; returns the ids of topics with news."""
    page = page.specific
    if isinstance(page, CoursePage):
        return news_of_course(course=page, now=now)
    if isinstance(page, EventPage):
        return news_of_event(event=page, now=now)
    if isinstance(page, NewsletterIssuePage):
        return news_of_issue(issue=page, now=now)
    return set()


def schedule_alerts(*, topic_ids, now=None):
    """Queue an alert for each topic ALERT_DELAY from now (after the transaction commits).
    Backends that cannot wait (tests, immediate tasks) leave it to ``send_due_alerts``."""
    now = now or timezone.now()
    alert = send_topic_alert_task
    if not topic_ids or not alert.get_backend().supports_defer:
        return
    deferred = alert.using(run_after=now + alert_delay())
    for topic_id in sorted(topic_ids):
        transaction.on_commit(lambda topic_id=topic_id: deferred.enqueue(topic_id=topic_id))


@receiver(page_published, dispatch_uid="newsletter_topic_news_on_publish")
def on_page_published(sender, instance, **kwargs):
    schedule_alerts(topic_ids=record_news_for_page(page=instance))


@receiver(post_save, sender=Session, dispatch_uid="newsletter_topic_news_on_session")
def on_session_saved(sender, instance, created, raw=False, **kwargs):
    """A session added to a live course (the page's own publish records it too)."""
    if not created or raw:
        return
    course = CoursePage.objects.live().filter(pk=instance.course_id).first()
    if course is not None:
        schedule_alerts(topic_ids=news_of_course(course=course, sessions=[instance]))


# --- Rendering -------------------------------------------------------------------------------


def render_mailing(*, template_name, subject, context):
    """(text, html) of an alert or digest, with the recipient's links as placeholders."""
    links = subscriber_links(stand_in_subscriber())
    text, html = render_email(
        template_name=template_name,
        context={"subject": subject, **links, **context},
    )
    return wrap_text(text).strip() + "\n", absolutise_urls(html)


def _items(news):
    return [
        {
            "kind": item.get_kind_display(),
            "title": item.title,
            "when": item.when,
            "url": absolute_url(item.url) if item.url else "",
        }
        for item in news
    ]


# --- Sending ---------------------------------------------------------------------------------


def _new_send(*, kind, subject, text, html, topics, now):
    send = Send.objects.create(
        kind=kind,
        requested_at=now,
        prepared_at=now,
        subject=subject,
        text=text,
        html=html,
    )
    send.topics.set(topics)
    return send


def send_alert(*, topic, now=None):
    """Send one alert with everything in ``topic`` not yet alerted; returns the Send, or
    None when there was nothing new or nobody to tell."""
    now = now or timezone.now()
    with transaction.atomic():
        # One alert at a time per topic: a second task for it waits, then finds nothing.
        topic = Topic.objects.select_for_update().get(pk=topic.pk)
        pending = list(
            TopicNews.objects.filter(topic=topic, alerted_at__isnull=True).order_by(
                "published_at", "pk"
            )
        )
        if not pending:
            return None
        recipients = confirmed_subscribers(topics=[topic], frequency=Frequency.IMMEDIATE)
        send = None
        if recipients.exists():
            subject = (
                f"New in {topic.name}: {pending[0].title}"
                if len(pending) == 1
                else f"{len(pending)} new in {topic.name}"
            )
            text, html = render_mailing(
                template_name="newsletter/alert",
                subject=subject,
                context={"topic": topic, "items": _items(pending)},
            )
            send = _new_send(
                kind=Send.Kind.ALERT,
                subject=subject,
                text=text,
                html=html,
                topics=[topic],
                now=now,
            )
            sending.create_deliveries(send=send, subscribers=recipients)
            send.recipient_count = send.deliveries.count()
            send.save(update_fields=["recipient_count"])
            sending.start_delivery(send=send)
        TopicNews.objects.filter(pk__in=[item.pk for item in pending]).update(
            alerted_at=now, alert=send
        )
    return send


def send_due_alerts(*, now=None):
    """Alerts for every topic whose oldest unsent news has waited ALERT_DELAY."""
    now = now or timezone.now()
    due = (
        TopicNews.objects.filter(alerted_at__isnull=True)
        .values("topic_id")
        .annotate(oldest=Min("published_at"))
        .filter(oldest__lte=now - alert_delay())
        .values_list("topic_id", flat=True)
    )
    sends = []
    for topic in Topic.objects.filter(pk__in=list(due)).order_by("pk"):
        sends.append(send_alert(topic=topic, now=now))
    return [send for send in sends if send is not None]


def digest_moment(now):
    """The latest set digest time (day and time in Leeds) at or before ``now``."""
    weekday = int(getattr(settings, "NEWSLETTER_DIGEST_WEEKDAY", 0))  # Monday
    hour, minute = (
        int(part) for part in getattr(settings, "NEWSLETTER_DIGEST_TIME", "08:00").split(":")
    )
    local = now.astimezone(LONDON)
    day = local.date() - datetime.timedelta(days=(local.weekday() - weekday) % 7)
    moment = datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=LONDON)
    if moment > local:
        moment = datetime.datetime.combine(
            day - datetime.timedelta(days=7), datetime.time(hour, minute), tzinfo=LONDON
        )
    return moment


def digest_groups(*, topic_ids):
    """{frozenset of topic ids: [subscriber ids]} for confirmed weekly subscribers who chose
    any of ``topic_ids``: each person once, under the topics of theirs that have news."""
    weekly = confirmed_subscribers(frequency=Frequency.WEEKLY).values("pk")
    choices = defaultdict(set)
    for subscriber_id, topic_id in (
        Subscriber.topics.through.objects.filter(topic_id__in=topic_ids, subscriber_id__in=weekly)
        .values_list("subscriber_id", "topic_id")
        .iterator(chunk_size=5000)
    ):
        choices[subscriber_id].add(topic_id)
    groups = defaultdict(list)
    for subscriber_id, topics in choices.items():
        groups[frozenset(topics)].append(subscriber_id)
    return groups


def send_weekly_digest(*, now=None, moment=None):
    """Send this week's digest if its time has come and it has not gone; returns the
    DigestWeek (None when already done). ``moment``: the set time it is for (the latest one
    before ``now`` unless given)."""
    now = now or timezone.now()
    moment = moment or digest_moment(now)
    if DigestWeek.objects.filter(week_of=moment.date()).exists():
        return None
    try:
        with transaction.atomic():
            week = DigestWeek.objects.create(week_of=moment.date(), started_at=now)
            news = list(
                TopicNews.objects.filter(
                    published_at__gte=moment - datetime.timedelta(days=7),
                    published_at__lt=moment,
                )
                .select_related("topic")
                .order_by("topic__sort_order", "topic_id", "published_at", "pk")
            )
            by_topic = defaultdict(list)
            for item in news:
                by_topic[item.topic_id].append(item)
            topics = {item.topic_id: item.topic for item in news}
            week.news_count = len(news)
            groups = digest_groups(topic_ids=list(by_topic)) if news else {}
            week_label = f"{moment:%-d %B %Y}"
            for topic_ids, subscriber_ids in sorted(groups.items(), key=lambda g: sorted(g[0])):
                chosen = sorted(
                    (topics[pk] for pk in topic_ids), key=lambda t: (t.sort_order, t.pk)
                )
                count = sum(len(by_topic[t.pk]) for t in chosen)
                subject = f"Your weekly LSCP update: {count} new this week"
                text, html = render_mailing(
                    template_name="newsletter/digest",
                    subject=subject,
                    context={
                        "week_label": week_label,
                        "sections": [{"topic": t, "items": _items(by_topic[t.pk])} for t in chosen],
                    },
                )
                send = _new_send(
                    kind=Send.Kind.DIGEST,
                    subject=subject,
                    text=text,
                    html=html,
                    topics=chosen,
                    now=now,
                )
                sending.create_deliveries(
                    send=send, subscribers=Subscriber.objects.filter(pk__in=subscriber_ids)
                )
                send.recipient_count = len(subscriber_ids)
                send.save(update_fields=["recipient_count"])
                week.recipient_count += len(subscriber_ids)
                sending.start_delivery(send=send)
            week.save(update_fields=["news_count", "recipient_count"])
    except IntegrityError:  # another run took this week first
        return None
    return week


# --- Tasks -----------------------------------------------------------------------------------


@task(priority=sending.SENDING_PRIORITY)
def send_topic_alert_task(*, topic_id):
    topic = Topic.objects.filter(pk=topic_id).first()
    send = send_alert(topic=topic) if topic is not None else None
    return send.pk if send else None


@task
def send_due_alerts_task():
    """Every few minutes (settings.PERIODIC_TASKS): alerts whose deferred task went missing."""
    return len(send_due_alerts())


@task
def send_weekly_digest_task():
    """Every few minutes (settings.PERIODIC_TASKS): the digest, once its time has come."""
    week = send_weekly_digest()
    return week.recipient_count if week else 0
