"""The benchmark report: the README quotes the recorded run (benchmarks/results.json) through
benchmarks/report_readme.py, never by hand; RESULTS.md's sections read the figures the
benchmarks return. No benchmark runs here (milliseconds)."""

from __future__ import annotations

import json
import sys

from conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))

import report_readme  # noqa: E402 - benchmarks/ is not a package
import report_scale  # noqa: E402

README = (ROOT / "README.md").read_text(encoding="utf-8")
RESULTS = json.loads((ROOT / "benchmarks" / "results.json").read_text(encoding="utf-8"))


def test_the_readme_quotes_the_recorded_run() -> None:
    assert report_readme.with_block(README, RESULTS) == README  # else: python benchmarks/report_readme.py
    block = README.split(report_readme.START, 1)[1].split(report_readme.END, 1)[0]
    for target in RESULTS["targets"]:
        assert f"| {target['target']} | {target['measured']} | {target['goal']} |" in block


def test_the_sse_section_reads_what_bench_sse_returns() -> None:
    sse = {"bytes": 473_000, "convgen": {"events": 2008, "per_second": 17277.0},
           "openai": {"events": 2008, "per_second": 1200.0}, "ratio": 14.4}
    text = "\n".join(report_scale.render_scale({"sse": sse}, 7))
    assert "(2008 events, 473 kB)" in text and "convgen 17,277 events/s, the SDK 1,200 events/s: 14.4×" in text


def test_a_missed_whole_spec_build_says_where_the_time_went() -> None:
    ours = {"name": "convgen (cold cache) — X", "kind": "convgen", "status": "ok", "wall_s": {"median": 10.0},
            "maxrss_mib": {"median": 100.0}, "stages_s": {"load": 1.0, "format": 6.0, "plan": 2.0, "other": 0.5,
                                                          "total": 9.5}}
    peer = {"name": "openapi-python-client (no post-hooks) — X", "kind": "peer", "status": "ok",
            "wall_s": {"median": 8.0}}
    broken = {**peer, "status": "failed", "wall_s": None, "first_error": "Traceback"}
    targets = report_scale.evaluate_scale_targets({"whole_build": [{"spec": "X", "rows": [ours, peer]},
                                                                   {"spec": "Y", "rows": [ours, broken]}]})
    missed = next(t for t in targets if t["target"].startswith("whole spec, cold: X"))
    assert missed["status"] == "MISS" and "format 6.00 s, plan 2.00 s, load 1.00 s of 9.50 s" in missed["note"]
    na = next(t for t in targets if t["target"].startswith("whole spec, cold: Y"))
    assert na["status"] == "N/A" and "the peer failed on this spec" in na["note"] and "Traceback" in na["note"]
