"""`make docs-screenshots`: the pictures in docs/editors.md, taken from a fresh demo site.

The script builds a demo site of its own (a SQLite database, media and mail folders in a
temporary directory: `migrate`, `load_demo`), adds two throwaway accounts, serves the site
with `runserver` and the task worker on a free port, signs in with Chromium (Playwright,
/usr/bin/chromium) and saves each picture of SHOTS to docs/images/editors/<name>.png at a
fixed window size, then stops what it started and deletes the directory. Nothing it does
touches var/ or the database of `make run`.

The editor signs in the way every editor does, with a password and the code of an
authenticator app: the script gives its throwaway account an authenticator (a django-otp
device) and works out the current code from it, as the tests do. Two-factor sign-in is not
switched off or weakened.

To add a picture, add one line to SHOTS and refer to it in docs/editors.md as
`![What it shows](images/editors/<name>.png)`; tests/lscp_site/test_editors_guide.py checks
that every picture the guide uses is in SHOTS and on disk. `make docs-screenshots
SHOTS=name,name` takes only those.
"""

import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from django_otp.oath import totp
from PIL import Image
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright

BASE_DIR = Path(__file__).resolve().parent.parent
OUTPUT_DIR = BASE_DIR / "docs" / "images" / "editors"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
VIEWPORT = {"width": 1280, "height": 800}
# Around a cropped area, so that its outline and a little context show.
CROP_MARGIN = 16
# What a highlighted element is outlined with (the GOV.UK red, thick enough to see when the
# picture is shrunk to the page's width).
HIGHLIGHT_OUTLINE = "4px solid #d4351c"
STARTUP_TIMEOUT_SECONDS = 120
# A shot whose element never shows is wrong (the admin changed): it stops the run.
STEP_TIMEOUT_MS = 15_000
# The throwaway accounts of scripts/docs_demo_accounts.py.
EDITOR = "guide-editor"
NEWCOMER = "guide-newcomer"


@dataclass(frozen=True)
class Shot:
    """One picture: where to go, what to do there, what to outline and what to keep.

    url: an admin or site path; "{issue}", "{course}" and the other names of
        demo_addresses() are filled in with the demo's pages.
    steps: done in order after the page loads: ("click", selector), ("fill", selector,
        text), ("check", selector), ("wait", selector), ("wait_in_frame", frame selector,
        selector), ("scroll", selector) to bring it to the top, ("goto", url), ("print",)
        to show the page as it prints.
    highlight: a selector whose element is outlined in red.
    crop: a selector; the picture is cut to that element (plus a margin). Without it, the
        window (1280 x 800).
    user: EDITOR (a superuser with an authenticator), NEWCOMER (a superuser who has not set
        up two-factor sign-in yet) or None (signed out).
    Selectors are Playwright's: CSS, or `text=...`, `role=button[name="..."]`.
    """

    name: str
    url: str
    steps: tuple = ()
    highlight: str | None = None
    crop: str | None = None
    user: str | None = EDITOR
    notes: str = field(default="", compare=False)


# Selectors used by several shots.
ADD_CHILD_PAGE = "a[aria-label='Add child page']"
PAGE_ACTIONS = "button.w-h-slim-header[aria-label='Actions']"
CONTINUE = "main button:has-text('Continue')"
# The "Same as diary event" field of a session that names its event.
LINKED_DIARY_EVENT = ".w-field__wrapper:has(input[name$='-diary_event'][value]:not([value='']))"

SHOTS = [
    # Signing in and two-factor
    Shot(
        "sign-in",
        "/admin/login/",
        steps=(("fill", "#id_username", "your.name"),),
        highlight="#id_otp_token",
        crop="main",
        user=None,
    ),
    Shot("two-factor-setup", "/admin/", highlight="img[alt*='QR']", crop="main", user=NEWCOMER),
    Shot("two-factor-settings", "/admin/2fa/", crop="main"),
    Shot("passkey-add", "/admin/2fa/", highlight="#passkey-register-button", crop="main"),
    Shot("dashboard", "/admin/", highlight="a[href='/admin/editors-guide/']"),
    Shot("dashboard-charts", "/admin/", steps=(("scroll", "#lscp-dashboard-heading"),)),
    # The newsletter
    Shot("newsletter-pages", "/admin/pages/{newsletter}/", highlight=ADD_CHILD_PAGE),
    Shot("newsletter-edit", "/admin/pages/{issue}/edit/"),
    Shot(
        "newsletter-blocks",
        "/admin/pages/{issue}/edit/",
        steps=(("click", "button[title='Insert a block']"),),
    ),
    Shot(
        "newsletter-preview",
        "/admin/pages/{issue}/edit/",
        steps=(
            ("click", "button[aria-label='Toggle preview']"),
            ("wait_in_frame", "iframe", "main"),
        ),
    ),
    Shot(
        "newsletter-schedule",
        "/admin/pages/{issue}/edit/",
        steps=(
            ("click", "button[aria-label='Toggle status']"),
            ("click", "text=Set schedule"),
        ),
    ),
    Shot(
        "newsletter-more-menu",
        "/admin/pages/{issue}/edit/",
        steps=(("click", PAGE_ACTIONS),),
        highlight="a:has-text('Send to subscribers')",
    ),
    Shot("newsletter-email-preview", "/admin/newsletter/issues/{issue}/email-preview/"),
    Shot("newsletter-checks", "/admin/newsletter/issues/{back_issue}/checks/", crop="main"),
    Shot("newsletter-send-test", "/admin/newsletter/issues/{issue}/send-test/", crop="main"),
    Shot("newsletter-send", "/admin/newsletter/issues/{issue}/send/", crop="main"),
    Shot(
        "newsletter-send-confirm",
        "/admin/newsletter/issues/{issue}/send/",
        steps=(("click", CONTINUE),),
        crop="main",
    ),
    Shot(
        "newsletter-send-progress",
        "/admin/newsletter/issues/{issue}/send/",
        steps=(
            ("click", CONTINUE),
            ("click", "button:has-text('Yes, send it')"),
            ("wait", "text=Finished"),
        ),
        crop="main",
    ),
    Shot(
        "newsletter-resend",
        "/admin/newsletter/issues/{issue}/send/",
        highlight="#id_resend",
        crop="main",
    ),
    Shot(
        "newsletter-send-history",
        "/admin/newsletter/issues/{issue}/send/",
        steps=(("scroll", "#sends-heading"),),
        crop="section[aria-labelledby='sends-heading']",
    ),
    # Events
    Shot("events-pages", "/admin/pages/{events}/", highlight=ADD_CHILD_PAGE),
    Shot("event-edit", "/admin/pages/{event}/edit/"),
    Shot("event-categories", "/admin/snippets/events/eventcategory/", crop="main"),
    Shot("events-past", "/events/past/"),
    # Training
    Shot("training-pages", "/admin/pages/{training}/", highlight=ADD_CHILD_PAGE),
    Shot(
        "course-sessions",
        "/admin/pages/{course}/edit/",
        steps=(("scroll", "#panel-child-content-sessions-section"),),
    ),
    Shot(
        "session-diary-event",
        "/admin/pages/{diary_course}/edit/",
        steps=(("scroll", LINKED_DIARY_EVENT),),
        highlight=LINKED_DIARY_EVENT,
    ),
    Shot(
        "course-after-booking",
        "/admin/pages/{approving_course}/edit/",
        steps=(("scroll", "#panel-child-content-when_people_book-section"),),
    ),
    Shot("bookings", "/admin/training/bookings/?session={session}"),
    Shot(
        "booking-cancel",
        "/admin/training/bookings/?session={session}",
        highlight="main table a:has-text('Cancel booking')",
    ),
    Shot("manager-approval", "{approval}", crop="main", user=None),
    Shot("register", "/admin/training/bookings/sessions/{register}/register/"),
    # Subscribers
    Shot("subscribers", "/admin/subscribers/"),
    Shot(
        "subscribers-download",
        "/admin/subscribers/",
        steps=(("click", "button[aria-label='Actions']"),),
        highlight="a:has-text('Download CSV')",
    ),
    Shot(
        "subscriber-inspect",
        "/admin/subscribers/inspect/{subscriber}/",
        steps=(("scroll", "h2:has-text('Consent records')"),),
    ),
    Shot("subscriber-stopped", "/admin/subscribers/inspect/{stopped}/", crop="main"),
    Shot(
        "preferences-frequency",
        "/subscribe/preferences/{preferences}/",
        highlight=".signup-frequency",
        crop="main",
        user=None,
    ),
    # Site settings and pages
    Shot("site-settings", "/admin/settings/lscp_site/sitesettings/"),
    Shot("privacy-edit", "/admin/pages/{privacy}/edit/"),
    Shot("print-issue", "{issue_path}", steps=(("print",),), user=None),
    # Images and documents
    Shot("images", "/admin/images/multiple/add/"),
    Shot("documents", "/admin/documents/multiple/add/"),
]


def shots_named(names):
    """The SHOTS with these names (all of them if ``names`` is empty), in SHOTS' order."""
    if not names:
        return list(SHOTS)
    unknown = set(names) - {shot.name for shot in SHOTS}
    if unknown:
        raise SystemExit(f"No such shot: {', '.join(sorted(unknown))}")
    return [shot for shot in SHOTS if shot.name in names]


# The site ---------------------------------------------------------------------------------


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def site_environment(directory, port):
    """The environment of a demo site kept entirely in ``directory``.

    The development settings (DEBUG, emails to files), a SQLite database and the database
    cache in it (never the Redis of another site on this machine), its own media and mail.
    """
    directory = Path(directory)
    base_url = f"http://127.0.0.1:{port}"
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"REDIS_URL", "DATABASE_URL", "MEDIA_ROOT", "EMAIL_BACKEND"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="lscp_site.settings.dev",
        DATABASE_URL=f"sqlite:///{directory / 'db.sqlite3'}",
        MEDIA_ROOT=str(directory / "media"),
        EMAIL_FILE_PATH=str(directory / "mail"),
        HOST="127.0.0.1",
        PORT=str(port),
        BASE_URL=base_url,
        # Wagtail's own background jobs and the newsletter's run in the worker started here.
        PYTHONUNBUFFERED="1",
    )
    return env


def manage(args, env):
    subprocess.run(  # noqa: S603 - our own manage.py commands
        [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, check=True
    )


def build_demo_site(env, password):
    """Migrate, load the demo content and add the two throwaway accounts.

    Returns the demo's addresses for SHOTS' urls and the editor's authenticator key.
    """
    manage(["set_up_dev_site"], env)
    manage(["set_site_address", env["BASE_URL"]], env)
    result = subprocess.run(  # noqa: S603 - our own script
        [sys.executable, str(BASE_DIR / "scripts" / "docs_demo_accounts.py")],
        cwd=BASE_DIR,
        env={**env, "DOCS_PASSWORD": password},
        check=True,
        capture_output=True,
        text=True,
    )
    return {**json.loads(result.stdout.strip().splitlines()[-1]), "password": password}


def start(args, env):
    return subprocess.Popen(  # noqa: S603 - our own manage.py commands
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def stop(processes):
    for process in processes:
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def wait_until_serving(base_url, processes):
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if any(process.poll() is not None for process in processes):
            raise SystemExit("The demo site stopped while starting.")
        try:
            with urllib.request.urlopen(f"{base_url}/healthz", timeout=5):  # noqa: S310
                return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.25)
    raise SystemExit("The demo site did not start in time.")


# The pictures -----------------------------------------------------------------------------


def current_code(key):
    """The 6-digit code an authenticator app with this (hex) key shows now."""
    return f"{totp(bytes.fromhex(key)):06d}"


def sign_in(page, base_url, username, password, code=None):
    page.goto(f"{base_url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    if code:
        page.fill("#id_otp_token", code)
    page.click("button[type='submit']")
    page.wait_for_load_state("networkidle")


def run_steps(page, base_url, steps):
    for action, *args in steps:
        if action == "click":
            page.locator(args[0]).first.click()
            page.wait_for_load_state("networkidle")
        elif action == "fill":
            page.fill(args[0], args[1])
        elif action == "check":
            page.check(args[0])
        elif action == "wait":
            page.locator(args[0]).first.wait_for(timeout=STEP_TIMEOUT_MS)
        elif action == "wait_in_frame":
            page.frame_locator(args[0]).first.locator(args[1]).first.wait_for(
                timeout=STEP_TIMEOUT_MS
            )
        elif action == "scroll":
            # To the top of the window, under the admin's sticky header; twice, because the
            # editor's panels can still grow (and push the element down) after the first.
            for _ in range(2):
                page.locator(args[0]).first.evaluate(
                    "element => { element.scrollIntoView({block: 'start'});"
                    " window.scrollBy(0, -120); }"
                )
                page.wait_for_timeout(300)
        elif action == "goto":
            page.goto(base_url + args[0])
        elif action == "print":
            page.emulate_media(media="print")
        else:
            raise ValueError(f"Unknown step {action!r}")


def take(page, shot, *, base_url, addresses, output_dir):
    """Go where ``shot`` says, do its steps, outline and crop; save the PNG. Returns its path."""
    page.goto(base_url + shot.url.format(**addresses))
    page.wait_for_load_state("networkidle")
    run_steps(page, base_url, shot.steps)
    # Let opening panels and menus finish moving.
    page.wait_for_timeout(400)
    if shot.highlight:
        # Set through the CSS object model, which a Content Security Policy allows.
        page.locator(shot.highlight).first.evaluate(
            "(element, outline) => { element.style.outline = outline;"
            " element.style.outlineOffset = '3px'; }",
            HIGHLIGHT_OUTLINE,
        )
    path = Path(output_dir) / f"{shot.name}.png"
    clip = None
    if shot.crop:
        box = page.locator(shot.crop).first.bounding_box()
        if box:
            left = max(0, box["x"] - CROP_MARGIN)
            top = max(0, box["y"] - CROP_MARGIN)
            clip = {
                "x": left,
                "y": top,
                "width": min(VIEWPORT["width"] - left, box["width"] + 2 * CROP_MARGIN),
                "height": min(VIEWPORT["height"] - top, box["height"] + 2 * CROP_MARGIN),
            }
    page.screenshot(path=str(path), clip=clip, animations="disabled", caret="hide")
    optimise(path)
    return path


def optimise(path):
    """Fewer colours (an admin screen has few) and zlib's best: a fraction of the size."""
    with Image.open(path) as picture:
        reduced = picture.convert("RGB").quantize(colors=128, method=Image.Quantize.MEDIANCUT)
    reduced.save(path, optimize=True)


def take_all(shots, *, base_url, addresses, output_dir):
    output_dir.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        signed_in = {}

        def page_for(user):
            """A fresh window for each shot, signed in as ``user``: what one shot opens (a
            side panel, which the admin remembers) does not show in the next."""
            if user not in signed_in:
                context = browser.new_context(viewport=VIEWPORT, device_scale_factor=1)
                page = context.new_page()
                page.set_default_timeout(STEP_TIMEOUT_MS)
                password = addresses["password"]
                if user == EDITOR:
                    sign_in(page, base_url, user, password, current_code(addresses["key"]))
                elif user == NEWCOMER:
                    sign_in(page, base_url, user, password)
                signed_in[user] = context.storage_state()
                context.close()
            context = browser.new_context(
                viewport=VIEWPORT, device_scale_factor=1, storage_state=signed_in[user]
            )
            page = context.new_page()
            page.set_default_timeout(STEP_TIMEOUT_MS)
            return page

        failed = []
        for shot in shots:
            page = page_for(shot.user)
            try:
                path = take(
                    page, shot, base_url=base_url, addresses=addresses, output_dir=output_dir
                )
            except PlaywrightError as error:
                failed.append(shot.name)
                print(f"  {shot.name}: FAILED {str(error).splitlines()[0]}", file=sys.stderr)
                continue
            finally:
                page.context.close()
            print(f"  {path.relative_to(BASE_DIR)} ({path.stat().st_size // 1024} KB)")
        browser.close()
    return failed


def main(argv):
    """``[--site DIR] [NAME,NAME...]``: --site keeps the demo site in DIR and uses it again
    on the next run (quicker when working on a few pictures); the pictures committed are
    taken from a fresh one."""
    site_dir = None
    if argv[:1] == ["--site"]:
        site_dir, argv = Path(argv[1]), argv[2:]
    names = [name for arg in argv for name in arg.split(",") if name]
    shots = shots_named(names)
    with contextlib.ExitStack() as stack:
        if site_dir is None:
            site_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="lscp-docs-")))
        site_dir.mkdir(parents=True, exist_ok=True)
        port = free_port()
        env = site_environment(site_dir, port)
        saved = site_dir / "addresses.json"
        if saved.exists():
            addresses = json.loads(saved.read_text())
            manage(["set_site_address", env["BASE_URL"]], env)
        else:
            print(f"Building a demo site in {site_dir}...")
            addresses = build_demo_site(env, secrets.token_urlsafe(16))
            saved.write_text(json.dumps(addresses))
        processes = [
            start(["runserver", "--noreload", f"127.0.0.1:{port}"], env),
            start(["db_worker", "--no-reload"], env),
        ]
        stack.callback(stop, processes)
        wait_until_serving(env["BASE_URL"], processes)
        print(f"Taking {len(shots)} pictures from {env['BASE_URL']}/ ...")
        failed = take_all(
            shots, base_url=env["BASE_URL"], addresses=addresses, output_dir=OUTPUT_DIR
        )
    if failed:
        print(f"{len(failed)} pictures not taken: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
