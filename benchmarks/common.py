"""Shared helpers: paths, child environments, measured process runs, statistics.

Peak memory of a child process
------------------------------
Every measured process is started with ``subprocess.Popen`` and reaped with
``os.wait4(pid, 0)``.  ``wait4`` returns the rusage of *that* child only
(plus any descendants it waited for itself), so ``ru_maxrss`` is the peak
resident set size of the largest single process in that child's tree: the
generator itself, or e.g. the JVM that the openapi-generator-cli wrapper
starts, or a ruff post-hook.  This is exact per run and avoids the trap of
``getrusage(RUSAGE_CHILDREN)`` "deltas": that ``ru_maxrss`` is a running
*maximum* over all children ever reaped, so a small child measured after a
big one would be reported with the big one's figure.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BENCH_DIR = REPO / "benchmarks"
PACKAGE = "openai_conversations"
TAG = "Conversations"

# Environment variables that would change what a child process does or
# where its traffic goes (proxies must never see loopback benchmark traffic).
_DROP_ENV = re.compile(r"^(OPENAI_|PYTHON(PATH|HOME|STARTUP|DONTWRITEBYTECODE|PROFILEIMPORTTIME)$|"
                       r"(HTTP|HTTPS|ALL|NO)_PROXY$|(http|https|all|no)_proxy$|VIRTUAL_ENV$)")


def child_env(extra: dict[str, str] | None = None, path_prefix: Path | None = None) -> dict[str, str]:
    """A clean environment for a measured child process."""
    env = {k: v for k, v in os.environ.items() if not _DROP_ENV.match(k)}
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    if path_prefix is not None:
        env["PATH"] = f"{path_prefix}{os.pathsep}{env.get('PATH', '')}"
    if extra:
        env.update(extra)
    return env


@dataclass
class ProcResult:
    """One measured child process."""

    argv: list[str]
    rc: int
    wall_s: float
    maxrss_kib: int
    cpu_s: float
    timed_out: bool = False
    first_error: str | None = None
    log: str | None = None
    stdout: str = field(default="", repr=False)

    @property
    def ok(self) -> bool:
        return self.rc == 0 and not self.timed_out

    def summary(self) -> dict:
        d = asdict(self)
        d.pop("stdout")
        return d


_ERROR_RE = re.compile(r"(error|exception|traceback|fatal|failed|no such|not found)", re.I)


def first_error_line(text: str) -> str | None:
    """The first line that looks like an error, else the last non-empty line.

    For a Python traceback that is the exception line that ends it.
    """
    raw = text.splitlines()
    for i, ln in enumerate(raw):
        if ln.startswith("Traceback (most recent call last):"):
            for after in raw[i + 1:]:
                if after.strip() and not after[0].isspace():
                    return after.strip()[:300]
    lines = [ln.strip() for ln in raw if ln.strip()]
    for ln in lines:
        if _ERROR_RE.search(ln):
            return ln[:300]
    return lines[-1][:300] if lines else None


def run_measured(argv: list[str], *, env: dict[str, str] | None = None, cwd: Path | None = None,
                 timeout: float = 600.0, log_path: Path | None = None) -> ProcResult:
    """Run argv to completion; return wall time, exit code and peak RSS of its tree.

    stdout and stderr go to one log file (no pipes, so the child never blocks
    on us).  On timeout the child's whole process group is killed.
    """
    own_log = log_path is None
    if own_log:
        fd, name = tempfile.mkstemp(prefix="bench-", suffix=".log")
        os.close(fd)
        log_path = Path(name)
    log_path.parent.mkdir(parents=True, exist_ok=True)
    timed_out = threading.Event()
    with open(log_path, "wb") as log:
        t0 = time.perf_counter()
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                env=env, cwd=cwd, start_new_session=True)

        def _kill() -> None:
            timed_out.set()
            try:
                os.killpg(proc.pid, signal.SIGKILL)  # the group we created above
            except ProcessLookupError:
                pass

        timer = threading.Timer(timeout, _kill)
        timer.start()
        try:
            _, status, ru = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        wall = time.perf_counter() - t0
    rc = os.waitstatus_to_exitcode(status)
    proc.returncode = rc  # reaped by wait4 above; tell Popen
    text = log_path.read_text(errors="replace")
    if own_log:
        log_path.unlink()
    res = ProcResult(argv=[str(a) for a in argv], rc=rc, wall_s=wall, maxrss_kib=ru.ru_maxrss,
                     cpu_s=ru.ru_utime + ru.ru_stime, timed_out=timed_out.is_set(),
                     log=None if own_log else str(log_path), stdout=text)
    if not res.ok:
        res.first_error = "timed out" if res.timed_out else first_error_line(text)
    return res


def stats(values: list[float]) -> dict | None:
    """Median, min, max, quartiles of a sample (None for an empty one)."""
    vals = sorted(v for v in values if v is not None)
    if not vals:
        return None
    if len(vals) >= 2:
        q1, _, q3 = statistics.quantiles(vals, n=4, method="inclusive")
    else:
        q1 = q3 = vals[0]
    return {"median": statistics.median(vals), "min": vals[0], "max": vals[-1],
            "q1": q1, "q3": q3, "n": len(vals), "values": vals}


def rotate(items: list, k: int) -> list:
    """items rotated left by k: round r runs contenders in a different order."""
    if not items:
        return items
    k %= len(items)
    return items[k:] + items[:k]


def fresh_dir(path: Path) -> Path:
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    return path


def find_package_parent(out: Path, package: str = PACKAGE) -> Path | None:
    """Directory to put on PYTHONPATH so that `import package` finds the build in `out`.

    Works whether `-o OUT` names the package directory itself or a project
    directory containing it (OUT/package, OUT/src/package, ...).
    """
    if out.name == package and (out / "__init__.py").is_file():
        return out.parent
    for depth in range(1, 4):
        for init in sorted(out.glob("/".join(["*"] * (depth - 1) + [package, "__init__.py"]))):
            return init.parent.parent
    return None


def tree_size(path: Path) -> dict:
    """Number of .py files and their total lines under path (or of one file)."""
    files = [path] if path.is_file() else [p for p in path.rglob("*.py") if "__pycache__" not in p.parts]
    lines = 0
    for p in files:
        try:
            with open(p, "rb") as fh:
                lines += sum(1 for _ in fh)
        except OSError:
            pass
    return {"py_files": len(files), "py_lines": lines}


def trees_identical(a: Path, b: Path) -> bool:
    """Same relative file set with the same bytes (ignoring __pycache__)."""
    def listing(root: Path) -> dict[str, bytes]:
        return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*")
                if p.is_file() and "__pycache__" not in p.parts}
    return listing(a) == listing(b)


def dump_json(obj, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj, indent=1, sort_keys=False, default=str) + "\n")
