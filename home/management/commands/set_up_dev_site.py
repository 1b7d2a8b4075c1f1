from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Everything `make setup` (and so `make run`) does before the site serves, in one "
        "process rather than a Django start for each step: check the development database, "
        "migrate, create the cache table, load the demo content and collect the static files."
    )

    def handle(self, *args, **options):
        call_command("check_dev_database")
        call_command("migrate", interactive=False, verbosity=0)
        call_command("createcachetable")
        call_command("load_demo")
        call_command("collectstatic", interactive=False, verbosity=0)
