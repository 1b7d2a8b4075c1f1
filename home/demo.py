"""Demo content of the site's own pages: the home page, statements and site settings.

Each app builds its own demo content in its ``demo.py``; ``manage.py load_demo`` calls them
in order. Every step finds what it made before and updates it, so loading twice changes
nothing.
"""

import datetime
from pathlib import Path

from django.conf import settings

from wagtail.models import Page, Site

from home.models import HomePage
from lscp_site.models import ContentPage, SiteSettings
from subscriptions.retention import UNCONFIRMED_DAYS
from training.retention import retention_days

HOME_TITLE = "Leeds Safeguarding Children Partnership"
HOME_INTRODUCTION = (
    "News, training and dates for practitioners who work with children and young people "
    "in Leeds: social workers, teachers, health visitors, police and everyone who keeps "
    "children safe."
)

DEMO_CONTENT = Path(__file__).resolve().parent / "demo_content"
# The date the statements were written and checked, shown at their foot.
STATEMENTS_REVIEWED = datetime.date(2026, 12, 7)

CONTENT_PAGES = [
    {
        "slug": "privacy",
        "title": "Privacy notice",
        "introduction": "How the Leeds Safeguarding Children Partnership uses the personal "
        "details you give us when you sign up for email updates or book a place on training, "
        "how long we keep them and your rights.",
        "body_file": "privacy.html",
        "last_reviewed": STATEMENTS_REVIEWED,
    },
    {
        "slug": "accessibility",
        "title": "Accessibility statement",
        "introduction": "How accessible this website is, what we know is not yet accessible, "
        "and how to tell us about a problem or ask for information in another format.",
        "body_file": "accessibility.html",
        "last_reviewed": STATEMENTS_REVIEWED,
    },
    {
        "slug": "staying-safe-online",
        "title": "Staying safe online",
        "introduction": "What the Quick leave button does, what it cannot do, and how to hide "
        "your visit to this site.",
        "body": (
            "<h2>The Quick leave button</h2>"
            "<p>Every page has a red Quick leave button at the top. Select it, or press the "
            "Shift key 3 times, and this page is hidden at once and replaced by a weather "
            "page.</p>"
            "<p>It also clears the cookies and stored data this site can reach.</p>"
            "<h2>What Quick leave cannot do</h2>"
            "<p>Quick leave does <b>not</b> erase your browser history. Someone using your "
            "device could still see that you visited this site, and the back button can bring "
            "the page back.</p>"
            "<h2>How to clear your browsing history</h2>"
            "<ul><li>In most browsers, press Ctrl + H (Cmd + Y on a Mac) to open your history, "
            "then remove the pages you visited.</li>"
            "<li>On a phone, open the browser's settings and look for 'History' or 'Privacy'."
            "</li></ul>"
            "<h2>Private browsing</h2>"
            "<p>A private or incognito window does not keep a history of the pages you visit. "
            "Open one before you visit this site: in most browsers press Ctrl + Shift + N, or "
            "Cmd + Shift + N on a Mac.</p>"
            "<h2>If you are worried about your safety</h2>"
            "<p>If you or a child is in immediate danger, call 999.</p>"
        ),
        "last_reviewed": datetime.date(2025, 3, 1),
    },
]


def load_home_page():
    """Create or update the home page and make it the default site's root."""
    root = Page.get_first_root_node()
    home = HomePage.objects.first()
    if home is None:
        home = HomePage(title=HOME_TITLE, slug="home-lscp", introduction=HOME_INTRODUCTION)
        root.add_child(instance=home)
        home.save_revision().publish()
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(
            hostname="localhost",
            port=80,
            root_page=home,
            is_default_site=True,
            site_name=HOME_TITLE,
        )
    elif site.root_page_id != home.id:
        old_root = site.root_page
        site.root_page = home
        site.site_name = HOME_TITLE
        site.save()
        # Wagtail's "Welcome to your new Wagtail site!" placeholder.
        if old_root.specific_class is Page and old_root.depth == 2:
            old_root.delete()
    return home


def period_wording(days):
    """'one year' for 365 days, else '30 days': how the statements word a retention period."""
    if days % 365 == 0:
        years = days // 365
        return "one year" if years == 1 else f"{years} years"
    return f"{days} days"


def statement_body(file_name):
    """A statement's text with the contact address and the retention periods the site really
    applies (settings.PURGES and the retention modules), so the two cannot drift apart."""
    text = (DEMO_CONTENT / file_name).read_text()
    return text.format(
        contact_email=SiteSettings.load().contact_email,
        unconfirmed_days=UNCONFIRMED_DAYS,
        delivery_retention=period_wording(
            int(getattr(settings, "NEWSLETTER_DELIVERY_RETENTION_DAYS", 365))
        ),
        booking_retention=period_wording(retention_days()),
    )


def load_content_pages(home):
    for spec in CONTENT_PAGES:
        fields = {key: value for key, value in spec.items() if key != "body_file"}
        if "body_file" in spec:
            fields["body"] = statement_body(spec["body_file"])
        page = ContentPage.objects.filter(slug=spec["slug"]).first()
        if page is None:
            page = ContentPage(**fields)
            home.add_child(instance=page)
            page.save_revision().publish()
            continue
        # Bring a page the loader wrote up to date, but never overwrite an editor's work:
        # a revision saved by a person has a user.
        made_by_loader = not page.revisions.exclude(user=None).exists()
        changed = any(getattr(page, key) != value for key, value in fields.items())
        if made_by_loader and changed:
            for key, value in fields.items():
                setattr(page, key, value)
            page.save_revision().publish()


def load_site_settings():
    SiteSettings.load()  # creates the row with its defaults the first time


def load_demo():
    home = load_home_page()
    load_site_settings()
    load_content_pages(home)
    return home
