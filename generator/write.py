"""Stage 8, write: put the rendered files on disk all at once, or compare them with it.

The new tree is written to a staging folder beside the output, then swapped in: on Linux with
one atomic exchange of the two folders (`renameat2(RENAME_EXCHANGE)`), elsewhere with two
renames. A failed or interrupted build (an exception, Ctrl-C) leaves the old output exactly
as it was and removes its staging folder; a killed one may leave a staging folder behind,
which the next build removes (staging folders carry the id of the process that made them).
A folder that convgen did not write (no manifest) is never replaced.
"""

from __future__ import annotations

import ctypes
import difflib
import errno
import os
import re
import shutil
import stat
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

MANIFEST = ".convgen-manifest"


class WriteError(Exception):
    """The output could not be written; the old output is intact."""


@dataclass(frozen=True)
class Difference:
    path: str
    status: str  # "added", "removed", "changed"
    added: int
    removed: int
    diff: str


def with_manifest(files: dict[str, str]) -> dict[str, str]:
    listing = "".join(f"{p}\n" for p in sorted(files))
    return {**files, MANIFEST: "# Files written by convgen; it replaces this folder only while this file is here.\n" + listing}


def compare(files: dict[str, str], out: Path) -> list[Difference]:
    """What `write` would change in `out`, file by file, with unified diffs."""
    files = with_manifest(files)
    existing = _existing(out)
    diffs: list[Difference] = []
    for path in sorted(set(files) | set(existing)):
        new = files.get(path)
        old_path = existing.get(path)
        old = _read(old_path) if old_path is not None else None
        if new == old:
            continue
        status = "added" if old is None else "removed" if new is None else "changed"
        lines = list(difflib.unified_diff((old or "").splitlines(True), (new or "").splitlines(True), f"a/{path}", f"b/{path}", n=2))
        added = sum(1 for line in lines if line.startswith("+") and not line.startswith("+++"))
        removed = sum(1 for line in lines if line.startswith("-") and not line.startswith("---"))
        diffs.append(Difference(path, status, added, removed, "".join(lines)))
    return diffs


def write(files: dict[str, str], out: Path) -> bool:
    """Replace `out` with exactly `files`. Returns False when nothing needed to change."""
    files = with_manifest(files)
    if out.is_symlink():
        out = out.resolve()
    if out.exists():
        if not out.is_dir():
            raise WriteError(f"{out} exists and is not a folder")
        if any(out.iterdir()) and not (out / MANIFEST).is_file():
            raise WriteError(f"{out} is not empty and was not written by convgen (no {MANIFEST}): choose another folder")
        if not compare_raw(files, out):
            remove_leftovers(out)
            return False
    parent = out.absolute().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        remove_leftovers(out)
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-{os.getpid()}-", dir=parent))
    except OSError as exc:
        raise WriteError(f"cannot create a staging folder in {parent}: {exc.strerror or exc}") from None
    try:
        for rel, text in files.items():
            target = staging / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(target, "w", encoding="utf-8", newline="\n") as fh:
                fh.write(text)
        _swap(staging, out)
    except BaseException as exc:  # Ctrl-C too: never leave a half-written output
        _remove_tree(staging)
        if isinstance(exc, OSError):
            raise WriteError(f"cannot write {out}: {exc.strerror or exc}") from None
        raise
    return True


def compare_raw(files: dict[str, str], out: Path) -> bool:
    """True when `out` differs from `files` (files already include the manifest)."""
    existing = _existing(out)
    if set(existing) != set(files):
        return True
    return any(_read(existing[p]) != text for p, text in files.items())


def _swap(staging: Path, out: Path) -> None:
    """Put `staging` where `out` is; afterwards `staging` no longer exists."""
    if not out.exists():
        os.rename(staging, out)
        return
    if _exchange(staging, out):  # one atomic step: `out` is never missing, not even if killed
        _discard(staging)  # now the old output
        return
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-{os.getpid()}-", dir=out.absolute().parent))
    os.rmdir(old)
    os.rename(out, old)
    try:
        os.rename(staging, out)
    except BaseException:
        os.rename(old, out)
        raise
    _discard(old)


def _discard(old: Path) -> None:
    """Remove the replaced output. The build has succeeded: a Ctrl-C now does not undo it (and
    whatever is left is removed by the next build, see remove_leftovers)."""
    try:
        _remove_tree(old)
    except KeyboardInterrupt:
        pass


def _exchange(a: Path, b: Path) -> bool:
    """Atomically exchange two paths (Linux renameat2); False where that is not available."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP, errno.EPERM):
        return False  # an old kernel or a file system without it: fall back to two renames
    raise OSError(code, os.strerror(code), str(b))


_LEFTOVER = re.compile(r"^\.(?P<name>.+)\.(?:new|old)-(?:(?P<pid>\d+)-)?[A-Za-z0-9_]+$")
STALE_SECONDS = 3600  # leftovers of convgen versions that did not record their process


def remove_leftovers(out: Path) -> list[Path]:
    """Remove staging folders of `out` left by builds that were killed (their process is gone)."""
    removed: list[Path] = []
    parent = out.absolute().parent
    try:
        entries = list(parent.iterdir())
    except OSError:
        return removed
    for entry in entries:
        match = _LEFTOVER.match(entry.name)
        if match is None or match.group("name") != out.name or entry.is_symlink() or not entry.is_dir():
            continue
        pid = match.group("pid")
        if pid is not None:
            if int(pid) == os.getpid() or _alive(int(pid)):
                continue
        else:
            try:
                if time.time() - entry.stat().st_mtime < STALE_SECONDS:
                    continue
            except OSError:
                continue
        _remove_tree(entry)
        removed.append(entry)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, OSError):
        return True  # someone else's process: leave its folders alone
    return True


def _remove_tree(path: Path) -> None:
    """Remove a folder, including read-only parts of it; never raises."""

    def retry(func, target, _exc):  # type: ignore[no-untyped-def]
        try:
            os.chmod(os.path.dirname(target) or ".", stat.S_IRWXU)
            if os.path.isdir(target) and not os.path.islink(target):
                os.chmod(target, stat.S_IRWXU)
            func(target)
        except OSError:
            pass

    try:
        shutil.rmtree(path, onerror=retry)
    except OSError:
        pass


def _existing(out: Path) -> dict[str, Path]:
    if not out.is_dir():
        return {}
    found = {}
    for root, dirs, names in os.walk(out):
        dirs[:] = [d for d in dirs if d not in ("__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache")]
        for name in names:
            if name.endswith(".pyc"):
                continue
            path = Path(root) / name
            found[path.relative_to(out).as_posix()] = path
    return found


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
