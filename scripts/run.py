"""`make run`: the web server, the task worker and the scheduler, started and stopped together.

`make run` calls this after `make setup` (migrations, demo content, static files). It serves
at HOST:PORT (127.0.0.1:8000 by default) with BASE_URL built from them, so that the links in
the emails the worker sends lead to this server. The admin address and its one-time password
are printed last, once the site answers, so that they stay on screen.

Each process runs in a process group of its own: Ctrl+C reaches this script alone, which
then stops them in order (SIGTERM, then SIGKILL after a grace period) and exits with 0, so
that make reports no error. SIGTERM does the same.
"""

import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
STARTUP_TIMEOUT_SECONDS = 120
STOP_GRACE_SECONDS = 10


class Stop(Exception):
    """Raised by the signal handlers: stop every process and exit."""


def stop_on_signal(signum, frame):
    raise Stop(signal.Signals(signum).name)


def start(args, env):
    return subprocess.Popen(  # noqa: S603 - our own manage.py commands
        [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, start_new_session=True
    )


def stop_all(processes):
    """SIGTERM every process group, wait for them, SIGKILL whatever is left."""
    for process in processes:
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_GRACE_SECONDS
    for process in processes:
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
    for process in processes:
        # The whole group: runserver's autoreloader runs the server in a child process.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def answers(url):
    try:
        with urllib.request.urlopen(url, timeout=5):  # noqa: S310 - our own http:// address
            return True
    except urllib.error.HTTPError:
        return True  # it answered, even if not with 200
    except OSError:
        return False


def wait_until_serving(url, processes):
    """True once the site answers; False if a process died or it took too long."""
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if any(process.poll() is not None for process in processes):
            return False
        if answers(url):
            return True
        time.sleep(0.25)
    return False


def watch(processes):
    """Return when one of the processes ends by itself."""
    while all(process.poll() is None for process in processes):
        time.sleep(0.5)


def main():
    host = os.environ.get("HOST", "127.0.0.1")
    port = os.environ.get("PORT", "8000")
    base_url = os.environ.get("BASE_URL") or f"http://{host}:{port}"
    env = {**os.environ, "HOST": host, "PORT": port, "BASE_URL": base_url}

    # Wagtail's own absolute URLs (the sitemap, "View live") come from its Site record.
    subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "set_site_address", base_url],
        cwd=BASE_DIR,
        env=env,
        check=True,
    )
    admin = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "ensure_admin", "--url", f"{base_url}/admin/"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )

    signal.signal(signal.SIGINT, stop_on_signal)
    signal.signal(signal.SIGTERM, stop_on_signal)
    processes = []
    try:
        print(f"Starting the site at {base_url}/ with its task worker and scheduler...")
        sys.stdout.flush()
        processes = [
            start(["runserver", f"{host}:{port}"], env),
            start(["db_worker", "--no-reload"], env),
            start(["scheduler"], env),
        ]
        if not wait_until_serving(f"{base_url}/healthz", processes):
            print("The site did not start: see the messages above.", file=sys.stderr)
            stop_all(processes)
            return 1
        time.sleep(0.5)  # let the server's own log line for that request come out first
        print(
            f"\nThe site is running at {base_url}/ (emails are written to var/mail/).\n"
            f"{admin.stdout.strip()}\n"
            "Ctrl+C stops the site, the task worker and the scheduler."
        )
        sys.stdout.flush()
        watch(processes)
        print("A process stopped by itself: stopping the others.", file=sys.stderr)
        stop_all(processes)
        return 1
    except Stop:
        # Further signals must not interrupt the stopping itself.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        print("\nStopping the site, the task worker and the scheduler...")
        sys.stdout.flush()
        stop_all(processes)
        print("Stopped.")
        return 0


if __name__ == "__main__":
    sys.exit(main())
