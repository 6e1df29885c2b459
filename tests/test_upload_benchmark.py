"""benchmarks/bench_upload.py runs: a streamed upload through the generated client reaches the echo server whole,
sync and async (with a few MiB here; the 1 GiB figure is the benchmark's, not a test's)."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import ROOT


def test_upload_benchmark_runs_and_every_byte_arrives() -> None:
    out = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench_upload.py"), "--size-mib", "8", "--json"],
                         capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    results = json.loads(out.stdout)
    assert [r["flavour"] for r in results] == ["sync", "async"]
    for r in results:
        assert r["received"] > 8 * 1024 * 1024 and not r["chunked"]  # a path has a known length: Content-Length
