from urllib.parse import urlsplit

from django.core.management.base import BaseCommand, CommandError

from wagtail.models import Site


class Command(BaseCommand):
    help = (
        "Give the default Wagtail Site the host name and port of an address, so that the URLs "
        "Wagtail builds itself (the sitemap, the admin's 'View live') lead where the site is "
        "served, like the links built from BASE_URL. `make run` calls it with HOST and PORT."
    )

    def add_arguments(self, parser):
        parser.add_argument("address", help="e.g. http://127.0.0.1:8123")

    def handle(self, *args, address, **options):
        parts = urlsplit(address)
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            raise CommandError(f"Not an http(s) address: {address!r}")
        port = parts.port or (443 if parts.scheme == "https" else 80)
        site = Site.objects.filter(is_default_site=True).first()
        if site is None:
            raise CommandError("There is no default site yet: run `manage.py load_demo` first.")
        if (site.hostname, site.port) != (parts.hostname, port):
            site.hostname, site.port = parts.hostname, port
            site.save()
            self.stdout.write(f"The default site is now at {site.root_url}.")
