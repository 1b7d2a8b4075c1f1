from django.apps import AppConfig


class NewsletterConfig(AppConfig):
    name = "newsletter"

    def ready(self):
        # Here, not at the top: these modules import models, which Django forbids before the
        # app registry is ready. signals records providers' delivery reports; alerts notes
        # what publishing makes new in a topic.
        from newsletter import alerts, signals  # noqa: F401

        signals.connect()
