"""How page links in rich text are written out: Wagtail's handler, one query lighter."""

from wagtail.models import Page
from wagtail.rich_text.pages import PageLinkHandler as WagtailPageLinkHandler


class PageLinkHandler(WagtailPageLinkHandler):
    """Wagtail's page link handler, reading the linked pages as plain pages: one query for
    the links of a rich text, where Wagtail's reads each page's own type too (a second
    query) in case a type builds its address its own way. No page type here does
    (tests/lscp_site/test_rich_text.py checks each), so a plain page has the same address.

    Only the columns an address is made of are read (``url_path``, and ``live``, which
    ``page.localized`` looks at): a 20-section issue's texts make a dozen such reads on its
    first view after a publish. A field read beyond them would cost a query per link, which
    tests/lscp_site/test_rich_text.py would count.

    Registered in place of Wagtail's for the ``page`` link type (wagtail_hooks.py)."""

    ADDRESS_FIELDS = ("url_path", "live")

    @classmethod
    def get_many(cls, attrs_list):
        ids = [attrs.get("id") for attrs in attrs_list]
        pages = {
            str(page.pk): page for page in Page.objects.filter(pk__in=ids).only(*cls.ADDRESS_FIELDS)
        }
        return [pages.get(str(page_id)) for page_id in ids]
