"""Page queries every app shares."""

from django.db.models import BooleanField, Exists, OuterRef, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Length, Substr

from wagtail.models import Page, PageViewRestriction


def public(pages):
    """``pages`` less those in a private section (a page with a view restriction, and every
    page below it): what Wagtail's ``.public()`` keeps, in the same query.

    ``.public()`` first loads every restriction on the site (a query of its own each time it
    is called: three on the home page) to build its filter; this asks PostgreSQL or SQLite
    instead, as part of the query it filters. A page is below a restricted page when the
    restricted page's tree path begins its own.
    """
    restricted_above = PageViewRestriction.objects.filter(
        page__path=Substr(OuterRef("path"), 1, Length("page__path"))
    )
    return pages.exclude(Exists(restricted_above))


def with_ids(pages, ids):
    """``pages`` of one page type narrowed to the pages ``ids``, on both tables the type is
    stored in: its own, and Wagtail's page table that it joins for the title and slug.

    Given the ids on the type's table alone, PostgreSQL read every page of the site to
    join them (0.5 against 0.2 ms for a page of 20 events on the large benchmark site). The
    ORM folds ``id__in`` into the type's own key, so the page table's condition is written
    out; the page table keeps its own name as its alias in the ORM's join.
    """
    column = f'"{Page._meta.db_table}"."id"'
    placeholders = ", ".join(["%s"] * len(ids))
    # The ids are parameters; only the page table's name is written into the SQL.
    on_page_table = RawSQL(f"{column} IN ({placeholders})", list(ids), BooleanField())  # noqa: S611
    return pages.filter(on_page_table, pk__in=ids)


def children_bounds(parent_path, parent_depth):
    """(after, last, depth): the children of the page at tree path ``parent_path`` are the
    pages at ``depth`` whose path lies after ``after`` and up to ``last``, for
    :func:`children_within`. Wagtail's ``child_of`` matches the path's beginning instead,
    which compiled queries cannot take as a value (lscp_site/compiled_queries.py). A child's
    path is its parent's followed by one step; Wagtail stores paths in the ``C`` collation,
    so they sort as their characters do."""
    last_step = Page.alphabet[-1] * Page.steplen
    return parent_path, parent_path + last_step, parent_depth + 1


def children_within(pages, after, last, depth):
    """``pages`` among the children bounded by :func:`children_bounds`."""
    return pages.filter(path__gt=after, path__lte=last, depth=depth)


def children_matching(pages, parent_path, depth):
    """As :func:`children_within`, for a listing another index narrows down first (issues
    of one year by their date): the children at ``depth`` (the parent's depth + 1) of the
    page at ``parent_path``, matched by the beginning of their path.

    Compiled queries run as prepared statements, and PostgreSQL's generic plan for them
    cannot know how many pages a path range holds; it guessed one, and scanned every child
    of the archive once for each issue of the year (2.2 ms, against 0.3 ms with the values
    written in). Compared this way the path is not an index condition, so the plan finds
    the year's issues by date and each one's page by its id.
    """
    return pages.alias(path_start=Substr("path", 1, Length(Value(parent_path)))).filter(
        path_start=parent_path, depth=depth
    )


def child_url(parent_url, slug):
    """The address of the child with ``slug`` of the page at ``parent_url``, without a page
    object or Wagtail's lookup per child (two thirds of a listing card's cost): Wagtail's
    ``url_path`` of a page is its parent's followed by its slug, and a listing's children
    (issues, events) are never a site's root. Tested against ``Page.get_url``."""
    return f"{parent_url}{slug}/"
