"""Site search: every kind of page, through Wagtail's search backend."""

import functools
from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db.models import F
from django.template.response import TemplateResponse
from django.utils.html import strip_tags
from django.utils.text import Truncator
from django.views.decorators.http import require_GET

from wagtail.models import Page, get_page_models

from home.models import HomePage
from lscp_site import pagecache
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


@dataclass(frozen=True)
class SearchResult:
    page: Page
    kind: str
    snippet: str


def search_results(query):
    """Live public pages matching ``query``, best first (Wagtail's database search backend:
    full-text search in PostgreSQL, FTS5 in SQLite). The home page is left out: it is every
    page's parent and says nothing on its own."""
    # A double quote makes Wagtail's SQLite (FTS5) backend raise a syntax error (a 500);
    # the search box offers no phrase search, so a quote is only a space to it.
    query = query.replace('"', " ").strip()
    if not query:  # nothing left to look for (and an empty search fails in the backend)
        return Page.objects.none()
    return Page.objects.live().public().not_type(HomePage).search(query)


def describe(pages):
    """Each page of one page of results with what the list says of it: its kind (an issue
    with its month) and a short description, read in one query however many kinds of page
    are shown, through the joins from a page to its kind's table."""
    details = {
        row["pk"]: row
        for row in Page.objects.filter(pk__in=[page.pk for page in pages]).values(
            "pk", **_detail_columns()
        )
    }
    results = []
    for page in pages:
        row = details.get(page.pk, {})
        model = page.specific_class
        kind = RESULT_KINDS.get(model._meta.model_name if model else "", "Page")
        if row.get("issue_date"):
            kind = f"{kind}, {month_label(row['issue_date'])}"
        texts = [page.search_description] + [row.get(column) for column in _snippet_columns(model)]
        results.append(SearchResult(page=page, kind=kind, snippet=_snippet(texts)))
    return results


@functools.cache
def _detail_columns():
    """{"<model>_<field>": F(...)} for each page type's own description fields and an issue's
    date, reached from Page through the page type's table."""
    columns = {}
    for model in get_page_models():
        if model._meta.get_parent_list() != [Page]:
            continue
        for field in model._meta.local_concrete_fields:
            if field.name == "issue_date":
                columns["issue_date"] = F(f"{model._meta.model_name}__issue_date")
            elif field.name in SNIPPET_FIELDS:
                columns[_column(model, field.name)] = F(f"{model._meta.model_name}__{field.name}")
    return columns


def _snippet_columns(model):
    """The columns of ``_detail_columns`` that may hold ``model``'s description, in the order
    of SNIPPET_FIELDS after the search description every page has."""
    if model is None:
        return []
    return [_column(model, name) for name in SNIPPET_FIELDS if name != "search_description"]


def _column(model, field_name):
    return f"{model._meta.model_name}_{field_name}"


def _snippet(texts):
    for text in texts:
        text = strip_tags(str(text or "")).strip()
        if text:
            return Truncator(text).words(SNIPPET_WORDS, truncate=" …")
    return ""


def result_cards(page):
    """The results of ``page`` (a page of :func:`search_results`) as its list shows them:
    called where they are rendered, inside the results' cached fragment."""
    return describe(list(page.object_list))


@require_GET
def search(request):
    query = " ".join(request.GET.get("q", "").split())[:MAX_QUERY_LENGTH]
    context = {"search_query": query}
    if query:
        paginator = Paginator(search_results(query), SEARCH_RESULTS_PER_PAGE)
        results = paginator.get_page(request.GET.get("page"))
        context.update(
            paginator=paginator,
            results=results,
            # Ranked and described inside the results' cached fragment: a warm render
            # only counts the matches.
            search_results=functools.partial(result_cards, results),
        )
        if paginator.count:
            # Kept only for searches that find something: made-up words, which find
            # nothing, cannot fill the cache with copies of "Nothing matched".
            context["listing_query"] = pagecache.showing_query(
                q=query, page=results.number if results.number > 1 else None
            )
    return TemplateResponse(request, "home/search.html", context)
