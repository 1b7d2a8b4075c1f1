"""``{% cachefragment "name" vary_on... %}...{% endcachefragment %}``: Django's template
fragment caching, keyed by the site's content version, for the parts of a page that cost
the most to render and change only with content (an issue's body, a page of listing
cards, the next sessions).

It is Django's ``{% cache %}`` with two things added, both from the page cache
(``lscp_site.pagecache``):

* the key (``make_template_fragment_key``) includes :func:`pagecache.content_version`,
  which every publish or content change replaces, so a fragment is never read after what
  it shows has changed, and nothing has to be deleted;
* a fragment that shows something the clock changes (a session closing for booking, an
  event ending) is kept only until that moment: whatever renders such a thing inside the
  block says when with :func:`pagecache.shown_until`, the fragment is stored with the
  first such moment, and reading it back passes the moment on to the page cache.

Previews always render afresh. If the cache cannot be reached the block is rendered.
"""

from django import template
from django.core.cache.utils import make_template_fragment_key

from lscp_site import pagecache

register = template.Library()


class CacheFragmentNode(template.Node):
    def __init__(self, nodelist, name, vary_on):
        self.nodelist = nodelist
        self.name = name
        self.vary_on = vary_on

    def render(self, context):
        request = context.get("request")
        if getattr(request, "is_preview", False):
            return self.nodelist.render(context)
        name = self.name.resolve(context)
        vary_on = [variable.resolve(context) for variable in self.vary_on]
        return pagecache.fragment(
            make_template_fragment_key(name, vary_on), lambda: self.nodelist.render(context)
        )


@register.tag("cachefragment")
def do_cachefragment(parser, token):
    """``{% cachefragment "course-article" page.pk %}``: the name, then every value the
    block's output depends on besides content (a page's id, the page of a listing, the
    filters chosen)."""
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError(f"'{bits[0]}' needs a fragment name")
    nodelist = parser.parse(("endcachefragment",))
    parser.delete_first_token()
    return CacheFragmentNode(
        nodelist, parser.compile_filter(bits[1]), [parser.compile_filter(b) for b in bits[2:]]
    )
