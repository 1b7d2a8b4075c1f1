"""Certificates of attendance: a PDF for one attendee, made on the server from a template.

WeasyPrint lays the page out from ``templates/training/certificate/certificate.html``; the
PDF holds real text, the document's title and language, and the tagged structure screen
readers use (PDF/UA), so it reads aloud and its words can be searched and copied.
"""

from django.template.loader import render_to_string
from django.utils import timezone

from PIL import ImageFile

from events.dates import format_when


def hours_of_training(session):
    """The session's length as a certificate states it: '3 hours', '1.5 hours', '1 hour'."""
    hours = round(session.duration.total_seconds() / 3600, 2)
    number = f"{hours:g}"
    return f"{number} hour" if number == "1" else f"{number} hours"


def certificate_filename(booking):
    start = timezone.localtime(booking.session.start)
    return f"lscp-certificate-{booking.session.course.slug}-{start:%Y-%m-%d}.pdf"


def certificate_pdf(*, booking):
    """The certificate of attendance for ``booking`` (an attended booking), as PDF bytes."""
    # Imported when a certificate is made rather than with this module: WeasyPrint loads Pango
    # and its fonts as it is imported, which every web worker and every command would pay as
    # it starts, for a PDF that few requests ask for.
    import weasyprint

    # Importing WeasyPrint turns on Pillow's LOAD_TRUNCATED_IMAGES for the whole process,
    # which would let the admin's image uploads accept cut-off files. Certificates carry no
    # pictures, so Pillow's documented default goes back.
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    session = booking.session
    html = render_to_string(
        "training/certificate/certificate.html",
        {
            "name": booking.name,
            "course": session.course,
            "when": format_when(session.start, session.end),
            "hours": hours_of_training(session),
            "location": session.location,
        },
    )
    return weasyprint.HTML(string=html).write_pdf(pdf_variant="pdf/ua-1")
