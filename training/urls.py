"""Routes of the training app that are not Wagtail pages."""

urlpatterns = []
