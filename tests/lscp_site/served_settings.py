"""Production settings for the tests that serve the site with gunicorn in a subprocess
(tests/lscp_site/test_pagecache_served.py): production as it is, with static files read
from the project's folders rather than a collected manifest."""

from lscp_site.settings.production import *  # noqa: F403

STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
