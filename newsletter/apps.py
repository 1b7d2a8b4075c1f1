from django.apps import AppConfig


class NewsletterConfig(AppConfig):
    name = "newsletter"

    def ready(self):
        # Here, not at the top: signals imports models, which Django forbids before the app
        # registry is ready.
        from newsletter import signals

        signals.connect()
