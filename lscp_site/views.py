"""Site-wide views: search and robots.txt."""

import functools
import hashlib
from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db.models import F
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.utils.html import strip_tags
from django.utils.text import Truncator
from django.views.decorators.http import require_GET

from wagtail.models import Page, get_page_models

from lscp_site import compiled_queries, links, pagecache
from lscp_site.models import HomePage
from newsletter.dates import month_label

SEARCH_RESULTS_PER_PAGE = 10
# Page numbers past this (or below 1) show the last page of results, as Django's paginator
# shows any number past the end: each number asked for is remembered on its own, so the
# numbers a search can be remembered under are bounded.
LAST_PAGE_NUMBER = 1000
MAX_QUERY_LENGTH = 200
SNIPPET_WORDS = 40
# What readers call each kind of page in a list of results.
RESULT_KINDS = {
    "newsletterissuepage": "Newsletter issue",
    "newsletterindexpage": "Newsletter",
    "coursepage": "Training course",
    "trainingindexpage": "Training",
    "eventpage": "Date for your diary",
    "eventindexpage": "Dates for your diary",
}
# The fields that hold a page's own short description, in order of preference.
SNIPPET_FIELDS = ("search_description", "summary", "introduction")
# The fields of Page a result reads: its title and kind, its address (Wagtail's
# get_url_parts), and its search description.
RESULT_PAGE_FIELDS = (
    "id",
    "path",
    "depth",
    "title",
    "url_path",
    "content_type",
    "locale",
    "search_description",
)


@dataclass(frozen=True)
class SearchResult:
    page: Page
    kind: str
    snippet: str


def search_results(query):
    """Live public pages matching ``query``, best first (Wagtail's search backend: full-text
    search in PostgreSQL, FTS5 in SQLite). The home page is left out: it is every page's
    parent and says nothing on its own."""
    return (
        Page.objects.live()
        .public()
        .not_type(HomePage)
        # What a result shows of the page itself and its address need: PostgreSQL carries
        # each match's row to the ranking's sort, and a page's every column made that a
        # third of the query on the large benchmark site (0.8 of 2.7 ms for 512 matches).
        .only(*RESULT_PAGE_FIELDS)
        .search(query)
    )


def describe(pages):
    """The results for one page of the listing, from one query however many kinds of page
    they are: each kind's own short description (and an issue's date) are read through the
    joins from the page to its kind's table, not by loading every result as its own kind
    (a query per kind: six on the demo site's first page of results)."""
    details = {
        row["pk"]: row
        for row in compiled_queries.fetch(
            ("search: result details", len(pages)),
            lambda ids: Page.objects.filter(pk__in=ids).values("pk", **_detail_columns()),
            [page.pk for page in pages],
        )
    }
    results = []
    for page in pages:
        row = details.get(page.pk, {})
        model = page.specific_class
        kind = RESULT_KINDS.get(model._meta.model_name if model else "", "Page")
        if row.get("issue_date"):
            kind = f"{kind}, {month_label(row['issue_date'])}"
        texts = [page.search_description] + [
            row.get(column) for column in _snippet_columns(model) if column in row
        ]
        results.append(SearchResult(page=page, kind=kind, snippet=_snippet(texts)))
    return results


def _snippet(texts):
    for text in texts:
        text = strip_tags(str(text or "")).strip()
        if text:
            return Truncator(text).words(SNIPPET_WORDS, truncate=" …")
    return ""


@dataclass(frozen=True)
class FoundPage:
    """One page of a search's results: how many pages matched in all, which page of the
    results this is (after a number past the end is taken as the last), and its results."""

    total: int
    number: int
    results: tuple[SearchResult, ...]


def found_page(query, number):
    """Page ``number`` of the results for ``query``, worked out once per change of the site's
    pages (``pagecache.remembered``; the search index's own updates are changes too).

    Ranking is what grows with the site: "safeguarding" matches 512 pages of the large
    benchmark site, each joined to its page and its title and body ranked to find the best
    ten, 8.5 ms of PostgreSQL's time against 2.5 for the demo's 8 matches. A search asked
    again, by another reader or the next page view, is read back in one cache read. A
    search for new words costs the full query once.
    """
    digest = hashlib.sha256(query.encode()).hexdigest()[:32]
    return pagecache.remembered(f"search:{digest}:{number}", lambda: _find_page(query, number))


def _find_page(query, number):
    results = search_results(query)
    if number >= 1 and hasattr(results, "with_total"):  # PostgreSQL: one query
        start = (number - 1) * SEARCH_RESULTS_PER_PAGE
        found = list(results.with_total()[start : start + SEARCH_RESULTS_PER_PAGE])
        if found:
            return FoundPage(
                total=found[0].search_total, number=number, results=tuple(describe(found))
            )
    # Counted first: SQLite's backend, a page past the end (the last is shown), no results.
    paginator = Paginator(results, SEARCH_RESULTS_PER_PAGE)
    page = paginator.get_page(number)  # 0 is past the end: the last page
    return FoundPage(
        total=paginator.count,
        number=page.number,
        results=tuple(describe(list(page.object_list))),
    )


def page_number(asked):
    """The page of results asked for, as ``found_page`` remembers it: 1 for no number or
    one that is not a whole number, 0 (the last page) for one out of range."""
    try:
        number = int(asked)
    except (TypeError, ValueError):
        return 1
    return number if 1 <= number <= LAST_PAGE_NUMBER else 0


@functools.cache
def _detail_columns():
    """{"<model>_<field>": F(...)} for each kind of page's own description fields and an
    issue's date, reached from Page through its kind's table (pages directly below Page)."""
    columns = {}
    for model in get_page_models():
        if model._meta.get_parent_list() != [Page]:
            continue
        for field in model._meta.local_concrete_fields:
            if field.name in (*SNIPPET_FIELDS, "issue_date"):
                name = "issue_date" if field.name == "issue_date" else _column(model, field.name)
                columns[name] = F(f"{model._meta.model_name}__{field.name}")
    return columns


def _snippet_columns(model):
    """The columns of ``_detail_columns`` that may hold ``model``'s description, in the order
    of SNIPPET_FIELDS (after the search description every page has)."""
    if model is None:
        return []
    return [_column(model, name) for name in SNIPPET_FIELDS if name != "search_description"]


def _column(model, field_name):
    return f"{model._meta.model_name}_{field_name}"


@require_GET
def search(request):
    query = " ".join(request.GET.get("q", "").split())[:MAX_QUERY_LENGTH]
    found = (
        found_page(query, page_number(request.GET.get("page")))
        if query
        else FoundPage(total=0, number=1, results=())
    )
    # The pagination links need only how many results there are and which page this is.
    paginator = Paginator(range(found.total), SEARCH_RESULTS_PER_PAGE)
    return TemplateResponse(
        request,
        "lscp_site/search.html",
        {
            "search_query": query,
            "results": paginator.get_page(found.number),
            "search_results": found.results,
            "paginator": paginator,
        },
    )


@require_GET
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        # Signed links in emails (confirm, preferences, cancel) are personal.
        "Disallow: /subscribe/confirm/",
        "Disallow: /subscribe/preferences/",
        "Disallow: /subscribe/unsubscribe/",
        "Disallow: /training/bookings/",
        f"Sitemap: {links.absolute('/sitemap.xml')}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain")
