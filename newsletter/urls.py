"""Routes of the newsletter app that are not Wagtail pages."""

urlpatterns = []
