"""Memory of a large upload: a generated client sends a file of SIZE (default 1 GiB) as a multipart part.

    python benchmarks/bench_upload.py [--size-mib 1024] [--json]

Goal: the uploading process stays under 100 MiB peak RSS (the file is streamed in chunks, never read whole).
The client is the `multipart` feature package (tests/features/expected/multipart), `files.create(file=path)`,
sync and then async, each in a fresh interpreter, against tests/multipart_echo_server.py in a process of its own, which
hashes what arrives: the benchmark also checks that every byte got there. The file is sparse (no disk needed).
Peak RSS is the child's own `ru_maxrss`; "baseline" is its RSS after importing the client, before the upload.
Not part of the test run (a smoke test runs it with a few MiB: tests/test_upload_benchmark.py).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOAL_MIB = 100

CHILD = r"""
import asyncio, hashlib, json, resource, sys, time
sys.path.insert(0, sys.argv[1])
import multipart
path, base_url, flavour = sys.argv[2], sys.argv[3], sys.argv[4]
baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.perf_counter()
settings = dict(base_url=base_url, max_retries=0, timeout=600)
if flavour == "sync":
    with multipart.Client(**settings) as client:
        echo = client.files.create(file=__import__("pathlib").Path(path), purpose="batch")
else:
    async def main():
        async with multipart.AsyncClient(**settings) as client:
            return await client.files.create(file=__import__("pathlib").Path(path), purpose="batch")
    echo = asyncio.run(main())
elapsed = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"flavour": flavour, "baseline_kib": baseline, "peak_kib": peak, "seconds": elapsed,
                  "received": echo["size"], "chunked": echo["chunked"]}))
"""


def run(size_mib: int) -> list[dict[str, object]]:
    server = subprocess.Popen([sys.executable, str(ROOT / "tests" / "multipart_echo_server.py")], stdout=subprocess.PIPE,
                              text=True, cwd=ROOT)
    try:
        assert server.stdout is not None
        base_url = server.stdout.readline().strip()
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "large.bin"
            with open(path, "wb") as f:
                f.truncate(size_mib * 1024 * 1024)  # sparse: reads as zeros, takes no disk
            results = []
            client = _feature_client("multipart", Path(tmp))
            for flavour in ("sync", "async"):
                out = subprocess.run([sys.executable, "-c", CHILD, str(client),
                                      str(path), base_url, flavour], capture_output=True, text=True, check=False)
                if out.returncode != 0:
                    raise SystemExit(f"{flavour} upload failed:\n{out.stderr}")
                result = json.loads(out.stdout)
                size = os.path.getsize(path)
                assert result["received"] > size, f"the server got {result['received']} bytes of a {size}-byte file"
                results.append(result)
            return results
    finally:
        server.terminate()
        server.wait(timeout=10)

def _feature_client(name: str, folder: Path | None = None) -> Path:
    """The feature golden `name` with its runtime put back (goldens keep no `_runtime/`)."""
    sys.path.insert(0, str(ROOT / "tests"))
    from goldens import assemble

    return assemble(name, folder if folder is not None else Path(tempfile.mkdtemp(prefix="convgen-bench-")))



def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--json", action="store_true", help="print the raw results as JSON")
    args = parser.parse_args()
    started = time.perf_counter()
    results = run(args.size_mib)
    if args.json:
        print(json.dumps(results))
        return 0
    for r in results:
        peak = int(r["peak_kib"]) / 1024  # type: ignore[call-overload]
        rate = args.size_mib / float(r["seconds"])  # type: ignore[arg-type]
        verdict = "PASS" if peak <= GOAL_MIB else "MISS"
        print(f"{r['flavour']:5} upload of {args.size_mib} MiB: peak RSS {peak:.1f} MiB "
              f"(baseline {int(r['baseline_kib']) / 1024:.1f} MiB), {float(r['seconds']):.1f} s, {rate:.0f} MiB/s; "  # type: ignore[call-overload, arg-type]
              f"goal <= {GOAL_MIB} MiB: {verdict}")
    print(f"({time.perf_counter() - started:.1f} s in all)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
