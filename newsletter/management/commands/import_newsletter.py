from django.core.management.base import BaseCommand, CommandError

from lscp_site.progress import Progress
from newsletter.dates import parse_month
from newsletter.importer import IssueImportError, import_issue_file


class Command(BaseCommand):
    help = (
        "Import past newsletter issues from plain-text files (the form of "
        "home/demo_content/march-2025-newsletter.txt). Importing a file again updates "
        "the same issue. Each file is imported whole or not at all."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE", help="Plain-text issue files.")
        parser.add_argument(
            "--date",
            metavar="YYYY-MM",
            help="The issue's month, when the title does not say it (one month for all "
            "the files given).",
        )
        parser.add_argument(
            "--publish",
            action="store_true",
            help="Publish the issues. Without it they are saved as drafts to review.",
        )

    def handle(self, *args, files, date=None, publish=False, **options):
        issue_date = None
        if date:
            try:
                issue_date = parse_month(date)
            except ValueError as error:
                raise CommandError(f"--date: {error}") from None
        if issue_date and len(files) > 1:
            raise CommandError("--date gives one month: import one file at a time with it.")
        failures = []
        with Progress(label="files imported", total=len(files), stream=self.stderr) as progress:
            for path in files:
                progress.update(progress.done, detail=path)
                try:
                    result = import_issue_file(path, issue_date=issue_date, publish=publish)
                except IssueImportError as error:
                    failures.append(str(error))
                    self.stderr.write(self.style.ERROR(str(error)))
                    progress.advance()
                    continue
                self.stdout.write(self.style.SUCCESS(f"{path}: {result.describe()}"))
                for warning in result.warnings:
                    self.stdout.write(self.style.WARNING(f"{path}, {warning}"))
                progress.advance()
        if failures:
            raise CommandError(
                f"{len(failures)} of {len(files)} file{'s' if len(files) > 1 else ''} "
                "could not be imported; nothing was saved from them."
            )
