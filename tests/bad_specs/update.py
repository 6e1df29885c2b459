"""The bad-spec cases: one small file each, with its expected diagnostics snapshotted.

Regenerate every snapshot (after a deliberate change to a diagnostic), then review the diff:

    python tests/bad_specs/update.py              # all cases
    python tests/bad_specs/update.py ref_cycle    # some cases (stems or file names)

Snapshots are only ever written by this script; `tests/test_bad_specs.py` runs the same
command on each case and compares its output with `<case file>.expected.txt` exactly. Cases
run through `convgen.cli.main` in a few interpreters (file descriptors 1 and 2 captured
around each call, as for a process of its own); the test also runs a sample of them as
separate `python -m convgen` processes and checks that the output is the same.

A case is any file in this folder except this script, snapshots and README.md. It is built
with `convgen build CASE --no-config --package STEM -o OUT` from this folder (so diagnostics
name it relatively), plus the arguments on a first line `# convgen: ARGS`; convgen's caches
go to a fresh temporary folder.
A snapshot holds that command, the exit code, and stderr exactly, with the temporary output
folder shown as OUT.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
SUFFIX = ".expected.txt"
NOT_CASES = {"update.py", "README.md", "__pycache__"}


@dataclass(frozen=True)
class Outcome:
    case: Path
    command: list[str]  # as shown in the snapshot (OUT for the output folder)
    returncode: int
    stdout: str
    stderr: str
    out: Path  # the output folder (exists only after a successful build)

    def snapshot(self) -> str:
        text = f"$ convgen {shlex.join(self.command)}\nexit {self.returncode}\n" + self.stderr
        if self.stdout:
            text += "--- stdout\n" + self.stdout
        return text


def cases() -> list[Path]:
    return sorted(p for p in HERE.iterdir() if p.is_file() and p.name not in NOT_CASES and not p.name.endswith(SUFFIX))


def expected_path(case: Path) -> Path:
    return case.with_name(case.name + SUFFIX)


def arguments(case: Path) -> list[str]:
    with open(case, "rb") as fh:
        first = fh.readline(1000)
    marker = b"# convgen:"
    return shlex.split(first[len(marker):].decode()) if first.startswith(marker) else []


def command(case: Path) -> list[str]:
    return ["build", case.name, "--no-config", "--package", case.name.split(".")[0], "-o", "OUT", *arguments(case)]


def _env(workdir: Path) -> dict[str, str]:
    return {**os.environ, "NO_COLOR": "1", "XDG_CACHE_HOME": str(workdir / "cache")}


def _argv(case: Path, workdir: Path) -> tuple[list[str], list[str], Path]:
    out = workdir / f"{case.name.split('.')[0]}_out"
    shown = command(case)
    return shown, [str(out) if a == "OUT" else a for a in shown], out


def _outcome(case: Path, shown: list[str], out: Path, code: int, stdout: str, stderr: str) -> Outcome:
    return Outcome(case, shown, code, stdout.replace(str(out), "OUT"), stderr.replace(str(out), "OUT"), out)


def run(case: Path, workdir: Path, timeout: float = 120) -> Outcome:
    """Build one case with `python -m convgen` in a process of its own."""
    shown, argv, out = _argv(case, workdir)
    result = subprocess.run([sys.executable, "-m", "convgen", *argv], cwd=HERE, env=_env(workdir), capture_output=True,
                            text=True, errors="replace", timeout=timeout)
    return _outcome(case, shown, out, result.returncode, result.stdout, result.stderr)


# Runs `convgen.cli.main(argv)` for several cases in one interpreter (imports are paid once),
# capturing file descriptors 1 and 2 around each call exactly as a process of its own would.
_BATCH = r"""
import json, os, sys, tempfile
from convgen.cli import main
results = []
for argv in json.loads(sys.stdin.read()):
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        sys.stdout.flush(); sys.stderr.flush()
        saved = os.dup(1), os.dup(2)
        os.dup2(out.fileno(), 1); os.dup2(err.fileno(), 2)
        try:
            try:
                code = main(argv)
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 2
            sys.stdout.flush(); sys.stderr.flush()
        finally:
            os.dup2(saved[0], 1); os.dup2(saved[1], 2)
            os.close(saved[0]); os.close(saved[1])
        out.seek(0); err.seek(0)
        results.append([code, out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace")])
sys.stdout.write(json.dumps(results))
"""


def run_all(selected: list[Path], workdir: Path, processes: int = 2, timeout: float = 600) -> dict[Path, Outcome]:
    """Build every case: `processes` interpreters in parallel, each running the CLI on its share."""
    shares = [selected[i::processes] for i in range(processes)]

    def batch(share: list[Path]) -> list[Outcome]:
        if not share:
            return []
        prepared = [_argv(case, workdir) for case in share]
        result = subprocess.run([sys.executable, "-c", _BATCH], input=json.dumps([argv for _, argv, _ in prepared]),
                                cwd=HERE, env=_env(workdir), capture_output=True, text=True, timeout=timeout)
        if result.returncode != 0:
            raise RuntimeError(f"the case runner failed ({result.returncode}):\n{result.stderr}")
        found = json.loads(result.stdout)
        return [_outcome(case, shown, out, *found[i]) for i, (case, (shown, _, out)) in enumerate(zip(share, prepared))]

    with ThreadPoolExecutor(max_workers=processes) as pool:
        done = [o for outcomes in pool.map(batch, shares) for o in outcomes]
    return {o.case: o for o in sorted(done, key=lambda o: o.case)}


def main(argv: list[str]) -> int:
    selected = cases()
    if argv:
        wanted = set(argv)
        selected = [c for c in selected if c.name in wanted or c.name.split(".")[0] in wanted]
        if len(selected) != len(wanted):
            print(f"unknown case among {sorted(wanted)}", file=sys.stderr)
            return 2
    with tempfile.TemporaryDirectory() as tmp:
        outcomes = run_all(selected, Path(tmp))
    for case, outcome in outcomes.items():
        path = expected_path(case)
        new = outcome.snapshot()
        old = path.read_text(encoding="utf-8") if path.exists() else None
        if new != old:
            path.write_text(new, encoding="utf-8")
        print(f"{'updated' if new != old else 'same   '} {path.name} (exit {outcome.returncode})")
    stale = [p for p in HERE.glob("*" + SUFFIX) if not p.with_name(p.name[: -len(SUFFIX)]).exists()]
    for path in stale:
        path.unlink()
        print(f"removed {path.name} (its case is gone)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
