"""{% picture %}: modern formats at a few widths, with sizes, dimensions and lazy loading."""

from django.db import connection
from django.template import engines
from django.test.utils import CaptureQueriesContext

from wagtail.images.models import Image
from wagtail.images.tests.utils import get_test_image_file

import pytest
from bs4 import BeautifulSoup

from lscp_site import images

TAG = (
    "{% load lscp_images %}"
    '{% picture image widths="480,800" sizes="(min-width: 48rem) 42rem, 100vw" '
)


def render(source, **context):
    return engines["django"].from_string(source).render(context)


def picture_of(html):
    return BeautifulSoup(html, "html.parser").picture


@pytest.fixture
def photo(db):
    return Image.objects.create(title="Focus group", file=get_test_image_file(size=(1600, 1000)))


@pytest.mark.django_db
def test_a_picture_offers_avif_and_webp_at_each_width_with_its_size_and_lazy_loading(photo):
    picture = picture_of(render(TAG + 'alt="Practitioners at the focus group" %}', image=photo))

    img = picture.img
    assert img["alt"] == "Practitioners at the focus group"
    assert (img["width"], img["height"]) == ("480", "300")  # the same shape as the original
    assert img["loading"] == "lazy"
    assert img["decoding"] == "async"
    assert img["sizes"] == "(min-width: 48rem) 42rem, 100vw"
    assert img["src"].endswith(".width-480.format-webp.webp")
    assert [part.split()[1] for part in img["srcset"].split(", ")] == ["480w", "800w"]
    assert all(".webp " in part for part in img["srcset"].split(", "))
    sources = picture.find_all("source")
    if images.avif_supported():
        assert [source["type"] for source in sources] == ["image/avif"]
        assert sources[0]["srcset"].count(".avif ") == 2
        assert sources[0]["sizes"] == img["sizes"]
    else:
        assert sources == []


@pytest.mark.django_db
def test_without_avif_support_the_picture_is_webp_only(photo, monkeypatch):
    monkeypatch.setattr(images, "avif_supported", lambda: False)
    picture = picture_of(render(TAG + 'alt="x" %}', image=photo))
    assert picture.find_all("source") == []
    assert picture.img["src"].endswith(".webp")


@pytest.mark.django_db
def test_a_decorative_picture_has_empty_alt_text_and_one_at_the_top_loads_at_once(photo):
    picture = picture_of(render(TAG + 'alt="" eager=True %}', image=photo))
    assert picture.img["alt"] == ""
    assert not picture.img.has_attr("loading")


@pytest.mark.django_db
def test_a_small_picture_is_never_enlarged(db):
    small = Image.objects.create(title="Logo", file=get_test_image_file(size=(600, 300)))
    img = picture_of(render(TAG + 'alt="Logo" %}', image=small)).img
    assert [part.split()[1] for part in img["srcset"].split(", ")] == ["480w", "600w"]

    tiny = Image.objects.create(title="Icon", file=get_test_image_file(size=(300, 300)))
    img = picture_of(render(TAG + 'alt="Icon" %}', image=tiny)).img
    assert img["srcset"].endswith(" 300w") and "," not in img["srcset"]


@pytest.mark.django_db
def test_no_image_renders_nothing():
    assert render(TAG + 'alt="x" %}', image=None).strip() == ""


@pytest.mark.django_db
def test_prefetched_pictures_render_without_a_query_each(db):
    photos = [
        Image.objects.create(title=f"Photo {n}", file=get_test_image_file(size=(900, 600)))
        for n in range(6)
    ]
    template = "{% for image in photos %}" + TAG + 'alt="x" %}{% endfor %}'
    render(template, photos=photos)  # makes the renditions

    fresh = list(Image.objects.filter(pk__in=[photo.pk for photo in photos]))
    with CaptureQueriesContext(connection) as queries:
        images.prefetch_pictures(fresh, "480,800")
        html = render(template, photos=fresh)
    assert len(queries) == 1
    assert html.count("<picture>") == 6
