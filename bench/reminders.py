"""Reminders benchmark: 500 sessions and 10,000 bookings; how long queueing a day's
reminders takes (the target of issue 26: under 5 s).

    .venv/bin/python bench/reminders.py            # build the database, seed, measure
    .venv/bin/python bench/reminders.py --reuse    # keep the last run's database and seed

What it does (bench/README.md, "## Reminders", has the figures):

1. Builds a PostgreSQL database of its own, ``lscp_bench_reminders`` (migrate + load_demo),
   with production settings and the database task backend (bench/send_settings.py), so
   queueing a reminder is what it is in production: a row in the task queue.
2. Seeds 25 courses with 20 sessions each (500 sessions, 20 confirmed bookings each: 10,000
   bookings): 450 sessions spread 5 a working day, and one busy day with 50 sessions
   (1,000 bookings).
3. Runs ``training.reminders.send_reminders_due`` once the evening before an ordinary day's
   reminders fall due (it claims everything due until then, untimed), then times it for the
   next day (an ordinary day: 100 reminders) and for the busy day (1,000 reminders), as one
   run each (one email task queued per session): the worst case, when the scheduler queues
   a whole day at once. Checks every booking of that day was claimed exactly once, and that
   a second run queues none.

Needs PostgreSQL at 127.0.0.1:5432 (user postgres); BENCH_POSTGRES points elsewhere.
"""

import argparse
import datetime
import os
import secrets
import sys
import time
from pathlib import Path

from send import rebuild_database

BASE_DIR = Path(__file__).resolve().parent.parent
POSTGRES = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432").rstrip("/")
DATABASE = "lscp_bench_reminders"
TARGET_SECONDS = 5.0
COURSES = 25
SESSIONS_PER_COURSE = 20
BOOKINGS_PER_SESSION = 20
SESSIONS_PER_DAY = 5
BUSY_DAY_SESSIONS = 50


def environment():
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "send_settings",
        "PYTHONPATH": os.pathsep.join([str(BASE_DIR), str(BASE_DIR / "bench")]),
        "DATABASE_URL": f"{POSTGRES}/{DATABASE}",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "lscp.example.org",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": "25",
    }


def session_days(first_day):
    """The working days sessions run on: SESSIONS_PER_DAY each, then the busy day."""
    from lscp_site.working_days import is_working_day

    ordinary = (COURSES * SESSIONS_PER_COURSE - BUSY_DAY_SESSIONS) // SESSIONS_PER_DAY
    days = []
    day = first_day
    while len(days) < ordinary + 1:
        if is_working_day(day):
            days.append(day)
        day += datetime.timedelta(days=1)
    return days[:ordinary], days[ordinary]


def seed(first_day):
    """500 sessions and 10,000 confirmed bookings, in bulk. Returns the days sessions run."""
    from django.utils import timezone

    from events.dates import LONDON
    from training.models import Booking, BookingStatus, CoursePage, Session, TrainingIndexPage

    index = TrainingIndexPage.objects.get()
    courses = []
    for number in range(COURSES):
        course = CoursePage(
            title=f"Bench course {number}", slug=f"bench-course-{number}", summary="Bench."
        )
        index.add_child(instance=course)
        courses.append(course)
    ordinary_days, busy_day = session_days(first_day)
    slots = [(day, 9 + slot) for day in ordinary_days for slot in range(SESSIONS_PER_DAY)]
    slots += [(busy_day, 9 + slot % 8) for slot in range(BUSY_DAY_SESSIONS)]
    sessions = []
    for number, (day, hour) in enumerate(slots):
        start = datetime.datetime.combine(day, datetime.time(hour), tzinfo=LONDON)
        sessions.append(
            Session(
                course=courses[number % COURSES],
                sort_order=number,
                start=start,
                end=start + datetime.timedelta(hours=1),
                format="live_webinar",
                joining_details="https://teams.example.org/meet/bench",
                capacity=BOOKINGS_PER_SESSION,
            )
        )
    Session.objects.bulk_create(sessions)
    booked_at = timezone.now()
    Booking.objects.bulk_create(
        [
            Booking(
                session=session,
                name=f"Delegate {session.pk}-{place}",
                email=f"delegate-{session.pk}-{place}@example.org",
                organisation="Leeds City Council",
                job_role="Social worker",
                status=BookingStatus.CONFIRMED,
                created_at=booked_at,
                confirmed_at=booked_at,
                privacy_agreed_at=booked_at,
            )
            for session in sessions
            for place in range(BOOKINGS_PER_SESSION)
        ],
        batch_size=2000,
    )
    return ordinary_days, busy_day


def evening_before_due(day):
    """11pm on the day the reminders for sessions on ``day`` fall due (2 working days)."""
    from events.dates import LONDON
    from lscp_site.working_days import working_days_before

    return working_days_before(datetime.datetime.combine(day, datetime.time(23), LONDON), 2)


def timed_run(now):
    from django_tasks_db.models import DBTaskResult

    from training import reminders
    from training.models import Booking

    tasks_before = DBTaskResult.objects.count()
    started = time.perf_counter()
    queued = reminders.send_reminders_due(now=now)
    seconds = time.perf_counter() - started
    # One email task per session, carrying the bookings claimed for it.
    assert Booking.objects.filter(reminder_queued_at=now).count() == queued
    assert (DBTaskResult.objects.count() > tasks_before) == (queued > 0)
    assert reminders.send_reminders_due(now=now) == 0, "a second run queued reminders again"
    return queued, seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reuse", action="store_true", help="Keep the last run's database.")
    args = parser.parse_args()
    env = environment()
    os.environ.update(env)
    sys.path[:0] = [str(BASE_DIR), str(BASE_DIR / "bench")]
    first_day = datetime.date.today() + datetime.timedelta(days=30)
    if not args.reuse:
        print(f"Building {DATABASE} (migrate, load_demo)...", flush=True)
        rebuild_database(env, DATABASE, drain_tasks=False)
    import django

    django.setup()
    from django.db.models import Min

    from training.models import Booking, Session

    if args.reuse:
        Booking.objects.update(reminded_at=None, reminder_queued_at=None)
        bench_sessions = Session.objects.filter(course__slug__startswith="bench-course-")
        first_day = bench_sessions.aggregate(first=Min("start"))["first"].date()
    else:
        print("Seeding 500 sessions and 10,000 bookings...", flush=True)
        seed(first_day)
    ordinary_days, busy_day = session_days(first_day)
    print(
        f"{Session.objects.count()} sessions, {Booking.objects.count()} bookings; "
        f"{os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.2f}",
        flush=True,
    )

    results = []
    measured = (
        ("ordinary day", ordinary_days[10], ordinary_days[9]),
        ("busy day", busy_day, ordinary_days[-1]),
    )
    for label, session_day, day_before in measured:
        # The run the evening before claims everything due until then, untimed.
        timed_run(evening_before_due(day_before))
        queued, seconds = timed_run(evening_before_due(session_day))
        expected = Booking.objects.filter(session__start__date=session_day).count()
        results.append(seconds)
        print(
            f"{label} ({session_day}): {queued} reminders queued in {seconds:.2f} s "
            f"({expected} bookings that day); target under {TARGET_SECONDS:.0f} s: "
            f"{'met' if seconds < TARGET_SECONDS else 'NOT met'}",
            flush=True,
        )
        assert queued == expected, (queued, expected)
    return 0 if max(results) < TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
