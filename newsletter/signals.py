"""What the newsletter app listens for: an email service's reports of bounces, complaints
and deliveries, through django-anymail's tracking webhooks (newsletter/bounces.py), and
issues saved, for the page cache."""

from django.db.models.signals import pre_save

from anymail.signals import tracking

from lscp_site import pagecache
from newsletter.bounces import receive_tracking_event
from newsletter.models import NewsletterIssuePage


def connect():
    tracking.connect(receive_tracking_event, dispatch_uid="newsletter_tracking_events")
    pre_save.connect(
        issue_saving, sender=NewsletterIssuePage, dispatch_uid="newsletter_issue_saving"
    )


def issue_saving(sender, instance, update_fields=None, using=None, **kwargs):
    """A publish reaches the issue, its neighbours and the listings (the page cache asks
    ``shown_on_pages``); an issue that moves in the archive reaches every issue's pager."""
    if pagecache.saves_drafts_only(update_fields):
        return
    if instance.moves_in_the_archive():
        pagecache.invalidate_pages("newsletter", using=using)
