"""The newsletter's pages: the archive of issues and the monthly issue itself."""

from django.core.exceptions import ValidationError
from django.core.paginator import InvalidPage, Paginator
from django.db import models
from django.http import Http404

from wagtail.admin.panels import FieldPanel, HelpPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index

from lscp_site import editors_guide, pagecache
from lscp_site.models import ChildPagesOfOneType
from lscp_site.panels import page_settings_panels
from newsletter import listing
from newsletter.blocks import IssueBody
from newsletter.contents import issue_contents
from newsletter.dates import first_of_month, issue_published_at, issue_slug, month_label
from newsletter.forms import NewsletterIssueForm
from newsletter.panels import SendChecksPanel


class NewsletterIndexPage(RoutablePageMixin, ChildPagesOfOneType, Page):
    """The archive: every issue, newest first, grouped by year, with a page per year."""

    introduction = models.TextField(
        blank=True,
        help_text="One or two sentences at the top of the archive saying what the newsletter "
        "is for and how often it comes out.",
    )

    # A year of monthly issues: short on a phone, and the first page costs the same however
    # long the archive grows.
    issues_per_page = 12

    max_count = 1
    parent_page_types = ["home.HomePage"]
    subpage_types = ["newsletter.NewsletterIssuePage"]

    content_panels = [
        *Page.content_panels,
        HelpPanel(
            content="This is the newsletter archive. Add each month's issue as a child page "
            "of this page ('Add child page'). Keep the slug 'newsletter': the feeds and "
            "emails link to it."
        ),
        FieldPanel("introduction"),
    ]
    settings_panels = page_settings_panels()

    class Meta:
        verbose_name = "newsletter archive"

    def get_context(self, request, *args, year=None, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        pagecache.showing_areas("newsletter")
        archive = listing.archive(NewsletterIssuePage.objects.child_of(self), year=year)
        paginator = Paginator(archive.issues, self.issues_per_page)
        try:
            # Only real page numbers: anything else would be one more copy of the same page.
            issues = paginator.page(request.GET.get("page") or 1)
        except InvalidPage as error:
            raise Http404("No such page of the archive") from error
        if year is not None and not paginator.count:
            raise Http404(f"No issues from {year}")
        # The one query parameter the archive reads, as its links write it: the page cache
        # keeps the page for that query string only.
        listing_query = pagecache.showing_query(page=issues.number if issues.number > 1 else None)
        url = self.get_url(request)
        crumbs = [{"url": "/", "title": "Home"}]
        if year is not None:
            crumbs.append({"url": url, "title": self.title})
        # The years and the page of issues are read by the template, inside the archive's
        # cached fragment: a warm render counts the issues and nothing more.
        context.update(
            year=year,
            issues=issues,
            listing_query=listing_query,
            years=archive.years,
            crumbs=crumbs,
            current_crumb=str(year) if year else self.title,
        )
        return context

    @path("")
    def archive(self, request):
        return self.render(request)

    @path("<int:year>/", name="year")
    def year_archive(self, request, year):
        return self.render(request, year=year)  # 404 for a year without issues

    def get_sitemap_urls(self, request=None):
        urls = super().get_sitemap_urls(request)
        base = self.get_full_url(request)
        if base:
            for row in listing.archive(NewsletterIssuePage.objects.child_of(self)).years:
                urls.append({"location": base + self.reverse_subpage("year", args=[row["year"]])})
        return urls


class NewsletterIssuePage(Page):
    """One monthly issue: a summary ("In this issue") and a body of sections and boxes."""

    issue_date = models.DateField(
        "issue month",
        unique=True,
        help_text="The month and year this issue is for. There can be one issue per month.",
    )
    summary = models.TextField(
        "in this issue",
        help_text="A sentence or two listing what is in this issue. It appears under 'In this "
        "issue' at the top, in the archive, in search results, the RSS feed and the email.",
    )
    body = StreamField(
        IssueBody(),
        help_text="The issue, block by block: sections (each heading goes into the contents "
        "list), 'Dates for your diary', a training spotlight and the sign-up box.",
    )

    parent_page_types = ["newsletter.NewsletterIndexPage"]
    subpage_types = []
    base_form_class = NewsletterIssueForm

    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("body"),
        index.FilterField("issue_date"),
    ]
    content_panels = [
        # The address comes from the issue month, not the title (see NewsletterIssueForm).
        FieldPanel(
            "title",
            classname="title",
            help_text="The issue's name as readers see it, for example 'March Newsletter'.",
        ),
        FieldPanel("issue_date"),
        FieldPanel("summary"),
        FieldPanel("body"),
        SendChecksPanel(heading="Checks before sending"),
        editors_guide.guide_help(
            section=editors_guide.SENDING,
            text="To email a published issue to subscribers, open the ⋯ menu at the top of "
            "this page and choose Send to subscribers (check the Email preview and Send a "
            "test email there first). To publish later, use Set schedule in the Status panel "
            "(the i at the top right).",
            link_text="How to send an issue, step by step",
        ),
    ]
    settings_panels = page_settings_panels()

    class Meta:
        verbose_name = "newsletter issue"

    def save(self, *args, **kwargs):
        if self.issue_date:
            self.issue_date = first_of_month(self.issue_date)
        return super().save(*args, **kwargs)

    def full_clean(self, *args, **kwargs):
        if self.issue_date:
            self.issue_date = first_of_month(self.issue_date)
            if not self.slug:
                self.slug = issue_slug(self.issue_date)
        return super().full_clean(*args, **kwargs)

    def unique_error_message(self, model_class, unique_check):
        if tuple(unique_check) == ("issue_date",) and self.issue_date:
            other = (
                NewsletterIssuePage.objects.filter(issue_date=first_of_month(self.issue_date))
                .exclude(pk=self.pk)
                .first()
            )
            named = f": “{other.title}”" if other else ""
            return ValidationError(
                f"There is already an issue for {month_label(self.issue_date)}{named}. Edit "
                "that issue, or choose another month.",
                code="unique",
            )
        return super().unique_error_message(model_class, unique_check)

    @property
    def published_at(self):
        """When the issue came out (newsletter.dates.issue_published_at): feeds and search
        engines are told this, so a back issue never looks new."""
        return issue_published_at(
            issue_date=self.issue_date, first_published_at=self.first_published_at
        )

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # Its own content and its neighbours' reach it by name (shown_on_pages); the rest of
        # the newsletter (the archive, the order of issues) is "newsletter-wide". The body's
        # fragment adds what it shows.
        pagecache.showing_areas("newsletter-wide")
        context.update(
            # Read from the body's stored data: no query, and the body itself is only turned
            # into blocks (pages, pictures, sessions) inside the template's cached fragment.
            contents=issue_contents(self.body),
            has_signup_prompt=any(
                item.get("type") == "signup_prompt" for item in self.body.raw_data
            ),
        )
        return context

    def crumbs(self):
        """Home, the archive and the issue's year (read inside the breadcrumbs' fragment)."""
        archive = self.get_parent()
        return [
            {"url": "/", "title": "Home"},
            {"url": archive.url, "title": archive.title},
            {"url": f"{archive.url}{self.issue_date.year}/", "title": self.issue_date.year},
        ]

    def neighbours(self):
        """The previous and next issues, for the pager (read inside the cached fragment)."""
        return listing.neighbours(NewsletterIssuePage.objects.all(), issue=self)

    def shown_on_pages(self):
        """The other pages that show this issue by name, for the page cache: its neighbours,
        whose pagers give its title. Publishing it re-renders those, itself and the
        newsletter's listings, and keeps every other issue page."""
        return [issue for issue in self.neighbours() if issue is not None]

    def moves_in_the_archive(self):
        """Whether saving this issue changes which issues are published, or their order (a
        new issue, one taken offline, a new month), against what the database holds before
        the save: any issue's pager may then change (newsletter/signals.py)."""
        before = None
        if self.pk is not None:
            # Locked (Page.save runs in a transaction): a concurrent save of this issue waits,
            # then compares against what this one wrote.
            stored = NewsletterIssuePage.objects.select_for_update().filter(pk=self.pk)
            before = stored.values_list("live", "issue_date").first()
        after = (self.live, self.issue_date and first_of_month(self.issue_date))
        was_live = before is not None and before[0]
        return (was_live or self.live) and tuple(before or ()) != after


from newsletter.alert_models import DigestWeek, TopicNews  # noqa: E402, F401  (topic alerts)
from newsletter.sending_models import Delivery, Send  # noqa: E402, F401  (issue sending)
