"""Demo content of the site's own pages: the home page, statements and site settings.

Each app builds its own demo content in its ``demo.py``; ``manage.py load_demo`` calls them
in order. Every step finds what it made before and updates it, so loading twice changes
nothing.
"""

import datetime

from wagtail.models import Page, Site

from home.models import HomePage
from lscp_site.models import ContentPage, SiteSettings

HOME_TITLE = "Leeds Safeguarding Children Partnership"
HOME_INTRODUCTION = (
    "News, training and dates for practitioners who work with children and young people "
    "in Leeds: social workers, teachers, health visitors, police and everyone who keeps "
    "children safe."
)

CONTENT_PAGES = [
    {
        "slug": "privacy",
        "title": "Privacy notice",
        "introduction": "How the LSCP uses the personal details you give us when you sign up "
        "for the newsletter or book a place on training.",
        "body": (
            "<h2>Who we are</h2>"
            "<p>The Leeds Safeguarding Children Partnership (LSCP) business unit runs this "
            "site. We are the data controller for the details you give us here.</p>"
            "<h2>What we collect and why</h2>"
            "<p><b>Email updates:</b> your email address and the topics you choose, so we can "
            "send you the newsletter and updates you asked for. We keep a record of when and "
            "where you gave consent and the words you agreed to.</p>"
            "<p><b>Training bookings:</b> your name, work email, organisation, job role and any "
            "access needs you tell us, so we can run the session and contact you about it.</p>"
            "<h2>How long we keep it</h2>"
            "<ul><li>Sign-ups that are never confirmed are deleted after 30 days.</li>"
            "<li>When you unsubscribe we stop sending at once. We keep only a record that you "
            "unsubscribed, so we never email you by mistake.</li>"
            "<li>Bookings are deleted one year after the session.</li></ul>"
            "<h2>Your rights</h2>"
            "<p>You can ask for a copy of your details, ask us to correct them or to erase "
            "them. Email the LSCP business unit at lscp.info@leeds.gov.uk.</p>"
            "<h2>Cookies</h2>"
            "<p>This site sets only the cookies it needs to work: one that protects forms from "
            "misuse. It sets no tracking or advertising cookies and loads nothing from other "
            "websites.</p>"
        ),
    },
    {
        "slug": "accessibility",
        "title": "Accessibility statement",
        "introduction": "We want as many people as possible to be able to use this website.",
        "body": (
            "<h2>How accessible this website is</h2>"
            "<p>This website is designed to meet the Web Content Accessibility Guidelines "
            "(WCAG) 2.2 at level AA. You should be able to zoom in up to 400% without the text "
            "spilling off the screen, navigate the whole site using just a keyboard, and use "
            "it with a screen reader.</p>"
            "<p>Every page is checked with automated accessibility tests before it is "
            "released, on a narrow phone-sized screen as well as a desktop.</p>"
            "<h2>Reporting accessibility problems</h2>"
            "<p>If you find a problem or need information in a different format, email "
            "lscp.info@leeds.gov.uk. We will reply within 5 working days.</p>"
            "<h2>Enforcement procedure</h2>"
            "<p>The Equality and Human Rights Commission (EHRC) is responsible for enforcing "
            "the Public Sector Bodies (Websites and Mobile Applications) (No. 2) Accessibility "
            "Regulations 2018. If you are not happy with how we respond to your complaint, "
            "contact the Equality Advisory and Support Service (EASS).</p>"
        ),
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


def load_content_pages(home):
    for spec in CONTENT_PAGES:
        page = ContentPage.objects.filter(slug=spec["slug"]).first()
        if page is None:
            page = ContentPage(**spec, last_reviewed=datetime.date(2025, 3, 1))
            home.add_child(instance=page)
            page.save_revision().publish()


def load_site_settings():
    SiteSettings.load()  # creates the row with its defaults the first time


def load_demo():
    home = load_home_page()
    load_content_pages(home)
    load_site_settings()
    return home
