"""Settings for bench/pages.py: production settings, with static files collected apart.

Everything else is production as deployed (DEBUG off, WhiteNoise with the manifest, persistent
database connections); the benchmark passes the environment variables production needs.
Static files go to var/bench/static so a benchmark never touches the files `make run` serves.
"""

from lscp_site.settings.production import *  # noqa: F403
from lscp_site.settings.production import VAR_DIR

STATIC_ROOT = VAR_DIR / "bench" / "static"
