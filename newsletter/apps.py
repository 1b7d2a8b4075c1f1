from django.apps import AppConfig


class NewsletterConfig(AppConfig):
    name = "newsletter"

    def ready(self):
        from anymail.signals import tracking

        from newsletter.bounces import receive_tracking_event

        tracking.connect(receive_tracking_event, dispatch_uid="newsletter_tracking_events")
