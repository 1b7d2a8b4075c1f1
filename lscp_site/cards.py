"""Listing cards, rendered by Jinja2: the archive's issues, the diary's events and the
catalogue's courses.

A listing shows 12 to 20 cards, and each card was most of what its page cost to render
beyond the fixed parts every page has: Django's engine took 20 to 25 microseconds for an
issue card, Jinja2 takes 4 to 5 (bench/README.md). So the cards alone are written for Jinja2
(``templates/cards/*.jinja``), and Django templates render a whole list of them with
``{% cards "issue_cards.jinja" issues=... %}`` (lscp_site/templatetags/lscp_cards.py).

Card templates are as dumb as the site's other templates: what they show is worked out in
Python (the card dataclasses: newsletter.queries.IssueCard, events.queries.EventCard, a
course with its next sessions) and written with the same filters as Django templates use.
Every value is escaped the way Django escapes it (``finalize``), so a card reads the same,
byte for byte, whichever engine wrote it.
"""

import hashlib
import html

from django.template import engines
from django.utils.safestring import mark_safe

import jinja2
from markupsafe import Markup

from lscp_site import pagecache

ENGINE = "cards"


def environment(**options):
    """The Jinja2 environment of the ``cards`` engine (settings.TEMPLATES)."""
    from events.templatetags.event_dates import date_range, iso_date, iso_month
    from newsletter.templatetags.newsletter_tags import issue_title, month_label
    from training.templatetags.training_tags import places_left

    # Always escaped (Django's backend asks for it too); the escaping itself is Django's.
    options.pop("autoescape", None)
    env = jinja2.Environment(autoescape=True, finalize=escape_as_django, **options)
    env.filters.update(
        date_range=date_range,
        iso_date=iso_date,
        iso_month=iso_month,
        issue_title=issue_title,
        month_label=month_label,
        places_left=places_left,
    )
    return env


def escape_as_django(value):
    """``value`` escaped as Django's ``conditional_escape`` escapes it (``&quot;`` and
    ``&#x27;``, where Jinja2's own escaping writes ``&#34;`` and ``&#39;``), marked safe so
    that Jinja2 leaves it as it is. Django's function checks every argument for a lazy
    translation first: a third of a catalogue page's card time."""
    if hasattr(value, "__html__"):
        return value
    return Markup(html.escape(str(value)))  # noqa: S704 - escaped here


def render(template_name, **context):
    """The cards of ``templates/cards/<template_name>`` for ``context``, as safe HTML."""
    return mark_safe(engines[ENGINE].get_template(template_name).render(context))  # noqa: S308 - escaped by the template


def remembered(template_name, listing, ids, context, *, until=None):
    """The cards of ``template_name`` for the items ``ids`` of ``listing`` (a key naming
    the listing page and the address its cards hang from), rendered from ``context()``
    once per change of the site's pages and read back after (``pagecache.remembered_until``);
    "" for no items.

    For cards whose every value comes from pages and from models a change sets a new
    generation for (lscp_site/pagecache.py). Cards that the passing of time changes too give
    ``until(context)``: the moment they stop being right (None for never). A listing then
    costs one cache read however many cards it shows, where fetching and writing them grew
    with the page (20 cards on the large benchmark site's diary and catalogue, 3 or 4 on the
    demo's).
    """
    if not ids:
        return ""

    def compute():
        values = context()
        return render(template_name, **values), until(values) if until else None

    digest = hashlib.sha256(",".join(map(str, ids)).encode()).hexdigest()[:32]
    return pagecache.remembered_until(f"cards:{template_name}:{listing}:{digest}", compute)
