"""The parts of bench/pages.py and bench/editor.py that read figures and pick pages."""

from bench import editor, pages


def test_the_send_day_figures_are_read_from_the_mix_scripts_own_line():
    output = (
        "Running 30s test @ http://127.0.0.1:8000/\n"
        "MIX requests=60000 duration=30000000 status=3 connect=0 read=2 write=0 timeout=1 "
        "p50=4200 p90=9000 p99=31500 p999=90000 max=773000\n"
    )

    figures = pages.mix_figures(output)

    assert figures["requests"] == 60000
    assert figures["rps"] == 2000
    assert (figures["p50"], figures["p99"], figures["max"]) == (4.2, 31.5, 773)
    assert figures["non_2xx"] == 3
    assert figures["socket_errors"] == 3


def test_the_mix_script_asks_for_every_path_in_turn(tmp_path):
    script = pages.mix_script(["/", "/search/?q=neglect"], folder=tmp_path).read_text()

    assert 'local paths = {"/", "/search/?q=neglect"}' in script
    assert "paths[(counter % #paths) + 1]" in script
    assert "latency:percentile(99)" in script


def test_targets_say_which_are_met_and_which_missed():
    targets = pages.Targets()
    targets.check("send day: no errors", True, "0 non-2xx")
    targets.check("first view", False, "p50 140 ms")

    assert targets.lines() == [
        "  [met] send day: no errors: 0 non-2xx",
        "  [MISSED] first view: p50 140 ms",
    ]


def test_code_size_counts_the_shell_the_apps_and_the_architecture_notes():
    sizes = pages.code_size()

    assert sizes["lscp_site"] > 0
    assert sizes["apps"] > 0
    assert sizes["docs/architecture.md"] > 0
    assert {"events", "newsletter", "training"} <= set(sizes["per_app"])
    assert "lscp_site" not in sizes["per_app"]
    assert sizes["apps"] == sum(sizes["per_app"].values())


def test_code_size_at_a_revision_reads_that_revisions_files():
    before = pages.code_size(pages.CODE_BEFORE)

    assert before["docs/architecture.md"] == 204  # as issue 21 counted it
    assert before["lscp_site"] > 0 and before["apps"] > 0


def test_the_send_day_takes_pages_evenly_through_a_listing():
    assert editor.spread(range(10), 3) == [0, 3, 6]
    assert editor.spread(range(2), 3) == [0, 1]


def test_the_cached_target_names_what_one_cache_read_through_django_reaches():
    def run(rps):
        return {"rps": rps, "p50": 5.0, "p99": 9.0, "errors": 0}

    results = {
        "home": {
            "bare": run(8000),
            pages.ONE_CACHE_READ: run(3000),
            "large, cached": run(2400),
            "large, uncached": run(200),
        }
    }
    targets = pages.Targets()

    pages.check_pages(targets, results, [("home", "/")], run(350), failing={})

    cached = targets.checked[0]
    assert cached["target"] == "cached pages at least 40 % of the bare WSGI app"
    assert not cached["met"]
    assert cached["measured"] == "home 30.0 % (one cache read through Django: 37.5 % to 37.5 %)"
