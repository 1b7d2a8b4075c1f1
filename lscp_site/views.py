"""Site-wide views: search and robots.txt."""

from dataclasses import dataclass

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.utils.html import strip_tags
from django.utils.text import Truncator
from django.views.decorators.http import require_GET

from wagtail.models import Page

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


@dataclass(frozen=True)
class SearchResult:
    page: Page
    kind: str
    snippet: str


def search_snippet(page):
    """A sentence or two for a result: the page's search description or its summary."""
    for name in SNIPPET_FIELDS:
        text = strip_tags(str(getattr(page, name, "") or "")).strip()
        if text:
            return Truncator(text).words(SNIPPET_WORDS, truncate=" …")
    return ""


def search_results(query):
    """Live public pages matching ``query``, best first (Wagtail's search backend: full-text
    search in PostgreSQL, FTS5 in SQLite). The home page is left out: it is every page's
    parent and says nothing on its own."""
    return Page.objects.live().public().not_type(HomePage).search(query)


def describe(pages):
    """The results for one page of the listing: one query per kind of page, not per page."""
    specific = Page.objects.filter(pk__in=[page.pk for page in pages]).specific().in_bulk()
    results = []
    for page in pages:
        page = specific.get(page.pk, page)
        kind = RESULT_KINDS.get(page._meta.model_name, "Page")
        if getattr(page, "issue_date", None):
            kind = f"{kind}, {month_label(page.issue_date)}"
        results.append(SearchResult(page=page, kind=kind, snippet=search_snippet(page)))
    return results


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
