"""The publishing schedule's panel for every page type: Wagtail's own, with a picker that
closes once a day is picked.

Wagtail's date-time picker stays open after a day is picked (unless the admin is in another
language), and in the "Set publishing schedule" dialog it then lies over "Save schedule" until
the editor clicks somewhere else. Closing it on the day, as Wagtail already does in other
languages, leaves the button free; the time starts at 9am and the picker opens again for it.
"""

from wagtail.admin.panels import CommentPanel, FieldPanel, PublishingPanel
from wagtail.admin.widgets import AdminDateTimeInput

SCHEDULE_DIALOG = "#schedule-publishing-dialog"
DEFAULT_TIME = "09:00"


class SchedulePickerInput(AdminDateTimeInput):
    def get_config(self):
        return {**super().get_config(), "closeOnDateSelect": True, "defaultTime": DEFAULT_TIME}


def schedule_field(name):
    return FieldPanel(
        name,
        widget=SchedulePickerInput(
            js_overlay_parent_selector=SCHEDULE_DIALOG,
            # As Wagtail's PublishingPanel: the dialog clears an unsaved value when it closes.
            attrs={
                "data-controller": "w-action",
                "data-action": "w-dialog:hidden->w-action#reset",
                "data-w-dialog-target": "notify",
            },
        ),
    )


def page_settings_panels():
    """A page type's settings tab: the publishing schedule and comments, as Wagtail's."""
    return [
        PublishingPanel(children=[schedule_field("go_live_at"), schedule_field("expire_at")]),
        CommentPanel(),
    ]
