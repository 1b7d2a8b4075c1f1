"""The {% cachefragment %} tag: kept per content version, and until the moments its
content tells the page cache of."""

import datetime

from django.template import Context, Template
from django.utils import timezone

import time_machine

from lscp_site import pagecache

TEMPLATE = Template(
    "{% load lscp_cache %}{% cachefragment 'greeting' who %}{{ render }}{% endcachefragment %}"
)


class Counter:
    """Renders as how many times it has been rendered, telling a moment if given one."""

    def __init__(self, moment=None):
        self.count = 0
        self.moment = moment

    def __str__(self):
        self.count += 1
        pagecache.shown_until(self.moment)
        return str(self.count)


def render(counter, who="reader", request=None):
    return TEMPLATE.render(Context({"render": counter, "who": who, "request": request}))


def test_a_fragment_is_rendered_once_per_content_version():
    counter = Counter()
    assert render(counter) == "1"
    assert render(counter) == "1"
    pagecache.invalidate_pages()
    assert render(counter) == "2"


def test_each_value_it_varies_on_is_kept_apart():
    counter = Counter()
    assert render(counter, who="a") == "1"
    assert render(counter, who="b") == "2"
    assert render(counter, who="a") == "1"


def test_a_fragment_is_kept_only_until_the_moment_its_content_told():
    moment = timezone.now() + datetime.timedelta(minutes=5)
    counter = Counter(moment)
    with time_machine.travel(moment - datetime.timedelta(seconds=1), tick=False):
        assert render(counter) == "1"
        assert render(counter) == "1"
    with time_machine.travel(moment, tick=False):
        assert render(counter) == "2"


def test_reading_a_fragment_back_passes_its_moment_to_the_page():
    moment = timezone.now() + datetime.timedelta(minutes=5)
    render(Counter(moment))
    with pagecache.collecting_moments() as moments:
        assert render(Counter()) == "1"  # read back: the new counter is not rendered
    assert moments.until == moment


def test_previews_always_render_afresh(rf):
    request = rf.get("/")
    request.is_preview = True
    counter = Counter()
    assert render(counter, request=request) == "1"
    assert render(counter, request=request) == "2"


AREAS_TEMPLATE = Template(
    "{% load lscp_cache %}"
    "{% cachefragment 'spotlight' shows='training events' %}{{ render }}{% endcachefragment %}"
)
PAGE_TEMPLATE = Template(
    "{% load lscp_cache %}"
    "{% cachefragment 'body' of=page shows='training' %}{{ render }}{% endcachefragment %}"
)


class Page:
    def __init__(self, pk):
        self.pk = pk


def test_a_fragment_that_says_what_it_shows_is_kept_across_changes_elsewhere():
    counter = Counter()

    def shown():
        return AREAS_TEMPLATE.render(Context({"render": counter}))

    assert shown() == "1"
    pagecache.invalidate_pages("newsletter")  # an area it does not show
    assert shown() == "1"
    pagecache.invalidate_pages("events")
    assert shown() == "2"
    pagecache.invalidate_pages("training")
    assert shown() == "3"
    pagecache.invalidate_pages()  # the whole site: a move, a picture, settings
    assert shown() == "4"


def test_a_fragment_of_a_page_is_rendered_again_when_that_page_changes():
    counter = Counter()

    def shown(pk):
        return PAGE_TEMPLATE.render(Context({"render": counter, "page": Page(pk)}))

    assert shown(1) == "1"
    assert shown(2) == "2"  # each page's own
    pagecache.invalidate_pages(pagecache.page_area(Page(2)))
    assert shown(1) == "1"
    assert shown(2) == "3"


def test_a_fragment_without_areas_is_rendered_again_after_any_change():
    counter = Counter()
    assert render(counter) == "1"
    pagecache.invalidate_pages("newsletter")
    assert render(counter) == "2"
    pagecache.invalidate_pages(pagecache.SEARCH_AREA)
    assert render(counter) == "3"
