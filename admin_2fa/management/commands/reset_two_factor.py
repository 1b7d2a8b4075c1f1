"""manage.py reset_two_factor USERNAME: remove an editor's two-factor devices (a lost
phone or passkey), for when no superuser can sign in to do it from the admin."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from admin_2fa.devices import reset_two_factor


class Command(BaseCommand):
    help = (
        "Remove a user's two-factor devices (authenticator app, passkeys, backup codes); they "
        "set up two-factor sign-in again at next sign-in."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user called {username}")
        removed = reset_two_factor(user)
        self.stdout.write(f"Removed {removed} two-factor devices of {username}.")
