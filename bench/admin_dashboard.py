"""How long the admin dashboard takes on a large site (issue 26: 500 sessions and 10,000
bookings, under 300 ms, a constant number of queries).

``--keep`` keeps the database for the next run (and uses one kept before).

Builds a throwaway PostgreSQL database (test settings, ``test_lscp_bench_dashboard``) with
bench/generate.py's large site (500 sessions; bookings topped up to 10,000; 10,000
subscribers; five issues, each sent to every confirmed subscriber), marks the registers
of the past sessions, then renders the dashboard panel as the admin home does (figures,
charts and template) for a superuser, repeatedly, and prints the median, the slowest and
the number of queries. The database is dropped at the end.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lscp_bench_dashboard \\
        .venv/bin/python bench/admin_dashboard.py [--rounds 30]
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lscp_site.settings.test")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/lscp_bench_dashboard")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench import generate  # noqa: E402
from dashboard import figures  # noqa: E402
from dashboard.figures import dashboard_charts  # noqa: E402
from dashboard.panels import DashboardPanel  # noqa: E402
from newsletter.models import NewsletterIssuePage  # noqa: E402
from newsletter.sending_models import Delivery, Send  # noqa: E402
from subscriptions.models import Subscriber  # noqa: E402
from training.models import Attendance, Booking, BookingStatus, Session  # noqa: E402

BOOKINGS = 10_000


def top_up_bookings(now):
    """Confirmed places on the sessions with room, until there are BOOKINGS bookings."""
    missing = BOOKINGS - Booking.objects.count()
    rows = []
    sessions = list(Session.objects.with_counts())
    number = 0
    while missing > 0 and sessions:
        for session in sessions:
            if missing <= 0:
                break
            rows.append(
                Booking(
                    session=session,
                    name=f"Extra {number}",
                    email=f"extra{number}@generated.example.net",
                    organisation="Leeds City Council",
                    job_role="Teacher",
                    status=BookingStatus.WAITING,
                    privacy_agreed_at=now,
                )
            )
            number += 1
            missing -= 1
    Booking.objects.bulk_create(rows, batch_size=2000)


def mark_registers(now, rng):
    past = Booking.objects.filter(status=BookingStatus.CONFIRMED, session__end__lt=now)
    ids = list(past.values_list("pk", flat=True))
    no_shows = set(rng.sample(ids, len(ids) // 8))
    Booking.objects.filter(pk__in=no_shows).update(attendance=Attendance.NO_SHOW)
    Booking.objects.filter(pk__in=set(ids) - no_shows).update(attendance=Attendance.ATTENDED)


def make_sends(now):
    confirmed = list(
        Subscriber.objects.filter(status=Subscriber.Status.CONFIRMED).values_list("pk", flat=True)
    )
    for issue in NewsletterIssuePage.objects.order_by("-issue_date")[:5]:
        send = Send.objects.create(issue=issue, requested_at=now, recipient_count=len(confirmed))
        Delivery.objects.bulk_create(
            (
                Delivery(
                    send=send,
                    issue=issue,
                    subscriber_id=pk,
                    status=Delivery.Status.FAILED if pk % 97 == 0 else Delivery.Status.SENT,
                )
                for pk in confirmed
            ),
            batch_size=5000,
        )


def render_once(user):
    user = get_user_model().objects.get(pk=user.pk)  # permissions read afresh each time
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        html = DashboardPanel(dashboard_charts(user=user)).render_html({})
        elapsed = time.perf_counter() - started
    return elapsed, len(queries), len(html)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument(
        "--keep", action="store_true", help="keep the database, and use one kept before"
    )
    args = parser.parse_args()

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=args.keep)
    try:
        now = timezone.now()
        started = time.perf_counter()
        if not Session.objects.exists():
            generate.generate(issues=5, courses=100, sessions=500, events=0, subscribers=10_000)
            top_up_bookings(now)
            mark_registers(now, random.Random(42))
            make_sends(now)
            with connection.cursor() as cursor:  # as autovacuum would have by now
                cursor.execute("VACUUM ANALYZE")
        print(
            f"built in {time.perf_counter() - started:.0f} s: "
            f"{Session.objects.count()} sessions, {Booking.objects.count()} bookings, "
            f"{Subscriber.objects.count()} subscribers, {Delivery.objects.count()} deliveries"
        )
        user = get_user_model().objects.filter(username="bench").first()
        user = user or get_user_model().objects.create_superuser("bench", "", "x")
        render_once(user)  # warm: templates compiled, connection open
        runs = [render_once(user) for _ in range(args.rounds)]
        times = sorted(elapsed * 1000 for elapsed, _queries, _size in runs)
        queries = {count for _elapsed, count, _size in runs}
        print(
            f"dashboard panel ({args.rounds} renders): median {statistics.median(times):.1f} ms, "
            f"slowest {times[-1]:.1f} ms, queries {sorted(queries)}, "
            f"{runs[0][2] // 1024} KiB of HTML"
        )
        for name, part in [
            ("subscribers", lambda: figures.subscribers_chart(now=now)),
            ("places", lambda: figures.places_chart(now=now)),
            ("attendance", lambda: figures.attendance_chart(now=now)),
            ("sends", figures.sends_chart),
        ]:
            part_times = []
            for _ in range(5):
                part_started = time.perf_counter()
                DashboardPanel([part()]).render_html({})
                part_times.append((time.perf_counter() - part_started) * 1000)
            print(f"  {name}: median {statistics.median(part_times):.1f} ms")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0, keepdb=args.keep)


if __name__ == "__main__":
    main()
