from django.apps import AppConfig


class NewsletterConfig(AppConfig):
    name = "newsletter"

    def ready(self):
        # Here, not at the top: alerts imports models, which Django forbids before the app
        # registry is ready. Its receivers note what publishing makes new in a topic.
        from newsletter import alerts  # noqa: F401
