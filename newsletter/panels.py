"""The 'Checks before sending' panel on the issue editor (newsletter/checks.py)."""

from wagtail.admin.panels import Panel

from newsletter import checks


class SendChecksPanel(Panel):
    class BoundPanel(Panel.BoundPanel):
        template_name = "newsletter/admin/checks_panel.html"

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            issue = self.instance
            problems, links = [], None
            if issue.pk:
                problems = checks.content_problems(issue)
                links = checks.link_check(issue, revision_id=issue.latest_revision_id)
            context.update(
                problems=problems,
                links=links,
                issue=issue,
                recheck_url=checks.edit_url(issue) if issue.pk else "",
            )
            return context
