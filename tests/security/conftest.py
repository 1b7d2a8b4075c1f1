from tests.training.conftest import (  # noqa: F401
    catalogue,
    frozen_now,
    run_commit_hooks,
    session,
    webinar,
)
