"""``{% cachefragment "name" vary_on... shows="area ..." of=page at=page %}...``:
Django's template fragment caching, kept until what the block shows changes, for the parts
of a page that cost the most to render and change only with content (an issue's body, a
page of listing cards, the next sessions).

It is Django's ``{% cache %}`` with what the page cache (``lscp_site.pagecache``) knows of
content added:

* ``shows``: the content areas the block reads (app labels of
  ``PAGE_CACHE_CONTENT_AREAS``), ``of``: the page whose own content it shows, and ``at``:
  the page whose address it is shown at, for what other pages' changes name (an issue's
  pager shows its neighbours, whose changes name it). The key
  (``make_template_fragment_key``) includes their versions and that of the site as a whole,
  which changes replace (:func:`pagecache.invalidate_pages`), so a fragment is never read
  after what it shows has changed, is kept across changes elsewhere, and nothing has to be
  deleted. Without ``shows`` any change renders it again;
* a fragment that shows something the clock changes (a session closing for booking, an
  event ending) is kept only until that moment: whatever renders such a thing inside the
  block says when with :func:`pagecache.shown_until`, the fragment is stored with the
  first such moment, and reading it back passes the moment on to the page cache.

Previews always render afresh. If the cache cannot be reached the block is rendered.
"""

from django import template
from django.core.cache.utils import make_template_fragment_key
from django.template.base import token_kwargs

from lscp_site import pagecache

register = template.Library()


class CacheFragmentNode(template.Node):
    def __init__(self, nodelist, name, vary_on, shows, of, at):
        self.nodelist = nodelist
        self.name = name
        self.vary_on = vary_on
        self.shows = shows
        self.of = of
        self.at = at

    def render(self, context):
        request = context.get("request")
        if getattr(request, "is_preview", False):
            return self.nodelist.render(context)
        name = self.name.resolve(context)
        vary_on = [variable.resolve(context) for variable in self.vary_on]
        areas = None
        if self.shows is not None:
            areas = self.shows.resolve(context).split()
        if self.of is not None:
            page = self.of.resolve(context)
            vary_on.append(page.pk)
            areas = [*(areas or []), pagecache.page_area(page)]
        if self.at is not None:
            address = pagecache.page_address_area(self.at.resolve(context), request)
            vary_on.append(address)
            areas = [*(areas or []), address]
        return pagecache.fragment(
            make_template_fragment_key(name, vary_on),
            lambda: self.nodelist.render(context),
            areas=areas,
        )


@register.tag("cachefragment")
def do_cachefragment(parser, token):
    """``{% cachefragment "course-article" page.pk shows="training" %}``: the name, then
    every value the block's output depends on besides content (the page of a listing, the
    filters chosen), then what content it shows: ``shows`` (content areas), ``of`` (a
    page, whose id is then part of the key) and ``at`` (a page, whose address is)."""
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError(f"'{bits[0]}' needs a fragment name")
    vary_on = [bit for bit in bits[2:] if not bit.startswith(("shows=", "of=", "at="))]
    options = token_kwargs([bit for bit in bits[2:] if bit not in vary_on], parser)
    nodelist = parser.parse(("endcachefragment",))
    parser.delete_first_token()
    return CacheFragmentNode(
        nodelist,
        parser.compile_filter(bits[1]),
        [parser.compile_filter(bit) for bit in vary_on],
        options.get("shows"),
        options.get("of"),
        options.get("at"),
    )
