"""How long commands show how far they are: one way for import, send, generation and purges.

On a terminal a bar redrawn in place; anywhere else (a log file, a container's log, CI) plain
lines, one at the start, at most one every few seconds, and one at the end, so that logs stay
readable.
"""

import sys
import time

from django.core.management.base import OutputWrapper

BAR_WIDTH = 30
LOG_EVERY_SECONDS = 5.0


def progress_line(*, label, done, total, detail=""):
    """'[#####-----]  50%  5/10 files imported  detail' (no bar without a total)."""
    if total:
        percent = min(100, 100 * done // total)
        filled = BAR_WIDTH * percent // 100
        bar = "#" * filled + "-" * (BAR_WIDTH - filled)
        line = f"[{bar}] {percent:3d}%  {done:,}/{total:,} {label}"
    else:
        line = f"{done:,} {label}"
    return f"{line}  {detail}" if detail else line


class Progress:
    """Progress of ``total`` steps written to ``stream`` (standard error by default).

    ``update(done)`` sets how many are done, ``advance()`` adds one; ``finish()`` writes the
    last line. Used as a context manager, it finishes on leaving.
    """

    def __init__(self, *, label, total=None, stream=None, clock=time.monotonic):
        self.label = label
        self.total = total
        self.stream = stream if stream is not None else sys.stderr
        self.clock = clock
        self.done = 0
        self.detail = ""
        self.on_terminal = self.stream.isatty()
        self.last_written = None
        self.finished = False

    def __enter__(self):
        self.write(force=True)
        return self

    def __exit__(self, *exc_info):
        self.finish()

    def update(self, done, *, detail=None):
        self.done = done
        if detail is not None:
            self.detail = detail
        self.write()

    def advance(self, count=1, *, detail=None):
        self.update(self.done + count, detail=detail)

    def finish(self, *, detail=None):
        if self.finished:
            return
        if detail is not None:
            self.detail = detail
        self.write(force=True)
        if self.on_terminal:
            self.put("\n")
        self.finished = True

    def write(self, *, force=False):
        line = progress_line(label=self.label, done=self.done, total=self.total, detail=self.detail)
        now = self.clock()
        if self.on_terminal:
            # \x1b[K clears what a longer earlier line left to the right.
            self.put(f"\r{line}\x1b[K")
        elif force or self.last_written is None or now - self.last_written >= LOG_EVERY_SECONDS:
            self.put(line + "\n")
        else:
            return
        self.last_written = now

    def put(self, text):
        if isinstance(self.stream, OutputWrapper):
            # A command's self.stderr adds a line ending unless told not to.
            self.stream.write(text, ending="")
        else:
            self.stream.write(text)
        self.stream.flush()


def track(items, *, label, total=None, stream=None):
    """Yield each of ``items``, showing progress as they are used."""
    if total is None:
        total = len(items)
    with Progress(label=label, total=total, stream=stream) as progress:
        for item in items:
            yield item
            progress.advance()
