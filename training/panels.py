"""The 'Bookings' panel on the course editor: how full each session is, without names."""

from django.urls import reverse

from wagtail.admin.panels import Panel

from training.models.bookings import BOOKINGS_PERMISSION
from training.models.sessions import Session


class BookingCountsPanel(Panel):
    class BoundPanel(Panel.BoundPanel):
        template_name = "training/admin/booking_counts_panel.html"

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            sessions = []
            if self.instance.pk:
                sessions = list(
                    Session.objects.filter(course_id=self.instance.pk)
                    .with_counts()
                    .order_by("start", "pk")
                )
            context.update(
                sessions=sessions,
                can_manage=self.request.user.has_perm(BOOKINGS_PERMISSION),
                bookings_url=reverse("training_bookings:index"),
            )
            return context
