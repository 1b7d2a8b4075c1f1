from django.core.management.base import BaseCommand, CommandError

from lscp_site.generate import FULL, STEPS, generate
from lscp_site.progress import Progress


def _count(value):
    number = int(value)
    if number < 0:
        raise ValueError(value)
    return number


class Command(BaseCommand):
    help = (
        "Build a large, realistic site for benchmarks and tests on top of the demo's home page: "
        "issues, courses with sessions and bookings, events and subscribers. The same --seed "
        "gives the same site; running again replaces what an earlier run generated. Never "
        "run it on the live site."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=42, help="Seed of the random content.")
        for name, default in FULL.items():
            parser.add_argument(
                f"--{name}", type=_count, default=default, help=f"How many (default {default})."
            )

    def handle(self, *args, **options):
        sizes = {name: options[name] for name in FULL}
        if sizes["sessions"] and not sizes["courses"]:
            raise CommandError("Sessions need courses: give --courses too.")
        with Progress(label="steps done", total=STEPS, stream=self.stderr) as progress:
            report = generate(seed=options["seed"], progress=progress, **sizes)
        for name, seconds in report.timings.items():
            self.stdout.write(f"  {name}: {seconds:.1f}s")
        made = ", ".join(f"{count} {name}" for name, count in report.counts.items())
        total = sum(report.timings.values())
        self.stdout.write(self.style.SUCCESS(f"Generated {made} in {total:.1f}s."))
