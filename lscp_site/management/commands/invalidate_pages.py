"""Make every page in the page cache stale, for changes made where no signal sees them."""

from django.core.management.base import BaseCommand

from lscp_site.pagecache import invalidate_pages


class Command(BaseCommand):
    help = (
        "Make every cached page stale (after changing content with SQL or a shell). "
        "Deploys need not run it: each release has cache keys of its own."
    )

    def handle(self, *args, **options):
        invalidate_pages()
        self.stdout.write("Every cached page will be rendered afresh on its next request.")
