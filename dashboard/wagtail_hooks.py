from wagtail import hooks

from dashboard.figures import dashboard_charts
from dashboard.panels import DashboardPanel


@hooks.register("construct_homepage_panels")
def add_dashboard_panel(request, panels):
    charts = dashboard_charts(user=request.user)
    if charts:
        panels.append(DashboardPanel(charts))
