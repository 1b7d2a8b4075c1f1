"""Site search: every kind of page, through Wagtail's search backend."""

from dataclasses import dataclass

from django.core.paginator import Paginator
from django.template.response import TemplateResponse
from django.utils.html import strip_tags
from django.utils.text import Truncator
from django.views.decorators.http import require_GET

from wagtail.models import Page

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
    with its month) and a short description. The pages are loaded as their own types in one
    query per type shown, however many results there are."""
    specific = Page.objects.filter(pk__in=[page.pk for page in pages]).specific().in_bulk()
    results = []
    for page in pages:
        page = specific.get(page.pk, page)
        kind = RESULT_KINDS.get(page._meta.model_name, "Page")
        if getattr(page, "issue_date", None):
            kind = f"{kind}, {month_label(page.issue_date)}"
        texts = [getattr(page, field, "") for field in SNIPPET_FIELDS]
        results.append(SearchResult(page=page, kind=kind, snippet=_snippet(texts)))
    return results


def _snippet(texts):
    for text in texts:
        text = strip_tags(str(text or "")).strip()
        if text:
            return Truncator(text).words(SNIPPET_WORDS, truncate=" …")
    return ""


@require_GET
def search(request):
    query = " ".join(request.GET.get("q", "").split())[:MAX_QUERY_LENGTH]
    context = {"search_query": query, "search_results": []}
    if query:
        paginator = Paginator(search_results(query), SEARCH_RESULTS_PER_PAGE)
        results = paginator.get_page(request.GET.get("page"))
        context.update(
            paginator=paginator,
            results=results,
            search_results=describe(list(results.object_list)),
        )
        pagecache.showing_query(q=query, page=results.number if results.number > 1 else None)
    return TemplateResponse(request, "home/search.html", context)
