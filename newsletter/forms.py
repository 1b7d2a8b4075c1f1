"""The editor's form for an issue: the month picker and the slug taken from the month."""

from django import forms

from wagtail.admin.forms import WagtailAdminPageForm

from newsletter.dates import first_of_month, issue_slug


class NewsletterIssueForm(WagtailAdminPageForm):
    issue_date = forms.DateField(
        label="Issue month",
        # "March 2025" and "Mar 2025" for browsers that show a plain text box instead of a
        # month box (the help text's example works in both); "2025-03" is what a month box
        # sends.
        input_formats=["%Y-%m", "%B %Y", "%b %Y", "%Y-%m-%d", "%d/%m/%Y", "%m/%Y"],
        widget=forms.DateInput(
            format="%Y-%m", attrs={"type": "month", "placeholder": "March 2025"}
        ),
        help_text="The month and year this issue is for, for example March 2025: type the "
        "month's name, press Tab and type the year, or choose it from the calendar. There "
        "can be one issue per month.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "slug" in self.fields:
            self.fields["slug"].required = False
            self.fields["slug"].help_text = (
                "The last part of the issue's web address. Leave it empty to use the month "
                "and year, such as 'march-2025', which keeps every year's issues apart. "
                "Do not change it once the issue is published: emails and other sites link "
                "to it."
            )

    def clean(self):
        issue_date = self.cleaned_data.get("issue_date")
        if issue_date:
            issue_date = first_of_month(issue_date)
            self.cleaned_data["issue_date"] = issue_date
            slug = self.cleaned_data.get("slug")
            # A draft whose address still follows its old month follows the new one too.
            follows_month = (
                not self.instance.live
                and self.instance.issue_date
                and slug == issue_slug(self.instance.issue_date)
            )
            if not slug or follows_month:
                self.cleaned_data["slug"] = issue_slug(issue_date)
        return super().clean()
