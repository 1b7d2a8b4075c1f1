import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Create the first admin account and print its password once."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")
        parser.add_argument("--email", default="admin@example.org")
        parser.add_argument("--url", default="http://127.0.0.1:8000/admin/")

    def handle(self, *args, username, email, url, **options):
        user_model = get_user_model()
        if user_model.objects.filter(username=username).exists():
            self.stdout.write(
                f"Admin: log in at {url} as '{username}' with the password printed on the "
                f"first run (forgotten? `make password` sets a new one)."
            )
            return
        password = secrets.token_urlsafe(12)
        user_model.objects.create_superuser(username=username, email=email, password=password)
        self.stdout.write(
            self.style.SUCCESS(
                f"Admin account created. Log in at {url}\n"
                f"    username: {username}\n    password: {password}\n"
                "This password is shown only once: keep it."
            )
        )
