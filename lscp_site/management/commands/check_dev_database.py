import datetime
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.migrations.loader import MigrationLoader


class Command(BaseCommand):
    help = (
        "Before migrating a development database: if it was built by migrations this project "
        "no longer has (they were replaced when models moved between apps), move the SQLite "
        "file aside so `make run` builds a fresh one, rather than migrate it half way."
    )

    def handle(self, *args, **options):
        stale = stale_migrations()
        if not stale:
            return
        names = ", ".join(f"{app}.{name}" for app, name in stale[:5])
        if connection.vendor != "sqlite":
            raise CommandError(
                f"This database holds migrations the project no longer has ({names}). "
                "It was built by an earlier layout of the apps: drop it and create it again "
                "(the demo content is reloaded by `make run`)."
            )
        database = Path(connection.settings_dict["NAME"])
        connection.close()
        kept = database.with_name(
            f"{database.name}.old-{datetime.datetime.now():%Y%m%d-%H%M%S}"  # noqa: DTZ005
        )
        database.rename(kept)
        self.stdout.write(
            self.style.WARNING(
                f"The development database was built by migrations the project no longer "
                f"has ({names}). It is kept as {kept} and a fresh one is built now, with the "
                "demo content."
            )
        )


def stale_migrations():
    """(app, migration) pairs applied to the database for this project's apps that are not
    on disk any more, in order."""
    loader = MigrationLoader(connection, ignore_no_migrations=True)
    project = {
        config.label
        for config in apps.get_app_configs()
        if Path(config.path).is_relative_to(settings.BASE_DIR)
        and "site-packages" not in config.path
    }
    return sorted(
        key
        for key in loader.applied_migrations
        if key[0] in project and key not in loader.disk_migrations
    )
