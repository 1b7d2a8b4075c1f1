"""The task worker's line for every task is kept out of the logs unless LOG_LEVEL=DEBUG."""

import logging
import os
import subprocess
import sys
from pathlib import Path

from lscp_site.logs import QuietRoutineTasks

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def record(name, level, message="Task id=1 path=newsletter.sending.resume_sends state=RUNNING"):
    return logging.LogRecord(name, level, __file__, 1, message, (), None)


def test_routine_task_lines_are_dropped_and_failures_kept():
    quiet = QuietRoutineTasks(show=False)

    assert not quiet.filter(record("django.tasks", logging.INFO))
    assert quiet.filter(record("django.tasks", logging.ERROR, "... state=FAILED"))
    assert quiet.filter(record("lscp_site.housekeeping", logging.INFO, "Purge sessions: deleted 3"))
    assert QuietRoutineTasks(show=True).filter(record("django.tasks", logging.INFO))


def shows_task_lines(**environment):
    env = {key: value for key, value in os.environ.items() if key != "LOG_LEVEL"}
    script = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.LOGGING['filters']['quiet_routine_tasks']['show'])"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=BASE_DIR,
        env={**env, "DJANGO_SETTINGS_MODULE": "lscp_site.settings.dev", **environment},
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip() == "True"


def test_log_level_debug_brings_the_task_lines_back():
    assert not shows_task_lines()
    assert shows_task_lines(LOG_LEVEL="DEBUG")
    assert not shows_task_lines(LOG_LEVEL="INFO")
