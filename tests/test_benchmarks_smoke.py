"""Smoke test of the benchmark suite (benchmarks/run.py --smoke).

Runs every code path of the suite that does not need the peers' venv: convgen
(via `python -m convgen` in this interpreter) selects the section, builds
cold/warm, rebuilds, checks, builds from the full spec; the generated client
is imported, answers a first request and runs sequential requests against the
suite's local server on 127.0.0.1; the decode benchmark runs on the shared
fixture.  Counts are tiny and the report goes to a temp dir.  No network
beyond loopback, no package installs.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PAYLOAD = REPO / "tests" / "fixtures" / "conversation_item_list_100.json"

SECTIONS = [
    "## Versions", "## Method", "## Targets",
    "## 1. Build the client from the section file (cold)",
    "## 2. Build from the full 3 MB spec",
    "## 3. Rebuild with nothing changed, and `convgen check` (warm cache)",
    "## 4. Client import and time to first response",
    "## 5. Decode / encode a 100-item ConversationItemList",
    "## 6. Sequential `conversations.retrieve` requests per second (local server)",
    "## 7. Whole real specs (no selection, cold cache) against openapi-python-client",
    "## 9. Locating diagnostics",
]


def _positive(stat: dict | None) -> bool:
    return bool(stat) and stat["n"] >= 1 and stat["median"] > 0 and stat["min"] > 0


@pytest.fixture(scope="module")
def smoke(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, str]:
    out = tmp_path_factory.mktemp("bench-smoke")
    proc = subprocess.run([sys.executable, str(REPO / "benchmarks" / "run.py"), "--smoke", "--out-dir", str(out)],
                          capture_output=True, text=True, timeout=900, stdin=subprocess.DEVNULL, check=False)
    assert proc.returncode == 0, proc.stderr[-4000:]
    return json.loads((out / "results.json").read_text()), (out / "RESULTS.md").read_text()


def test_report_has_all_sections(smoke: tuple[dict, str]) -> None:
    results, md = smoke
    for heading in SECTIONS:
        assert heading in md, heading
    assert results["meta"]["mode"] == "smoke"
    assert results["meta"]["machine"]["cores"] >= 1
    statuses = {t["status"] for t in results["targets"]}
    assert statuses <= {"PASS", "MISS", "N/A"}
    assert len(results["targets"]) >= 12


def test_builds_are_measured(smoke: tuple[dict, str]) -> None:
    results, _ = smoke
    assert results["select"]["ok"], results["select"]
    rows = {r["name"]: r for r in results["section_build"] + results["full_build"]}
    for name in ("convgen (cold cache)", "convgen (warm cache)",
                 "convgen --tag Conversations (cold cache)", "convgen --tag Conversations (warm cache)"):
        row = rows[name]
        assert row["status"] == "ok", (name, row["first_error"])
        assert _positive(row["wall_s"]) and _positive(row["maxrss_mib"]), name
        assert row["output"]["py_files"] > 0
    for name, row in results["rebuild_check"].items():
        assert row["failures"] == 0, (name, row["first_error"])
        assert _positive(row["wall_s"]), name
    assert results["section_vs_full_identical"] is True


def test_client_is_measured(smoke: tuple[dict, str]) -> None:
    results, _ = smoke
    assert results["client_package"]["ok"], results["client_package"]
    for key in ("import", "ttfr"):
        row = results[key]["ours"]
        assert row["failures"] == 0, (key, row["first_error"])
        assert _positive(row["wall_s"]) and _positive(row["maxrss_mib"]), key
    for impl in ("ours", "httpx"):
        row = results["rps"][impl]
        assert row["first_error"] is None, (impl, row["first_error"])
        assert _positive(row["rate_per_s"]), impl


def test_decode_is_measured(smoke: tuple[dict, str]) -> None:
    results, _ = smoke
    assert "decode" in results, results["skipped"]
    ours = results["decode"]["ours"]
    assert "error" not in ours, ours.get("error")
    assert _positive(ours["decode_s"]) and _positive(ours["encode_s"])
    assert ours["mutates_input"] is False


def test_the_realistic_decode_mix_is_measured(smoke: tuple[dict, str]) -> None:
    results, md = smoke
    pages = results["decode_mix"]["pages"]
    assert set(pages) == {"logprobs", "mixed", "long_strings"}
    for name, page in pages.items():
        ours = page["ours"]
        assert "error" not in ours, (name, ours.get("error"))
        assert _positive(ours["decode_s"]) and _positive(ours["encode_s"]) and ours["roundtrip_equal"] is True, name
    assert results["decode_mix"]["total"]["ours"]["decode_s"] > 0
    assert "### The realistic mix" in md


def test_scale_is_measured(smoke: tuple[dict, str]) -> None:
    """--smoke runs the whole-spec build and the locate measure on a small spec."""
    results, md = smoke
    (entry,) = results["whole_build"]
    ours = entry["rows"][0]
    assert ours["name"].startswith("convgen") and ours["status"] == "ok", ours["first_error"]
    assert _positive(ours["wall_s"]) and _positive(ours["maxrss_mib"])
    assert {"load", "build", "render", "write"} <= set(ours["stages_s"]), ours["stages_s"]
    locate = results["locate"]
    assert locate["count"] == 20 and _positive(locate["locate_s"])
    assert locate["diagnostics_mentioning_the_refs"] >= 20  # every dangling $ref is reported
    assert "convgen's `-v` stage timings" in md
