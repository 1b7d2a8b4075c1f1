"""Logging filters used by settings.LOGGING."""

import logging

# Django's tasks framework logs a line each time a task starts and finishes ("Task id=...
# state=RUNNING/SUCCESSFUL"): hundreds after a publish or a send. Failures are logged at
# ERROR and always kept.
ROUTINE_TASK_LOGGERS = frozenset({"django.tasks", "django_tasks"})


class QuietRoutineTasks(logging.Filter):
    """Drops the routine task lines below WARNING unless the log level is DEBUG.

    The task worker sets its loggers' levels itself (from its --verbosity), so the lines are
    filtered at the handler.
    """

    def __init__(self, show=False):
        super().__init__()
        self.show = show

    def filter(self, record):
        return (
            self.show
            or record.levelno >= logging.WARNING
            or record.name not in ROUTINE_TASK_LOGGERS
        )
