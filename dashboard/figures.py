"""The business unit's dashboard on the Wagtail admin home: what each chart shows.

Each chart is one aggregate query through its app's ``queries.py`` (subscribers, the
coming sessions' places, attendance per course, the last sends), so the dashboard runs the
same few queries however many subscribers, sessions and bookings there are. A chart is
shown only to people who may open the list behind it.
"""

import datetime
from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone

from dashboard.charts import bar_chart, line_chart
from events.dates import format_when
from newsletter import queries as newsletter_queries
from newsletter.sending import SEND_PERMISSION
from subscriptions import queries as subscription_queries
from subscriptions.admin_views import MANAGE_PERMISSION as SUBSCRIBERS_PERMISSION
from training import queries as training_queries
from training.models.bookings import BOOKINGS_PERMISSION

MONTHS_SHOWN = 12
SESSIONS_SHOWN = 10
SENDS_SHOWN = 5
ATTENDANCE_COURSES_SHOWN = 12
MOVE_LABELS = {"confirmed": "Confirmed", "unsubscribed": "Unsubscribed", "suppressed": "Suppressed"}


@dataclass
class Table:
    caption: str
    headings: list
    rows: list  # (cells, url of the list behind the row or "")


@dataclass
class Chart:
    key: str
    title: str
    summary: str
    kind: str  # "line" or "bars"
    drawing: dict
    table: Table
    list_url: str
    list_label: str
    legend: list  # (label, colour)


def _month_bounds(now, count):
    """The first moment of each of the last ``count`` months in Leeds (this one last),
    then the first moment of next month: count + 1 bounds, oldest first."""
    local = timezone.localtime(now)
    this_month = local.year * 12 + local.month - 1
    return [
        datetime.datetime(number // 12, number % 12 + 1, 1, tzinfo=local.tzinfo)
        for number in range(this_month - count + 1, this_month + 2)
    ]


def subscribers_chart(*, now):
    bounds = _month_bounds(now, MONTHS_SHOWN)
    months = list(zip(bounds, bounds[1:], strict=False))
    figures = subscription_queries.subscriber_figures(months=months)
    labels = [f"{start:%b %Y}" for start, _end in months]
    series = [
        (state, MOVE_LABELS.get(state, state.title()), values)
        for state, values in figures["moves"].items()
    ]
    drawing = line_chart(
        labels=labels, axis_labels=[f"{start:%b}" for start, _end in months], series=series
    )
    index_url = reverse("subscriber:index")
    totals = figures["totals"]
    return Chart(
        key="subscribers",
        title="Subscribers over time",
        summary=(
            f"{totals['confirmed']} confirmed subscribers now, {totals['unsubscribed']} "
            f"unsubscribed, {totals['pending']} waiting to confirm, {totals['suppressed']} "
            "with email stopped (bounced or reported as spam). The lines show how many "
            "people moved into each state each month."
        ),
        kind="line",
        drawing=drawing,
        table=Table(
            caption="Subscribers moving into each state, by month",
            headings=["Month", *[label for _state, label, _values in series]],
            rows=[
                ([label, *[values[index] for _s, _l, values in series]], "")
                for index, label in enumerate(labels)
            ],
        ),
        list_url=index_url,
        list_label="See the subscribers",
        legend=[(line.label, line.colour) for line in drawing["lines"]],
    )


def places_chart(*, now):
    sessions = training_queries.sessions_coming_up_with_counts(limit=SESSIONS_SHOWN, now=now)
    index_url = reverse("training_bookings:index")
    rows, table_rows = [], []
    for session in sessions:
        when = format_when(session.start, session.end)
        url = f"{index_url}?session={session.pk}"
        booked = min(session.confirmed_count, session.capacity)
        title = f"{session.course.title}, {when}: {booked} of {session.capacity} places booked"
        rows.append(
            (
                f"{session.start:%d %b} {session.course.title}",
                [("booked", booked, title)],
                session.capacity,
                f"{booked}/{session.capacity}",
                url,
            )
        )
        table_rows.append(
            (
                [
                    session.course.title,
                    when,
                    session.confirmed_count,
                    session.capacity,
                    session.waiting_count,
                ],
                url,
            )
        )
    booked = sum(session.confirmed_count for session in sessions)
    capacity = sum(session.capacity for session in sessions)
    return Chart(
        key="places",
        title="Places booked on the coming sessions",
        summary=(
            f"The next {len(sessions)} sessions: {booked} of {capacity} places booked."
            if sessions
            else "No sessions are coming up."
        ),
        kind="bars",
        drawing=bar_chart(rows=rows, scale=1),
        table=Table(
            caption="Places booked against capacity, next sessions first",
            headings=["Course", "When", "Booked", "Places", "Waiting"],
            rows=table_rows,
        ),
        list_url=index_url,
        list_label="See the bookings",
        legend=[("Booked", "#2e1f5e"), ("Places left", "#e9e9e9")],
    )


def _percent(part, whole):
    return round(100 * part / whole) if whole else 0


def attendance_chart(*, now):
    courses = training_queries.attendance_by_course(limit=ATTENDANCE_COURSES_SHOWN, now=now)
    index_url = reverse("training_bookings:index")
    rows, table_rows = [], []
    for course in courses:
        marked = course["attended"] + course["no_show"]
        rate = _percent(course["attended"], marked)
        url = f"{index_url}?course={course['course_id']}"
        rows.append(
            (
                course["title"],
                [
                    (
                        "attended",
                        course["attended"],
                        f"{course['title']}: {course['attended']} attended",
                    ),
                    (
                        "no_show",
                        course["no_show"],
                        f"{course['title']}: {course['no_show']} did not attend",
                    ),
                ],
                marked,
                f"{rate}%" if marked else "not marked",
                url,
            )
        )
        table_rows.append(
            (
                [
                    course["title"],
                    course["attended"],
                    course["no_show"],
                    course["not_recorded"],
                    f"{rate}%" if marked else "-",
                ],
                url,
            )
        )
    return Chart(
        key="attendance",
        title="Attendance rate per course",
        summary=(
            "Of the places marked on past sessions' registers, the share who attended, for "
            f"the {len(courses)} courses that ran most recently."
            if courses
            else "No session has taken place yet."
        ),
        kind="bars",
        drawing=bar_chart(rows=rows, scale=1),
        table=Table(
            caption="Attendance on past sessions, by course",
            headings=["Course", "Attended", "Did not attend", "Not marked", "Attendance rate"],
            rows=table_rows,
        ),
        list_url=f"{index_url}?attendance=no_show",
        list_label="See the no-shows",
        legend=[("Attended", "#007d7e"), ("Did not attend", "#b3261e")],
    )


def sends_chart():
    sends = newsletter_queries.recent_sends(limit=SENDS_SHOWN)
    rows, table_rows = [], []
    for send in sends:
        url = reverse("newsletter_sending:progress", args=[send.pk])
        label = f"{timezone.localtime(send.requested_at):%d %b} {send.issue.title}"
        total = send.sent + send.failed + send.skipped + send.waiting + send.cancelled
        rows.append(
            (
                label,
                [
                    ("sent", send.sent, f"{label}: {send.sent} sent"),
                    ("failed", send.failed, f"{label}: {send.failed} failed"),
                    ("pending", send.waiting, f"{label}: {send.waiting} still to send"),
                    ("skipped", send.skipped, f"{label}: {send.skipped} skipped"),
                ],
                total,
                f"{send.sent}/{total}",
                url,
            )
        )
        table_rows.append(
            (
                [
                    send.issue.title,
                    f"{timezone.localtime(send.requested_at):%d %b %Y %H:%M}",
                    send.sent,
                    send.failed,
                    send.waiting,
                    send.skipped + send.cancelled,
                ],
                url,
            )
        )
    return Chart(
        key="sends",
        title="The last newsletter sends",
        summary=(
            f"The last {len(sends)} sends: emails sent, failed and still to send."
            if sends
            else "No issue has been sent yet."
        ),
        kind="bars",
        drawing=bar_chart(rows=rows, scale=1),
        table=Table(
            caption="Results of the last sends, newest first",
            headings=["Issue", "Sent on", "Sent", "Failed", "Still to send", "Skipped"],
            rows=table_rows,
        ),
        list_url=table_rows[0][1] if table_rows else "",
        list_label="See the latest send",
        legend=[
            ("Sent", "#007d7e"),
            ("Failed", "#b3261e"),
            ("Still to send", "#a05a00"),
            ("Skipped", "#767676"),
        ],
    )


def dashboard_charts(*, user, now=None):
    """The charts ``user`` may see, in the dashboard's order."""
    now = now or timezone.now()
    charts = []
    if user.has_perm(SUBSCRIBERS_PERMISSION):
        charts.append(subscribers_chart(now=now))
    if user.has_perm(BOOKINGS_PERMISSION):
        charts.append(places_chart(now=now))
        charts.append(attendance_chart(now=now))
    if user.has_perm(SEND_PERMISSION):
        charts.append(sends_chart())
    return charts
