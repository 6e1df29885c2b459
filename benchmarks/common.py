"""Shared helpers: paths, child environments, measured process runs, statistics.

Peak memory of a child process
------------------------------
`ru_maxrss` of a child, as `os.wait4()` or `getrusage(RUSAGE_CHILDREN)`
report it, is not only the child's own peak: Linux records the high-water
RSS of the address space the child had *before* exec, i.e. the forked (or
vforked) copy of the parent.  Launched straight from this orchestrator, every
child would show at least the orchestrator's own RSS (~25 MiB, growing as
results pile up; `python -c pass` would "use" 27 MiB instead of 9).  And
`RUSAGE_CHILDREN` "deltas" are wrong anyway: that `ru_maxrss` is a running
maximum over all children ever reaped, not a sum.

So every measured command runs under GNU time (`/usr/bin/time -f %M -o FILE
CMD`): a ~2 MiB C program, so the inherited floor is negligible, and %M is the
`ru_maxrss` that time got from wait4 on CMD — the peak RSS of the largest
single process in CMD's tree (the generator itself, the JVM behind
openapi-generator-cli, or a ruff post-hook).  Without GNU time the figure
falls back to our own wait4 (marked "wait4" in results.json).  Wall time is
measured here around spawn-to-reap, the same for every contender.
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
    rss_source: str = "wait4"
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


_ERROR_RE = re.compile(r"(error|exception|traceback|fatal|failed|no such|not found)", re.IGNORECASE)


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
    for i, ln in enumerate(raw):
        if ln.startswith("╭") and "Traceback" in ln:  # rich's boxed traceback (typer CLIs, e.g. the peer)
            end = next((j for j in range(i + 1, len(raw)) if raw[j].startswith("╰")), None)
            # the exception follows the box, wrapped at the terminal's width (hence no separator)
            message = "".join(x for x in raw[end + 1:end + 4] if x.strip()).strip() if end is not None else ""
            if message:
                return message[:300]
    lines = [ln.strip() for ln in raw if ln.strip()]
    for ln in lines:
        if _ERROR_RE.search(ln):
            return ln[:300]
    return lines[-1][:300] if lines else None


def error_context(text: str, first: str | None, lines: int = 4) -> str | None:
    """The first error line and the few non-empty lines after it (for results.json)."""
    if not first:
        return None
    raw = [ln.rstrip() for ln in text.splitlines() if ln.strip()]
    for i, ln in enumerate(raw):
        if ln.strip().startswith(first[:80]):
            return "\n".join(raw[i:i + lines])[:1000]
    return first


GNU_TIME = "/usr/bin/time"
_gnu_time: bool | None = None


def _parse_time_file(path: Path) -> int | None:
    """Last all-digits line of GNU time's -o file (it may prefix 'Command exited with ...')."""
    try:
        lines = path.read_text().split()
    except OSError:
        return None
    digits = [ln for ln in lines if ln.isdigit()]
    return int(digits[-1]) if digits else None


def gnu_time_available() -> bool:
    global _gnu_time
    if _gnu_time is None:
        fd, name = tempfile.mkstemp(prefix="bench-time-")
        os.close(fd)
        try:
            ok = subprocess.run([GNU_TIME, "-f", "%M", "-o", name, "true"], capture_output=True,
                                check=False).returncode == 0
            _gnu_time = ok and _parse_time_file(Path(name)) is not None
        except OSError:
            _gnu_time = False
        finally:
            os.unlink(name)
    return _gnu_time


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
    rss_file = None
    launch = list(argv)
    if gnu_time_available():
        fd, name = tempfile.mkstemp(prefix="bench-rss-")
        os.close(fd)
        rss_file = Path(name)
        launch = [GNU_TIME, "-f", "%M", "-o", name, *launch]
    with open(log_path, "wb") as log:
        t0 = time.perf_counter()
        proc = subprocess.Popen(launch, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
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
    maxrss, rss_source = ru.ru_maxrss, "wait4"
    if rss_file is not None:
        got = _parse_time_file(rss_file)
        rss_file.unlink()
        if got is not None:
            maxrss, rss_source = got, "gnu-time"
    text = log_path.read_text(errors="replace")
    if own_log:
        log_path.unlink()
    res = ProcResult(argv=[str(a) for a in argv], rc=rc, wall_s=wall, maxrss_kib=maxrss, rss_source=rss_source,
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
