"""The site's additions to Wagtail: how rich text writes out links to pages, and in the
admin the editors' guide (its pages, a menu item, a panel on the dashboard) and the
stylesheets every admin page loads."""

from django.templatetags.static import static
from django.urls import path, reverse
from django.utils.html import format_html

from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.components import Component

from lscp_site import admin_views, editors_guide, rich_text


@hooks.register("register_rich_text_features", order=1)  # after Wagtail's own (order 0)
def register_page_link_handler(features):
    features.register_link_type(rich_text.PageLinkHandler)


@hooks.register("register_admin_urls")
def register_guide_urls():
    return [
        path("editors-guide/", admin_views.guide, name="editors_guide"),
        path(
            "editors-guide/images/editors/<slug:name>.png",
            admin_views.guide_image,
            name="editors_guide_image",
        ),
    ]


@hooks.register("register_admin_menu_item")
def register_guide_menu_item():
    return MenuItem("Editors' guide", reverse("editors_guide"), icon_name="help", order=10_000)


class GuidePanel(Component):
    """ "How do I...?": the guide's sections, on the dashboard."""

    name = "editors_guide"
    # Below the business unit's dashboard (50), above Wagtail's own panels (100 and up).
    order = 60
    template_name = "lscp_site/admin/editors_guide_panel.html"

    def get_context_data(self, parent_context=None):
        return {
            "guide_url": editors_guide.guide_link(),
            "sections": editors_guide.render_guide().sections,
        }


@hooks.register("insert_global_admin_css")
def admin_styles():
    # The guide's page and its dashboard panel; the admin lists (no email address broken
    # mid-word, no squashed buttons).
    return format_html(
        '<link rel="stylesheet" href="{}"><link rel="stylesheet" href="{}">',
        static("css/editors-guide.css"),
        static("css/admin-lists.css"),
    )


@hooks.register("construct_homepage_panels")
def add_guide_panel(request, panels):
    panels.append(GuidePanel())
