from django.core.management.base import BaseCommand, CommandError

from lscp_site import housekeeping
from lscp_site.progress import Progress


class Command(BaseCommand):
    help = (
        "Run the purges the scheduler runs (settings.PURGES): old task results, expired "
        "sessions, old revisions and the personal-data purges. Without names, all of them."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "names", nargs="*", metavar="NAME", help="Which purges (default: all of them)."
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Count what each purge would delete, and delete nothing.",
        )

    def handle(self, *args, names, dry_run=False, **options):
        known = housekeeping.purge_names()
        unknown = sorted(set(names) - set(known))
        if unknown:
            raise CommandError(
                f"No purge named {', '.join(unknown)}. The purges: {', '.join(known)}."
            )
        chosen = names or known
        results = []
        with Progress(label="purges done", total=len(chosen), stream=self.stderr) as progress:
            for name in chosen:
                progress.update(progress.done, detail=name)
                results.append(housekeeping.run_purge(name=name, dry_run=dry_run))
                progress.advance()
        for result in results:
            self.stdout.write(result.describe())
        if dry_run:
            self.stdout.write("Dry run: nothing was deleted.")
