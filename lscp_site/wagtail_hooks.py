from wagtail import hooks

from lscp_site.richtext import PageLinkHandler


@hooks.register("register_rich_text_features", order=1)  # after Wagtail's own (order 0)
def register_page_link_handler(features):
    features.register_link_type(PageLinkHandler)
