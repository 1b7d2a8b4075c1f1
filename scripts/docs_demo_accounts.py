"""Run by scripts/docs_screenshots.py inside its demo site: the throwaway accounts and the
demo's addresses, printed as JSON on the last line.

EDITOR is a superuser with an authenticator app (a confirmed django-otp device), signing in
as every editor does; the screenshot script works out the app's current code from the key
printed here. NEWCOMER is a superuser who has not set up two-factor sign-in yet, so the
site sends them to set it up. The environment (DJANGO_SETTINGS_MODULE, DATABASE_URL) and
DOCS_PASSWORD come from the screenshot script.
"""

import json
import os
import sys
from pathlib import Path
from urllib.parse import urlsplit

import django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
django.setup()

# After django.setup(): models need the app registry.
from django.contrib.auth import get_user_model  # noqa: E402

from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402

from events.models import EventIndexPage, EventPage  # noqa: E402
from lscp_site.models import ContentPage  # noqa: E402
from newsletter.models import NewsletterIndexPage, NewsletterIssuePage  # noqa: E402
from subscriptions.demo import BOUNCED_EMAIL, DEMO_EMAIL  # noqa: E402
from subscriptions.models import Subscriber  # noqa: E402
from training import booking, links  # noqa: E402
from training.models import CoursePage, LineManagerRole, Session, TrainingIndexPage  # noqa: E402
from training.models.bookings import Attendance  # noqa: E402

EDITOR = "guide-editor"
NEWCOMER = "guide-newcomer"
# Made-up delegates, so that the bookings pictures show a register.
DELEGATES = [
    ("Priya Shah", "Leeds Children's Social Work Service", "Social worker"),
    ("Tom Barker", "Leeds Teaching Hospitals", "Safeguarding nurse"),
    ("Aisha Begum", "Harehills Primary School", "Designated safeguarding lead"),
    ("Gareth Lowe", "West Yorkshire Police", "Detective constable"),
    ("Hannah Moss", "Leeds Youth Service", "Youth worker"),
]


def book_delegates():
    """The delegates on the first session open for booking; returns the session's id."""
    session = Session.objects.with_places().bookable().order_by("start", "pk").first()
    if session is None:
        return None
    for name, organisation, job_role in DELEGATES:
        booking.book(
            session=session,
            name=name,
            email=name.lower().replace(" ", ".") + "@example.org",
            organisation=organisation,
            job_role=job_role,
        )
    return session.pk


def ask_a_manager():
    """A place held for a line manager's approval on the first bookable session of a course
    that asks for it; returns the path of the manager's approval page (None without one)."""
    session = (
        Session.objects.with_places()
        .bookable()
        .filter(course__line_manager=LineManagerRole.APPROVES)
        .order_by("start", "pk")
        .first()
    )
    if session is None:
        return None
    held = booking.book(
        session=session,
        name="Jo Clarke",
        email="jo.clarke@example.org",
        organisation="Leeds Children's Social Work Service",
        job_role="Social worker",
        manager_email="sam.manager@example.org",
    )
    return urlsplit(links.approval_url(held, links.APPROVE)).path


def first_live(model, order="pk"):
    return model.objects.live().order_by(order).values_list("pk", flat=True).first()


def main():
    password = os.environ["DOCS_PASSWORD"]
    users = get_user_model().objects
    editor = users.create_superuser(
        EDITOR, "sam.editor@example.org", password, first_name="Sam", last_name="Editor"
    )
    users.create_superuser(NEWCOMER, "alex.new@example.org", password, first_name="Alex")
    device = TOTPDevice.objects.create(user=editor, name="Authenticator app", confirmed=True)
    addresses = {
        "key": device.key,
        "newsletter": first_live(NewsletterIndexPage),
        "issue": first_live(NewsletterIssuePage, order="-issue_date"),
        # The March 2025 issue: its dates are past, so the checks before sending find some.
        "back_issue": first_live(NewsletterIssuePage, order="issue_date"),
        "events": first_live(EventIndexPage),
        "event": first_live(EventPage),
        "training": first_live(TrainingIndexPage),
        "course": CoursePage.objects.live()
        .filter(sessions__isnull=False)
        .order_by("pk")
        .values_list("pk", flat=True)
        .first(),
        "privacy": ContentPage.objects.filter(slug="privacy").values_list("pk", flat=True).first(),
        "session": book_delegates(),
        "subscriber": Subscriber.objects.order_by("pk").values_list("pk", flat=True).first(),
        "stopped": Subscriber.objects.filter(email=BOUNCED_EMAIL)
        .values_list("pk", flat=True)
        .first(),
        "preferences": Subscriber.objects.filter(email=DEMO_EMAIL)
        .values_list("token", flat=True)
        .first(),
        "register": Session.objects.filter(bookings__attendance=Attendance.ATTENDED)
        .order_by("-start")
        .values_list("pk", flat=True)
        .first(),
        "approving_course": CoursePage.objects.filter(line_manager=LineManagerRole.APPROVES)
        .order_by("pk")
        .values_list("pk", flat=True)
        .first(),
        "diary_course": CoursePage.objects.filter(sessions__diary_event__isnull=False)
        .order_by("pk")
        .values_list("pk", flat=True)
        .first(),
        "approval": ask_a_manager(),
        "issue_path": urlsplit(
            NewsletterIssuePage.objects.live().order_by("-issue_date").first().full_url
        ).path,
    }
    print(json.dumps(addresses))


if __name__ == "__main__":
    main()
