"""Build a large, realistic site on top of the demo's home page (bench/generate.py).

    .venv/bin/python bench/generate_content.py [--seed 42] [--issues 200] [--courses 100] \
        [--sessions 500] [--events 500] [--subscribers 10000]

A script rather than a management command, so that nothing production installs can run
it: it uses the settings ``DJANGO_SETTINGS_MODULE`` names (bench/pages.py passes the bench
settings; unset, the development settings ``manage.py`` uses, so a developer can fill a
local database). The same seed gives the same site; running it again replaces what an
earlier run generated. Never run it on the live site.
"""

import argparse
import os
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def count(value):
    number = int(value)
    if number < 0:
        raise argparse.ArgumentTypeError(f"{value} is below 0")
    return number


def parse_arguments(argv, defaults):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=42, help="Seed of the random content.")
    for name, default in defaults.items():
        parser.add_argument(
            f"--{name}", type=count, default=default, help=f"How many (default {default})."
        )
    arguments = parser.parse_args(argv)
    if arguments.sessions and not arguments.courses:
        parser.error("Sessions need courses: give --courses too.")
    return arguments


def main(argv=None):
    """Generate the content and print what was made, step by step."""
    from bench import generate
    from lscp_site.progress import Progress

    arguments = parse_arguments(argv, generate.FULL)
    sizes = {name: getattr(arguments, name) for name in generate.FULL}
    with Progress(label="steps done", total=generate.STEPS) as progress:
        report = generate.generate(seed=arguments.seed, progress=progress, **sizes)
    for name, seconds in report.timings.items():
        print(f"  {name}: {seconds:.1f}s")
    made = ", ".join(f"{number} {name}" for name, number in report.counts.items())
    print(f"Generated {made} in {sum(report.timings.values()):.1f}s.")


if __name__ == "__main__":
    sys.path.insert(0, str(BASE_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lscp_site.settings.dev")
    import django

    django.setup()
    main()
