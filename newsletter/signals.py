"""What the newsletter app listens for: an email service's reports of bounces, complaints
and deliveries, through django-anymail's tracking webhooks (newsletter/bounces.py)."""

from anymail.signals import tracking

from newsletter.bounces import receive_tracking_event


def connect():
    tracking.connect(receive_tracking_event, dispatch_uid="newsletter_tracking_events")
