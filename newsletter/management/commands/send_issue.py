"""manage.py send_issue: the admin's "Send a test" and "Send to subscribers" for operators."""

import sys
import time

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from lscp_site.progress import Progress
from newsletter import sending
from newsletter.models import NewsletterIssuePage
from newsletter.sending_models import Send
from subscriptions.models import Topic


def find_issue(reference):
    """An issue by page id ("42") or slug ("march-2025")."""
    issues = NewsletterIssuePage.objects.all()
    if reference.isdigit():
        issue = issues.filter(pk=int(reference)).first()
    else:
        matches = list(issues.filter(slug=reference)[:2])
        if len(matches) > 1:
            raise CommandError(f"More than one issue has the slug {reference!r}: use its id.")
        issue = matches[0] if matches else None
    if issue is None:
        raise CommandError(f"No newsletter issue with the id or slug {reference!r}.")
    return issue


def progress_detail(counts):
    detail = (
        f"{counts.sent:,} sent, {counts.failed:,} failed, {counts.skipped:,} skipped, "
        f"{counts.remaining:,} remaining"
    )
    if counts.waiting_retry:
        detail += f" ({counts.waiting_retry:,} waiting to retry)"
    return detail


class Command(BaseCommand):
    help = (
        "Send a published newsletter issue to its confirmed subscribers, or a test to given "
        "addresses, and show the progress. The task worker (manage.py db_worker) does the "
        "sending; this command queues it and watches. Nobody gets an issue twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("issue", metavar="ISSUE", help="The issue's page id or slug.")
        parser.add_argument(
            "--test-to",
            action="append",
            metavar="ADDRESS",
            help="Send a test email to this address (may be given more than once) instead.",
        )
        parser.add_argument(
            "--topics",
            nargs="+",
            metavar="SLUG",
            help="Only subscribers who chose any of these topics (by slug).",
        )
        parser.add_argument(
            "--resend",
            action="store_true",
            help="The issue was sent before: send it to those who have not had it yet.",
        )
        parser.add_argument(
            "--resume",
            action="store_true",
            help="Carry on with the issue's unfinished send (after a worker was stopped).",
        )
        parser.add_argument("--yes", action="store_true", help="Do not ask for confirmation.")
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_false",
            dest="interactive",
            help="Never ask: without --yes, stop instead of sending.",
        )
        parser.add_argument(
            "--no-wait", action="store_true", help="Queue the send and return at once."
        )

    def handle(
        self,
        *args,
        issue,
        test_to=None,
        topics=None,
        resend=False,
        resume=False,
        yes=False,
        no_wait=False,
        **options,
    ):
        issue = find_issue(issue)
        if test_to:
            return self.send_test(issue, test_to)
        if resume:
            send = sending.unfinished_send(issue)
            if send is None:
                raise CommandError(f"“{issue.title}” has no unfinished send to resume.")
            sending.resume(send_id=send.pk)
            self.stdout.write(
                f"Resuming the send of “{issue.title}” started {send.requested_at:%d %B %Y %H:%M}."
            )
        else:
            send = self.start(
                issue,
                topics=topics,
                resend=resend,
                yes=yes,
                interactive=options.get("interactive", True),
            )
        if not no_wait:
            try:
                self.watch(send)
            except KeyboardInterrupt:
                self.stdout.write(
                    "\nStopped watching. The task worker carries on sending; the admin shows "
                    "the progress."
                )

    def send_test(self, issue, addresses):
        try:
            cleaned = sending.clean_test_addresses(" ".join(addresses))
            sending.send_test(issue=issue, addresses=cleaned, queue=False)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        except sending.SendRefused as refusal:
            raise CommandError(str(refusal)) from None
        self.stdout.write(f"Test email of “{issue.title}” sent to {', '.join(cleaned)}.")

    def start(self, issue, *, topics, resend, yes, interactive):
        chosen = []
        if topics:
            chosen = list(Topic.objects.filter(slug__in=topics))
            missing = set(topics) - {topic.slug for topic in chosen}
            if missing:
                raise CommandError(f"No topic with the slug: {', '.join(sorted(missing))}.")
        try:
            sending.check_can_send(issue=issue, resend=resend)
        except sending.SendRefused as refusal:
            raise CommandError(str(refusal)) from None
        count = sending.audience(issue=issue, topics=chosen, resend=resend).count()
        who = f"{count:,} confirmed subscriber{'s' if count != 1 else ''}"
        if chosen:
            who += " who chose " + " or ".join(topic.name for topic in chosen)
        if not yes:
            if not interactive or not sys.stdin.isatty():
                raise CommandError(f"This would send “{issue.title}” to {who}. Add --yes to send.")
            answer = input(f"Send “{issue.title}” to {who}? [y/N] ")
            if answer.strip().lower() not in {"y", "yes"}:
                raise CommandError("Nothing sent.")
        try:
            send = sending.queue_send(issue=issue, topics=chosen, resend=resend)
        except sending.SendRefused as refusal:
            raise CommandError(str(refusal)) from None
        self.stdout.write(f"Sending “{issue.title}” to {who}.")
        return send

    def watch(self, send, interval=0.5):
        progress = None
        last_done, last_change = -1, time.monotonic()
        warned = False
        while True:
            send = Send.objects.get(pk=send.pk)
            counts = sending.progress(send)
            now = time.monotonic()
            if counts.done != last_done:
                last_done, last_change = counts.done, now
            if progress is None:
                progress = Progress(label="done", total=counts.total, stream=self.stderr)
            progress.update(counts.done, detail=progress_detail(counts))
            if counts.finished:
                break
            if not warned and now - last_change > 30 and not counts.waiting_retry:
                self.stderr.write(
                    "\nNo progress for 30 seconds: is the task worker running "
                    "(manage.py db_worker)?"
                )
                warned = True
            time.sleep(interval)
        progress.finish()
        self.stdout.write(
            f"Finished: {counts.sent:,} sent, {counts.failed:,} failed, {counts.skipped:,} skipped"
            + (f", {counts.cancelled:,} stopped" if counts.cancelled else "")
            + "."
        )
