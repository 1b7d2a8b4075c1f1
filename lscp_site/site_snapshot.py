"""What every page reads before its own content, read once per change instead of per request.

Before a page's own queries, Wagtail and the base template read things that editors change
perhaps once a year: the Site for the request's host (Wagtail's lookup compiles a CASE query:
2.7 ms of CPU, a fifth of a simple page), the site settings (the footer and the Quick leave
address), the view restrictions above the page (two queries) and the site root paths every
page address is worked out from (a read of the shared cache). Together they were 4.9 ms of the
12 ms a simple page cost without the page cache (bench/README.md). The topics the footer's
sign-up box offers came to join them (a read of the shared cache of their own before).

They are kept in the shared cache as one *snapshot*, tagged with the page cache's generation
(lscp_site/pagecache.py). Saving or deleting a Site, the site settings, a view restriction or
any page sets a new generation, so a snapshot is used only while nothing it holds can have
changed; the next request builds a new one. The generation is read *before* the database, as
the page cache does, so a snapshot built from data a change was about to replace is stored
under a generation that change has already left behind.

The snapshot holds every Site (a site has one row per hostname and port; there are a handful
at most) and Wagtail's choice among them is made here in Python, exactly as
``wagtail.models.sites.get_site_for_hostname`` makes it in SQL (tests compare the two).
"""

import logging

from django.db.models import F
from django.http.request import split_domain_port

from wagtail.models import Page, PageViewRestriction, Site

from lscp_site import pagecache
from lscp_site.models import SiteSettings
from lscp_site.pages import ROOT_PATHS_ATTRIBUTE
from subscriptions.queries import signup_topics

logger = logging.getLogger(__name__)

SNAPSHOT_KEY_PREFIX = "sitesnapshot:"
# Where Wagtail keeps the request's Site (Site.find_for_request).
SITE_ATTRIBUTE = "_wagtail_site"
SNAPSHOT_ATTRIBUTE = "_lscp_site_snapshot"


class SiteSnapshot:
    """The sites, the site settings, the view restrictions and the sign-up topics, as stored
    at one generation."""

    def __init__(
        self, *, generation, sites, root_paths, settings, restrictions, has_aliases, signup_topics
    ):
        self.generation = generation
        self.sites = sites
        # Wagtail's Site.get_site_root_paths(), which every page address is worked out from.
        self.root_paths = root_paths
        self.settings = settings
        # (path of the restricted page, restriction), for every restriction on the site.
        self.restrictions = restrictions
        self.has_aliases = has_aliases
        # The footer's sign-up box (subscriptions.queries.signup_topics).
        self.signup_topics = signup_topics

    def site_for(self, hostname, port):
        """The Site Wagtail would choose for ``hostname`` and ``port``, or None."""
        candidates = sorted(
            (site for site in self.sites if site.hostname == hostname or site.is_default_site),
            key=lambda site: _match(site, hostname, port),
        )
        if not candidates:
            return None
        best = _match(candidates[0], hostname, port)
        if len(candidates) == 1 or best in (MATCH_HOSTNAME_PORT, MATCH_HOSTNAME_DEFAULT):
            return candidates[0]
        if best == MATCH_DEFAULT:
            # The default and exactly one site for this hostname on another port: that site.
            return candidates[len(candidates) == 2]
        return None  # several sites for this hostname, none on this port and no default

    def view_restrictions(self, page):
        """The restrictions on ``page`` and the pages above it, or None when this snapshot
        cannot tell (an alias takes its source page's restrictions: Wagtail works those out)."""
        if self.has_aliases:
            return None
        return [
            restriction
            for restricted_path, restriction in self.restrictions
            if page.path.startswith(restricted_path)
        ]


# Wagtail's order of preference (wagtail.models.sites).
MATCH_HOSTNAME_PORT, MATCH_HOSTNAME_DEFAULT, MATCH_DEFAULT, MATCH_HOSTNAME = range(4)


def _match(site, hostname, port):
    if site.hostname == hostname and site.port == port:
        return MATCH_HOSTNAME_PORT
    if site.hostname == hostname and site.is_default_site:
        return MATCH_HOSTNAME_DEFAULT
    if site.is_default_site:
        return MATCH_DEFAULT
    return MATCH_HOSTNAME


def current_snapshot():
    """The snapshot for the current generation, from the shared cache or built now; None if
    the cache cannot be reached (callers then let Wagtail query as usual)."""
    key = SNAPSHOT_KEY_PREFIX + pagecache.release()
    try:
        generation, snapshot = pagecache.get_with_generation(key)
    except Exception:
        logger.warning("Shared cache unavailable: site snapshot not used", exc_info=True)
        return None
    if isinstance(snapshot, SiteSnapshot) and snapshot.generation == generation:
        return snapshot
    snapshot = _build(generation)
    try:
        pagecache.store_for_generation(key, snapshot)
    except Exception:
        logger.warning("Could not store the site snapshot", exc_info=True)
    return snapshot


def _build(generation):
    settings = SiteSettings.base_queryset().first()
    if settings is None:
        # A new site: creating the settings row is a change, which sets a new generation.
        settings = SiteSettings.load()
        generation = pagecache.current_generation()
    return SiteSnapshot(
        generation=generation,
        sites=list(Site.objects.select_related("root_page").order_by("pk")),
        root_paths=Site.get_site_root_paths(),
        settings=settings,
        restrictions=[
            (restriction.page_path, restriction)
            for restriction in PageViewRestriction.objects.annotate(
                page_path=F("page__path")
            ).order_by("pk")
        ],
        has_aliases=Page.objects.filter(alias_of__isnull=False).exists(),
        signup_topics=signup_topics(),
    )


def prepare_request(request):
    """Give ``request`` its Site and site settings from the snapshot, as Wagtail would have
    looked them up; returns the snapshot (or None). Wagtail's own lookups then find them
    already on the request."""
    if hasattr(request, SNAPSHOT_ATTRIBUTE):
        return getattr(request, SNAPSHOT_ATTRIBUTE)
    snapshot = current_snapshot()
    setattr(request, SNAPSHOT_ATTRIBUTE, snapshot)
    if snapshot is None:
        return None
    if not hasattr(request, SITE_ATTRIBUTE):
        hostname = split_domain_port(request._get_raw_host())[0]  # as Site._find_for_request
        setattr(request, SITE_ATTRIBUTE, snapshot.site_for(hostname, request.get_port()))
    settings_attribute = SiteSettings.get_cache_attr_name()
    if not hasattr(request, settings_attribute):
        setattr(request, settings_attribute, snapshot.settings)
    if not hasattr(request, ROOT_PATHS_ATTRIBUTE):
        setattr(request, ROOT_PATHS_ATTRIBUTE, snapshot.root_paths)
    return snapshot
