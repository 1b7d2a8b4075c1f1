"""Routes of the subscriptions app that are not Wagtail pages."""

urlpatterns = []
