"""Building diary content for tests: categories, the listing page and events."""

import datetime
import itertools

import factory

from events.models import EventCategory, EventIndexPage, EventPage

_numbers = itertools.count(1)


class EventCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EventCategory
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.LazyAttribute(lambda o: o.name.lower().replace(" ", "-"))


def make_index(home, *, title="Dates for your diary", slug="events", introduction=""):
    index = EventIndexPage(title=title, slug=slug, introduction=introduction)
    home.add_child(instance=index)
    index.save_revision().publish()
    return index


def make_event(
    index,
    *,
    title=None,
    start_date=datetime.date(2025, 5, 12),
    category=None,
    summary="A date for practitioners in Leeds.",
    live=True,
    revision=False,
    **fields,
):
    """An event under ``index``; live unless told otherwise. ``revision=True`` publishes it
    through a revision as an editor would (slower; not needed for most tests)."""
    number = next(_numbers)
    if category is None:
        category = EventCategoryFactory(name="Awareness day", slug="awareness-days")
    event = EventPage(
        title=title or f"Event {number}",
        slug=fields.pop("slug", None) or f"event-{number}",
        start_date=start_date,
        category=category,
        summary=summary,
        live=live,
        **fields,
    )
    index.add_child(instance=event)
    if revision:
        event.save_revision().publish()
    return event
