"""The sign-up rules in subscriptions/signup.py, called as views, admin and tasks call them."""

import datetime

from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

import pytest
import time_machine

from subscriptions import consent, signup
from subscriptions.models import ConsentRecord, StatusChange, Subscriber
from subscriptions.signals import subscriber_erasing, subscriber_exporting

from .factories import SubscriberFactory, confirm_path, seed_topics, sign_up

pytestmark = pytest.mark.django_db

Status = Subscriber.Status
NOW = datetime.datetime(2025, 3, 18, 10, 0, tzinfo=datetime.UTC)


def test_a_new_address_is_stored_trimmed_and_pending_with_its_consent():
    topics = seed_topics()[:2]
    with time_machine.travel(NOW, tick=False):
        result = signup.subscribe(
            email="  Sam.Jones@Example.org \n",
            topics=topics,
            source_url="/newsletter/march-2025/",
        )

    subscriber = Subscriber.objects.get()
    assert result.outcome == signup.Outcome.SUBSCRIBED
    assert subscriber.email == "Sam.Jones@Example.org"
    assert subscriber.status == Status.PENDING
    assert set(subscriber.topics.all()) == set(topics)
    record = ConsentRecord.objects.get()
    assert record.subscriber == subscriber
    assert record.wording_version == consent.CURRENT_VERSION
    assert record.wording == consent.current().text
    assert "privacy notice" in record.wording
    assert record.given_at == NOW
    assert record.source_url == "/newsletter/march-2025/"
    assert record.topic_names == [topic.name for topic in topics]
    assert record.confirmed_at is None
    assert list(StatusChange.objects.values_list("status", "changed_at")) == [(Status.PENDING, NOW)]


def test_a_new_sign_up_queues_one_confirmation_email():
    sign_up("sam@example.org")

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["sam@example.org"]
    assert message.subject == "Confirm your email updates from the LSCP"
    assert confirm_path(message).startswith("/subscribe/confirm/")


def test_the_same_address_in_another_case_is_the_same_subscriber():
    sign_up("sam@example.org")
    with time_machine.travel(datetime.timedelta(minutes=10)):
        result = sign_up("  SAM@EXAMPLE.ORG")

    assert Subscriber.objects.count() == 1
    assert result.outcome == signup.Outcome.STILL_PENDING
    assert result.subscriber.email == "sam@example.org"


def test_the_database_refuses_a_second_row_for_the_same_address_in_another_case():
    SubscriberFactory(email="sam@example.org")

    with pytest.raises(IntegrityError), transaction.atomic():
        SubscriberFactory(email="Sam@Example.ORG")


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("", signup.ERROR_EMAIL_MISSING),
        ("   ", signup.ERROR_EMAIL_MISSING),
        ("not an address", signup.ERROR_EMAIL_FORMAT),
        ("sam@", signup.ERROR_EMAIL_FORMAT),
        ("a" * 243 + "@example.org", signup.ERROR_EMAIL_TOO_LONG),  # 255 characters
    ],
)
def test_a_bad_address_is_refused_and_nothing_is_stored(email, message):
    with pytest.raises(ValidationError) as error:
        sign_up(email)

    assert error.value.messages == [message]
    assert Subscriber.objects.count() == 0
    assert ConsentRecord.objects.count() == 0
    assert mail.outbox == []


def test_an_address_of_exactly_254_characters_is_accepted():
    email = "a" * 64 + "@" + "b" * 63 + "." + "c" * 63 + "." + "d" * 57 + ".org"
    assert len(email) == 254

    sign_up(email)

    assert Subscriber.objects.get().email == email


def test_no_topic_is_refused_and_nothing_is_stored():
    with pytest.raises(ValidationError) as error:
        sign_up("sam@example.org", topics=[])

    assert error.value.message_dict == {"topics": [signup.ERROR_NO_TOPIC]}
    assert Subscriber.objects.count() == 0


def test_a_pending_address_signing_up_again_gets_fresh_consent_and_its_new_topics():
    training, guidance, *_ = seed_topics()
    sign_up("sam@example.org", topics=[training])
    with time_machine.travel(datetime.timedelta(minutes=10)):
        result = sign_up("sam@example.org", topics=[guidance])

    assert result.outcome == signup.Outcome.STILL_PENDING
    assert list(result.subscriber.topics.all()) == [guidance]
    assert ConsentRecord.objects.count() == 2
    assert len(mail.outbox) == 2


def test_signing_up_again_within_minutes_sends_no_second_email():
    sign_up("sam@example.org")
    with time_machine.travel(signup.EMAIL_INTERVAL - datetime.timedelta(seconds=5)):
        result = sign_up("sam@example.org")

    assert result.emailed is False
    assert len(mail.outbox) == 1


def test_a_confirmed_subscriber_signing_up_again_changes_nothing_and_is_emailed_their_preferences():
    training, guidance, *_ = seed_topics()
    subscriber = SubscriberFactory(email="sam@example.org", topics=[training])

    result = sign_up("Sam@example.org", topics=[guidance])

    assert result.outcome == signup.Outcome.ALREADY_CONFIRMED
    subscriber.refresh_from_db()
    assert subscriber.status == Status.CONFIRMED
    assert list(subscriber.topics.all()) == [training]
    assert ConsentRecord.objects.count() == 0
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "Change your email updates from the LSCP"
    assert f"/subscribe/preferences/{subscriber.token}/" in message.body
    assert "/subscribe/confirm/" not in message.body


def test_confirming_makes_the_subscriber_confirmed_and_dates_the_consent():
    with time_machine.travel(NOW, tick=False):
        sign_up("sam@example.org")
    token = confirm_path(mail.outbox[0]).split("/")[3]

    with time_machine.travel(NOW + datetime.timedelta(days=1), tick=False):
        result = signup.confirm(token=token)

    assert result.outcome == signup.Outcome.CONFIRMED
    subscriber = Subscriber.objects.get()
    assert subscriber.status == Status.CONFIRMED
    assert subscriber.confirmed_at == NOW + datetime.timedelta(days=1)
    assert ConsentRecord.objects.get().confirmed_at == NOW + datetime.timedelta(days=1)
    assert list(subscriber.status_changes.values_list("status", flat=True)) == [
        Status.PENDING,
        Status.CONFIRMED,
    ]


def test_confirming_twice_is_harmless():
    sign_up("sam@example.org")
    token = confirm_path(mail.outbox[0]).split("/")[3]
    signup.confirm(token=token)

    result = signup.confirm(token=token)

    assert result.outcome == signup.Outcome.ALREADY_CONFIRMED
    assert StatusChange.objects.filter(status=Status.CONFIRMED).count() == 1


def test_an_old_confirmation_link_does_not_undo_a_later_unsubscribe():
    sign_up("sam@example.org")
    token = confirm_path(mail.outbox[0]).split("/")[3]
    signup.unsubscribe(subscriber=Subscriber.objects.get())

    result = signup.confirm(token=token)

    assert result.outcome == signup.Outcome.UNSUBSCRIBED
    assert Subscriber.objects.get().status == Status.UNSUBSCRIBED


def test_unsubscribing_keeps_the_address_marked_unsubscribed_and_is_harmless_twice():
    subscriber = SubscriberFactory(email="sam@example.org")

    first = signup.unsubscribe(subscriber=subscriber, note="Unsubscribed in one click")
    second = signup.unsubscribe(subscriber=subscriber)

    assert first.outcome == signup.Outcome.UNSUBSCRIBED
    assert second.outcome == signup.Outcome.NO_CHANGE
    subscriber.refresh_from_db()
    assert subscriber.status == Status.UNSUBSCRIBED
    assert subscriber.unsubscribed_at is not None
    assert list(subscriber.status_changes.values_list("status", "note")) == [
        (Status.UNSUBSCRIBED, "Unsubscribed in one click")
    ]


def test_resubscribing_after_unsubscribing_needs_fresh_consent_and_a_new_confirmation():
    sign_up("sam@example.org")
    signup.confirm(token=confirm_path(mail.outbox[0]).split("/")[3])
    signup.unsubscribe(subscriber=Subscriber.objects.get())
    mail.outbox.clear()

    with time_machine.travel(datetime.timedelta(days=2)):
        result = sign_up("sam@example.org", source_url="/training/")

    assert result.outcome == signup.Outcome.RESUBSCRIBED
    subscriber = Subscriber.objects.get()
    assert subscriber.status == Status.PENDING
    assert subscriber.confirmed_at is None
    assert subscriber.unsubscribed_at is None
    assert subscriber.consent_records.count() == 2
    assert subscriber.consent_records.latest().source_url == "/training/"
    assert list(subscriber.status_changes.values_list("status", flat=True)) == [
        Status.PENDING,
        Status.CONFIRMED,
        Status.UNSUBSCRIBED,
        Status.PENDING,
    ]
    assert len(mail.outbox) == 1

    signup.confirm(token=confirm_path(mail.outbox[0]).split("/")[3])
    assert Subscriber.objects.get().status == Status.CONFIRMED


def test_preferences_replace_the_topics_of_a_confirmed_subscriber():
    training, guidance, learning, events = seed_topics()
    subscriber = SubscriberFactory(topics=[training, guidance])

    signup.update_preferences(subscriber=subscriber, topics=[learning, events])

    assert set(subscriber.topics.all()) == {learning, events}


def test_preferences_need_a_topic_and_a_confirmed_subscriber():
    training, *_ = seed_topics()
    subscriber = SubscriberFactory(topics=[training], status=Status.UNSUBSCRIBED)

    with pytest.raises(ValidationError):
        signup.update_preferences(subscriber=subscriber, topics=[])
    with pytest.raises(signup.NotSubscribed):
        signup.update_preferences(subscriber=subscriber, topics=[training])


def test_a_manage_link_goes_to_confirmed_and_pending_addresses_only():
    confirmed = SubscriberFactory(email="confirmed@example.org")
    SubscriberFactory(email="gone@example.org", status=Status.UNSUBSCRIBED)
    sign_up("pending@example.org")
    mail.outbox.clear()

    with time_machine.travel(datetime.timedelta(minutes=10)):
        assert signup.send_manage_link(email="Confirmed@example.org").emailed
        assert signup.send_manage_link(email="pending@example.org").emailed
        assert signup.send_manage_link(email="gone@example.org") is None
        assert signup.send_manage_link(email="stranger@example.org") is None

    assert [message.to for message in mail.outbox] == [
        ["confirmed@example.org"],
        ["pending@example.org"],
    ]
    assert f"/subscribe/preferences/{confirmed.token}/" in mail.outbox[0].body
    assert "/subscribe/confirm/" in mail.outbox[1].body


def test_export_holds_everything_about_the_person_and_what_other_apps_add():
    sign_up("sam@example.org", source_url="/events/")
    signup.confirm(token=confirm_path(mail.outbox[0]).split("/")[3])
    subscriber = Subscriber.objects.get()

    def add_section(sender, subscriber, **kwargs):
        return {"newsletter_deliveries": [{"issue": "March 2025", "to": subscriber.email}]}

    subscriber_exporting.connect(add_section)
    try:
        data = signup.export_subscriber_data(subscriber=subscriber)
    finally:
        subscriber_exporting.disconnect(add_section)

    assert data["subscriber"]["email"] == "sam@example.org"
    assert data["subscriber"]["status"] == "confirmed"
    assert data["subscriber"]["topics"] == [topic.name for topic in seed_topics()]
    assert [record["source_url"] for record in data["consent_records"]] == ["/events/"]
    assert data["consent_records"][0]["wording"] == consent.current().text
    assert data["consent_records"][0]["confirmed_at"] is not None
    assert [step["status"] for step in data["status_history"]] == ["pending", "confirmed"]
    assert data["newsletter_deliveries"] == [{"issue": "March 2025", "to": "sam@example.org"}]
    assert subscriber.token not in str(data)


def test_erasing_deletes_the_person_their_consent_and_history_and_tells_other_apps():
    sign_up("sam@example.org")
    other = SubscriberFactory(email="other@example.org")
    subscriber = Subscriber.objects.get(email="sam@example.org")
    told = []

    def erase_mine(sender, subscriber, **kwargs):
        told.append(subscriber.email)

    subscriber_erasing.connect(erase_mine)
    try:
        deleted = signup.erase_subscriber(subscriber=subscriber)
    finally:
        subscriber_erasing.disconnect(erase_mine)

    assert told == ["sam@example.org"]
    assert deleted["subscriptions.Subscriber"] == 1
    assert list(Subscriber.objects.all()) == [other]
    assert ConsentRecord.objects.count() == 0
    assert StatusChange.objects.count() == 0


def test_an_erasure_that_fails_in_another_app_erases_nothing():
    sign_up("sam@example.org")
    subscriber = Subscriber.objects.get()

    def fail(sender, subscriber, **kwargs):
        raise RuntimeError("newsletter database unavailable")

    subscriber_erasing.connect(fail)
    try:
        with pytest.raises(RuntimeError):
            signup.erase_subscriber(subscriber=subscriber)
    finally:
        subscriber_erasing.disconnect(fail)

    assert Subscriber.objects.filter(pk=subscriber.pk).exists()
    assert ConsentRecord.objects.count() == 1


def test_a_source_that_is_not_a_path_on_this_site_is_recorded_as_the_subscribe_page():
    for source in ["https://evil.example/", "//evil.example/x", "", "/" + "x" * 600]:
        assert signup.clean_source_url(source) == "/subscribe/"
    assert signup.clean_source_url("/training/safer-recruitment/") == (
        "/training/safer-recruitment/"
    )


def test_an_unknown_consent_version_is_recorded_as_the_current_wording():
    sign_up("sam@example.org", consent_version="1999-01")

    record = ConsentRecord.objects.get()
    assert record.wording_version == consent.CURRENT_VERSION
    assert record.wording == consent.current().text
