"""Template helpers for training pages: the wording of places left, booking links and
crumbs. (A course's structured data is rendered with its article: CoursePage._rendered.)"""

from django import template

register = template.Library()


@register.filter
def places_left(count):
    """ "1 place left", "3 places left"."""
    count = int(count)
    return f"{count} place left" if count == 1 else f"{count} places left"


@register.simple_tag(takes_context=True)
def session_booking_url(context, session):
    """The booking form of a session (its course must be loaded with it). Empty for a
    session not saved yet, as in an editor's preview."""
    if session.pk is None:
        return ""
    return session.course.booking_url(session, request=context.get("request"))


@register.simple_tag(takes_context=True)
def training_crumbs(context, page, *extra):
    """Breadcrumbs from the home page down to ``page``'s parent, plus ``extra`` pages."""
    request = context.get("request")
    # Parent by parent: a page served by lscp_site.routing already holds the pages above it,
    # so this costs no query; otherwise one query a level (training pages are 1 or 2 deep).
    ancestors = []
    ancestor = page
    while ancestor.depth > 2:
        ancestor = ancestor.get_parent()
        ancestors.insert(0, ancestor)
    crumbs = [{"url": ancestor.get_url(request), "title": ancestor.title} for ancestor in ancestors]
    for extra_page in extra:
        crumbs.append({"url": extra_page.get_url(request), "title": extra_page.title})
    if crumbs:
        crumbs[0]["title"] = "Home"
    return crumbs
