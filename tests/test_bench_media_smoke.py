"""benchmarks/bench_media.py runs (a small download; the figures themselves are benchmarks, not tests)."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import ROOT


def test_download_benchmark_runs_and_reports_peak_memory() -> None:
    out = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench_media.py"), "download", "--size-mib", "2"],
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    results = json.loads(out.stdout.strip().splitlines()[-1])
    assert set(results) == {"sync, Content-Length", "sync, chunked", "async, Content-Length", "async, chunked"}
    assert all(r["peak_rss_mib"] > 0 for r in results.values())
