"""Routes of the newsletter app that are not Wagtail pages: the feeds."""

from django.urls import path

from newsletter.feeds import AtomIssuesFeed, IssuesFeed

urlpatterns = [
    path("newsletter/feed/", IssuesFeed(), name="newsletter_feed"),
    path("newsletter/feed/atom/", AtomIssuesFeed(), name="newsletter_feed_atom"),
]
