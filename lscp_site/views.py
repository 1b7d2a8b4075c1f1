"""Site-wide views: search and robots.txt."""

import functools
from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db.models import F
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.utils.html import strip_tags
from django.utils.text import Truncator
from django.views.decorators.http import require_GET

from wagtail.models import Page, get_page_models

from lscp_site import compiled_queries
from lscp_site.models import HomePage
from newsletter.dates import month_label

SEARCH_RESULTS_PER_PAGE = 10
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
    paginator = Paginator(
        search_results(query) if query else Page.objects.none(), SEARCH_RESULTS_PER_PAGE
    )
    page = paginator.get_page(request.GET.get("page"))
    return TemplateResponse(
        request,
        "lscp_site/search.html",
        {
            "search_query": query,
            "results": page,
            "search_results": describe(list(page.object_list)) if query else [],
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
        f"Sitemap: {request.build_absolute_uri('/sitemap.xml')}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain")
