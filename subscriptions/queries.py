"""What other parts of the site ask of the subscriptions app.

``signup_topics()`` is what the sign-up box in the footer of every page offers.
``confirmed_subscribers()`` is who the newsletter is sent to.
"""

from django.db.models import Count, Q

from subscriptions.models import Subscriber, Topic


def signup_topics():
    """[{"value": "3", "name": ...}] in the editors' order: each topic's id as the form's
    value attribute has it, a string (a number in a template is localized on each render)."""
    return [
        {"value": str(pk), "name": name}
        for pk, name in Topic.objects.order_by("sort_order", "pk").values_list("pk", "name")
    ]


def confirmed_subscribers(*, topics=None, frequency=None):
    """Confirmed subscribers whose email is not stopped (subscriptions/suppression.py), each
    once, optionally only those with any of ``topics`` and only those who chose ``frequency``
    (a Subscriber.Frequency) for their topic news."""
    subscribers = Subscriber.objects.filter(
        status=Subscriber.Status.CONFIRMED, suppressed_at__isnull=True
    )
    if frequency is not None:
        subscribers = subscribers.filter(frequency=frequency)
    if topics is not None:
        subscribers = subscribers.filter(
            pk__in=Subscriber.topics.through.objects.filter(topic__in=topics).values(
                "subscriber_id"
            )
        )
    return subscribers.order_by("pk")


# When a subscriber moved into each state the dashboard charts month by month: the
# Subscriber field that records it. A state with a date field is one line here.
SUBSCRIBER_MOVES = {
    "confirmed": "confirmed_at",
    "unsubscribed": "unsubscribed_at",
    "suppressed": "suppressed_at",
}


def subscriber_figures(*, months):
    """How many subscribers are in each status now, and how many moved into each state of
    SUBSCRIBER_MOVES in each of ``months`` ((start, end) pairs of aware datetimes), in one
    query: {"totals": {status or "suppressed": n}, "moves": {state: [n for each month]}}."""
    counts = {
        f"total_{status}": Count("pk", filter=Q(status=status))
        for status in Subscriber.Status.values
    }
    for state, field in SUBSCRIBER_MOVES.items():
        for number, (start, end) in enumerate(months):
            counts[f"{state}_{number}"] = Count(
                "pk", filter=Q(**{f"{field}__gte": start, f"{field}__lt": end})
            )
    counts["total_suppressed"] = Count("pk", filter=Q(suppressed_at__isnull=False))
    row = Subscriber.objects.aggregate(**counts)
    return {
        "totals": {
            status: row[f"total_{status}"] for status in [*Subscriber.Status.values, "suppressed"]
        },
        "moves": {
            state: [row[f"{state}_{number}"] for number in range(len(months))]
            for state in SUBSCRIBER_MOVES
        },
    }
