"""The dashboard's panel on the Wagtail admin home."""

from wagtail.admin.ui.components import Component


class DashboardPanel(Component):
    name = "lscp_dashboard"
    template_name = "dashboard/panel.html"
    # Above Wagtail's own panels (pages to moderate, recent edits: 100 and up).
    order = 50

    class Media:
        css = {"all": ["dashboard/dashboard.css"]}

    def __init__(self, charts):
        self.charts = charts

    def get_context_data(self, parent_context):
        return {"charts": self.charts}
