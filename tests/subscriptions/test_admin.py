"""Subscribers in the Wagtail admin: only for people with the subscribers permission."""

import csv
import io
import json

from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.template.loader import render_to_string

from wagtail.models import ModelLogEntry

import pytest
from bs4 import BeautifulSoup

from subscriptions import signup, suppression
from subscriptions.models import ConsentRecord, StatusChange, Subscriber
from tests.two_factor import sign_in_verified

from .factories import SubscriberFactory, confirm_path, seed_topics, sign_up

pytestmark = pytest.mark.django_db

INDEX = "/admin/subscribers/"


def soup(response):
    return BeautifulSoup(response.content, "html.parser")


def _user(django_user_model, username, *permissions):
    user = django_user_model.objects.create_user(username=username, password="x" * 12)
    group = Group.objects.create(name=f"{username} group")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    for codename in permissions:
        group.permissions.add(Permission.objects.get(codename=codename))
    user.groups.add(group)
    return user


@pytest.fixture
def editor_client(client, django_user_model):
    """An editor who may use the admin but not see subscribers."""
    client.force_login(_user(django_user_model, "editor"))
    return client


@pytest.fixture
def manager(django_user_model):
    return _user(django_user_model, "manager", "manage_subscribers")


@pytest.fixture
def manager_client(client, manager):
    return sign_in_verified(client, manager, backend=None)


@pytest.fixture
def people():
    training, guidance, learning, events = seed_topics()
    return {
        "sam": SubscriberFactory(email="sam@example.org", topics=[training, guidance]),
        "alex": SubscriberFactory(email="alex@school.example", topics=[training]),
        "jo": SubscriberFactory(
            email="jo@example.org", topics=[events], status=Subscriber.Status.UNSUBSCRIBED
        ),
        "kim": SubscriberFactory(
            email="kim@example.org", topics=[training], status=Subscriber.Status.PENDING
        ),
    }


def listed_emails(response):
    return sorted(
        cell.get_text(strip=True)
        for cell in soup(response).select("#listing-results td.title .title-wrapper a")
    )


def test_an_editor_without_the_permission_cannot_see_subscribers(editor_client, people):
    for url in [
        INDEX,
        f"{INDEX}inspect/{people['sam'].pk}/",
        f"{INDEX}export/{people['sam'].pk}/",
        f"{INDEX}erase/{people['sam'].pk}/",
        f"{INDEX}?export=csv",
    ]:
        response = editor_client.get(url)
        assert response.status_code in (302, 403), url
        assert b"sam@example.org" not in response.content

    erase = editor_client.post(f"{INDEX}erase/{people['sam'].pk}/")
    assert erase.status_code in (302, 403)
    assert Subscriber.objects.filter(pk=people["sam"].pk).exists()
    assert b"/admin/subscribers/" not in editor_client.get("/admin/").content


def test_a_person_with_the_permission_sees_the_list_and_the_menu_item(manager_client, people):
    response = manager_client.get(INDEX)

    assert response.status_code == 200
    assert listed_emails(response) == sorted(person.email for person in people.values())
    assert b"/admin/subscribers/" in manager_client.get("/admin/").content


def test_the_permission_is_offered_when_editing_a_group(admin_client):
    response = admin_client.get("/admin/groups/new/")

    assert b"manage_subscribers" in response.content or b"Can see, export and erase" in (
        response.content
    )


def test_nobody_adds_or_edits_subscribers_in_the_admin(admin_client, people):
    assert admin_client.get(f"{INDEX}new/").status_code == 404
    assert admin_client.get(f"{INDEX}edit/{people['sam'].pk}/").status_code == 404


def test_searching_by_email_finds_the_person(manager_client, people):
    response = manager_client.get(INDEX, {"q": "SCHOOL.example"})

    assert listed_emails(response) == ["alex@school.example"]


def test_filtering_by_status_and_by_topic(manager_client, people):
    training, guidance, *_ = seed_topics()

    by_status = manager_client.get(INDEX, {"status": "unsubscribed"})
    by_topic = manager_client.get(INDEX, {"topics": guidance.pk})
    both = manager_client.get(INDEX, {"topics": training.pk, "status": "confirmed"})

    assert listed_emails(by_status) == ["jo@example.org"]
    assert listed_emails(by_topic) == ["sam@example.org"]
    assert listed_emails(both) == ["alex@school.example", "sam@example.org"]


def test_stopped_addresses_show_their_reason_and_can_be_listed_alone(manager_client, people):
    suppression.suppress(
        email="SAM@example.org", reason="The address bounced (Amazon SES): 550 5.1.1 User unknown"
    )

    stopped = manager_client.get(INDEX, {"email_stopped": "true"})
    working = manager_client.get(INDEX, {"email_stopped": "false"})

    assert listed_emails(stopped) == ["sam@example.org"]
    assert "sam@example.org" not in listed_emails(working)
    assert "alex@school.example" in listed_emails(working)
    headings = [th.get_text(strip=True) for th in soup(stopped).select("#listing-results th")]
    assert "Email stopped because" in headings
    assert "550 5.1.1 User unknown" in soup(stopped).select_one("#listing-results tbody").text
    inspect = manager_client.get(f"{INDEX}inspect/{people['sam'].pk}/")
    text = soup(inspect).get_text(" ", strip=True)
    assert "Email stopped" in text and "signs up again and confirms" in text


def test_the_list_counts_confirmed_and_pending_subscribers_per_topic(manager_client, people):
    response = manager_client.get(INDEX)

    rows = {
        row.th.get_text(strip=True): [cell.get_text(strip=True) for cell in row.find_all("td")]
        for row in soup(response).select("table.listing tbody tr")
        if row.th
    }
    assert rows["Training and development opportunities"] == ["2", "1"]
    assert rows["Local protocols and guidance"] == ["1", "0"]
    assert rows["Events, campaigns and national guidance"] == ["0", "0"]
    text = soup(response).get_text(" ", strip=True)
    assert "Confirmed: 2" in text and "Unsubscribed: 1" in text


def test_the_list_does_not_query_once_per_subscriber(manager_client, django_assert_max_num_queries):
    topics = seed_topics()
    for _number in range(5):
        SubscriberFactory(topics=topics)
    with django_assert_max_num_queries(100) as few:
        manager_client.get(INDEX)
    for _number in range(40):
        SubscriberFactory(topics=topics)

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = manager_client.get(INDEX)
    assert len(listed_emails(response)) == 45


def test_inspecting_a_person_shows_their_consent_and_history(manager_client):
    sign_up("sam@example.org", source_url="/training/")
    signup.confirm(token=confirm_path(mail.outbox[0]).split("/")[3])
    subscriber = Subscriber.objects.get()

    response = manager_client.get(f"{INDEX}inspect/{subscriber.pk}/")

    assert response.status_code == 200
    text = soup(response).get_text(" ", strip=True)
    assert "sam@example.org" in text
    assert "/training/" in text
    assert "privacy notice" in text
    assert "Confirmed from the emailed link" in text
    assert soup(response).find("a", href=f"{INDEX}export/{subscriber.pk}/")
    assert soup(response).find("a", href=f"{INDEX}erase/{subscriber.pk}/")


def test_exporting_a_persons_data_downloads_json_and_logs_it_without_the_address(
    manager_client, manager
):
    sign_up("sam@example.org")
    subscriber = Subscriber.objects.get()

    response = manager_client.get(f"{INDEX}export/{subscriber.pk}/")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith(
        f'attachment; filename="subscriber-{subscriber.pk}-'
    )
    data = json.loads(response.content)
    assert data["subscriber"]["email"] == "sam@example.org"
    assert len(data["consent_records"]) == 1
    entry = ModelLogEntry.objects.get(action="subscriptions.export")
    assert entry.user == manager
    assert "sam@" not in entry.label


def test_erasing_a_person_asks_first_then_deletes_everything_about_them(
    manager_client, manager, people
):
    sign_up("erase.me@example.org")
    subscriber = Subscriber.objects.get(email="erase.me@example.org")
    url = f"{INDEX}erase/{subscriber.pk}/"

    asked = manager_client.get(url)
    assert asked.status_code == 200
    assert "cannot be undone" in soup(asked).get_text()
    assert (
        soup(asked).find("button", type="submit").get_text() == "Yes, erase everything about them"
    )
    assert Subscriber.objects.filter(pk=subscriber.pk).exists()

    response = manager_client.post(url)

    assert response.status_code == 302
    assert response["Location"] == INDEX
    assert not Subscriber.objects.filter(email__iexact="erase.me@example.org").exists()
    assert not ConsentRecord.objects.filter(subscriber_id=subscriber.pk).exists()
    assert not StatusChange.objects.filter(subscriber_id=subscriber.pk).exists()
    assert Subscriber.objects.count() == len(people)
    entry = ModelLogEntry.objects.get(action="subscriptions.erase")
    assert entry.user == manager
    assert entry.object_id == str(subscriber.pk)
    assert "erase.me" not in entry.label + json.dumps(entry.data)


def test_unsubscribing_a_person_from_the_admin(manager_client, people):
    sam = people["sam"]

    response = manager_client.post(f"{INDEX}unsubscribe/{sam.pk}/")

    assert response.status_code == 302
    sam.refresh_from_db()
    assert sam.status == Subscriber.Status.UNSUBSCRIBED
    assert sam.status_changes.get().note == "Unsubscribed in the admin by manager"


def test_editors_order_of_topics_is_the_order_in_the_footer(
    admin_client, rf, django_capture_on_commit_callbacks
):
    training, guidance, learning, events = seed_topics()
    assert admin_client.get("/admin/snippets/subscriptions/topic/").status_code == 200
    render_to_string("components/signup_box.html", {"request": rf.get("/")})  # cached

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            f"/admin/snippets/subscriptions/topic/reorder/{events.pk}/?position=0"
        )

    assert response.status_code == 200
    html = render_to_string("components/signup_box.html", {"request": rf.get("/")})
    labels = [label.get_text() for label in BeautifulSoup(html, "html.parser").select("label")]
    assert labels[1:5] == [events.name, training.name, guidance.name, learning.name]


def test_the_list_downloads_as_csv_as_filtered_with_formulas_disarmed(manager_client, people):
    SubscriberFactory(email="=cmd@example.org", topics=[])

    page = soup(manager_client.get(INDEX))
    assert page.find("a", href=lambda href: href and "export=csv" in href)
    response = manager_client.get(f"{INDEX}?status=confirmed&export=csv")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="subscribers.csv"' in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    by_email = {row["Email"]: row for row in rows}
    assert set(by_email) == {"sam@example.org", "alex@school.example", "'=cmd@example.org"}
    sam = by_email["sam@example.org"]
    assert sam["Status"] == "Confirmed"
    assert sorted(sam["Topics"].split(", ")) == sorted(
        topic.name for topic in people["sam"].topics.all()
    )
    assert sam["Signed up"][:4].isdigit()
