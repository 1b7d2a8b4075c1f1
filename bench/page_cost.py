"""What each page costs the machine, on the demo and on the large site: CPU per request.

    .venv/bin/python bench/page_cost.py                    # every page, 7 rounds
    .venv/bin/python bench/page_cost.py --instructions     # and instructions, counted
    .venv/bin/python bench/page_cost.py --only events search --rounds 11

Why this exists beside bench/pages.py: on a 2-core machine wrk's requests/s move by 15 % or
more between runs, wider than issue 8's "no page type falls by more than 20 % from the demo
to the large site". With the CPU saturated (as wrk keeps it), a page's rate is bound by the
CPU one request costs, in the Python process, in PostgreSQL and in Redis. Those are counted
here from the kernel's own accounts (``/proc/<pid>/schedstat``, nanoseconds on the CPU) for
the three processes that serve a request, one request at a time, so another process on the
machine slows them without adding to them. The demo and the large site run in two worker
processes side by side, their blocks of requests alternated (and which goes first swapped
each round), so what drifts over a run affects both alike; the median of the rounds is
reported.

CPU time still moves by 10 % or so from block to block on a shared machine. With
``--instructions`` the Python process's instructions are counted too, under valgrind's
callgrind (``apt-get install -y valgrind``), switched on around the requests only: the
same for the same work whatever else the machine does. Each site's Python time is then
estimated as its instructions at the page's own time per instruction (both sites' CPU time
over both sites' instructions), and the demo-to-large change read from that.
``--keep-profiles`` keeps each count's profile for ``callgrind_annotate``.

Page cache off (what bench/pages.py calls uncached); production settings; the databases of
bench/pages.py's last run (``lscp_bench_demo``, ``lscp_bench``); Redis databases 10 and 11,
emptied first. What gunicorn, the socket and wrk add to each request is the same on both
sites and is left out, so a growth here is the most the rate can fall by, not less.
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from bench.pages import MAX_FALL, PAGES, SITES  # noqa: E402

REDIS_DBS = {"demo": 10, "large": 11}
BLOCK_SECONDS = 0.6


def on_cpu_ns(pid):
    """Nanoseconds the process (its main thread) has run on a CPU, from the scheduler."""
    with open(f"/proc/{pid}/schedstat") as stats:
        return int(stats.read().split()[0])


# --- The worker: one site's WSGI application, called in a loop ------------------------------


def serve(database, redis_db):
    from bench import in_process

    application, redis_pid = in_process.set_up(database, redis_db, cached=False)
    from django.db import connection

    instructions = InstructionCounter() if os.environ.get("BENCH_CALLGRIND_DIR") else None
    for line in sys.stdin:
        target, count, keep_as = line.split()
        keep_as = None if keep_as == "-" else keep_as
        for _ in range(3):  # templates, renditions, a connection that was closed
            status = in_process.get(application, target)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            backend_pid = cursor.fetchone()[0]
        if instructions:
            instructions.start()
        before = (
            time.process_time_ns(),
            on_cpu_ns(backend_pid),
            on_cpu_ns(redis_pid),
            time.perf_counter_ns(),
        )
        for _ in range(int(count)):
            in_process.get(application, target)
        after = (
            time.process_time_ns(),
            on_cpu_ns(backend_pid),
            on_cpu_ns(redis_pid),
            time.perf_counter_ns(),
        )
        python, postgres, redis_cpu, wall = (b - a for a, b in zip(before, after, strict=True))
        block = {
            "status": status,
            "python": python,
            "postgres": postgres,
            "redis": redis_cpu,
            "wall": wall,
        }
        if instructions:
            block["instructions"] = instructions.stop(keep_as=keep_as)
        print(json.dumps(block), flush=True)


class InstructionCounter:
    """Instructions the Python process runs, counted by valgrind's callgrind: the same for
    the same work whatever else the machine is doing. The worker runs under callgrind with
    counting off (``--instr-atstart=no``, a few times slower than without valgrind, where
    counting is fifty times slower) and turns it on around a block of requests."""

    def __init__(self):
        self.directory = Path(os.environ["BENCH_CALLGRIND_DIR"])

    def _control(self, *options):
        subprocess.run(
            ["callgrind_control", *options, str(os.getpid())], capture_output=True, check=True
        )

    def start(self):
        self._control("--zero")
        self._control("--instr=on")

    def stop(self, keep_as=None):
        self._control("--instr=off")
        self._control("--dump")
        dumps = sorted(
            self.directory.glob(f"callgrind.{os.getpid()}.*"),
            key=lambda dump: int(dump.name.rsplit(".", 1)[1]),
        )
        totals = [line for line in dumps[-1].read_text().splitlines() if line.startswith("totals:")]
        if keep_as:  # for callgrind_annotate: where the instructions went, function by function
            dumps.pop().rename(self.directory / keep_as)
        for dump in dumps:
            dump.unlink()
        return int(totals[0].split()[1])


# --- The run: both sites, alternated ---------------------------------------------------------


class Worker:
    def __init__(self, site, callgrind_dir=None):
        self.site = site
        command = [
            sys.executable,
            __file__,
            "--serve",
            SITES[site]["database"],
            str(REDIS_DBS[site]),
        ]
        env = dict(os.environ, PYTHONHASHSEED="0")  # the same dictionaries, the same work
        if callgrind_dir:
            env["BENCH_CALLGRIND_DIR"] = str(callgrind_dir)
            command = [
                "valgrind",
                "--tool=callgrind",
                "--instr-atstart=no",
                f"--callgrind-out-file={callgrind_dir}/callgrind.%p",
                "--log-file=/dev/null",
                *command,
            ]
        self.process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=BASE_DIR, env=env
        )

    def measure(self, name, path, count, keep_as="-"):
        self.process.stdin.write(f"{path} {count} {keep_as}\n")
        self.process.stdin.flush()
        block = json.loads(self.process.stdout.readline())
        if not block["status"].startswith("200"):
            sys.exit(f"{path} answered {block['status']} on the {self.site} site")
        return {key: value / count / 1e6 for key, value in block.items() if key != "status"}

    def stop(self):
        self.process.stdin.close()
        self.process.wait(timeout=120)  # valgrind writes its last profile


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--only", nargs="*", help="Measure only these page names.")
    parser.add_argument(
        "--instructions",
        action="store_true",
        help="Also count the Python process's instructions under valgrind (callgrind).",
    )
    parser.add_argument("--counted-requests", type=int, default=3)
    parser.add_argument(
        "--keep-profiles",
        action="store_true",
        help="Keep each count's callgrind profile (var/bench/pages/callgrind/<site>-<page>.out)"
        " for callgrind_annotate.",
    )
    args = parser.parse_args()
    pages = [page for page in PAGES if not args.only or page[0] in args.only]

    began = time.perf_counter()
    blocks = measure_cpu(pages, args.rounds)
    counted = (
        measure_instructions(pages, args.counted_requests, keep=args.keep_profiles)
        if args.instructions
        else None
    )

    def median(site_blocks, key):
        if key == "total":
            return statistics.median(b["python"] + b["postgres"] + b["redis"] for b in site_blocks)
        return statistics.median(b[key] for b in site_blocks)

    summary = {
        name: {
            site: {
                key: median(blocks[name][site], key)
                for key in ("python", "postgres", "redis", "total", "wall")
            }
            for site in SITES
        }
        for name, _ in pages
    }
    print()
    print(
        f"CPU per request, page cache off, median of {args.rounds} alternated rounds "
        "(ms: Python + PostgreSQL + Redis = total; wall one at a time)"
    )
    print("| page | demo | large | demo to large (CPU) | wall demo / large |")
    print("|---|---|---|---|---|")
    for name, _ in pages:
        demo, large = summary[name]["demo"], summary[name]["large"]
        print(
            f"| {name} | {_parts(demo)} | {_parts(large)} | {_change(demo, large)} | "
            f"{demo['wall']:.2f} / {large['wall']:.2f} |"
        )
    over = [
        f"{name}: {_change(figures['demo'], figures['large'])}"
        for name, figures in summary.items()
        if _fall(figures["demo"], figures["large"]) > MAX_FALL
    ]
    if counted:
        over = []
        print()
        print(
            f"Instructions the Python process runs per request ({args.counted_requests} "
            "requests each, callgrind), in millions. Each site's Python time is its "
            "instructions at the page's own time per instruction above (both sites' CPU "
            "time over both sites' instructions); PostgreSQL and Redis as above."
        )
        print(
            "| page | Python Minstr demo / large | Python | estimated ms demo / large "
            "| demo to large |"
        )
        print("|---|---|---|---|---|")
        for name, _ in pages:
            figures = summary[name]
            instructions = {site: counted[name][site] for site in SITES}
            per_instruction = sum(figures[site]["python"] for site in SITES) / sum(
                instructions.values()
            )
            estimated = {
                site: {
                    "total": instructions[site] * per_instruction
                    + figures[site]["postgres"]
                    + figures[site]["redis"]
                }
                for site in SITES
            }
            figures["instructions"] = instructions
            figures["estimated"] = {site: estimated[site]["total"] for site in SITES}
            python_change = instructions["demo"] / instructions["large"] - 1
            change = _change(estimated["demo"], estimated["large"])
            print(
                f"| {name} | {instructions['demo']:.1f} / {instructions['large']:.1f} | "
                f"{python_change:+.1%} | {estimated['demo']['total']:.2f} / "
                f"{estimated['large']['total']:.2f} | {change} |"
            )
            if _fall(estimated["demo"], estimated["large"]) > MAX_FALL:
                over.append(f"{name}: {change}")
    print()
    print(
        "Demo to large: the rate the large site's CPU per request allows, against the demo's "
        f"(-{MAX_FALL:.0%} is issue 8's limit)."
    )
    print("Over the limit: " + (", ".join(over) if over else "none."))
    stamp = time.strftime("%Y%m%d-%H%M%S")
    out = BASE_DIR / "var" / "bench" / "pages" / f"cost-{stamp}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"blocks": blocks, "medians": summary}, indent=2))
    print(f"Took {(time.perf_counter() - began) / 60:.1f} minutes; figures in {out}")


def measure_cpu(pages, rounds):
    """{page name: {site: [block, ...]}}: CPU per request, the sites' blocks alternated."""
    workers = {site: Worker(site) for site in SITES}
    blocks = {name: {site: [] for site in SITES} for name, _ in pages}
    try:
        for name, path in pages:
            # Each site's block is sized to take about BLOCK_SECONDS.
            sizes = {}
            for site, worker in workers.items():
                trial = worker.measure(name, path, 10)
                sizes[site] = max(10, round(BLOCK_SECONDS * 1000 / trial["wall"]))
            for round_number in range(rounds):
                order = list(SITES) if round_number % 2 == 0 else list(reversed(SITES))
                for site in order:
                    blocks[name][site].append(workers[site].measure(name, path, sizes[site]))
            print(f"  {name}: CPU measured", flush=True)
    finally:
        for worker in workers.values():
            worker.stop()
    return blocks


def measure_instructions(pages, requests, *, keep=False):
    """{page name: {site: millions of instructions per request}} of the Python process."""
    if not shutil.which("valgrind"):
        sys.exit("--instructions needs valgrind: apt-get install -y valgrind")
    directory = BASE_DIR / "var" / "bench" / "pages" / "callgrind"
    directory.mkdir(parents=True, exist_ok=True)
    workers = {site: Worker(site, callgrind_dir=directory) for site in SITES}
    counted = {name: {} for name, _ in pages}
    try:
        for name, path in pages:
            for site, worker in workers.items():
                keep_as = f"{site}-{name.replace(' ', '-').replace(',', '')}.out" if keep else "-"
                counted[name][site] = worker.measure(name, path, requests, keep_as)["instructions"]
            print(f"  {name}: instructions counted", flush=True)
    finally:
        for worker in workers.values():
            worker.stop()
        for dump in directory.glob("callgrind.*"):  # what valgrind writes as a worker exits
            dump.unlink()
    return counted


def _parts(figures):
    return (
        f"{figures['python']:.2f} + {figures['postgres']:.2f} + {figures['redis']:.2f} "
        f"= {figures['total']:.2f}"
    )


def _fall(demo, large):
    # Requests/s on a saturated machine go as 1 / CPU per request.
    return 1 - demo["total"] / large["total"]


def _change(demo, large):
    return f"{-_fall(demo, large):+.1%}"


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--serve":
        serve(sys.argv[2], int(sys.argv[3]))
    else:
        main()
