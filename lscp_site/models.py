"""The site's own plain pages and settings: content pages, site settings."""

from django.db import models

from wagtail.admin.panels import FieldPanel, HelpPanel
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index

from lscp_site import editors_guide, pagecache
from lscp_site.panels import page_settings_panels

DEFAULT_QUICK_LEAVE_URL = "https://www.bbc.co.uk/weather"


@register_setting(icon="cog")
class SiteSettings(BaseGenericSetting):
    contact_email = models.EmailField(
        default="lscp.info@leeds.gov.uk",
        help_text="Shown in the footer of every page and every email as the way to reach the "
        "LSCP business unit.",
    )
    quick_leave_url = models.URLField(
        "Quick leave destination",
        default=DEFAULT_QUICK_LEAVE_URL,
        help_text="The neutral website the red Quick leave button opens. Choose a busy, "
        "harmless site (for example a weather page) that would not draw attention.",
    )

    panels = [
        FieldPanel("contact_email"),
        FieldPanel("quick_leave_url"),
        editors_guide.guide_help(
            section=editors_guide.SITE_SETTINGS,
            text="These settings change every page and email as soon as they are saved.",
            link_text="Site settings in the editors' guide",
        ),
    ]

    class Meta:
        verbose_name = "site settings"


class ChildPagesOfOneType:
    """For an index page whose children are all of one page type (its one ``subpage_types``
    entry): a child's address is read as that type in one query, where ``Page.route()`` reads
    the child as a plain page and then again as its own type. Overriding ``route()`` is
    Wagtail's way to change how a page finds what is below it (``RoutablePageMixin`` does the
    same); anything not found here goes on to Wagtail's own ``route()``. List it after
    ``RoutablePageMixin``, whose sub-paths come first."""

    def route(self, request, path_components):
        child_types = self.allowed_subpage_models()
        if path_components and len(child_types) == 1:
            child = child_types[0].objects.child_of(self).filter(slug=path_components[0]).first()
            if child is not None:
                return child.route(request, path_components[1:])
        return super().route(request, path_components)


class ContentPage(Page):
    """A plain page: the privacy notice, the accessibility statement, staying safe online."""

    introduction = models.TextField(
        blank=True, help_text="A short summary shown in bold under the title and in search results."
    )
    body = RichTextField(
        features=["h2", "h3", "bold", "italic", "ol", "ul", "link", "document-link"],
        help_text="The text of the page. Use 'Heading 2' for each section so screen reader "
        "users can move between them.",
    )
    last_reviewed = models.DateField(
        null=True,
        blank=True,
        help_text="When the text was last checked. Shown at the foot of the page; statements "
        "such as the accessibility statement must say this.",
    )

    parent_page_types = ["home.HomePage", "lscp_site.ContentPage"]
    subpage_types = ["lscp_site.ContentPage"]

    search_fields = [
        *Page.search_fields,
        index.SearchField("introduction"),
        index.SearchField("body"),
    ]
    content_panels = [
        *Page.content_panels,
        HelpPanel(
            content="Plain pages hold statements and guidance such as the privacy notice. "
            "Keep the slug unchanged: other pages and emails link to it."
        ),
        FieldPanel("introduction"),
        FieldPanel("body"),
        FieldPanel("last_reviewed"),
        editors_guide.guide_help(
            section=editors_guide.PRIVACY_AND_ACCESSIBILITY,
            text="Review the privacy notice and the accessibility statement at least once a "
            "year, and set Last reviewed when you do.",
            link_text="The privacy notice and accessibility statement in the editors' guide",
        ),
    ]
    settings_panels = page_settings_panels()

    class Meta:
        verbose_name = "content page"

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # Its own text, the plain pages above it and the site's settings.
        pagecache.showing_areas()
        # Home, then any plain pages above this one, in one query.
        above = self.get_ancestors().filter(depth__gte=2)
        crumbs = [{"url": crumb.get_url(request), "title": crumb.title} for crumb in above]
        if crumbs:
            crumbs[0]["title"] = "Home"
        context["crumbs"] = crumbs
        return context
