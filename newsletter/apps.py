from django.apps import AppConfig


class NewsletterConfig(AppConfig):
    name = "newsletter"

    def ready(self):
        # Topic alerts listen for publishing (Wagtail's page_published) and new sessions.
        from newsletter import alerts  # noqa: F401, PLC0415
