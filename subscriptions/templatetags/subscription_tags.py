from django import template

from subscriptions import consent
from subscriptions.queries import signup_topics

register = template.Library()


@register.simple_tag(takes_context=True)
def signup_box(context):
    """What the footer's sign-up form needs: the topics, the consent wording and the page
    it was sent from.

    Nothing in it depends on who is reading, so a page carrying it can be cached and
    served to everyone.
    """
    request = context.get("request")
    return {
        "topics": signup_topics(),
        "wording": consent.current(),
        "source": request.path if request is not None else "",
    }
