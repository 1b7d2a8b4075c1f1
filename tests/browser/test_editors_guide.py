"""The editors' guide in a browser: the screenshot script takes a picture, and an editor
reads the guide in the admin, pictures and all, by keyboard and with a screen reader."""

import pytest
from PIL import Image
from playwright.sync_api import expect

from lscp_site.editors_guide import render_guide
from scripts import docs_screenshots
from tests.browser.conftest import sign_in

PASSWORD = "correct horse battery"


@pytest.mark.django_db(transaction=True)
def test_the_script_takes_a_shot_outlined_and_cropped_into_a_folder(live_server, page, tmp_path):
    page.set_viewport_size(docs_screenshots.VIEWPORT)
    shot = docs_screenshots.shots_named(["sign-in"])[0]
    path = docs_screenshots.take(
        page, shot, base_url=live_server.url, addresses={}, output_dir=tmp_path
    )
    assert path == tmp_path / "sign-in.png"
    with Image.open(path) as picture:
        # Cut to the sign-in form, not the whole window.
        assert picture.width < docs_screenshots.VIEWPORT["width"]
        assert picture.height <= docs_screenshots.VIEWPORT["height"]
        assert picture.mode == "P"  # fewer colours: a small file
    outline = page.locator(shot.highlight).evaluate("element => element.style.outline")
    assert "solid" in outline


@pytest.mark.django_db(transaction=True)
def test_an_editor_reads_the_guide_in_the_admin(live_server, page, admin_user, accessible):
    sign_in(page, live_server, admin_user, PASSWORD)
    page.get_by_role("link", name="Sending an issue by email").click()
    expect(page).to_have_url(f"{live_server.url}/admin/editors-guide/#sending-an-issue-by-email")
    expect(page.get_by_role("heading", name="Sending an issue by email", level=2)).to_be_visible()
    picture = page.get_by_role("img", name="The ⋯ menu of an issue", exact=False)
    expect(picture).to_be_visible()
    # decode() waits for the picture to load, and fails if it is broken.
    assert picture.evaluate(
        "image => image.decode().then(() => image.naturalWidth > 0, () => false)"
    )
    # The contents list is reached by keyboard from the top of the guide.
    page.goto(f"{live_server.url}/admin/editors-guide/")
    contents = page.get_by_role("navigation", name="Contents of the guide")
    contents.get_by_role("link").first.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(
        f"{live_server.url}/admin/editors-guide/#{render_guide().sections[0].anchor}"
    )
    accessible(page)
