"""`make run` as a newcomer uses it, on a port of its own: the emailed links lead to it, the
admin password is the last thing printed, and Ctrl+C or SIGTERM stop every process it started.

Each test runs the real command in a subprocess against a SQLite database of its own, so the
module takes a minute or two (most of it migrating and loading the demo content once).
"""

import email
import email.policy
import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

BASE_DIR = Path(__file__).resolve().parent.parent.parent
STARTED = "Ctrl+C stops the site, the task worker and the scheduler."


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def descendants(pid):
    """Every process below ``pid``, read from /proc (children of children too)."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # "pid (command) state ppid ...": the command may hold spaces and parentheses.
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier}
        found |= frontier
    return found


def alive(pid):
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.fixture(scope="module")
def run_env(tmp_path_factory):
    """The environment of a developer's machine with its own database, media and mail."""
    folder = tmp_path_factory.mktemp("make-run")
    # Without the variables of the make running the suite (`make test`): with MAKELEVEL set,
    # `make run` is a sub-make and prints "Leaving directory" as it ends, racing the last
    # line the tests read.
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "PYTEST_", "BASE_URL", "DATABASE_URL", "MAKE", "MFLAGS"))
    }
    env.update(
        {
            "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
            "MEDIA_ROOT": str(folder / "media"),
            "EMAIL_FILE_PATH": str(folder / "mail"),
        }
    )
    setup = subprocess.run(
        ["make", "setup"], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=400
    )
    assert setup.returncode == 0, setup.stdout + setup.stderr
    return env, folder


class Running:
    """A started `make run` (or scripts/run.py), its output collected line by line."""

    def __init__(self, args, env, port):
        self.port = port
        self.process = subprocess.Popen(
            args,
            cwd=BASE_DIR,
            env={**env, "PORT": str(port), "HOST": "127.0.0.1"},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,  # its own group, as a terminal's foreground job is
        )
        self.lines = []

    def read_until(self, text, timeout=180):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if not line:
                break
            self.lines.append(line.rstrip("\n"))
            if text in line:
                return
        raise AssertionError(f"{text!r} never printed:\n" + "\n".join(self.lines))

    def stop(self, signum):
        before = descendants(self.process.pid)
        os.killpg(self.process.pid, signum)
        rest, _ = self.process.communicate(timeout=60)
        self.lines += rest.splitlines()
        return before

    def kill(self):
        if self.process.poll() is None:
            for pid in descendants(self.process.pid):
                os.kill(pid, signal.SIGKILL)
            self.process.kill()
            self.process.communicate()


@pytest.fixture
def make_run(run_env):
    env, _folder = run_env
    started = []

    def start(args=("make", "run")):
        running = Running(list(args), env, free_port())
        started.append(running)
        return running

    yield start
    for running in started:
        running.kill()


def submit(opener, url, form, **values):
    """Submit an HTML form as a browser would: its own fields and defaults, plus ``values``."""
    data = []
    for field in form.find_all(["input", "textarea", "select"]):
        name = field.get("name")
        kind = field.get("type", "text")
        if not name or kind in {"submit", "button"} or name in values:
            continue
        if kind in {"checkbox", "radio"} and not field.has_attr("checked"):
            continue
        data.append((name, field.get("value", "on" if kind == "checkbox" else "")))
    data += list(values.items())
    action = urllib.parse.urljoin(url, form.get("action") or url)
    request = urllib.request.Request(
        action,
        data=urllib.parse.urlencode(data).encode(),
        headers={"Sec-Fetch-Site": "same-origin"},
    )
    with opener.open(request, timeout=30) as response:
        return response.geturl(), response.read().decode()


def wait_for_email(folder, *, to, timeout=60):
    """The first complete message to ``to`` written by the file backend (the demo's own
    emails, such as its certificates, may be written around it)."""
    deadline = time.monotonic() + timeout
    end = b"-" * 79
    while time.monotonic() < deadline:
        files = sorted((folder / "mail").glob("*.log")) if (folder / "mail").exists() else []
        for file in files:
            # Django's file backend ends each message with a line of dashes: until then the
            # worker is still writing it.
            for chunk in file.read_bytes().split(end)[:-1]:
                message = email.message_from_bytes(chunk.strip(), policy=email.policy.default)
                if message["To"] == to:
                    return message
        time.sleep(0.5)
    raise AssertionError(f"No email to {to} was written")


def test_make_run_on_another_port_sends_links_that_work(make_run, run_env):
    _env, folder = run_env
    running = make_run()
    running.read_until(STARTED)
    base = f"http://127.0.0.1:{running.port}"
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )

    with opener.open(f"{base}/subscribe/", timeout=30) as response:
        page = BeautifulSoup(response.read(), "html.parser")
    form = page.find("input", attrs={"name": "email"}).find_parent("form")
    submit(opener, f"{base}/subscribe/", form, email="newcomer@example.org")

    message = wait_for_email(folder, to="newcomer@example.org")
    assert message["To"] == "newcomer@example.org"
    text = message.get_body(preferencelist=("plain",)).get_content()
    links = re.findall(r"https?://\S+/subscribe/confirm/\S+/", text)
    assert links, text
    assert all(link.startswith(f"{base}/") for link in re.findall(r"https?://\S+", text))

    with opener.open(links[0], timeout=30) as response:
        confirm_page = BeautifulSoup(response.read(), "html.parser")
    confirm_form = confirm_page.find("form", attrs={"action": re.compile("/confirm/")})
    _url, html = submit(opener, links[0], confirm_form)
    assert "newcomer@example.org" in html or "confirmed" in html.lower()

    before = running.stop(signal.SIGINT)

    # 130 is how a shell reports a process that Ctrl+C's SIGINT ended (make does so).
    assert running.process.returncode in {0, 130, -signal.SIGINT}, "\n".join(running.lines)
    assert before, "make run started no processes"
    assert not [pid for pid in before if alive(pid)]
    output = "\n".join(running.lines)
    assert "Segmentation fault" not in output
    assert "Traceback" not in output
    assert "make: ***" not in output
    assert running.lines[-1] == "Stopped."


def test_sigterm_stops_every_process_and_the_admin_password_is_printed_last(make_run):
    running = make_run([sys.executable, "scripts/run.py"])
    running.read_until(STARTED)
    time.sleep(3)  # whatever the worker and scheduler print in their first seconds

    before = running.stop(signal.SIGTERM)

    assert running.process.returncode == 0
    assert len(before) >= 3  # server (and its reloader's child), worker, scheduler
    assert not [pid for pid in before if alive(pid)]
    lines = running.lines
    banner = lines.index(STARTED)
    assert any(
        f"http://127.0.0.1:{running.port}/admin/" in line for line in lines[banner - 4 : banner]
    )
    # Nothing came after the banner but the stopping: the routine task lines are quiet.
    after = [line for line in lines[banner + 1 :] if line and "shutting down" not in line]
    assert after == ["Stopping the site, the task worker and the scheduler...", "Stopped."]
    assert not [line for line in lines if "state=RUNNING" in line or "state=SUCCESSFUL" in line]
