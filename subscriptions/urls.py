"""Routes of the subscriptions app that are not Wagtail pages.

robots.txt keeps crawlers out of the personal links (confirm, preferences, unsubscribe).
"""

from django.urls import path

from subscriptions import views

app_name = "subscriptions"

urlpatterns = [
    path("subscribe/", views.subscribe, name="subscribe"),
    path("subscribe/check-your-email/", views.check_email, name="check_email"),
    path("subscribe/manage/", views.manage_link, name="manage_link"),
    path("subscribe/manage/check-your-email/", views.link_sent, name="link_sent"),
    path("subscribe/confirm/<str:token>/", views.confirm, name="confirm"),
    path("subscribe/preferences/<str:token>/", views.preferences, name="preferences"),
    path("subscribe/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
