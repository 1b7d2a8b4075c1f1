"""How page links in rich text are written out: Wagtail's handler, one query lighter."""

from wagtail.models import Page
from wagtail.rich_text.pages import PageLinkHandler as WagtailPageLinkHandler


class PageLinkHandler(WagtailPageLinkHandler):
    """Wagtail's page link handler, reading the linked pages as plain pages: one query for
    the links of a rich text, where Wagtail's reads each page's own type too (a second
    query) in case a type builds its address its own way. No page type here does
    (tests/lscp_site/test_rich_text.py checks each), so a plain page has the same address.

    Registered in place of Wagtail's for the ``page`` link type (wagtail_hooks.py)."""

    @classmethod
    def get_many(cls, attrs_list):
        ids = [attrs.get("id") for attrs in attrs_list]
        pages = {str(page.pk): page for page in Page.objects.filter(pk__in=ids)}
        return [pages.get(str(page_id)) for page_id in ids]
