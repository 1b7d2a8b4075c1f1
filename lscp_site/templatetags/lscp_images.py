from django import template

from lscp_site.images import build_picture

register = template.Library()


@register.inclusion_tag("components/picture.html")
def picture(image, *, widths="480,800", sizes="100vw", alt="", eager=False, css_class=""):
    """``{% picture image widths="480,800" sizes="(min-width: 48rem) 42rem, 100vw"
    alt="What it shows" %}``: AVIF and WebP files at each width, with width, height and lazy
    loading. ``alt=""`` for a decorative picture; ``eager=True`` for one at the top of a page.
    """
    return {
        "picture": build_picture(image, widths) if image is not None else None,
        "sizes": sizes,
        "alt": alt or "",
        "eager": eager,
        "css_class": css_class,
    }
