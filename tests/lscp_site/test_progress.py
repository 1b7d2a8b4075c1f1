"""Long commands show progress one way: a bar redrawn on a terminal, plain lines in logs."""

import io

from lscp_site.progress import Progress, track


class Terminal(io.StringIO):
    def isatty(self):
        return True


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_in_a_log_it_writes_plain_lines_at_the_start_every_few_seconds_and_at_the_end():
    log, clock = io.StringIO(), Clock()
    with Progress(label="files imported", total=200, stream=log, clock=clock) as progress:
        for _ in range(100):
            progress.advance()  # within the same second: nothing written
        clock.now = 6
        progress.advance(detail="march-2025.txt")
        for _ in range(99):
            progress.advance()

    lines = log.getvalue().splitlines()
    assert lines == [
        "[------------------------------]   0%  0/200 files imported",
        "[###############---------------]  50%  101/200 files imported  march-2025.txt",
        "[##############################] 100%  200/200 files imported  march-2025.txt",
    ]
    assert "\r" not in log.getvalue()


def test_on_a_terminal_it_redraws_one_bar_in_place():
    terminal = Terminal()
    for _item in track(["a", "b", "c", "d"], label="purges done", stream=terminal):
        pass

    output = terminal.getvalue()
    assert output.count("\n") == 1 and output.endswith("\n")
    frames = [frame.removesuffix("\x1b[K") for frame in output.strip().split("\r") if frame]
    assert frames[0] == "[------------------------------]   0%  0/4 purges done"
    assert frames[-1] == "[##############################] 100%  4/4 purges done"
    assert len(frames) == 6  # the start, each of 4 steps, the last again on finishing


def test_without_a_total_it_counts():
    log = io.StringIO()
    with Progress(label="rows deleted", stream=log) as progress:
        progress.update(1500)

    assert log.getvalue().splitlines()[-1] == "1,500 rows deleted"
