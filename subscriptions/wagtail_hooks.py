from wagtail import hooks
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from subscriptions.admin_views import SubscriberPermissionPolicy, SubscriberViewSet
from subscriptions.models import Subscriber, Topic

# Before the viewset, so the admin never falls back to Django's add/change/delete permissions.
register_permission_policy(Subscriber, SubscriberPermissionPolicy(Subscriber), exact_class=True)


class TopicViewSet(SnippetViewSet):
    model = Topic
    icon = "tag"
    menu_label = "Email topics"
    list_display = ["name", "slug"]
    search_fields = ["name"]
    search_backend_name = None


register_snippet(TopicViewSet)


@hooks.register("register_admin_viewset")
def register_subscriber_viewset():
    return SubscriberViewSet()


@hooks.register("register_log_actions")
def register_subscriber_log_actions(actions):
    actions.register_action(
        "subscriptions.export", "Export personal data", "Exported a subscriber's personal data"
    )
    actions.register_action(
        "subscriptions.erase", "Erase personal data", "Erased a subscriber's personal data"
    )
