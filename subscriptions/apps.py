from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class SubscriptionsConfig(AppConfig):
    name = "subscriptions"
    verbose_name = "Email subscriptions"

    def ready(self):
        from subscriptions.models import Topic
        from subscriptions.queries import forget_signup_topics

        # The footer's cached list of topics is refreshed whenever an editor changes one.
        post_save.connect(forget_signup_topics, sender=Topic, dispatch_uid="topics-saved")
        post_delete.connect(forget_signup_topics, sender=Topic, dispatch_uid="topics-deleted")
