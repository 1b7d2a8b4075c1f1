from tests.newsletter.conftest import event_index, newsletter_index, training_index  # noqa: F401
from tests.training.conftest import catalogue, frozen_now, session, webinar  # noqa: F401
