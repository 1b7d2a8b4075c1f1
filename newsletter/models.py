"""The newsletter's pages: the archive of issues and the monthly issue itself."""

import functools

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.http import Http404
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from wagtail.admin.panels import FieldPanel, HelpPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index

from lscp_site import pagecache
from newsletter import queries
from newsletter.blocks import IssueBody, render_for_keeping
from newsletter.contents import issue_contents
from newsletter.dates import first_of_month, issue_slug, month_label
from newsletter.forms import NewsletterIssueForm


def _year_links(url, years, current):
    # Worked out here: {% routablepageurl %} finds the archive's own address again for each
    # of the years. The labels are strings: a number in a template is localized each time.
    return [
        {"label": str(each), "url": url + _year_subpath(each), "current": each == current}
        for each in years
    ]


@functools.lru_cache(maxsize=256)
def _year_subpath(year):
    """'2025/': the year page's address within the archive (its route below), worked out
    once per year: Wagtail's reverse_subpage costs a URL resolver's reverse each time, and a
    long-running archive links 17 years from each of its pages."""
    return NewsletterIndexPage.get_resolver().reverse("year", year)


class NewsletterIndexPage(RoutablePageMixin, Page):
    """The archive: every issue, newest first, grouped by year, with a page per year."""

    introduction = models.TextField(
        blank=True,
        help_text="One or two sentences at the top of the archive saying what the newsletter "
        "is for and how often it comes out.",
    )

    # A year of monthly issues: short on a phone, and each card is a tenth of a millisecond
    # or more of rendering, so the archive's first page costs about what a young archive does.
    issues_per_page = 12

    max_count = 1
    parent_page_types = ["lscp_site.HomePage"]
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

    class Meta:
        verbose_name = "newsletter archive"

    def get_context(self, request, *args, year=None, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        issues, years = queries.archive(index=self, year=year)
        if year is not None and year not in years:
            raise Http404(f"No issues from {year}")
        # Paginated by position (the listing's size is known without a query). What a page
        # of the archive lists, its years and its issue cards, is rendered once per change of
        # the site's pages and read back after: written out each time, the cards and the
        # year links (17 on a long-running archive) grew with the archive.
        paginator = Paginator(range(issues.count()), self.issues_per_page)
        url = self.get_url(request)
        page_of_issues = paginator.get_page(request.GET.get("page"))
        shown = page_of_issues.object_list
        listing = pagecache.remembered(
            f"newsletter:listing:{self.pk}:{url}:{year}:{shown.start}:{shown.stop}",
            lambda: render_to_string(
                "newsletter/components/archive_listing.html",
                {
                    "year": year,
                    "years": years,
                    "url": url,
                    "year_links": _year_links(url, years, year),
                    "issues": queries.issue_cards(issues.rows(shown.start, shown.stop), url)
                    if shown
                    else [],
                },
            ),
        )
        crumbs = [{"url": "/", "title": "Home"}]
        if year is not None:
            crumbs.append({"url": url, "title": self.title})
        context.update(
            year=year,
            issues=page_of_issues,
            listing=listing,
            years=years,
            url=url,
            crumbs=crumbs,
            current_crumb=year or self.title,
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
            for year in queries.archive(index=self)[1]:
                urls.append({"location": base + self.reverse_subpage("year", args=[year])})
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
    ]

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

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        contents = issue_contents(self.body)
        archive = self.get_parent()
        rendered = self._rendered(contents, archive, request)
        context.update(
            archive=archive,
            crumbs=[
                {"url": "/", "title": "Home"},
                {"url": archive.url, "title": archive.title},
                {"url": f"{archive.url}{self.issue_date.year}/", "title": self.issue_date.year},
            ],
            issue=self,
            contents=contents,
            body_html=rendered["body"],
            issue_pager=rendered["pager"],
            has_signup_prompt=any(
                item.get("type") == "signup_prompt" for item in self.body.raw_data
            ),
        )
        return context

    def _rendered(self, contents, archive, request):
        """{"body": the HTML of the blocks of the body, "pager": the links to the previous and
        next issues}, rendered once per change of the site's pages and read back after
        (``pagecache.remembered_until``) until the first moment a block shows something else
        with nothing changed: a diary's or a spotlight's session starting
        (``newsletter.blocks.render_for_keeping``). Sections show their own text and picture
        and links to pages; a long issue's 20 sections, the diary's and the spotlight's
        queries, the blocks' conversion from the stored body and the neighbouring issues were
        most of what a view cost. A preview shows a draft: rendered afresh, never kept."""
        anchors = {entry.index: entry.anchor for entry in contents}

        def render():
            blocks = list(self.body)
            queries.prefetch_section_images(blocks)
            queries.expand_section_links(blocks, request)
            rendered = [
                render_for_keeping(
                    block,
                    {"request": request, "page": self, "issue": self, "anchor": anchors.get(i, "")},
                )
                for i, block in enumerate(blocks)
            ]
            moments = [changes_at for _, changes_at in rendered if changes_at is not None]
            previous_issue, next_issue = queries.neighbours(self)
            pager = render_to_string(
                "newsletter/components/issue_pager.html",
                {
                    "request": request,
                    "archive": archive,
                    "previous_issue": previous_issue,
                    "next_issue": next_issue,
                },
            )
            # Templates' output, escaped as they render it.
            body = mark_safe("".join(html for html, _ in rendered))  # noqa: S308
            return {"body": body, "pager": mark_safe(pager)}, min(moments, default=None)  # noqa: S308

        return pagecache.remembered_for_page("newsletter:issue", self, request, render)


from newsletter.sending_models import Delivery, Send  # noqa: E402, F401  (issue sending)
