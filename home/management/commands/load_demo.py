from django.core.management.base import BaseCommand
from django.db import transaction

from events.demo import load_demo as load_events_demo
from home.demo import load_demo as load_site_demo
from newsletter.demo import load_demo as load_newsletter_demo
from subscriptions.demo import load_demo as load_subscriptions_demo
from training.demo import load_demo as load_training_demo


class Command(BaseCommand):
    help = "Build the demo site from the March 2025 issue. Safe to run again: it changes nothing."

    def handle(self, *args, **options):
        with transaction.atomic():
            home = load_site_demo()
            # Each app adds its demo content below, in dependency order.
            load_events_demo(home)
            load_training_demo(home)
            load_subscriptions_demo(home)
            load_newsletter_demo(home)
        self.stdout.write(self.style.SUCCESS(f"Demo content ready under '{home.title}'."))
