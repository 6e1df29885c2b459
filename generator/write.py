"""Stage 8, write: put the rendered files on disk all at once, or compare them with it.

The new tree is written to a staging folder beside the output and swapped in with two
renames, so a failed or interrupted build leaves the old output as it was. A folder that
convgen did not write (no manifest) is never replaced.
"""

from __future__ import annotations

import difflib
import os
import shutil
import tempfile
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
    if out.exists():
        if not out.is_dir():
            raise WriteError(f"{out} exists and is not a folder")
        if any(out.iterdir()) and not (out / MANIFEST).is_file():
            raise WriteError(f"{out} is not empty and was not written by convgen (no {MANIFEST}): choose another folder")
        if not compare_raw(files, out):
            return False
    parent = out.resolve().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=parent))
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
        shutil.rmtree(staging, ignore_errors=True)
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
    if not out.exists():
        os.rename(staging, out)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.resolve().parent))
    os.rmdir(old)
    os.rename(out, old)
    try:
        os.rename(staging, out)
    except BaseException:
        os.rename(old, out)
        raise
    shutil.rmtree(old, ignore_errors=True)


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
