"""The property-based suite's bounds: a few examples per property in `make test` (the whole
suite in well under a minute); FUZZ_EXAMPLES=2000 for a long run (docs/deployment.md)."""

import os

from hypothesis import HealthCheck, settings

from tests.training.conftest import catalogue, frozen_now, session, webinar  # noqa: F401

settings.register_profile(
    "lscp",
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "15")),
    deadline=None,
    database=None,  # no .hypothesis folder in the work tree
    derandomize=os.environ.get("FUZZ_RANDOM") != "1",  # the same examples on every CI run
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.load_profile("lscp")
