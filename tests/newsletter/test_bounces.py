"""Bounces and complaints: the email provider's reports posted to django-anymail's tracking
webhooks in the shapes Amazon SES (through SNS) and Postmark post them, recorded against the
delivery and the subscriber; the address suppressed after a hard bounce, a complaint or
repeated soft bounces; a suppressed address gets nothing until it confirms again."""

import base64
import json
import smtplib

from django.core import mail

import pytest

from newsletter import sending
from newsletter.sending_models import Delivery, DeliveryEvent
from subscriptions import signup
from subscriptions.models import Subscriber
from tests.newsletter.sending_support import RecordingBackend, rich_issue, sent_to, subscribers
from tests.subscriptions.factories import confirm_path, seed_topics

pytestmark = pytest.mark.django_db

Kind = DeliveryEvent.Kind
SECRET = "provider:webhook-test-secret"  # lscp_site/settings/test.py
AUTH = {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(SECRET.encode()).decode()}
SES_URL = "/anymail/amazon_ses/tracking/"
POSTMARK_URL = "/anymail/postmark/tracking/"


@pytest.fixture(autouse=True)
def recording_backend(settings):
    settings.EMAIL_BACKEND = "tests.newsletter.sending_support.RecordingBackend"
    RecordingBackend.reset()
    yield RecordingBackend
    RecordingBackend.reset()


@pytest.fixture
def issue(newsletter_index):
    return rich_issue(newsletter_index)


@pytest.fixture
def sent(issue, django_capture_on_commit_callbacks):
    """An issue sent to three people; the provider's message id noted on each delivery."""
    people = subscribers(3)
    with django_capture_on_commit_callbacks(execute=True):
        send = sending.queue_send(issue=issue)
    for number, person in enumerate(people):
        Delivery.objects.filter(subscriber=person).update(provider_message_id=f"ses-{number}")
    return send, people


# --- Payloads as the providers post them (anymail's own tests and the providers' docs) -----


def sns(ses_event, *, sns_id="19ba9823-d7f2-53c1-860e-cb10e0d13dfc"):
    return {
        "Type": "Notification",
        "MessageId": sns_id,
        "TopicArn": "arn:aws:sns:eu-west-2:1234567890:SES_Events",
        "Subject": "Amazon SES Email Event Notification",
        "Message": json.dumps(ses_event) + "\n",
        "Timestamp": "2026-03-26T17:58:59.675Z",
        "SignatureVersion": "1",
        "Signature": "EXAMPLE-SIGNATURE==",
    }


def ses_mail(message_id, *recipients):
    return {
        "timestamp": "2026-03-26T17:58:38.237Z",
        "source": "lscp.info@leeds.gov.uk",
        "messageId": message_id,
        "destination": list(recipients),
        "headersTruncated": False,
        "headers": [],
    }


def ses_bounce(message_id, address, *, bounce_type="Permanent", sub_type="General"):
    return {
        "notificationType": "Bounce",
        "bounce": {
            "bounceType": bounce_type,
            "bounceSubType": sub_type,
            "bouncedRecipients": [
                {
                    "emailAddress": address,
                    "status": "5.1.1" if bounce_type == "Permanent" else "4.2.2",
                    "action": "failed",
                    "diagnosticCode": "smtp; 550 5.1.1 User unknown"
                    if bounce_type == "Permanent"
                    else "smtp; 452 4.2.2 Mailbox full",
                }
            ],
            "timestamp": "2026-03-26T17:58:44.101Z",
            "feedbackId": "00000138111222aa-44455566-cccc-cccc-cccc-ddddaaaa068a-000000",
        },
        "mail": ses_mail(message_id, address),
    }


def ses_complaint(message_id, address):
    return {
        "notificationType": "Complaint",
        "complaint": {
            "userAgent": "AnyCompany Feedback Loop (V0.01)",
            "complainedRecipients": [{"emailAddress": address}],
            "complaintFeedbackType": "abuse",
        },
        "mail": ses_mail(message_id, address),
    }


def ses_delivery(message_id, address):
    return {
        "notificationType": "Delivery",
        "mail": ses_mail(message_id, address),
        "delivery": {
            "timestamp": "2026-03-26T17:58:40.237Z",
            "recipients": [address],
            "processingTimeMillis": 546,
            "smtpResponse": "250 ok:  Message 64111812 accepted",
        },
    }


def ses_reject(message_id, address):
    return {
        "eventType": "Reject",
        "mail": ses_mail(message_id, address),
        "reject": {"reason": "Bad content"},
    }


def post_sns(client, ses_event, *, sns_id="19ba9823-d7f2-53c1-860e-cb10e0d13dfc", auth=True):
    message = sns(ses_event, sns_id=sns_id)
    return client.post(
        SES_URL,
        data=json.dumps(message),
        content_type="text/plain; charset=UTF-8",  # SNS posts JSON as text/plain
        HTTP_X_AMZ_SNS_MESSAGE_ID=message["MessageId"],
        HTTP_X_AMZ_SNS_MESSAGE_TYPE=message["Type"],
        **(AUTH if auth else {}),
    )


def postmark_bounce(address, *, kind="HardBounce", event_id=4323372036854775807, message_id=""):
    return {
        "RecordType": "Bounce",
        "ID": event_id,
        "Type": kind,
        "TypeCode": {"HardBounce": 1, "SoftBounce": 4096, "BadEmailAddress": 100000}[kind],
        "Name": kind,
        "MessageID": message_id or "883953f4-6105-42a2-a16a-77a8eac79483",
        "Metadata": {},
        "ServerID": 23,
        "MessageStream": "outbound",
        "Description": "The server was unable to deliver your message (ex: unknown user, "
        "mailbox not found).",
        "Details": "smtp;550 5.1.1 The email account that you tried to reach does not exist.",
        "Email": address,
        "From": "lscp.info@leeds.gov.uk",
        "BouncedAt": "2026-03-05T16:33:54.9070259Z",
        "Inactive": True,
        "CanActivate": True,
        "Subject": "March Newsletter 2025",
    }


def postmark_complaint(address, *, metadata=None):
    return {
        "RecordType": "SpamComplaint",
        "MessageStream": "outbound",
        "ID": 42,
        "Type": "SpamComplaint",
        "TypeCode": 512,
        "Name": "Spam complaint",
        "Tag": "",
        "MessageID": "00000000-0000-0000-0000-000000000000",
        "Metadata": metadata or {},
        "ServerID": 1234,
        "Description": "The subscriber explicitly marked this message as spam.",
        "Details": "Test spam complaint details",
        "Email": address,
        "From": "lscp.info@leeds.gov.uk",
        "BouncedAt": "2026-03-05T16:33:54.9070259Z",
        "Subject": "March Newsletter 2025",
    }


def postmark_delivery(address, *, metadata=None):
    return {
        "RecordType": "Delivery",
        "ServerID": 23,
        "MessageStream": "outbound",
        "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483",
        "Recipient": address,
        "Tag": "",
        "DeliveredAt": "2026-03-05T16:33:54.9070259Z",
        "Details": "Test delivery webhook details",
        "Metadata": metadata or {},
    }


def postmark_unsubscribe(address):
    return {
        "RecordType": "SubscriptionChange",
        "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483",
        "ServerID": 23,
        "MessageStream": "outbound",
        "ChangedAt": "2026-03-05T10:53:34.416071Z",
        "Recipient": address,
        "Origin": "Recipient",
        "SuppressSending": True,
        "SuppressionReason": "ManualSuppression",
        "Tag": "",
        "Metadata": {},
    }


def post_postmark(client, payload, *, auth=True):
    return client.post(
        POSTMARK_URL,
        data=json.dumps(payload),
        content_type="application/json",
        **(AUTH if auth else {}),
    )


def reload(person):
    return Subscriber.objects.get(pk=person.pk)


# --- Amazon SES through SNS -------------------------------------------------------------


def test_ses_hard_bounce_is_recorded_against_the_delivery_and_stops_email_to_the_address(
    client, sent
):
    send, (bouncer, *others) = sent
    response = post_sns(client, ses_bounce("ses-0", bouncer.email))
    assert response.status_code == 200
    event = DeliveryEvent.objects.get()
    assert event.kind == Kind.HARD_BOUNCE
    assert event.provider == "Amazon SES"
    assert event.delivery == Delivery.objects.get(subscriber=bouncer)
    assert event.send == send and event.subscriber == bouncer and event.suppressed
    assert "550 5.1.1 User unknown" in event.reason
    bouncer = reload(bouncer)
    assert bouncer.is_suppressed and "bounced" in bouncer.suppression_reason
    assert bouncer.status == Subscriber.Status.CONFIRMED  # their choice is kept
    assert not any(reload(person).is_suppressed for person in others)


def test_ses_complaint_stops_email_at_once(client, sent):
    _, (person, *_) = sent
    assert post_sns(client, ses_complaint("ses-0", person.email)).status_code == 200
    event = DeliveryEvent.objects.get()
    assert event.kind == Kind.COMPLAINED and event.suppressed
    assert "spam" in reload(person).suppression_reason


def test_ses_delivery_and_a_rejection_for_content_are_recorded_without_stopping_email(client, sent):
    _, (first, second, _third) = sent
    post_sns(client, ses_delivery("ses-0", first.email), sns_id="a1")
    post_sns(client, ses_reject("ses-1", second.email), sns_id="a2")
    kinds = dict(DeliveryEvent.objects.values_list("subscriber__email", "kind"))
    assert kinds == {first.email: Kind.DELIVERED, second.email: Kind.REJECTED}
    assert not reload(first).is_suppressed and not reload(second).is_suppressed


def test_three_soft_bounces_within_thirty_days_stop_email_but_two_do_not(client, sent):
    _, (person, *_) = sent
    for number in range(2):
        event = ses_bounce("ses-0", person.email, bounce_type="Transient", sub_type="MailboxFull")
        post_sns(client, event, sns_id=f"soft-{number}")
    assert DeliveryEvent.objects.filter(kind=Kind.SOFT_BOUNCE).count() == 2
    assert not reload(person).is_suppressed
    event = ses_bounce("ses-0", person.email, bounce_type="Transient", sub_type="MailboxFull")
    post_sns(client, event, sns_id="soft-2")
    person = reload(person)
    assert person.is_suppressed and "Bounced 3 times in 30 days" in person.suppression_reason


def test_the_same_report_posted_twice_is_recorded_once(client, sent):
    _, (person, *_) = sent
    for _attempt in range(2):
        assert post_sns(client, ses_bounce("ses-0", person.email)).status_code == 200
    assert DeliveryEvent.objects.count() == 1
    assert reload(person).status_changes.filter(note__startswith="Email stopped").count() == 1


def test_reports_without_the_webhook_secret_are_refused_and_change_nothing(client, sent):
    _, (person, *_) = sent
    assert post_sns(client, ses_bounce("ses-0", person.email), auth=False).status_code == 401
    assert post_postmark(client, postmark_complaint(person.email), auth=False).status_code == 400
    wrong = {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(b"provider:guess").decode()}
    response = client.post(
        POSTMARK_URL,
        data=json.dumps(postmark_complaint(person.email)),
        content_type="application/json",
        **wrong,
    )
    assert response.status_code == 400
    assert not DeliveryEvent.objects.exists() and not reload(person).is_suppressed


# --- Postmark ------------------------------------------------------------------------------


def test_postmark_hard_bounce_matched_by_the_delivery_in_its_metadata_stops_email(client, sent):
    _, (person, *_) = sent
    delivery = Delivery.objects.get(subscriber=person)
    payload = postmark_bounce(person.email)
    payload["Metadata"] = {"lscp_delivery": str(delivery.pk)}
    assert post_postmark(client, payload).status_code == 200
    event = DeliveryEvent.objects.get()
    assert (event.kind, event.provider, event.delivery) == (Kind.HARD_BOUNCE, "Postmark", delivery)
    assert reload(person).is_suppressed


def test_postmark_soft_bounces_count_towards_the_limit(client, sent, settings):
    settings.NEWSLETTER_SOFT_BOUNCE_LIMIT = 2
    _, (person, *_) = sent
    post_postmark(client, postmark_bounce(person.email, kind="SoftBounce", event_id=1))
    assert not reload(person).is_suppressed
    post_postmark(client, postmark_bounce(person.email, kind="SoftBounce", event_id=2))
    assert reload(person).is_suppressed
    assert set(DeliveryEvent.objects.values_list("kind", flat=True)) == {Kind.SOFT_BOUNCE}


def test_postmark_complaint_delivery_bad_address_and_unsubscribe(client, sent):
    _, (complainer, delivered, invalid) = sent
    post_postmark(client, postmark_complaint(complainer.email))
    post_postmark(client, postmark_delivery(delivered.email))
    post_postmark(client, postmark_delivery(delivered.email))  # posted again: once
    post_postmark(client, postmark_bounce(invalid.email, kind="BadEmailAddress", event_id=7))
    kinds = sorted(DeliveryEvent.objects.values_list("kind", flat=True))
    assert kinds == sorted([Kind.COMPLAINED, Kind.DELIVERED, Kind.REJECTED])
    assert reload(complainer).is_suppressed
    assert not reload(delivered).is_suppressed
    assert reload(invalid).is_suppressed  # the service says the address cannot work

    unsubscriber = subscribers(1, prefix="leaver")[0]
    post_postmark(client, postmark_unsubscribe(unsubscriber.email))
    assert reload(unsubscriber).status == Subscriber.Status.UNSUBSCRIBED


def test_a_report_about_an_address_nobody_has_is_kept_without_a_subscriber(client, sent):
    post_postmark(client, postmark_bounce("stranger@example.net"))
    event = DeliveryEvent.objects.get()
    assert event.subscriber is None and event.delivery is None and not event.suppressed


def test_metadata_naming_someone_elses_delivery_is_not_trusted(client, sent):
    _, (first, second, _) = sent
    payload = postmark_bounce(first.email)
    payload["Metadata"] = {"lscp_delivery": str(Delivery.objects.get(subscriber=second).pk)}
    post_postmark(client, payload)
    event = DeliveryEvent.objects.get()
    assert event.delivery is None and event.subscriber == first
    assert not reload(second).is_suppressed


# --- What suppression changes -------------------------------------------------------------


def test_a_suppressed_address_gets_no_further_send_until_it_confirms_again(
    client, issue, django_capture_on_commit_callbacks, settings
):
    seed_topics()
    person = subscribers(1)[0]
    post_sns(client, ses_complaint("x", person.email))
    others = subscribers(1, prefix="other")
    with django_capture_on_commit_callbacks(execute=True):
        sending.queue_send(issue=issue)
    assert sent_to() == {others[0].email: 1}
    assert not Delivery.objects.filter(subscriber=person).exists()

    # Signing up again asks them to confirm (no preferences email to a stopped address).
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    with django_capture_on_commit_callbacks(execute=True):
        result = signup.subscribe(
            email=person.email, topics=seed_topics(), source_url="/newsletter/"
        )
    assert result.outcome == signup.Outcome.RESUBSCRIBED
    assert reload(person).is_suppressed and reload(person).status == Subscriber.Status.PENDING
    signup.confirm(token=confirm_path(mail.outbox[-1]).split("/")[3])
    person = reload(person)
    assert person.is_confirmed and not person.is_suppressed and person.suppression_reason == ""


def test_a_delivery_queued_before_the_address_was_suppressed_is_skipped(
    issue, django_capture_on_commit_callbacks
):
    from subscriptions import suppression

    people = subscribers(2)
    send = sending.queue_send(issue=issue)
    sending.prepare(send_id=send.pk)
    suppression.suppress(email=people[0].email, reason="Reported our email as spam")
    sending.run_delivery(send_id=send.pk, chain=False)
    assert sent_to() == {people[1].email: 1}
    skipped = Delivery.objects.get(subscriber=people[0])
    assert skipped.status == Delivery.Status.SKIPPED and "stopped" in skipped.error


def test_smtp_5xx_refusal_of_an_address_suppresses_it_and_4xx_does_not(
    issue, django_capture_on_commit_callbacks
):
    gone, busy, fine = subscribers(3)
    RecordingBackend.failures = {
        gone.email: smtplib.SMTPRecipientsRefused({gone.email: (550, b"5.1.1 No such user")}),
        busy.email: smtplib.SMTPRecipientsRefused({busy.email: (452, b"Mailbox full")}),
    }
    with django_capture_on_commit_callbacks(execute=True):
        send = sending.queue_send(issue=issue)
    assert sent_to() == {fine.email: 1}
    gone = reload(gone)
    assert gone.is_suppressed and "550" in gone.suppression_reason
    assert not reload(busy).is_suppressed
    event = DeliveryEvent.objects.get()
    assert (event.kind, event.send, event.subscriber) == (Kind.HARD_BOUNCE, send, gone)


def test_export_lists_the_events_and_erasure_removes_them(client, sent):
    _, (person, *_) = sent
    post_sns(client, ses_bounce("ses-0", person.email))
    data = signup.export_subscriber_data(subscriber=reload(person))
    assert data["subscriber"]["email_stopped_because"].startswith("The address bounced")
    assert [e["what"] for e in data["newsletter_delivery_events"]] == [Kind.HARD_BOUNCE]
    signup.erase_subscriber(subscriber=reload(person))
    assert not DeliveryEvent.objects.exists()
