"""Routes of the events app that are not Wagtail pages."""

urlpatterns = []
