"""CPU per request of one page, in one process: the WSGI application called in a loop.

    .venv/bin/python bench/page_cpu.py / --cached --requests 3000
    .venv/bin/python bench/page_cpu.py /training/ --requests 100 --profile
    .venv/bin/python bench/page_cpu.py /newsletter/june-2023/ --cold  # after a publish

Uses the large site's database from ``bench/pages.py`` (``lscp_bench``; ``--database``
picks another) and Redis database 9, emptied first. CPU time (not wall time) is what it
reports, so the figure holds even when other work shares the machine. ``--profile`` prints
cProfile's top functions (``SORT=tottime``, ``TOP=80``; ``CALLEES=get_context`` prints what a
function calls instead, ``CALLERS=reverse`` what calls it). Not a throughput figure: bench/pages.py
measures that under gunicorn and wrk.
"""

import argparse
import cProfile
import os
import pstats
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", help="e.g. / or /search/?q=safeguarding")
    parser.add_argument("--cached", action="store_true", help="Page cache on (measure hits).")
    parser.add_argument(
        "--cold", action="store_true", help="Every fragment stale before each request."
    )
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--database", default="lscp_bench")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()

    sys.path.insert(0, str(BASE_DIR))
    from bench import in_process

    application, _ = in_process.set_up(args.database, 9, cached=args.cached)
    from lscp_site import pagecache

    statuses = []

    def request():
        if args.cold:
            pagecache.invalidate_pages()
        statuses.append(in_process.get(application, args.path))

    for _ in range(20):  # connections, templates, renditions, the first store
        request()
    if not statuses[-1].startswith("200"):
        sys.exit(f"{args.path} answered {statuses[-1]}")
    started_cpu, started_wall = time.process_time(), time.perf_counter()
    for _ in range(args.requests):
        request()
    cpu = (time.process_time() - started_cpu) / args.requests * 1000
    wall = (time.perf_counter() - started_wall) / args.requests * 1000
    kind = "cached" if args.cached else "uncached" + (", fragments cold" if args.cold else "")
    print(f"{args.path} ({kind}): {cpu:.2f} ms CPU, {wall:.2f} ms wall per request")
    if args.profile:
        profiler = cProfile.Profile()
        profiler.runcall(lambda: [request() for _ in range(args.requests)])
        stats = pstats.Stats(profiler).sort_stats(os.environ.get("SORT", "cumulative"))
        if os.environ.get("CALLEES"):  # e.g. CALLEES=get_context: what one function calls
            stats.print_callees(os.environ["CALLEES"])
        elif os.environ.get("CALLERS"):  # e.g. CALLERS=_reverse_with_prefix: who calls it
            stats.print_callers(os.environ["CALLERS"])
        else:
            stats.print_stats(int(os.environ.get("TOP", "40")))


if __name__ == "__main__":
    main()
