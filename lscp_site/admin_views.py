"""The editors' guide in the admin: the guide itself and its pictures.

Registered under /admin/ (lscp_site/wagtail_hooks.py), so only people who can use the admin
see them.
"""

from django.http import FileResponse, Http404
from django.template.response import TemplateResponse

from lscp_site import editors_guide


def guide(request):
    return TemplateResponse(
        request,
        "lscp_site/admin/editors_guide.html",
        {"page_title": "Editors' guide", "guide": editors_guide.render_guide()},
    )


def guide_image(request, name):
    path = editors_guide.image_file(name=name)
    if path is None:
        raise Http404("No such picture in the guide.")
    return FileResponse(path.open("rb"), content_type="image/png")
