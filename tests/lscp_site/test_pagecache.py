"""The anonymous page cache: what it serves, what invalidates it, what bypasses it, and that
no reader ever gets another reader's session, CSRF token or CSP nonce.

Everything goes through the real middleware stack with Django's test client. The probe
views below stand in for kinds of response the site's own pages may produce (a page with a
nonce, a form with a CSRF token, a cookie) so each rule is proved on its own.
"""

import datetime
import io
import re
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.files.images import ImageFile
from django.core.management import call_command
from django.http import HttpResponse, StreamingHttpResponse
from django.template import engines
from django.test import Client
from django.urls import include, path
from django.views.decorators.cache import cache_control

from wagtail.contrib.redirects.models import Redirect
from wagtail.images.models import Image
from wagtail.models import Page, PageViewRestriction, Site

import pytest
import time_machine
from bs4 import BeautifulSoup
from PIL import Image as PillowImage

from events.dates import LONDON
from events.models import EventCategory, EventPage
from lscp_site import pagecache
from lscp_site.models import ContentPage, SiteSettings
from newsletter.models import NewsletterIssuePage
from subscriptions.models import Topic
from tests.events import factories as events_factories
from tests.lscp_site.conftest import NOON
from tests.newsletter import factories as newsletter_factories
from tests.training import factories as training_factories
from training import booking as training_booking
from training.models import Audience

NONCE_TEMPLATE = (
    '<!DOCTYPE html><title>Nonce</title><script nonce="{{ csp_nonce }}">'
    "document.documentElement.dataset.ran = 'yes';</script><p>nonce {{ csp_nonce }}</p>"
)
CSRF_TEMPLATE = '<form method="post">{% csrf_token %}<button>Go</button></form>'


def _render(request, source):
    return HttpResponse(engines["django"].from_string(source).render(request=request))


def nonce_view(request):
    return _render(request, NONCE_TEMPLATE)


def csrf_view(request):
    return _render(request, CSRF_TEMPLATE)


def plain_view(request, **kwargs):
    return HttpResponse("<p>plain</p>")


def session_view(request):
    request.session["seen"] = True
    return HttpResponse("<p>remembered</p>")


def cookie_view(request):
    response = HttpResponse("<p>cookie</p>")
    response.set_cookie("preference", "large-text")
    return response


def streaming_view(request):
    return StreamingHttpResponse(iter([b"<p>", b"streamed", b"</p>"]))


def language_view(request):
    response = HttpResponse("<p>language</p>")
    response["Vary"] = "Accept-Language"
    return response


@cache_control(private=True)
def private_view(request):
    return HttpResponse("<p>private</p>")


def listing_view(request):
    """A listing with a year filter and pages 1 to 3, as the site's listings say what they
    showed."""
    year = request.GET.get("year", "")
    page = request.GET.get("page", "1")
    if not page.isdigit() or not 1 <= int(page) <= 3:
        page = "1"
    pagecache.showing_query(year=year, page=page if page != "1" else None)
    return HttpResponse(f"<p>{year or 'every year'}, page {page}</p>")


class SlowView:
    """A view whose render waits until the test lets it finish, counting its renders."""

    def __init__(self):
        self.renders = 0
        self.started = threading.Event()
        self.finish = threading.Event()

    def __call__(self, request):
        self.renders += 1
        render = self.renders
        self.started.set()
        assert self.finish.wait(timeout=10)
        return HttpResponse(f"<p>render {render}</p>")


slow_view = SlowView()


# Probe views first, then the whole site: pytest.mark.urls points at this module.
urlpatterns = [
    path("probe/nonce/", nonce_view),
    path("probe/csrf/", csrf_view),
    path("probe/plain/", plain_view),
    path("probe/session/", session_view),
    path("probe/cookie/", cookie_view),
    path("probe/streaming/", streaming_view),
    path("probe/language/", language_view),
    path("probe/private/", private_view),
    path("probe/listing/", listing_view),
    path("probe/slow/", slow_view),
    path("probe/signed/<str:token>/", plain_view),
    path("subscribe/probe/", plain_view),
    path("training/bookings/probe/", plain_view),
    path("", include("lscp_site.urls")),
]
probes = pytest.mark.urls(__name__)

NONCE_IN_HEADER = re.compile(r"'nonce-([^']+)'")
NONCE_IN_BODY = re.compile(r'nonce="([^"]+)"')


@pytest.fixture
def site(home_page):
    """The demo pages, with the site settings row already made (creating it is a change)."""
    SiteSettings.load()
    return home_page


@pytest.fixture
def privacy(site):
    return ContentPage.objects.get(slug="privacy")


def cached(client, url, **kwargs):
    """Request a page until it comes from the cache; return that response."""
    first = client.get(url, **kwargs)
    assert first["X-Cache"] == "miss", f"{url} was not stored: X-Cache {first['X-Cache']}"
    second = client.get(url, **kwargs)
    assert second["X-Cache"] == "hit"
    return second


def _png(name):
    buffer = io.BytesIO()
    PillowImage.new("RGB", (4, 3), "white").save(buffer, "PNG")
    return ImageFile(buffer, name=name)


def publish(page, **changes):
    for field, value in changes.items():
        setattr(page, field, value)
    page.save_revision().publish()


# ---- serving ------------------------------------------------------------------------------


def test_an_anonymous_page_is_stored_then_served_from_the_cache(client, privacy):
    first = client.get("/privacy/")
    second = client.get("/privacy/")

    assert first["X-Cache"] == "miss"
    assert second["X-Cache"] == "hit"
    assert second.status_code == 200
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"]
    assert int(second["Content-Length"]) == len(first.content)


def test_a_cached_page_takes_no_database_queries(client, privacy, django_assert_num_queries):
    client.get("/privacy/")

    with django_assert_num_queries(0):
        response = client.get("/privacy/")

    assert response["X-Cache"] == "hit"
    assert b"Privacy notice" in response.content


def test_a_cached_page_keeps_the_security_headers(client, privacy):
    first = client.get("/privacy/")
    hit = client.get("/privacy/")

    for header in (
        "Content-Security-Policy",
        "X-Frame-Options",
        "X-Content-Type-Options",
        "Referrer-Policy",
    ):
        assert hit[header] == first[header]


def test_head_is_answered_from_the_page_stored_by_get(client, privacy):
    client.get("/privacy/")

    response = client.head("/privacy/")

    assert response["X-Cache"] == "hit"
    assert response.status_code == 200


def test_each_host_and_scheme_has_its_own_copy(client, privacy):
    cached(client, "/privacy/")

    assert client.get("/privacy/", HTTP_HOST="other.example")["X-Cache"] == "miss"
    assert client.get("/privacy/", secure=True)["X-Cache"] == "miss"


@probes
def test_a_query_the_page_showed_is_cached_whatever_the_order_of_its_parameters(site):
    reader = Client()
    assert reader.get("/probe/listing/?year=2025&page=2")["X-Cache"] == "miss"
    response = reader.get("/probe/listing/?page=2&year=2025")

    assert response["X-Cache"] == "hit"
    assert response.content == b"<p>2025, page 2</p>"
    assert reader.get("/probe/listing/?year=2024&page=2")["X-Cache"] == "miss"


@probes
def test_a_query_the_page_did_not_show_is_served_uncached(site):
    """Made-up values (a page number out of range, a filter the page ignores, a parameter it
    never reads) cannot add keys to the cache: only the query the page says it showed is
    kept."""
    reader = Client()
    for query in ("?page=abc", "?page=1", "?year=2025&page=2&colour=red", "?colour=red"):
        assert reader.get(f"/probe/listing/{query}")["X-Cache"] == "bypass", query
        assert reader.get(f"/probe/listing/{query}")["X-Cache"] == "bypass", query


def test_random_page_numbers_add_no_keys_to_the_cache(client, privacy):
    client.get("/privacy/")
    keys_before = len(cache._cache)  # noqa: SLF001 - local-memory cache: read only, to count

    for number in range(50):
        assert client.get(f"/privacy/?page={number * 7919}")["X-Cache"] == "bypass"

    assert len(cache._cache) == keys_before  # noqa: SLF001


def test_searches_that_find_nothing_add_no_keys_to_the_cache(client, privacy):
    cached(client, "/search/", data={"q": "privacy"})
    keys_before = len(cache._cache)  # noqa: SLF001 - local-memory cache: read only, to count

    for number in range(50):
        response = client.get("/search/", data={"q": f"qwxz{number * 7919}"})
        assert b"Nothing matched" in response.content
        assert response["X-Cache"] == "bypass"

    assert len(cache._cache) == keys_before  # noqa: SLF001


def test_made_up_paths_add_no_keys_to_the_cache(client, privacy):
    client.get("/privacy/")
    keys_before = len(cache._cache)  # noqa: SLF001 - local-memory cache: read only, to count

    for number in range(50):
        assert client.get(f"/no-such-page-{number * 7919}/").status_code == 404

    assert len(cache._cache) == keys_before  # noqa: SLF001


def test_search_results_are_cached_until_the_worker_indexes_a_published_page(
    client, privacy, settings
):
    """The worker updates the search index a moment after a publish: when it has indexed the
    published page, cached results are stale. Here the publish only queues its tasks, as in
    production; running the queued index task stands for the worker."""
    from django.tasks import task_backends

    from newsletter.sending import resume_sends

    assert client.get("/search/?q=privacy")["X-Cache"] == "miss"
    response = client.get("/search/?q=privacy")
    assert response["X-Cache"] == "hit"
    assert b"Privacy notice" in response.content
    assert client.get("/search/?q=privacy&utm_source=email")["X-Cache"] == "hit"
    assert client.get("/search/?q=privacy&colour=red")["X-Cache"] == "bypass"

    kestrel = ContentPage(title="Kestrel watch", slug="kestrel", body="<p>Kestrel data.</p>")
    privacy.get_parent().add_child(instance=kestrel)
    kestrel.save_revision().publish()  # indexed at once: tasks run immediately here

    immediate = settings.TASKS
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    privacy.introduction = "How the partnership looks after kestrel data."
    privacy.save_revision().publish()
    index_task = [
        result
        for result in task_backends["default"].results
        if result.task.module_path == pagecache.SEARCH_INDEX_TASK
    ][-1]
    # Published, not yet indexed: the search does not find the new word in it yet.
    response = client.get("/search/?q=kestrel")
    assert response["X-Cache"] == "miss" and b"1 result for" in response.content
    assert client.get("/search/?q=kestrel")["X-Cache"] == "hit"
    # A search that finds nothing is never kept.
    response = client.get("/search/?q=osprey")
    assert response["X-Cache"] == "bypass" and b"0 results for" in response.content

    # The worker indexes the published page: results are rendered again, and found.
    settings.TASKS = immediate
    index_task.task.enqueue(*index_task.args)
    response = client.get("/search/?q=kestrel")
    assert response["X-Cache"] == "miss" and b"2 results for" in response.content

    # Indexing it again (a draft saved, say) or any other task changes nothing readers see.
    assert client.get("/search/?q=kestrel")["X-Cache"] == "hit"
    index_task.task.enqueue(*index_task.args)
    resume_sends.enqueue()
    privacy.title = "A draft title"
    privacy.save_revision()
    response = client.get("/search/?q=kestrel")
    assert response["X-Cache"] == "hit"
    assert b"A draft title" not in response.content


def test_the_page_cache_can_be_switched_off(client, privacy, settings):
    settings.PAGE_CACHE_ENABLED = False

    client.get("/privacy/")
    response = client.get("/privacy/")

    assert "X-Cache" not in response
    assert "Cache-Control" not in response


# ---- headers for browsers and a CDN, and 304s ------------------------------------------------


def test_a_cached_page_tells_browsers_and_a_cdn_how_long_to_keep_it(client, privacy, settings):
    settings.PAGE_CACHE_MAX_AGE = 60
    settings.PAGE_CACHE_STALE_WHILE_REVALIDATE = 30

    # Not in the last minutes of a day, when both are cut to the seconds left before midnight.
    with time_machine.travel(datetime.datetime(2025, 3, 18, 10, 0, tzinfo=LONDON), tick=False):
        miss = client.get("/privacy/")
        hit = client.get("/privacy/")

    for response in (miss, hit):
        directives = {d.strip() for d in response["Cache-Control"].split(",")}
        assert directives == {"public", "max-age=60", "stale-while-revalidate=30"}
        assert re.fullmatch(r'"[0-9a-f]{32}"', response["ETag"])
    assert hit["ETag"] == miss["ETag"]
    assert "Last-Modified" not in hit


def test_revalidating_with_the_etag_gets_304_without_a_body(client, privacy):
    etag = client.get("/privacy/")["ETag"]

    response = client.get("/privacy/", HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == etag
    assert response["X-Cache"] == "hit"
    assert "public" in response["Cache-Control"]
    # A 304's headers replace the browser's stored ones: it must not bring a policy whose
    # nonce differs from the stored page's.
    assert "Content-Security-Policy" not in response


def test_revalidating_straight_after_a_miss_also_gets_304(client, privacy):
    etag = client.get("/privacy/")["ETag"]
    cache.clear()

    response = client.get("/privacy/", HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 304
    assert response["X-Cache"] == "miss"


def test_revalidating_after_a_change_gets_the_new_page(client, privacy):
    etag = client.get("/privacy/")["ETag"]
    publish(privacy, title="Privacy notice (updated)")

    response = client.get("/privacy/", HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 200
    assert response["ETag"] != etag
    assert b"Privacy notice (updated)" in response.content


def test_a_stale_etag_gets_the_full_page(client, privacy):
    client.get("/privacy/")

    response = client.get("/privacy/", HTTP_IF_NONE_MATCH='"0000"')

    assert response.status_code == 200
    assert response["X-Cache"] == "hit"


# ---- invalidation: pages ------------------------------------------------------------------


def test_publishing_a_page_shows_the_new_version_at_once(client, privacy):
    cached(client, "/privacy/")

    publish(privacy, title="How we use your details")
    response = client.get("/privacy/")

    assert response["X-Cache"] == "miss"
    assert b"How we use your details" in response.content


def test_publishing_a_page_refreshes_every_cached_page(client, site, privacy):
    cached(client, "/accessibility/")
    cached(client, "/")

    publish(privacy, title="How we use your details")

    assert client.get("/accessibility/")["X-Cache"] == "miss"
    assert client.get("/")["X-Cache"] == "miss"


def test_a_new_page_published_under_home_is_served_at_once(client, site):
    assert client.get("/guidance/").status_code == 404
    page = ContentPage(title="Guidance for schools", slug="guidance", body="<p>Guidance</p>")
    site.add_child(instance=page)

    publish(page)

    response = client.get("/guidance/")
    assert response.status_code == 200
    assert b"Guidance for schools" in response.content


def test_saving_a_draft_does_not_change_the_cached_page(client, privacy):
    # Published for real (not restored from a snapshot): its search index task has run.
    privacy.save_revision().publish()
    cached(client, "/privacy/")

    privacy.title = "Draft title nobody should see yet"
    privacy.save_revision()
    response = client.get("/privacy/")

    assert response["X-Cache"] == "hit"
    assert b"Draft title nobody should see yet" not in response.content


def test_unpublishing_a_page_removes_it_at_once(client, privacy):
    cached(client, "/privacy/")

    privacy.unpublish()

    assert client.get("/privacy/").status_code == 404


def test_deleting_a_page_removes_it_at_once(client, privacy):
    cached(client, "/privacy/")

    privacy.delete()

    assert client.get("/privacy/").status_code == 404


def test_deleting_pages_in_bulk_removes_them_at_once(client, privacy):
    cached(client, "/privacy/")

    Page.objects.filter(pk=privacy.pk).delete()  # no unpublish signal: only post_delete

    assert client.get("/privacy/").status_code == 404


def test_moving_a_page_changes_its_address_at_once(client, site, privacy):
    page = ContentPage.objects.get(slug="staying-safe-online")
    cached(client, "/staying-safe-online/")

    page.move(privacy, pos="last-child")

    old = client.get("/staying-safe-online/")
    assert old.status_code == 301  # Wagtail's automatic redirect, not the cached page
    assert old["Location"] == "/privacy/staying-safe-online/"
    assert client.get("/privacy/staying-safe-online/").status_code == 200


def test_a_live_page_saved_by_code_is_served_at_once(client, privacy):
    cached(client, "/privacy/")

    privacy.title = "Changed by an import"
    privacy.save()

    assert b"Changed by an import" in client.get("/privacy/").content


def test_a_page_taken_offline_by_code_is_gone_at_once(client, privacy):
    cached(client, "/privacy/")

    privacy.live = False
    privacy.save()

    assert client.get("/privacy/").status_code == 404


def test_making_a_page_private_stops_serving_the_cached_copy(client, privacy):
    cached(client, "/privacy/")

    PageViewRestriction.objects.create(
        page=privacy, restriction_type=PageViewRestriction.PASSWORD, password="secret"
    )
    response = client.get("/privacy/")

    assert response["X-Cache"] == "bypass"
    assert b"password" in response.content.lower()
    assert b"Who we are" not in response.content


# ---- invalidation: settings, snippets and other models ---------------------------------------


def test_changing_the_site_settings_shows_at_once(client, privacy):
    cached(client, "/privacy/")

    settings_row = SiteSettings.load()
    settings_row.contact_email = "safeguarding.team@leeds.gov.uk"
    settings_row.save()

    assert b"safeguarding.team@leeds.gov.uk" in client.get("/privacy/").content


def test_changing_the_site_shows_at_once(client, site, privacy):
    cached(client, "/privacy/")

    Site.objects.filter(is_default_site=True).get().delete()

    # With no site the page cannot be routed any more: a cached copy would still show it.
    assert client.get("/privacy/").status_code == 404


def test_a_change_saved_without_signals_shows_after_invalidate_pages(client, privacy):
    cached(client, "/privacy/")
    ContentPage.objects.filter(pk=privacy.pk).update(title="Updated in bulk")

    assert client.get("/privacy/")["X-Cache"] == "hit"  # update() sends no signal...
    pagecache.invalidate_pages()  # ...so the code that calls it says so.

    assert b"Updated in bulk" in client.get("/privacy/").content


def test_uploading_or_changing_an_image_refreshes_cached_pages(client, privacy):
    cached(client, "/privacy/")
    image = Image.objects.create(title="Safer sleep poster", file=_png("poster.png"))

    assert client.get("/privacy/")["X-Cache"] == "miss"
    assert client.get("/privacy/")["X-Cache"] == "hit"

    image.title = "Safer sleep poster (2025)"
    image.save()

    assert client.get("/privacy/")["X-Cache"] == "miss"


def test_adding_or_removing_a_redirect_refreshes_cached_pages(client, site, privacy):
    cached(client, "/privacy/")
    redirect = Redirect.objects.create(old_path="/old-privacy", redirect_page=privacy)

    assert client.get("/privacy/")["X-Cache"] == "miss"
    assert client.get("/privacy/")["X-Cache"] == "hit"

    redirect.delete()

    assert client.get("/privacy/")["X-Cache"] == "miss"


def test_a_missing_model_in_the_setting_is_skipped(settings):
    settings.PAGE_CACHE_INVALIDATED_BY = ["lscp_site.SiteSettings", "nowhere.Nothing", "bad"]

    assert pagecache.invalidating_models() == [SiteSettings]


def test_unrelated_changes_leave_the_cache_alone(client, privacy):
    cached(client, "/privacy/")

    Group.objects.create(name="Training administrators")

    assert client.get("/privacy/")["X-Cache"] == "hit"


def test_a_page_cached_before_the_change_commits_is_dropped_at_commit(
    client, privacy, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as at_commit:
        publish(privacy, title="Privacy notice, revised")
        # Another reader could render and store the page here, before the change commits
        # (readers on other connections would still see the old page).
        cached(client, "/privacy/")

    # Leaving the block ran what runs when the transaction commits.
    assert at_commit
    assert client.get("/privacy/")["X-Cache"] == "miss"


def test_a_lost_generation_never_revives_old_pages(client, privacy):
    cached(client, "/privacy/")

    cache.delete(f"{pagecache.AREA_VERSION_KEY_PREFIX}{pagecache.SITE_AREA}")  # evicted

    assert client.get("/privacy/")["X-Cache"] == "miss"


def test_pages_rendered_by_the_previous_release_are_not_served_after_a_deploy(
    client, privacy, monkeypatch
):
    cached(client, "/privacy/")

    monkeypatch.setattr(pagecache, "release", lambda: "the-next-release")

    assert client.get("/privacy/")["X-Cache"] == "miss"


def test_the_release_changes_with_a_template(tmp_path, settings):
    (tmp_path / "base.html").write_text("<p>one</p>")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path]}]
    pagecache.release.cache_clear()
    before = pagecache.release()

    (tmp_path / "base.html").write_text("<p>two</p>")
    pagecache.release.cache_clear()

    assert pagecache.release() != before
    pagecache.release.cache_clear()


def test_the_invalidate_pages_command_makes_every_page_stale(client, privacy):
    cached(client, "/privacy/")

    call_command("invalidate_pages", stdout=io.StringIO())

    assert client.get("/privacy/")["X-Cache"] == "miss"


def test_pages_stored_yesterday_are_not_served_today(client, privacy):
    with time_machine.travel(datetime.datetime(2025, 3, 18, 23, 58, tzinfo=datetime.UTC)):
        cached(client, "/privacy/")
    with time_machine.travel(datetime.datetime(2025, 3, 19, 0, 1, tzinfo=datetime.UTC)):
        assert client.get("/privacy/")["X-Cache"] == "miss"


@pytest.fixture
def unreachable_redis(settings):
    """The shared cache configured as production's, on a port where nothing listens."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 0.2},
        }
    }


def test_publishing_still_works_when_the_cache_is_down(client, privacy, unreachable_redis):
    publish(privacy, title="Published while the cache was down")

    assert ContentPage.objects.get(pk=privacy.pk).title == "Published while the cache was down"
    assert b"Published while the cache was down" in client.get("/privacy/").content


def test_pages_are_served_when_the_cache_is_down(client, privacy, unreachable_redis):
    for _ in range(2):
        response = client.get("/privacy/")

        assert response.status_code == 200
        assert response["X-Cache"] == "bypass"


# ---- bypass: requests ---------------------------------------------------------------------


def test_a_signed_in_editor_never_gets_the_cached_page(client, admin_client, privacy):
    cached(Client(), "/privacy/")

    response = admin_client.get("/privacy/")

    assert response["X-Cache"] == "bypass"
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
    assert b"wagtail-userbar" in response.content.lower()


def test_a_signed_in_editor_sees_a_publish_at_once(admin_client, privacy):
    admin_client.get("/privacy/")
    publish(privacy, title="Edited by the editor")

    assert b"Edited by the editor" in admin_client.get("/privacy/").content


def test_an_editors_page_is_never_stored_for_readers(admin_client, privacy):
    admin_client.get("/privacy/")
    admin_client.get("/privacy/")

    response = Client().get("/privacy/")

    assert response["X-Cache"] == "miss"
    assert b"wagtail-userbar" not in response.content.lower()


def test_a_request_with_any_session_cookie_bypasses(privacy, settings):
    reader = Client()
    reader.cookies[settings.SESSION_COOKIE_NAME] = "made-up"
    cached(Client(), "/privacy/")

    assert reader.get("/privacy/")["X-Cache"] == "bypass"


def test_a_request_with_a_flash_message_cookie_bypasses(privacy):
    reader = Client()
    reader.cookies["messages"] = "anything"
    cached(Client(), "/privacy/")

    assert reader.get("/privacy/")["X-Cache"] == "bypass"


def test_a_request_with_http_authorisation_bypasses(client, privacy):
    cached(Client(), "/privacy/")

    assert client.get("/privacy/", HTTP_AUTHORIZATION="Basic dXNlcjpwYXNz")["X-Cache"] == "bypass"


def test_a_form_post_bypasses_and_is_not_stored(client, privacy):
    response = client.post("/privacy/", {"email": "someone@example.org"})

    assert response["X-Cache"] == "bypass"
    assert client.get("/privacy/")["X-Cache"] == "miss"


def test_an_unknown_query_parameter_bypasses(client, privacy):
    cached(client, "/privacy/")

    response = client.get("/privacy/?colour=red")

    assert response["X-Cache"] == "bypass"
    assert "Cache-Control" not in response  # nothing personal: left to the view


def test_tracking_parameters_from_emails_get_the_cached_page(client, privacy):
    cached(client, "/privacy/")

    response = client.get("/privacy/?utm_source=newsletter&utm_campaign=march")

    assert response["X-Cache"] == "hit"


@probes
def test_a_very_long_query_string_bypasses(site, settings):
    settings.PAGE_CACHE_MAX_QUERY_LENGTH = 50

    assert Client().get("/probe/listing/?year=" + "2" * 60)["X-Cache"] == "bypass"
    assert Client().get("/probe/listing/?year=" + "2" * 30)["X-Cache"] == "miss"


def test_the_admin_bypasses(client, admin_user):
    response = client.get("/admin/login/")

    assert response["X-Cache"] == "bypass"


@probes
@pytest.mark.parametrize("url", ["/subscribe/probe/", "/training/bookings/probe/"])
def test_sign_up_and_booking_addresses_bypass(client, site, url):
    client.get(url)
    response = client.get(url)

    assert response["X-Cache"] == "bypass"
    assert "no-store" in response["Cache-Control"]


@probes
def test_an_address_with_a_signed_token_bypasses(client, site):
    url = "/probe/signed/eyJlbWFpbCI6ImFAYi5jIn0:1tOAbc:Xyz123/"
    client.get(url)
    response = client.get(url)

    assert response["X-Cache"] == "bypass"
    assert "no-store" in response["Cache-Control"]


# ---- bypass: responses --------------------------------------------------------------------


def test_a_missing_page_is_not_cached(client, site):
    client.get("/no-such-page/")
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert response["X-Cache"] == "bypass"


@probes
def test_a_streamed_response_is_not_cached(client, site):
    client.get("/probe/streaming/")
    response = client.get("/probe/streaming/")

    assert response["X-Cache"] == "bypass"
    assert b"".join(response.streaming_content) == b"<p>streamed</p>"


@probes
def test_a_response_that_varies_on_language_is_not_cached(client, site):
    client.get("/probe/language/")

    assert client.get("/probe/language/")["X-Cache"] == "bypass"


@probes
def test_a_response_marked_private_by_its_view_is_not_cached(client, site):
    client.get("/probe/private/")
    response = client.get("/probe/private/")

    assert response["X-Cache"] == "bypass"
    assert response["Cache-Control"] == "private"


@probes
def test_a_plain_view_is_cached_like_a_page(client, site):
    assert cached(client, "/probe/plain/").content == b"<p>plain</p>"


# ---- no leaks: cookies, sessions, CSRF tokens, nonces ----------------------------------------


@pytest.fixture
def slow(site):
    global slow_view
    slow_view.__init__()
    yield slow_view
    slow_view.finish.set()


def _get_in_threads(count):
    pool = ThreadPoolExecutor(count)
    return pool, [pool.submit(Client().get, "/probe/slow/") for _ in range(count)]


@probes
def test_readers_missing_the_same_page_together_render_it_once(slow):
    first_pool, first = _get_in_threads(1)
    assert slow.started.wait(timeout=10)
    pool, others = _get_in_threads(3)
    time.sleep(0.2)  # the others find the render under way and wait for it
    slow.finish.set()

    responses = [future.result(timeout=10) for future in [*first, *others]]
    first_pool.shutdown()
    pool.shutdown()
    assert slow.renders == 1
    assert [response["X-Cache"] for response in responses] == ["miss", "hit", "hit", "hit"]
    assert {response.content for response in responses} == {b"<p>render 1</p>"}


@probes
def test_a_reader_waiting_for_a_render_that_a_change_overtakes_renders_the_page_itself(slow):
    first_pool, first = _get_in_threads(1)
    assert slow.started.wait(timeout=10)
    pool, waiting = _get_in_threads(1)
    time.sleep(0.2)  # it finds the render under way and waits for it
    pagecache.invalidate_pages()  # a publish while the first render is under way
    slow.finish.set()

    assert first[0].result(timeout=10).content == b"<p>render 1</p>"
    assert waiting[0].result(timeout=10).content == b"<p>render 2</p>"
    first_pool.shutdown()
    pool.shutdown()
    kept = Client().get("/probe/slow/")  # the waiting reader's render is the one kept
    assert (kept["X-Cache"], kept.content) == ("hit", b"<p>render 2</p>")


@probes
def test_a_response_that_sets_a_cookie_is_never_stored(site):
    first = Client().get("/probe/cookie/")
    second = Client().get("/probe/cookie/")

    assert first["X-Cache"] == second["X-Cache"] == "bypass"
    assert "preference" in second.cookies  # set by the view itself, not replayed
    assert "no-store" in second["Cache-Control"]


@probes
def test_a_session_started_by_a_page_is_never_given_to_another_reader(site, settings):
    first = Client().get("/probe/session/")
    second = Client().get("/probe/session/")
    name = settings.SESSION_COOKIE_NAME

    assert first["X-Cache"] == second["X-Cache"] == "bypass"
    assert first.cookies[name].value != second.cookies[name].value


def test_a_cached_page_never_sets_a_cookie(client, privacy):
    hit = cached(client, "/privacy/")

    assert not hit.cookies
    assert "Set-Cookie" not in hit


@probes
def test_a_page_with_a_csrf_token_is_never_stored_or_shared(site, settings):
    first = Client().get("/probe/csrf/")
    second = Client().get("/probe/csrf/")
    token = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
    name = settings.CSRF_COOKIE_NAME

    assert first["X-Cache"] == second["X-Cache"] == "bypass"
    assert first.cookies[name].value != second.cookies[name].value
    assert token.search(first.content)[1] != token.search(second.content)[1]
    assert "no-store" in second["Cache-Control"]


@probes
def test_a_reader_that_already_has_a_csrf_cookie_still_gets_the_cached_page(client, site):
    cached(Client(), "/probe/plain/")
    client.get("/probe/csrf/")  # now holds a CSRF cookie

    assert client.get("/probe/plain/")["X-Cache"] == "hit"


def _nonces(response):
    header = NONCE_IN_HEADER.findall(response["Content-Security-Policy"])
    body = NONCE_IN_BODY.findall(response.content.decode())
    return header, body


@probes
def test_a_page_with_a_csp_nonce_is_never_stored_or_shared(site):
    """A nonce is one reader's: a page that uses one is rendered for each reader."""
    responses = [Client().get("/probe/nonce/") for _ in range(2)]

    assert [r["X-Cache"] for r in responses] == ["bypass", "bypass"]
    nonces = [NONCE_IN_BODY.findall(r.content.decode()) for r in responses]
    assert nonces[0] != nonces[1]
    for response, [nonce] in zip(responses, nonces, strict=True):
        assert set(NONCE_IN_HEADER.findall(response["Content-Security-Policy"])) == {nonce}


# ---- invalidation: training, events, sign-up topics, newsletter -------------------------------

# A Monday in March 2025 in Leeds; the sessions below are in May.
TRAINING_NOW = datetime.datetime(2025, 3, 3, 10, 0, tzinfo=LONDON)


@pytest.fixture
def course(site):
    with time_machine.travel(TRAINING_NOW, tick=False):
        catalogue = training_factories.make_index(site)
        yield training_factories.make_course(
            catalogue,
            title="Child exploitation in Leeds",
            slug="child-exploitation",
            audiences=[training_factories.AudienceFactory(name="Youth workers", slug="youth")],
            sessions=[
                training_factories.make_session(
                    start=training_factories.london(2025, 5, 8, 14), capacity=10
                )
            ],
            revision=True,
        )


COURSE_URL = "/training/child-exploitation/"


def test_a_booking_changes_the_places_left_on_every_page_at_once(client, course):
    assert b"10 places left" in cached(client, COURSE_URL).content
    cached(client, "/training/")

    training_factories.book(course.sessions.get())

    assert b"9 places left" in client.get(COURSE_URL).content
    assert client.get("/training/")["X-Cache"] == "miss"


def test_cancelling_a_booking_gives_the_place_back_at_once(client, course):
    booking = training_factories.book(course.sessions.get())
    assert b"9 places left" in cached(client, COURSE_URL).content

    training_booking.cancel(booking=booking)

    assert b"10 places left" in client.get(COURSE_URL).content


def test_calling_off_a_session_shows_at_once(client, course):
    training_factories.book(course.sessions.get())
    cached(client, COURSE_URL)

    training_booking.cancel_session(session=course.sessions.get())

    response = client.get(COURSE_URL)
    assert b"Cancelled" in response.content
    assert b"places left" not in response.content


def test_changing_a_sessions_places_shows_at_once(client, course):
    cached(client, COURSE_URL)
    session = course.sessions.get()

    session.capacity = 25
    session.save()

    assert b"25 places left" in client.get(COURSE_URL).content


def test_renaming_an_audience_shows_at_once(client, course):
    assert b"Youth workers" in cached(client, COURSE_URL).content

    audience = Audience.objects.get(slug="youth")
    audience.name = "Youth justice workers"
    audience.save()

    assert b"Youth justice workers" in client.get(COURSE_URL).content


def test_a_cached_course_page_is_the_same_for_every_reader_and_a_cdn_may_share_it(course):
    """Course pages carry structured data in a data block, which needs no nonce; so the
    page is stored whole, served byte for byte, and public for a CDN."""
    responses = [Client().get(COURSE_URL) for _ in range(3)]

    assert [r["X-Cache"] for r in responses] == ["miss", "hit", "hit"]
    assert b'type="application/ld+json"' in responses[0].content
    assert responses[1].content == responses[2].content == responses[0].content
    assert responses[1]["ETag"] == responses[2]["ETag"] and not responses[1]["ETag"].startswith(
        "W/"
    )
    assert responses[1]["Cache-Control"].startswith("public")
    assert _nonces(responses[1]) == ([], [])


@pytest.fixture
def event(site):
    diary = events_factories.make_index(site)
    category = events_factories.EventCategoryFactory(name="Awareness day", slug="awareness-days")
    return events_factories.make_event(
        diary, title="Safer Internet Day", slug="safer-internet-day", category=category
    )


def test_renaming_an_event_category_shows_at_once(client, event):
    assert b"Awareness day" in cached(client, "/events/safer-internet-day/").content

    category = EventCategory.objects.get(slug="awareness-days")
    category.name = "National awareness day"
    category.save()

    assert b"National awareness day" in client.get("/events/safer-internet-day/").content


def test_publishing_an_event_lists_it_in_the_diary_at_once(client, event):
    with time_machine.travel(datetime.datetime(2025, 3, 3, 10, tzinfo=LONDON), tick=False):
        cached(client, "/events/")
        new_event = EventPage(
            title="Anti-Bullying Week",
            slug="anti-bullying-week",
            start_date=datetime.date(2025, 11, 10),
            category=event.category,
            summary="A week of activities.",
            live=False,
        )
        event.get_parent().add_child(instance=new_event)
        publish(new_event)

        assert b"Anti-Bullying Week" in client.get("/events/").content


def test_renaming_a_sign_up_topic_changes_the_footer_of_cached_pages(
    client, privacy, django_capture_on_commit_callbacks
):
    topic = Topic.objects.create(name="Training opportunities", slug="training")
    assert b"Training opportunities" in cached(client, "/privacy/").content

    with django_capture_on_commit_callbacks(execute=True):
        topic.name = "Training and development opportunities"
        topic.save()

    assert b"Training and development opportunities" in client.get("/privacy/").content


def test_publishing_an_issue_lists_it_in_the_archive_at_once(client, site):
    index = newsletter_factories.make_index(site)
    newsletter_factories.make_issue(index, datetime.date(2025, 2, 1), title="February Newsletter")
    cached(client, "/newsletter/")

    newsletter_factories.make_issue(index, datetime.date(2025, 3, 1), title="March Newsletter")

    assert b"March Newsletter" in client.get("/newsletter/").content


# ---- the clock: what a page shows that the time changes, with nothing else changing ---------


def test_a_cached_course_page_shows_booking_closed_from_the_moment_it_closes(client, site):
    closes = datetime.datetime(2025, 5, 6, 17, 0, tzinfo=LONDON)
    with time_machine.travel(TRAINING_NOW, tick=False):
        catalogue = training_factories.make_index(site)
        training_factories.make_course(
            catalogue,
            slug="graded-care",
            sessions=[
                training_factories.make_session(
                    start=training_factories.london(2025, 5, 8, 14), booking_closes_at=closes
                )
            ],
            revision=True,
        )
    url = "/training/graded-care/"

    with time_machine.travel(closes - datetime.timedelta(minutes=1), tick=False):
        page = cached(client, url)
        assert b"10 places left" in page.content
        # Browsers and a CDN are told to keep it no longer than the minute it has left.
        assert "max-age=60" in page["Cache-Control"]
        assert "stale-while-revalidate=0" in page["Cache-Control"]
    with time_machine.travel(closes, tick=False):
        response = client.get(url)
        assert response["X-Cache"] == "miss"
        assert b"Booking closed" in response.content
        assert b"places left" not in response.content


def test_a_cached_event_page_says_the_date_has_passed_from_the_moment_it_ends(
    client, morning_event
):
    url = "/events/neglect-briefing/"
    with time_machine.travel(NOON - datetime.timedelta(minutes=3), tick=False):
        assert b"This date has passed" not in cached(client, url).content
    with time_machine.travel(NOON - datetime.timedelta(seconds=1), tick=False):
        assert client.get(url)["X-Cache"] == "hit"
    with time_machine.travel(NOON, tick=False):
        response = client.get(url)
        assert response["X-Cache"] == "miss"
        assert b"This date has passed" in response.content


def test_cached_listings_drop_an_event_from_the_moment_it_ends(client, morning_event):
    with time_machine.travel(NOON - datetime.timedelta(minutes=3), tick=False):
        assert b"Neglect briefing" in cached(client, "/events/").content
        assert b"Neglect briefing" in cached(client, "/").content
        assert b"Neglect briefing" not in cached(client, "/events/past/").content
    with time_machine.travel(NOON, tick=False):
        assert b"Neglect briefing" not in client.get("/events/").content
        assert b"Neglect briefing" not in client.get("/").content
        assert b"Neglect briefing" in client.get("/events/past/").content


def test_a_page_that_the_clock_does_not_change_keeps_its_usual_lifetime(client, privacy, settings):
    with time_machine.travel(datetime.datetime(2025, 3, 18, 10, 0, tzinfo=LONDON), tick=False):
        page = cached(client, "/privacy/")
        stored = cache.get(pagecache.cache_key(page.wsgi_request))

    assert f"max-age={settings.PAGE_CACHE_MAX_AGE}" in page["Cache-Control"]
    assert stored.until == datetime.datetime(2025, 3, 19, 0, 0, tzinfo=LONDON)  # the day's end


def test_a_page_stored_just_before_midnight_is_kept_by_browsers_only_until_then(client, privacy):
    with time_machine.travel(datetime.datetime(2025, 3, 18, 23, 59, 20, tzinfo=LONDON), tick=False):
        page = cached(client, "/privacy/")

    assert set(page["Cache-Control"].split(", ")) == {
        "public",
        "max-age=40",
        "stale-while-revalidate=0",
    }


def test_moments_told_outside_a_render_for_the_cache_are_ignored():
    pagecache.shown_until(datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC))  # no error


def test_the_catalogue_of_courses_with_dates_to_come_follows_the_clock(client, site):
    """Filtered to courses with dates coming up, the catalogue's cards are worked out on each
    render; the page is still kept only until a card's session closes for booking, or a
    listed course's session starts (when a course can leave the listing)."""
    closes = datetime.datetime(2025, 5, 6, 17, 0, tzinfo=LONDON)
    starts = training_factories.london(2025, 5, 8, 14)
    with time_machine.travel(TRAINING_NOW, tick=False):
        catalogue = training_factories.make_index(site)
        training_factories.make_course(
            catalogue,
            title="Graded care profile",
            sessions=[training_factories.make_session(start=starts, booking_closes_at=closes)],
        )
        training_factories.make_course(
            catalogue,
            title="Working together",
            sessions=[training_factories.make_session(start=starts + datetime.timedelta(days=30))],
        )
    url = "/training/?upcoming=on"

    def cards():
        return [
            " ".join(card.get_text(" ", strip=True).split())
            for card in BeautifulSoup(client.get(url).content, "html.parser").select(".course-card")
        ]

    with time_machine.travel(closes - datetime.timedelta(minutes=1), tick=False):
        cached(client, url)
        assert "10 places left" in cards()[0]
    with time_machine.travel(closes, tick=False):
        assert client.get(url)["X-Cache"] == "miss"
        assert "booking closed" in cards()[0]
    with time_machine.travel(starts - datetime.timedelta(minutes=1), tick=False):
        cached(client, url)
        assert len(cards()) == 2
    with time_machine.travel(starts + datetime.timedelta(seconds=1), tick=False):
        shown = cards()
        assert len(shown) == 1 and "Working together" in shown[0]


def test_a_later_page_of_courses_with_dates_to_come_moves_up_when_a_course_leaves(client, site):
    """A course on the first page leaves the listing when its last session starts; the
    second page, whose own cards change later, is then shown afresh too."""
    starts = training_factories.london(2025, 5, 8, 14)
    later = starts + datetime.timedelta(days=30)
    with time_machine.travel(TRAINING_NOW, tick=False):
        catalogue = training_factories.make_index(site)
        training_factories.make_course(
            catalogue,
            title="A first look at neglect",
            sessions=[training_factories.make_session(start=starts)],
        )
        for number in range(1, 21):
            training_factories.make_course(
                catalogue,
                title=f"Course {number:02}",
                sessions=[training_factories.make_session(start=later)],
            )
    url = "/training/?upcoming=on&page=2"

    def titles():
        page = BeautifulSoup(client.get(url).content, "html.parser")
        return [heading.get_text(strip=True) for heading in page.select(".course-card h3")]

    with time_machine.travel(starts - datetime.timedelta(minutes=1), tick=False):
        cached(client, url)
        assert titles() == ["Course 20"]
    with time_machine.travel(starts + datetime.timedelta(seconds=1), tick=False):
        # Twenty courses are left: one page, which a page number past the end shows.
        assert titles()[0] == "Course 01"


def test_a_change_reaches_its_content_area_or_else_the_whole_site(settings):
    assert pagecache.area_of(NewsletterIssuePage, 7) == ("newsletter", "page:7")
    assert pagecache.area_of(EventCategory) == ("events",)
    assert pagecache.area_of(EventPage, 3) == ("events", "page:3")
    assert pagecache.area_of(ContentPage, 5) == (pagecache.SITE_AREA,)
    assert pagecache.area_of(SiteSettings) == (pagecache.SITE_AREA,)
    settings.PAGE_CACHE_CONTENT_AREAS = []
    assert pagecache.area_of(NewsletterIssuePage, 7) == (pagecache.SITE_AREA,)


# ---- content areas: a change re-renders the pages that show it, and no others -------------


def test_publishing_an_issue_keeps_the_pages_that_show_no_issue(client, event):
    index = newsletter_factories.make_index(event.get_parent().get_parent())
    issue = newsletter_factories.make_issue(index, datetime.date(2025, 2, 1), title="February")
    for url in ("/privacy/", "/events/safer-internet-day/", "/newsletter/", "/"):
        cached(client, url)

    publish(issue, title="February, revised")

    assert client.get("/privacy/")["X-Cache"] == "hit"
    assert client.get("/events/safer-internet-day/")["X-Cache"] == "hit"
    archive = client.get("/newsletter/")
    assert archive["X-Cache"] == "miss"
    assert b"February, revised" in archive.content
    home = client.get("/")  # its latest-issue section shows the newsletter
    assert home["X-Cache"] == "miss"
    assert b"February, revised" in home.content


def test_a_change_to_the_site_as_a_whole_reaches_every_page(client, event):
    for url in ("/privacy/", "/events/safer-internet-day/", "/events/"):
        cached(client, url)

    SiteSettings.load()
    settings_row = SiteSettings.objects.get()
    settings_row.contact_email = "safeguarding.partnership@example.org"
    settings_row.save()

    for url in ("/privacy/", "/events/safer-internet-day/", "/events/"):
        response = client.get(url)
        assert response["X-Cache"] == "miss"
        assert b"safeguarding.partnership@example.org" in response.content


def test_a_view_that_names_no_areas_is_rendered_again_after_any_change(client, event):
    cached(client, "/search/", data={"q": "internet"})

    topic = Topic.objects.create(name="Training opportunities", slug="training")
    topic.save()

    assert client.get("/search/", data={"q": "internet"})["X-Cache"] == "miss"


def test_a_page_cannot_name_an_area_that_does_not_exist():
    with pytest.raises(ValueError, match="Not a content area: trainng"):
        pagecache.showing_areas("trainng")


# ---- changes that name the pages they reach: an issue and its neighbours --------------------


@pytest.fixture
def issues(client, site):
    """Four issues, January to April 2025, every page cached."""
    index = newsletter_factories.make_index(site)
    made = {
        month: newsletter_factories.make_issue(
            index, datetime.date(2025, number, 1), title=f"{month} Newsletter"
        )
        for number, month in enumerate(["January", "February", "March", "April"], start=1)
    }
    for issue in made.values():
        cached(client, issue.url)
    cached(client, "/newsletter/")
    return made


def pager(client, issue):
    """(what a reader gets: hit or miss, {rel: link text}) of an issue's pager."""
    response = client.get(issue.url)
    nav = BeautifulSoup(response.content, "html.parser").find(
        "nav", attrs={"aria-label": "Other issues"}
    )
    links = {link["rel"][0]: link.get_text(" ", strip=True) for link in nav.find_all("a", rel=True)}
    return response["X-Cache"], links


def test_publishing_an_issue_re_renders_it_and_its_neighbours_and_keeps_the_other_issues(
    client, issues
):
    publish(issues["March"], title="March Newsletter, revised")

    assert pager(client, issues["January"])[0] == "hit"
    shown, links = pager(client, issues["February"])
    assert shown == "miss"
    assert links["next"].startswith("Next issue: March Newsletter, revised")
    shown, links = pager(client, issues["April"])
    assert shown == "miss"
    assert links["prev"].startswith("Previous issue: March Newsletter, revised")
    march = client.get(issues["March"].url)
    assert march["X-Cache"] == "miss"
    assert b"March Newsletter, revised" in march.content
    archive = client.get("/newsletter/")
    assert archive["X-Cache"] == "miss"
    assert b"March Newsletter, revised" in archive.content


def test_a_new_issue_reaches_every_issue_page(client, issues):
    newsletter_factories.make_issue(
        issues["January"].get_parent(), datetime.date(2025, 5, 1), title="May Newsletter"
    )

    for month in ("January", "February", "March"):
        assert client.get(issues[month].url)["X-Cache"] == "miss"
    assert pager(client, issues["April"])[1]["next"].startswith("Next issue: May Newsletter")


def test_an_issue_moved_to_another_month_leaves_one_pager_and_joins_another(client, issues):
    publish(issues["February"], issue_date=datetime.date(2025, 6, 1))

    assert pager(client, issues["January"])[1]["next"].startswith("Next issue: March Newsletter")
    assert pager(client, issues["April"])[1]["next"].startswith("Next issue: February Newsletter")


def test_an_issue_taken_offline_leaves_its_neighbours_pagers(client, issues):
    issues["February"].unpublish()

    assert pager(client, issues["January"])[1]["next"].startswith("Next issue: March Newsletter")
    assert pager(client, issues["March"])[1]["prev"].startswith("Previous issue: January")


def test_renaming_the_archive_reaches_every_issue_page(client, issues):
    archive = issues["January"].get_parent().specific
    publish(archive, title="Newsletter archive")

    for issue in issues.values():
        crumbs = BeautifulSoup(client.get(issue.url).content, "html.parser").select_one(
            "nav[aria-label=Breadcrumb]"
        )
        assert "Newsletter archive" in crumbs.get_text()


def test_invalidating_the_newsletter_by_hand_reaches_every_issue_page(client, issues):
    pagecache.invalidate_pages("newsletter")

    for issue in issues.values():
        assert client.get(issue.url)["X-Cache"] == "miss"


def test_a_neighbour_cached_before_the_publish_commits_is_dropped_at_commit(
    client, issues, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as at_commit:
        publish(issues["March"], title="March Newsletter, revised")
        # Another reader could render and store a neighbour here, before the change commits.
        cached(client, issues["April"].url)

    assert at_commit
    assert client.get(issues["April"].url)["X-Cache"] == "miss"


def test_a_neighbour_whose_address_is_not_ascii_is_reached(client, issues):
    publish(issues["February"], slug="café-février")
    cafe = NewsletterIssuePage.objects.get(pk=issues["February"].pk)
    cached(client, cafe.url)
    assert "%C3%A9" in cafe.url  # Wagtail writes it percent-encoded; readers ask for either

    publish(issues["March"], title="March Newsletter, revised")

    assert "March Newsletter, revised" in pager(client, cafe)[1]["next"]
