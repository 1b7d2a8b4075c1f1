from django.core.management.base import BaseCommand

from lscp_site.schedule import run_forever


class Command(BaseCommand):
    help = "Publish scheduled pages every minute and enqueue the periodic purges."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Run one round and exit.")

    def handle(self, *args, once=False, **options):
        run_forever(iterations=1 if once else None)
