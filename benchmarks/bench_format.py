"""The format stage on whole real specs: its time, and proof that its output is black's.

    python benchmarks/bench_format.py                 # the OpenAI spec and DigitalOcean (bundled)
    python benchmarks/bench_format.py SPEC [SPEC...]  # other specs, whole

For each spec: the files the render stage gives, formatted by the format stage (no cache, one
process) with its CPU time, then each Python file formatted by black whole, the reference:
every file must be byte-identical. Black on every file takes minutes (about 0.7 ms a line);
that is the cost the format stage avoids. tests/test_format_identity.py runs the same check
on two smaller builds.
"""

from __future__ import annotations

import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from convgen import format as fmt  # noqa: E402
from format_support import black_whole, rendered  # noqa: E402


def _digitalocean(folder: Path) -> Path:
    with tarfile.open(ROOT / "tests" / "corpus" / "digitalocean-specification.tar.gz") as archive:
        archive.extractall(folder, filter="data")
    return folder / "specification" / "DigitalOcean-public.v2.yaml"


def check(spec: Path) -> bool:
    files = rendered(spec)
    python = {path: text for path, text in files.items() if path.endswith(".py")}
    lines = sum(text.count("\n") for text in python.values())
    start, wall = time.process_time(), time.perf_counter()
    out, diags = fmt.format_files(files, use_cache=False, jobs=1)
    cpu, wall = time.process_time() - start, time.perf_counter() - wall
    print(f"{spec.name}: {len(python)} Python files, {lines:,} lines; format stage {cpu:.2f} s CPU ({wall:.2f} s wall)")
    start = time.process_time()
    differ = [path for path, text in python.items() if out[path] != black_whole(text)]
    print(f"  black on every whole file: {time.process_time() - start:.1f} s CPU; files that differ: {len(differ)}")
    for path in differ[:20]:
        print(f"    {path}")
    return not differ and not diags


def main(argv: list[str]) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        specs = [Path(a) for a in argv] or [ROOT / "spec" / "openai.yaml", _digitalocean(Path(tmp))]
        ok = all([check(spec) for spec in specs])
    print("identical to black" if ok else "DIFFERENT from black")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
