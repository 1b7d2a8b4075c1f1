"""Admin behaviour of the newsletter."""

from django.contrib import messages
from django.shortcuts import redirect

from wagtail import hooks

from newsletter.models import NewsletterIssuePage


@hooks.register("before_copy_page")
def refuse_to_copy_an_issue(request, page):
    """An issue is one month's: a copy (or an alias) would be a second issue for the month.

    Stopped here with a message rather than by the database, which refuses the duplicate.
    """
    if page.specific_class is NewsletterIssuePage:
        messages.error(
            request,
            "Issues cannot be copied: there is one issue per month. To start a new issue, "
            "add a child page to the Newsletter and copy across any text you need.",
        )
        return redirect("wagtailadmin_pages:edit", page.pk)
    return None
