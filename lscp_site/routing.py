"""Finding the page for a URL in one query instead of two a level.

Wagtail routes a request by walking down from the site's home page: at each level it loads
the child with the next slug, then that child's own row (``.specific``), and asks it to route
the rest. An issue at /newsletter/march-2025/ cost seven queries before any of its content,
about a fifth of a simple page's time without the page cache (bench/README.md).

Every page already stores the path of slugs from the tree's root (``url_path``, kept up to date
by Wagtail on save and move), so the pages on the way to /newsletter/march-2025/ are the pages
whose url_path is /home/, /home/newsletter/ and /home/newsletter/march-2025/: one query. Wagtail
then routes from the deepest page found, so each page's own ``route()`` still has the last
word. A page on the way that routes differently from plain Wagtail (an overridden ``route()``,
or a routable page whose own sub-URLs match the rest of the path) routes the rest itself, as
it would under Wagtail: this only skips steps whose outcome is already known.
"""

from django.conf import settings
from django.http import Http404
from django.urls import Resolver404

from wagtail import views as wagtail_views
from wagtail.contrib.routable_page.models import RoutablePageMixin
from wagtail.models import Page, Site

from lscp_site import compiled_queries, site_snapshot


def serve(request, path):
    """Wagtail's page view, with the route found by :func:`route_for_request` and the site,
    its settings and the page's view restrictions taken from the site snapshot."""
    if not hasattr(request, "_wagtail_route_for_request"):
        snapshot = site_snapshot.prepare_request(request)
        try:
            route = route_for_request(request, path)
        except Http404:
            route = None
        if route is not None and snapshot is not None:
            page = route[0]
            page.known_view_restrictions = snapshot.view_restrictions(page)
        # Wagtail's route_for_request() (used by its view, its hooks and its template tags)
        # reads the route from here once it is set.
        request._wagtail_route_for_request = route
    return wagtail_views.serve(request, path)


def route_for_request(request, path):
    """The RouteResult Wagtail would give for ``path``, or None; may raise Http404."""
    if getattr(settings, "WAGTAIL_I18N_ENABLED", False):
        # Sites per language route through Page.localized: Wagtail's own walk handles it.
        return Page.route_for_request(request, path)
    site = Site.find_for_request(request)  # loads the home page with it
    if site is None:
        return None
    components = [component for component in path.split("/") if component]
    chain = _pages_on_the_way(site.root_page, components)
    if chain is None:
        return Page.route_for_request(request, path)

    for level, page in enumerate(chain):
        if level:
            page._cached_parent_obj = chain[level - 1]  # as Wagtail's route() leaves it
        remaining = components[level:]
        if level == len(chain) - 1 or not _routes_to_child_by_slug(page, remaining):
            specific = _specific(page)
            if level:
                specific._cached_parent_obj = chain[level - 1]
            return specific.route(request, remaining)
    raise AssertionError("unreachable: the last page always routes the rest")


def _pages_on_the_way(home, components):
    """The site's home page and the pages below it named by ``components`` that exist, top
    down, or None if the stored paths disagree with the tree (Wagtail then routes alone)."""
    url_paths = [home.url_path]
    for component in components:
        url_paths.append(f"{url_paths[-1]}{component}/")
    chain = [home]
    if components:
        # The slug filter lets PostgreSQL use the index on slug; url_path has none.
        chain += compiled_queries.fetch(
            "routing: the pages on the way",
            lambda slugs, paths, depth: Page.objects.filter(
                slug__in=slugs, url_path__in=paths, depth__gt=depth
            ).order_by("depth", "path"),
            components,
            url_paths[1:],
            home.depth,
        )
    if len(chain) > len(url_paths):
        return None
    for level, page in enumerate(chain):
        parent = chain[level - 1] if level else None
        if page.url_path != url_paths[level] or (
            parent and (page.depth != parent.depth + 1 or not page.path.startswith(parent.path))
        ):
            return None
    return chain


def _specific(page):
    """``page.specific``, with the SQL for its page type compiled once per process."""
    model = page.specific_class
    if model is None or isinstance(page, model):
        return page.specific
    found = compiled_queries.fetch(
        ("routing: a page of one type", model._meta.label),
        lambda pk: model._default_manager.filter(pk=pk),
        page.pk,
    )
    if not found:
        return page.specific  # deleted since the route was found: Wagtail's error
    specific = found[0]
    for name, value in page.__dict__.items():  # as Wagtail's get_specific() copies them
        specific.__dict__.setdefault(name, value)
    page.__dict__["specific"] = specific
    return specific


def _routes_to_child_by_slug(page, remaining):
    """Would ``page.specific.route(request, remaining)`` do nothing but hand over to its child
    named ``remaining[0]``? True for plain pages, and for routable pages none of whose own
    sub-URLs match the rest of the path (RoutablePageMixin then falls back to Page.route)."""
    page_class = page.specific_class
    if page_class is None:
        return False
    if page_class.route is Page.route:
        return True
    if page_class.route is RoutablePageMixin.route:
        if not page.live:
            return True  # a routable page that is not live never matches its own sub-URLs
        try:
            page_class.get_resolver().resolve("/" + "/".join(remaining) + "/")
        except (Http404, Resolver404):
            return True
    return False
