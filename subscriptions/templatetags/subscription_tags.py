from django import template

from lscp_site import site_snapshot
from subscriptions import consent
from subscriptions.queries import signup_topics

register = template.Library()


@register.simple_tag(takes_context=True)
def signup_box(context):
    """What the footer's sign-up form needs: the topics from the site snapshot every page
    reads (no query of its own), from the database when there is no snapshot.

    Nothing in it depends on who is reading, so a page carrying it can be cached and
    served to everyone.
    """
    request = context.get("request")
    snapshot = site_snapshot.prepare_request(request) if request is not None else None
    return {
        "topics": snapshot.signup_topics if snapshot is not None else signup_topics(),
        "wording": consent.current(),
        "source": request.path if request is not None else "",
    }
