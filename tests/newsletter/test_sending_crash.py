"""Exactly once across a crash: a real task worker (manage.py db_worker, a separate
process on PostgreSQL) is killed with SIGKILL in the middle of a send and started again.

The local SMTP server holds message 25 before answering it, the worker is killed while it
waits for that answer, and the server then drops the message because its client went away,
as a mail server does with a transaction the client abandoned: the kill lands before the
server accepted message 25. The
one-message window that cannot be closed (the server accepted, the worker died before
recording it) is described in newsletter/sending.py and tested there without a process
(test_a_batch_whose_worker_died_is_taken_back_after_the_lease).
"""

import os
import signal
import subprocess
import sys
from pathlib import Path

from django.conf import settings as django_settings
from django.db import connection
from django.test import override_settings

import pytest

from newsletter import sending
from newsletter.sending_models import Delivery, Send
from tests.newsletter.sending_support import Sink, SinkHandler, rich_issue, subscribers, wait_for

BASE_DIR = Path(django_settings.BASE_DIR)
RECIPIENTS = 60
KILL_AT = 25
BATCH_SIZE = 10

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="A worker in another process needs a database both can open: run on "
        "PostgreSQL (DATABASE_URL=postgres://...).",
    ),
]


def database_url():
    db = connection.settings_dict
    credentials = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def start_worker(port, log_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.newsletter.worker_settings",
        "DATABASE_URL": database_url(),
        "LSCP_TEST_SMTP_PORT": str(port),
        "LSCP_TEST_BATCH_SIZE": str(BATCH_SIZE),
        "LSCP_TEST_LEASE_SECONDS": "3",
        "PYTHONPATH": str(BASE_DIR),
    }
    log = open(log_path, "ab")  # noqa: SIM115 - closed with the process below
    process = subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "db_worker",
            "--no-reload",
            "--no-startup-delay",
            "--interval",
            "0.2",
            "--verbosity",
            "2",
        ],
        cwd=BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    process.log = log
    return process


def stop(process, sig=signal.SIGTERM):
    if process.poll() is None:
        process.send_signal(sig)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    process.log.close()


def test_killing_the_worker_mid_send_neither_repeats_nor_misses_anyone(newsletter_index, tmp_path):
    issue = rich_issue(newsletter_index)
    people = subscribers(RECIPIENTS)
    handler = SinkHandler(delay=0.01, hold_at=KILL_AT, keep=False)
    log_path = tmp_path / "worker.log"
    with Sink(handler) as sink:
        with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
            send = sending.queue_send(issue=issue)
        first = start_worker(sink.port, log_path)
        try:
            assert handler.arrived.wait(90), log_path.read_text()
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=20)
        finally:
            stop(first, signal.SIGKILL)
            handler.release.set()
        wait_for(lambda: handler.started == KILL_AT and handler.abandoned, timeout=10)

        # The crash: 24 messages accepted and marked, message 25 abandoned mid-transaction,
        # the rest of its batch still claimed by the dead worker.
        assert sum(handler.counts.values()) == KILL_AT - 1
        assert Delivery.objects.filter(status=Delivery.Status.SENT).count() == KILL_AT - 1
        assert Delivery.objects.filter(status=Delivery.Status.CLAIMED).exists()

        second = start_worker(sink.port, log_path)
        try:
            wait_for(
                lambda: Send.objects.get(pk=send.pk).finished_at is not None,
                timeout=120,
                message=f"the send to finish; worker log:\n{log_path.read_text()[-3000:]}",
            )
        finally:
            stop(second)

    # Everyone exactly once, nobody missed.
    assert dict(handler.counts) == {person.email: 1 for person in people}
    assert set(Delivery.objects.values_list("status", flat=True)) == {Delivery.Status.SENT}
    assert Delivery.objects.count() == RECIPIENTS
    # The one that was in flight is flagged as possibly twice (here it was not: the server
    # never accepted the abandoned copy).
    flagged = Delivery.objects.exclude(error="")
    assert [d.subscriber_id for d in flagged] == [people[KILL_AT - 1].pk]
    assert flagged.get().error == sending.UNCERTAIN_NOTE
