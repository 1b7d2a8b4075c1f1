"""Responsive pictures: modern formats at a few widths, fetched in bulk.

A picture is served as AVIF (when this machine's Pillow can write it) and WebP, each at the
widths the template asks for, so a phone downloads a small file and a wide screen a sharper
one. The ``<img>`` inside carries the WebP files (every current browser reads WebP), its
width and height (the browser keeps the space, so the page does not jump) and lazy loading
unless the picture is at the top of the page.

Templates use ``{% picture image widths="480,800" sizes="..." alt="..." %}`` (see
lscp_site/templatetags/lscp_images.py). Pages that show several pictures load all their
renditions first with :func:`prefetch_pictures`, so the tag reads them without a query.
"""

from dataclasses import dataclass
from functools import cache

from django.db.models import Prefetch, prefetch_related_objects

from wagtail.images import get_image_model

WEBP = ("webp", "image/webp")
AVIF = ("avif", "image/avif")


@cache
def avif_supported():
    from PIL import features

    return bool(features.check("avif"))


def picture_formats():
    """(format name, MIME type) of the files each picture comes in, best first."""
    return [AVIF, WEBP] if avif_supported() else [WEBP]


def parse_widths(widths):
    """'480,800' or (480, 800) -> (480, 800), smallest first."""
    if isinstance(widths, str):
        widths = [part for part in widths.replace(" ", "").split(",") if part]
    return tuple(sorted({int(width) for width in widths}))


def picture_specs(widths):
    """Every rendition filter spec a picture at these widths needs."""
    return [
        f"width-{width}|format-{name}"
        for name, _ in picture_formats()
        for width in parse_widths(widths)
    ]


@dataclass(frozen=True)
class Source:
    type: str
    srcset: str


@dataclass(frozen=True)
class Picture:
    sources: list[Source]  # the formats before the fallback, best first
    src: str
    srcset: str
    width: int
    height: int


def build_picture(image, widths):
    """The files and sizes of ``image`` at ``widths``, in one call to Wagtail (renditions
    already prefetched, else from the cache or one query, made if missing)."""
    widths = parse_widths(widths)
    renditions = image.get_renditions(*picture_specs(widths))
    srcsets = {}
    for name, mime in picture_formats():
        files = {}
        for width in widths:
            rendition = renditions[f"width-{width}|format-{name}"]
            # A picture narrower than a width is not enlarged: keep one file per real width.
            files.setdefault(rendition.width, rendition)
        srcsets[mime] = list(files.values())
    fallback = srcsets[WEBP[1]]
    return Picture(
        sources=[
            Source(type=mime, srcset=_srcset(srcsets[mime]))
            for _, mime in picture_formats()
            if mime != WEBP[1]
        ],
        src=fallback[0].url,
        srcset=_srcset(fallback),
        width=fallback[0].width,
        height=fallback[0].height,
    )


def _srcset(renditions):
    return ", ".join(f"{rendition.url} {rendition.width}w" for rendition in renditions)


def prefetch_pictures(images, widths):
    """Load the renditions of all ``images`` for pictures at ``widths`` in one query."""
    images = [image for image in images if image is not None]
    if not images:
        return
    rendition_model = get_image_model().get_rendition_model()
    prefetch_related_objects(
        images,
        Prefetch(
            "renditions",
            queryset=rendition_model.objects.filter(filter_spec__in=picture_specs(widths)),
            to_attr="prefetched_renditions",
        ),
    )
