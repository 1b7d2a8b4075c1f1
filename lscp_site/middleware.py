"""Two site-wide guards that belong at the door rather than in each view.

``RefuseNulBytesMiddleware``: PostgreSQL text cannot hold a NUL character, so a NUL that
reaches a query raises a database error (a 500). Django's form fields refuse NUL, but
the path, query strings, headers and cookies reach views (Wagtail's search, the links in
emails) unchecked. Refusing NUL once, before any view runs, covers every view the site has
and any added later, where checks in each view would miss one. NUL is never part of a
valid address, header or form value on this site, so nothing legitimate is refused.

``PermissionsPolicyMiddleware``: the Permissions-Policy header on every response, added
above the page cache so pages served from it carry it too.
"""

from django.conf import settings
from django.core.exceptions import BadRequest

NUL = "\x00"
FORM_CONTENT_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _any_nul(values):
    return any(NUL in value for value in values)


def _querydict_has_nul(querydict):
    return any(NUL in key or _any_nul(querydict.getlist(key)) for key in querydict)


def has_nul_byte(request):
    """True when the path, query string, headers, cookies or form fields carry a NUL."""
    if NUL in request.path_info or NUL in request.path:
        return True
    if _querydict_has_nul(request.GET):
        return True
    headers = [value for key, value in request.META.items() if key.startswith("HTTP_")]
    if _any_nul(str(value) for value in headers) or _any_nul(request.COOKIES.values()):
        return True
    if request.method == "POST" and request.content_type in FORM_CONTENT_TYPES:
        # Form fields only: uploaded files may hold any bytes.
        return _querydict_has_nul(request.POST)
    return False


class RefuseNulBytesMiddleware:
    """Answer 400 (templates/400.html) to any request carrying a NUL character."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if has_nul_byte(request):
            raise BadRequest("NUL character in the request")
        return self.get_response(request)


def permissions_policy_header(policy):
    """{"camera": [], "fullscreen": ["self"]} -> 'camera=(), fullscreen=(self)'."""
    return ", ".join(f"{feature}=({' '.join(allowed)})" for feature, allowed in policy.items())


class PermissionsPolicyMiddleware:
    """Permissions-Policy from settings.PERMISSIONS_POLICY on every response."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = permissions_policy_header(settings.PERMISSIONS_POLICY)

    def __call__(self, request):
        response = self.get_response(request)
        if self.header:
            response.headers.setdefault("Permissions-Policy", self.header)
        return response
