"""Routes of the training app that are not Wagtail pages.

Course pages may not take the slug 'bookings' (CoursePage.clean), so nothing here hides a page.
"""

from django.urls import path

from training import views

app_name = "training"

urlpatterns = [
    path(
        "training/bookings/requested/<int:session_id>/",
        views.booking_requested,
        name="booking_requested",
    ),
    path("training/bookings/cancel/<str:token>/", views.cancel_booking, name="cancel_booking"),
    path("training/bookings/certificate/<str:token>/", views.certificate, name="certificate"),
    path("training/bookings/approval/<str:token>/", views.approve_or_decline, name="approval"),
]
