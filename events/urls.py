"""Routes of the events app that are not Wagtail pages: the iCalendar files.

Wagtail's page URLs cannot end in ".ics", so the feeds live here, under the diary's
address /events/.
"""

from django.urls import path

from events import views

app_name = "events"

urlpatterns = [
    path("events/feed.ics", views.feed, name="feed"),
    path("events/category/<slug:slug>/feed.ics", views.category_feed, name="category_feed"),
    path("events/<slug:slug>/calendar.ics", views.event_ics, name="event_ics"),
]
