from tests.newsletter.conftest import event_index, newsletter_index, training_index  # noqa: F401
from tests.training.conftest import (  # noqa: F401
    catalogue,
    frozen_now,
    run_commit_hooks,
    session,
    webinar,
)
