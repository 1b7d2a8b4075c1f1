"""The public forms' way into the sign-up rules: queued, so every address is answered alike.

The sign-up and "send me a link" forms call ``request_subscription`` and
``request_manage_link``. They check the input (a ValidationError for the form), queue one
task and return: the same work for a new, pending, confirmed or unsubscribed address. The
task worker then runs the rule in ``signup`` (rows written, the email chosen), so neither
the reply nor how long it takes says anything about the address.
"""

from django.core.exceptions import ValidationError
from django.tasks import task

from subscriptions import signup
from subscriptions.models import Topic


def request_subscription(*, email, topics, source_url, consent_version=None):
    """Queue ``signup.subscribe``. Raises ValidationError for a bad address or no topic, so
    nothing invalid is queued."""
    email = signup.clean_email(email)
    topic_ids = [topic.pk for topic in topics]
    if not topic_ids:
        raise ValidationError({"topics": signup.ERROR_NO_TOPIC})
    process_signup.enqueue(
        email=email,
        topic_ids=topic_ids,
        source_url=signup.clean_source_url(source_url),
        consent_version=consent_version,
    )


def request_manage_link(*, email):
    """Queue ``signup.send_manage_link``. Raises ValidationError for a bad address."""
    process_manage_link_request.enqueue(email=signup.clean_email(email))


@task
def process_signup(*, email, topic_ids, source_url, consent_version):
    topics = list(Topic.objects.filter(pk__in=topic_ids))
    if not topics:  # every topic chosen was deleted since: nothing to sign up for
        return None
    result = signup.subscribe(
        email=email, topics=topics, source_url=source_url, consent_version=consent_version
    )
    return result.outcome.value


@task
def process_manage_link_request(*, email):
    result = signup.send_manage_link(email=email)
    return result.outcome.value if result else None
