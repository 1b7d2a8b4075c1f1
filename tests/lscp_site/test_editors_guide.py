"""The editors' guide: every task has a picture the screenshot script takes, and the admin
shows the guide to editors (lscp_site/editors_guide.py, scripts/docs_screenshots.py)."""

import datetime
import re
from pathlib import Path

from django.urls import reverse

import pytest
from bs4 import BeautifulSoup
from PIL import Image

from lscp_site import editors_guide
from scripts import docs_screenshots
from tests.newsletter.factories import make_issue
from tests.training.factories import make_course
from tests.two_factor import authenticator_of, current_code

GUIDE = editors_guide.GUIDE_FILE.read_text(encoding="utf-8")
PICTURE = re.compile(r"!\[(?P<alt>[^\]]*)\]\(images/editors/(?P<name>[^)]+)\.png\)")
SHOT_NAMES = [shot.name for shot in docs_screenshots.SHOTS]


def task_sections(text=GUIDE):
    """{"## " heading: its text up to the next "## " heading}."""
    parts = re.split(r"^## (.+)$", text, flags=re.MULTILINE)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def test_the_guide_covers_every_task_an_editor_does():
    headings = set(task_sections())
    assert {
        "Signing in and two-factor sign-in",
        "The newsletter",
        "Sending an issue by email",
        "Dates for your diary (events)",
        "Training courses and sessions",
        "Bookings and the waiting list",
        "Subscribers and their data",
        "Site settings",
        "The privacy notice and accessibility statement",
        "Images and documents",
    } <= headings


@pytest.mark.parametrize("heading", list(task_sections()))
def test_every_task_section_shows_a_picture_the_script_takes(heading):
    pictures = PICTURE.findall(task_sections()[heading])
    assert pictures, f"'## {heading}' has no picture"
    for _alt, name in pictures:
        assert name in SHOT_NAMES, f"{name}.png is not in scripts/docs_screenshots.py SHOTS"


def test_every_picture_in_the_guide_is_committed_with_a_description():
    pictures = PICTURE.findall(GUIDE)
    assert len(pictures) >= 20
    for alt, name in pictures:
        assert alt.strip(), f"{name}.png has no alt text"
        assert (editors_guide.IMAGES_DIR / f"{name}.png").is_file(), f"{name}.png is missing"


def test_every_shot_is_used_in_the_guide_once_and_named_for_a_file():
    used = [name for _alt, name in PICTURE.findall(GUIDE)]
    assert sorted(used) == sorted(SHOT_NAMES)
    assert all(re.fullmatch(r"[a-z0-9-]+", name) for name in SHOT_NAMES)


def test_the_committed_pictures_are_small_and_at_the_fixed_window_size():
    for path in sorted(editors_guide.IMAGES_DIR.glob("*.png")):
        assert path.stem in SHOT_NAMES, f"{path.name} is taken by no shot: delete it"
        assert path.stat().st_size < 150_000, f"{path.name} is too large"
        with Image.open(path) as picture:
            assert picture.width <= docs_screenshots.VIEWPORT["width"]
            assert picture.height <= docs_screenshots.VIEWPORT["height"]


def test_the_script_builds_its_demo_site_apart_from_every_other(tmp_path, monkeypatch):
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    monkeypatch.setenv("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/lscp")
    env = docs_screenshots.site_environment(tmp_path, 8765)
    assert env["DATABASE_URL"] == f"sqlite:///{tmp_path / 'db.sqlite3'}"
    assert "REDIS_URL" not in env  # the database cache of its own database
    assert Path(env["MEDIA_ROOT"]).parent == tmp_path
    assert Path(env["EMAIL_FILE_PATH"]).parent == tmp_path
    assert env["DJANGO_SETTINGS_MODULE"] == "lscp_site.settings.dev"
    assert env["BASE_URL"] == "http://127.0.0.1:8765"


def test_a_few_shots_can_be_taken_by_name_and_a_wrong_name_is_refused():
    assert [shot.name for shot in docs_screenshots.shots_named(["dashboard", "sign-in"])] == [
        "sign-in",
        "dashboard",
    ]
    assert docs_screenshots.shots_named([]) == docs_screenshots.SHOTS
    with pytest.raises(SystemExit, match="No such shot: nonsense"):
        docs_screenshots.shots_named(["nonsense"])


def test_the_code_the_script_signs_in_with_is_the_authenticators_current_code(admin_user):
    device = authenticator_of(admin_user)
    assert docs_screenshots.current_code(device.key) == current_code(device)


# The guide in the admin


def test_editors_open_the_guide_from_the_menu_and_the_dashboard(admin_client):
    response = admin_client.get(reverse("wagtailadmin_home"))
    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "html.parser")
    panel = soup.find(id="editors-guide-section")
    assert panel is not None
    links = [a["href"] for a in panel.find_all("a")]
    assert "/admin/editors-guide/#sending-an-issue-by-email" in links
    assert "/admin/editors-guide/#bookings-and-the-waiting-list" in links
    # The menu is drawn from data in the page: the item's address is there beside the panel.
    sidebar = soup.find(id="wagtail-sidebar-props")
    assert sidebar is not None and '"/admin/editors-guide/"' in sidebar.get_text()


def test_the_guide_page_shows_every_section_with_its_pictures(admin_client):
    response = admin_client.get(reverse("editors_guide"))
    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "html.parser")
    headings = {h2["id"]: h2.get_text() for h2 in soup.select(".editors-guide h2")}
    assert headings["sending-an-issue-by-email"] == "Sending an issue by email"
    assert set(headings.values()) == set(task_sections())
    contents = [a["href"] for a in soup.select("nav.editors-guide__contents a")]
    assert contents == [f"#{anchor}" for anchor in headings]
    images = soup.select(".editors-guide img")
    assert len(images) == len(PICTURE.findall(GUIDE))
    first = images[0]
    assert first["alt"]
    # Relative to the guide's own address, as on the code host.
    picture = admin_client.get(reverse("editors_guide") + first["src"])
    assert picture.status_code == 200
    assert picture["Content-Type"] == "image/png"
    assert b"".join(picture.streaming_content)[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_picture_the_guide_does_not_have_is_not_found(admin_client):
    pictures = "/admin/editors-guide/images/editors/"
    assert admin_client.get(pictures + "nothing.png").status_code == 404


def test_people_signed_out_are_sent_to_sign_in_for_the_guide_and_its_pictures(client, db):
    for url in ["/admin/editors-guide/", "/admin/editors-guide/images/editors/sign-in.png"]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")


def test_the_sections_the_admin_links_to_are_in_the_guide():
    anchors = {section.anchor for section in editors_guide.render_guide().sections}
    assert set(editors_guide.LINKED_SECTIONS) <= anchors
    for template in ["subscriptions/admin/inspect.html", "admin_2fa/overview.html"]:
        text = next(Path(".").glob(f"**/templates/{template}")).read_text()
        linked = re.findall(r"url 'editors_guide' %\}#([a-z0-9-]+)", text)
        assert linked and set(linked) <= anchors, template


def test_the_part_of_the_guide_the_course_form_s_booking_settings_link_to_is_there():
    soup = BeautifulSoup(editors_guide.render_guide().html, "html.parser")
    heading = soup.find(id=editors_guide.COURSE_AFTER_BOOKING)
    assert heading is not None and heading.name == "h3"
    assert "reminders and line managers" in heading.get_text()


@pytest.mark.parametrize(
    ("url", "section"),
    [
        ("/admin/pages/{issue}/edit/", editors_guide.SENDING),
        ("/admin/pages/{course}/edit/", editors_guide.TRAINING),
        ("/admin/pages/{course}/edit/", editors_guide.COURSE_AFTER_BOOKING),
        ("/admin/pages/{events}/edit/", editors_guide.EVENTS),
        ("/admin/settings/lscp_site/sitesettings/", editors_guide.SITE_SETTINGS),
    ],
)
def test_edit_forms_where_a_task_is_tricky_link_to_its_section_of_the_guide(
    admin_client, newsletter_index, training_index, event_index, url, section
):
    pages = {
        "issue": make_issue(newsletter_index, datetime.date(2025, 3, 1)).pk,
        "course": make_course(training_index).pk,
        "events": event_index.pk,
    }
    response = admin_client.get(url.format(**pages), follow=True)
    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "html.parser")
    link = soup.find("a", href=f"/admin/editors-guide/#{section}")
    assert link is not None
    assert "opens in a new tab" in link.get_text()


def test_without_the_guide_file_the_dashboard_works_and_the_guide_says_it_is_missing(tmp_path):
    guide = editors_guide.render_guide(path=tmp_path / "editors.md")
    assert guide.sections == ()
    assert "not installed" in guide.html


def test_the_guide_page_runs_the_admin_s_usual_few_queries(
    admin_client, django_assert_max_num_queries
):
    admin_client.get(reverse("editors_guide"))  # the session and the menu's first look-ups
    # Reading the guide asks the database nothing of its own: the session, the user, their
    # two-factor device and the admin menu's permission checks.
    with django_assert_max_num_queries(12):
        response = admin_client.get(reverse("editors_guide"))
    assert response.status_code == 200
