"""What the site asks of the newsletter: the archive, an issue's neighbours, the latest issue.

Each function runs a fixed number of queries, however many issues or sections there are.
"""

import bisect
import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, prefetch_related_objects
from django.db.models.functions import TruncYear

from wagtail.images import get_image_model
from wagtail.images.models import Filter

from lscp_site import compiled_queries, pagecache
from lscp_site.images import picture_specs
from lscp_site.pages import (
    child_url,
    children_bounds,
    children_matching,
    children_within,
    public,
    with_ids,
)
from newsletter.contents import ContentsEntry, issue_contents

# The renditions the section template's {% picture %} asks for (see newsletter_section.html).
SECTION_IMAGE_WIDTHS = "480,800"
SECTION_IMAGE_SPECS = tuple(picture_specs(SECTION_IMAGE_WIDTHS))


def _issue_model():
    from newsletter.models import NewsletterIssuePage

    return NewsletterIssuePage


def published_issues():
    """Live, public issues, newest first."""
    return public(_issue_model().objects.live()).order_by("-issue_date", "-pk")


def archive(*, index, year=None):
    """(issues for the listing, years that have issues) under the archive ``index``.

    The issues are a listing for the paginator of the columns an issue card shows, as
    dictionaries (``issue_cards`` makes them cards); the years a list [2025, 2024, ...].

    The years come with how many issues each holds (:func:`issues_a_year_under`), which is the
    listing's count and tells which years a page of the listing falls in: each page is then
    fetched from those years alone, through the issue dates' index, so a page costs the same
    however long the archive is. One query per page, after the years.
    """
    issues_a_year = issues_a_year_under(index)
    years = [each for each, _ in issues_a_year]
    if year is None:
        return ArchiveListing(index.path, index.depth + 1, issues_a_year), years
    in_year = [(each, count) for each, count in issues_a_year if each == year]
    return ArchiveListing(index.path, index.depth + 1, in_year), years


def issues_a_year_under(index):
    """[(year, issues published that year), ...], newest year first, for the archive
    ``index``: counted over every issue, so worked out once per change of the site's pages
    (``pagecache.remembered``), not on every render."""
    children = children_bounds(index.path, index.depth)
    return pagecache.remembered(
        f"newsletter:issues-a-year:{index.pk}:{index.path}",
        lambda: [
            (row["year"].year, row["issues"])
            for row in compiled_queries.fetch(
                "newsletter: issues a year", _issues_a_year, *children
            )
        ],
    )


class ArchiveListing(compiled_queries.CountedListing):
    """The issues of the years ``issues_a_year`` ([(year, count)], newest first) under the
    page at ``parent_path``, newest first, for Django's Paginator: counted from the years,
    and each page of it fetched from the years it falls in."""

    def __init__(self, parent_path, depth, issues_a_year):
        super().__init__(sum(count for _, count in issues_a_year))
        self.parent_path, self.depth = parent_path, depth
        self.issues_a_year = issues_a_year

    def rows(self, start, stop):
        # The years the page spans, and how many issues come before the newest of them.
        newest = oldest = None
        before = seen = 0
        for year, count in self.issues_a_year:
            if seen + count > start and seen < stop:
                if newest is None:
                    newest, before = year, seen
                oldest = year
            seen += count
        if newest is None:
            return []
        within = slice(start - before, stop - before)
        return compiled_queries.fetch(
            ("newsletter: a page of the archive", within.start, within.stop),
            lambda *values: _issues_between(*values)[within],
            self.parent_path,
            self.depth,
            datetime.date(oldest, 1, 1),
            datetime.date(newest + 1, 1, 1),
        )


@dataclass(frozen=True)
class IssueCard:
    """An issue as a card in the archive shows it (templates/cards/issue_cards.jinja)."""

    title: str
    issue_date: datetime.date
    summary: str
    url: str


CARD_COLUMNS = ("slug", "title", "issue_date", "summary")


def issue_cards(rows, archive_url):
    """``IssueCard``s for rows of the archive listing, whose address is ``archive_url``.

    No page objects and no address lookups (``child_url``): loading each issue as a page and
    asking Wagtail for its address was two thirds of a card's cost, and the archive shows 12.
    """
    return [
        IssueCard(
            title=row["title"],
            issue_date=row["issue_date"],
            summary=row["summary"],
            url=child_url(archive_url, row["slug"]),
        )
        for row in rows
    ]


def _issues(after_path, last_path, depth):
    return children_within(published_issues(), after_path, last_path, depth)


def _issues_between(parent_path, depth, starts, ends_before):
    # By path prefix, not a path range: the issues are then found through the issue dates'
    # index (lscp_site.pages.children_matching).
    issues = children_matching(published_issues(), parent_path, depth)
    return issues.filter(issue_date__gte=starts, issue_date__lt=ends_before).values(*CARD_COLUMNS)


def _issues_a_year(after_path, last_path, depth):
    return (
        _issues(after_path, last_path, depth)
        .annotate(year=TruncYear("issue_date"))
        .values("year")
        .annotate(issues=Count("pk"))
        .order_by("-year")
    )


def neighbours(issue):
    """(previous issue, next issue) in time, each None at either end of the archive.

    Picked from the order of the archive's issues, remembered per change
    (:func:`issue_order`), and fetched by id: one query, for at most two pages. Finding
    them in the database walked every issue of the archive (PostgreSQL chose the tree
    path's index over the issue dates'), 3.4 ms on the large benchmark site's 200 issues
    against 0.5 on the demo's.
    """
    order = issue_order(issue.path[: -issue.steplen], issue.depth - 1)
    dates = [issue_date for issue_date, _ in order]
    day = issue.issue_date.toordinal()
    earlier = [pk for _, pk in order[: bisect.bisect_left(dates, day)] if pk != issue.pk]
    later = [pk for _, pk in order[bisect.bisect_right(dates, day) :] if pk != issue.pk]
    ids = earlier[-1:] + later[:1]
    if not ids:
        return None, None
    found = compiled_queries.fetch(("newsletter: an issue's neighbours",), _issues_by_id, ids)
    return _neighbours_by_date(issue, found)


def issue_order(parent_path, parent_depth):
    """[(issue date as an ordinal, id)], oldest first, of the live issues below the page at
    ``parent_path`` that a reader there may open: of the private sections only a restriction
    on the issue itself can hide it (the reader is already past any above). Worked out once
    per change of the site's pages (``pagecache.remembered``)."""
    return pagecache.remembered(
        f"newsletter:issue-order:{parent_path}",
        lambda: [
            (issue_date.toordinal(), pk)
            for issue_date, pk in compiled_queries.fetch(
                "newsletter: issue order",
                _issue_order,
                *children_bounds(parent_path, parent_depth),
            )
        ],
    )


def _issue_order(after_path, last_path, depth):
    return (
        children_within(_issue_model().objects.live(), after_path, last_path, depth)
        .filter(view_restrictions__isnull=True)
        .order_by("issue_date", "pk")
        .values_list("issue_date", "pk")
    )


def _issues_by_id(ids):
    return with_ids(_issue_model().objects.all(), ids).defer("body")


def _neighbours_by_date(issue, found):
    earlier = [page for page in found if page.issue_date < issue.issue_date]
    later = [page for page in found if page.issue_date > issue.issue_date]
    return (earlier[0] if earlier else None, later[0] if later else None)


@dataclass(frozen=True)
class LatestIssue:
    issue: object
    contents: list[ContentsEntry] = field(default_factory=list)


def latest_issue():
    """The newest published issue with its contents list, for the home page; or None."""
    issue = published_issues().first()
    if issue is None:
        return None
    return LatestIssue(issue=issue, contents=issue_contents(issue.body))


def expand_section_links(blocks, request=None):
    """Expand the links to pages in every section's text at once: two queries for the
    whole issue instead of two for each section that links a page. The pages the sections'
    calls to action point to share one copy of the site root paths."""
    from lscp_site.richtext import expand_in_place

    sections = [block.value for block in blocks if block.block_type == "section"]
    expand_in_place(sections)


def prefetch_section_images(blocks):
    """Give every section image its renditions without a query per image.

    Renditions already in the cache are taken from it in one round trip (as Wagtail would,
    one image at a time); the rest come from the database in one query.
    """
    images = [
        block.value["image"]
        for block in blocks
        if block.block_type == "section" and block.value.get("image") is not None
    ]
    if not images:
        return
    rendition_model = get_image_model().get_rendition_model()
    filters = [Filter(spec=spec) for spec in SECTION_IMAGE_SPECS]
    keys = {
        (image.pk, spec.spec): rendition_model.construct_cache_key(
            image, spec.get_cache_key(image), spec.spec
        )
        for image in images
        for spec in filters
    }
    cached = rendition_model.cache_backend.get_many(list(keys.values()))
    missing = []
    for image in images:
        found = [cached.get(keys[image.pk, spec.spec]) for spec in filters]
        if all(found):
            for rendition in found:
                rendition.image = image
            image.prefetched_renditions = found
        else:
            missing.append(image)
    if missing:
        prefetch_related_objects(
            missing,
            Prefetch(
                "renditions",
                queryset=rendition_model.objects.filter(filter_spec__in=SECTION_IMAGE_SPECS),
            ),
        )
        # Wagtail does not cache renditions it found prefetched: cache them for next time.
        found = {}
        for image in missing:
            for rendition in image.renditions.all():
                spec = Filter(spec=rendition.filter_spec)
                if rendition.focal_point_key == spec.get_cache_key(image):
                    found[keys[image.pk, rendition.filter_spec]] = rendition
        if found:
            rendition_model.cache_backend.set_many(found)
