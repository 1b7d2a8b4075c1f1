"""An editor uploading a malformed image gets a message on the field, never a 500, and no
image is stored; a real image still uploads."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile

from wagtail.images import get_image_model

import pytest
from bs4 import BeautifulSoup
from PIL import Image

pytestmark = pytest.mark.django_db


def png_bytes(size=(8, 6)):
    buffer = io.BytesIO()
    Image.effect_noise(size, 64).convert("RGB").save(buffer, "PNG")
    return buffer.getvalue()


def upload(client, name, content):
    return client.post(
        "/admin/images/add/",
        {
            "title": "Upload",
            "file": SimpleUploadedFile(name, content),
            "collection": "1",
        },
    )


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("page.gif", b"GIF89a<html><script>alert(1)</script></html>"),
        ("cut.png", png_bytes((200, 200))[:2000]),
        ("empty.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 20),
        ("text.webp", b"RIFF\x10\x00\x00\x00WEBPVP8 garbage"),
    ],
)
def test_a_malformed_image_is_a_message_on_the_file_field(admin_client, name, content):
    response = upload(admin_client, name, content)

    assert response.status_code == 200
    page = BeautifulSoup(response.content, "html.parser")
    errors = " ".join(error.get_text(" ", strip=True) for error in page.select(".error-message"))
    assert "valid image" in errors
    assert not get_image_model().objects.exists()


def test_a_real_image_still_uploads(admin_client):
    response = upload(admin_client, "teal.png", png_bytes())

    assert response.status_code == 302
    image = get_image_model().objects.get()
    assert (image.width, image.height) == (8, 6)
