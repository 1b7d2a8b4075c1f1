"""The logo: in the header of every page linking home, in every email as a PNG, as the icon."""

from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders

import pytest
from bs4 import BeautifulSoup
from PIL import Image

from lscp_site.email import render_email

pytestmark = pytest.mark.django_db


def test_header_logo_links_home_with_the_partnership_as_its_text_alternative(client, home_page):
    page = BeautifulSoup(client.get("/privacy/").content, "html.parser")

    link = page.select_one("header.site-header a.site-header__logo")
    assert link["href"] == "/"
    logo = link.img
    assert logo["alt"] == "Leeds Safeguarding Children Partnership"
    assert logo["src"].endswith("img/logo.svg")
    # Width and height keep the header from jumping while the picture loads.
    assert (logo["width"], logo["height"]) == ("250", "56")
    icons = {
        link["rel"][0]: link["href"]
        for link in page.select("link[rel~=icon], link[rel=apple-touch-icon]")
    }
    assert icons["icon"].endswith("favicon.svg")
    assert icons["apple-touch-icon"].endswith("img/apple-touch-icon.png")


def test_logo_svg_names_the_partnership_for_those_who_open_it_alone():
    svg = Path(finders.find("img/logo.svg")).read_text()

    assert '<title id="logo-title">Leeds Safeguarding Children Partnership</title>' in svg
    assert "LSCP" in svg


def test_emails_show_the_png_logo_at_an_absolute_address_with_alt_text(settings):
    settings.BASE_URL = "https://lscp.example.org"
    _, html = render_email(template_name="subscriptions/confirm", context={"confirm_url": "x"})

    masthead = BeautifulSoup(html, "html.parser").select_one(".masthead")
    logo = masthead.select_one("a[href='https://lscp.example.org/'] img")
    assert logo["src"] == "https://lscp.example.org/static/img/logo-email.png"
    assert logo["alt"] == "Leeds Safeguarding Children Partnership"


def test_the_email_png_is_the_committed_rendering_at_twice_the_shown_size():
    with Image.open(Path(settings.BASE_DIR) / "static" / "img" / "logo-email.png") as png:
        assert png.format == "PNG"
        assert png.size == (500, 112)
