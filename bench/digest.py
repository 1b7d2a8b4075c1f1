"""Weekly digest benchmark: 10,000 weekly subscribers across 4 topics, built and sent
through the real worker (issue 25's target: under a minute, peak memory under 250 MB).

    .venv/bin/python bench/digest.py                    # 10,000 subscribers
    .venv/bin/python bench/digest.py --count 2000       # a quick try
    .venv/bin/python bench/digest.py --reuse            # keep the database of the last run

What it does:

1. Builds a PostgreSQL database of its own, ``lscp_bench_digest`` (migrate + load_demo),
   with bench/send.py's production settings and SMTP to a local sink in its own process
   (the sink counts messages per recipient).
2. Seeds N confirmed weekly subscribers, each with a different mix of the 4 topics (all 15
   combinations), and five new things per topic in the week.
3. Starts ``manage.py db_worker``, then times ``alerts.send_weekly_digest`` (the task the
   scheduler queues) from the call until the last delivery is marked: grouping, rendering
   one email per group of topics, the delivery rows, and the worker sending every email.
4. Prints the time, the worker's and this process's peak memory (VmHWM), and checks that
   everyone got exactly one email (tests/newsletter/test_alerts.py checks what is in it).

Needs PostgreSQL at 127.0.0.1:5432 (user postgres); BENCH_POSTGRES points elsewhere.
"""

import argparse
import datetime
import os
import signal
import sys
import time
from pathlib import Path

from send import (
    SinkProcess,
    collect_static,
    environment,
    free_port,
    proc_status,
    rebuild_database,
    start_worker,
    wait_until_ready,
)

BASE_DIR = Path(__file__).resolve().parent.parent
POSTGRES = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432").rstrip("/")
DATABASE = "lscp_bench_digest"
LOG_DIR = BASE_DIR / "var" / "bench" / "digest"
TARGET_SECONDS = 60
TARGET_MEMORY_MB = 250
NEWS_PER_TOPIC = 5


def seed(count, moment):
    """``count`` weekly subscribers over every mix of the topics, and the week's news."""
    from django.db import connection
    from django.utils import timezone

    from newsletter.alert_models import DigestWeek, TopicNews
    from newsletter.sending_models import Delivery, Send
    from subscriptions.models import Subscriber, Topic, new_token

    tables = [
        Delivery._meta.db_table,
        Send.topics.through._meta.db_table,
        Send._meta.db_table,
        TopicNews._meta.db_table,
        DigestWeek._meta.db_table,
        Subscriber.topics.through._meta.db_table,
        Subscriber._meta.db_table,
    ]
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
    topics = list(Topic.objects.order_by("sort_order", "pk"))[:4]
    now = timezone.now()
    through = Subscriber.topics.through
    for start in range(0, count, 5000):
        people = Subscriber.objects.bulk_create(
            [
                Subscriber(
                    email=f"weekly{number}@example.net",
                    status=Subscriber.Status.CONFIRMED,
                    frequency=Subscriber.Frequency.WEEKLY,
                    token=new_token(),
                    signed_up_at=now,
                    confirmed_at=now,
                )
                for number in range(start, min(start + 5000, count))
            ]
        )
        rows = []
        for person in people:
            mix = person.pk % 15 + 1  # 1..15: every non-empty mix of four topics
            rows.extend(
                through(subscriber_id=person.pk, topic_id=topic.pk)
                for bit, topic in enumerate(topics)
                if mix & (1 << bit)
            )
        through.objects.bulk_create(rows)
    TopicNews.objects.bulk_create(
        [
            TopicNews(
                topic=topic,
                kind=TopicNews.Kind.GUIDANCE,
                source=f"bench:{topic.pk}:{number}",
                title=f"New in {topic.name}: item {number}",
                when="",
                url="/newsletter/",
                published_at=moment - datetime.timedelta(days=1, hours=number),
            )
            for topic in topics
            for number in range(NEWS_PER_TOPIC)
        ]
    )
    return topics


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--reuse", action="store_true", help="Keep the last run's database.")
    args = parser.parse_args()

    LOG_DIR.mkdir(parents=True, exist_ok=True)
    port = free_port()
    sink = SinkProcess(port)
    env = environment(port, 500, database=DATABASE)
    os.environ.update(env)
    sys.path[:0] = [str(BASE_DIR), str(BASE_DIR / "bench")]
    try:
        collect_static(env)
        if not args.reuse:
            print(f"Building {DATABASE} (migrate, load_demo)...", flush=True)
            rebuild_database(env, DATABASE)
        import django

        django.setup()
        from django.utils import timezone

        from newsletter import alerts
        from newsletter.sending_models import Send

        moment = timezone.now().replace(microsecond=0)
        seed(args.count, moment)
        sink.ask("reset")
        with open(LOG_DIR / "worker.log", "wb") as log:
            worker = start_worker(env, log)
            wait_until_ready(worker, Path(log.name))
            started = time.monotonic()
            week = alerts.send_weekly_digest(now=moment, moment=moment)
            built = time.monotonic() - started
            while Send.objects.filter(kind=Send.Kind.DIGEST, finished_at__isnull=True).exists():
                time.sleep(0.2)
                if worker.poll() is not None:
                    raise SystemExit(f"The worker stopped; see {log.name}")
            elapsed = time.monotonic() - started
            worker_peak = proc_status(worker.pid, "VmHWM")
            worker.send_signal(signal.SIGTERM)
            worker.wait(30)
        own_peak = proc_status(os.getpid(), "VmHWM")
        stats = sink.ask("stats")
        sends = Send.objects.filter(kind=Send.Kind.DIGEST)
        print(
            f"\nN = {args.count:,} weekly subscribers, {week.news_count} new things in 4 topics\n"
            f"  built (groups, {sends.count()} emails rendered, delivery rows): {built:.1f} s\n"
            f"  built and sent (call to last email marked): {elapsed:.1f} s, "
            f"{args.count / elapsed:.0f} emails/s\n"
            f"  peak memory (VmHWM): worker {worker_peak:.0f} MB, "
            f"building process {own_peak:.0f} MB\n"
            f"  sink: {stats['messages']:,} messages to {stats['recipients']:,} recipients, "
            f"{stats['duplicates']} duplicates",
            flush=True,
        )
        exact = stats["recipients"] == args.count and stats["duplicates"] == 0
        fast = elapsed < TARGET_SECONDS
        small = max(worker_peak, own_peak) < TARGET_MEMORY_MB
        print(
            f"\nTargets (issue 25): everyone once {'met' if exact else 'NOT met'}; "
            f"under {TARGET_SECONDS} s {'met' if fast else 'NOT met'}; "
            f"under {TARGET_MEMORY_MB} MB {'met' if small else 'NOT met'}"
        )
    finally:
        sink.stop()


if __name__ == "__main__":
    main()
