"""Helpers for the sending tests: an issue worth emailing, subscribers, a local SMTP sink."""

import asyncio
import datetime
import socket
import threading
import time
from collections import Counter
from email import message_from_bytes, policy

from django.contrib.auth.models import Group, Permission

from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file

from tests.newsletter.factories import item, make_issue, section
from tests.subscriptions.factories import SubscriberFactory, TopicFactory

MARCH_2025 = datetime.date(2025, 3, 1)


def make_image(title="Focus group"):
    return get_image_model().objects.create(title=title, file=get_test_image_file())


def rich_issue(index, *, linked_page=None, issue_date=MARCH_2025, live=True):
    """An issue with a picture (with alt text), a decorative picture, links of every kind,
    a call to action and the sign-up prompt."""
    picture = make_image("Focus group")
    pattern = make_image("Pattern")
    page_link = (
        f'<a linktype="page" id="{linked_page.pk}">our training pages</a>' if linked_page else ""
    )
    body = [
        section(
            "LSCP safeguarding training is changing!",
            f"<p>We’re delighted to announce {page_link} and more. Email "
            '<a href="mailto:lscp.info@leeds.gov.uk">lscp.info@leeds.gov.uk</a> or read '
            '<a href="https://www.gov.uk/guidance">the guidance</a>.</p>'
            "<ul><li>Core training stays</li><li>New topic sessions</li></ul>",
            image=picture.pk,
            image_alt="Practitioners talking round a table at the focus group",
            calls_to_action=[
                item(
                    {
                        "link_text": "Book your place on Child exploitation",
                        "url": "https://www.leeds.gov.uk/",
                    }
                )
            ],
        ),
        section(
            "Neglect audit",
            "<p>Thank you to all who came.</p>",
            image=pattern.pk,
            image_decorative=True,
        ),
        {"type": "signup_prompt", "value": None},
    ]
    return make_issue(
        index,
        issue_date,
        title="March Newsletter",
        summary="A new approach to training, the neglect audit and dates for your diary.",
        body=body,
        live=live,
    )


def subscribers(count, *, topics=None, status="confirmed", prefix="person"):
    made = []
    for number in range(count):
        subscriber = SubscriberFactory(
            email=f"{prefix}{number}@example.org", status=status, topics=topics or []
        )
        made.append(subscriber)
    return made


def topic(name, slug):
    return TopicFactory(name=name, slug=slug)


def sender_user(django_user_model, username="sender", *, can_send=True):
    """A Wagtail editor (admin access, page permissions of the Editors group) who may or may
    not send issues."""
    user = django_user_model.objects.create_user(
        username=username, password="pw", email=f"{username}@example.org"
    )
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    editors = Group.objects.filter(name="Editors").first()
    if editors:
        user.groups.add(editors)
    if can_send:
        user.user_permissions.add(Permission.objects.get(codename="send_issue"))
    return user


def parse(data):
    return message_from_bytes(data, policy=policy.default)


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SinkHandler:
    """An aiosmtpd handler that counts messages per recipient and keeps them.

    ``hold_at``: message number ``hold_at`` is held before the server answers it: ``arrived``
    is set, and the server waits until ``release`` is set. ``delay`` slows every message
    down. A message whose client went away before the server answered is dropped, as a real
    server drops a transaction the client abandoned before the end of DATA was
    acknowledged.
    """

    def __init__(self, *, delay=0.0, hold_at=None, keep=True, refuse=None):
        self.delay = delay
        self.hold_at = hold_at
        self.keep = keep
        self.refuse = refuse or {}  # address -> "550 ..." reply
        self.counts = Counter()
        self.messages = []
        self.started = 0
        self.connections = 0
        self.abandoned = 0
        self.arrived = threading.Event()
        self.release = threading.Event()
        self.lock = threading.Lock()

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        with self.lock:
            self.connections += 1
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.started += 1
            number = self.started
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.hold_at is not None and number == self.hold_at:
            self.arrived.set()
            try:
                while not self.release.is_set():
                    await asyncio.sleep(0.01)
                await asyncio.sleep(0.2)  # time for the event loop to see the connection drop
            except asyncio.CancelledError:  # aiosmtpd saw the client go away
                self.abandoned += 1
                raise
        transport = getattr(server, "transport", None)
        if transport is None or transport.is_closing():
            self.abandoned += 1
            return "421 Client went away"
        with self.lock:
            for address in envelope.rcpt_tos:
                self.counts[address] += 1
            if self.keep:
                self.messages.append((envelope.rcpt_tos[:], envelope.original_content))
        return "250 Message accepted for delivery"


class LoginRecorder:
    """An aiosmtpd authenticator that accepts one user and records every login attempt."""

    def __init__(self, username, password):
        self.username, self.password = username, password
        self.logins = []

    def __call__(self, server, session, envelope, mechanism, auth_data):
        from aiosmtpd.smtp import AuthResult, LoginPassword

        if isinstance(auth_data, LoginPassword):
            login = (auth_data.login.decode(), auth_data.password.decode())
            self.logins.append((mechanism, *login))
            return AuthResult(success=login == (self.username, self.password))
        return AuthResult(success=False, handled=False)


class Sink:
    """A running local SMTP server: ``with Sink(handler) as sink: sink.port``."""

    def __init__(self, handler, *, authenticator=None):
        self.handler = handler
        self.authenticator = authenticator
        self.port = free_port()
        self.controller = None

    def __enter__(self):
        from aiosmtpd.controller import Controller

        kwargs = {}
        if self.authenticator is not None:
            kwargs = {"authenticator": self.authenticator, "auth_require_tls": False}
        self.controller = Controller(
            self.handler, hostname="127.0.0.1", port=self.port, ready_timeout=10, **kwargs
        )
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()


def wait_for(condition, *, timeout=60.0, interval=0.1, message="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(interval)
    raise AssertionError(f"Timed out after {timeout}s waiting for {message}")


class RecordingBackend:
    """An email backend for the sending tests: keeps what it was given like the locmem
    backend, counts connections, and fails on cue.

    ``RecordingBackend.failures`` maps an address to an exception to raise when a message
    to it is sent (once each, or every time with ``always``); ``break_after`` raises
    SMTPServerDisconnected once that many messages have gone on one connection.
    """

    sent = []
    opened = 0
    failures = {}
    always = False
    break_after = None

    @classmethod
    def reset(cls):
        cls.sent, cls.opened, cls.failures, cls.always, cls.break_after = [], 0, {}, False, None

    def __init__(self, *args, fail_silently=False, **kwargs):
        self.is_open = False
        self.on_this_connection = 0

    def open(self):
        if not self.is_open:
            type(self).opened += 1
            self.is_open = True
            self.on_this_connection = 0
            return True
        return False

    def close(self):
        self.is_open = False

    def send_messages(self, messages):
        import smtplib

        cls = type(self)
        new = self.open()
        try:
            for message in messages:
                address = message.to[0]
                if cls.break_after is not None and self.on_this_connection >= cls.break_after:
                    cls.break_after = None
                    self.is_open = False
                    raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
                if address in cls.failures:
                    error = cls.failures[address] if cls.always else cls.failures.pop(address)
                    raise error
                self.on_this_connection += 1
                cls.sent.append(message)
            return len(messages)
        finally:
            if new:
                self.close()


def sent_to():
    return Counter(message.to[0] for message in RecordingBackend.sent)
