"""Stage 8, write: put the rendered files on disk all at once, or compare them with it.

The new tree is written to a staging folder beside the output, then swapped in: on Linux with
one atomic exchange of the two folders (`renameat2(RENAME_EXCHANGE)`), elsewhere with two
renames. A failed or interrupted build (an exception, Ctrl-C) leaves the old output exactly
as it was and removes its staging folder; a killed one may leave a staging folder behind,
which the next build removes (staging folders carry the id of the process that made them).
A folder that convgen did not write (no manifest) is never replaced.

What building, installing or checking the generated package leaves in the folder (`build/`,
`dist/`, `*.egg-info/`, `__pycache__/`, tool caches, a `.venv/`) is not drift and is carried over
into each new build. A file that neither convgen wrote (it is not in the manifest) nor is such
an artefact was added by hand: it is never deleted; the build refuses and names it (ForeignFiles).
The new folder gets the permissions of a normal `mkdir` (the umask), or those of the folder it
replaces.
"""

from __future__ import annotations

import ctypes
import errno
import os
import re
import secrets
import shutil
import stat
import sys
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

MANIFEST = ".convgen-manifest"


class WriteError(Exception):
    """The output could not be written; the old output is intact."""


class ForeignFiles(WriteError):
    """The output folder holds files convgen did not write: replacing it would delete them."""

    def __init__(self, out: Path, paths: list[str]) -> None:
        super().__init__(f"{out} holds {len(paths)} files convgen did not write")
        self.out, self.paths = out, paths


# Left in the output folder by building, installing or checking the generated package; folders
# only at the top (a generated path of the same name wins), caches and *.egg-info at any depth.
ARTEFACT_TOP = frozenset({"build", "dist", ".eggs", ".venv", "venv", ".tox", ".nox", ".git", ".hg"})
ARTEFACT_ANYWHERE = frozenset({"__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache"})


@dataclass(frozen=True)
class Difference:
    path: str
    status: str  # "added", "removed", "changed"
    added: int
    removed: int
    diff: str


def with_manifest(files: dict[str, str]) -> dict[str, str]:
    listing = "".join(f"{p}\n" for p in sorted(files))
    return {
        **files,
        MANIFEST: "# Files written by convgen; it replaces this folder only while this file is here.\n" + listing,
    }


def compare(files: dict[str, str], out: Path) -> list[Difference]:
    """What `write` would change in `out`, file by file, with unified diffs."""
    import difflib  # (imported here: only `check --diff` and `diff` compare texts)

    files = with_manifest(files)
    existing = _existing(out, files)
    diffs: list[Difference] = []
    for path in sorted(set(files) | set(existing)):
        new = files.get(path)
        old_path = existing.get(path)
        old = _read(old_path) if old_path is not None else None
        if new == old:
            continue
        status = "added" if old is None else "removed" if new is None else "changed"
        lines = list(
            difflib.unified_diff(
                (old or "").splitlines(True), (new or "").splitlines(True), f"a/{path}", f"b/{path}", n=2
            )
        )
        added = sum(1 for line in lines if line.startswith("+") and not line.startswith("+++"))
        removed = sum(1 for line in lines if line.startswith("-") and not line.startswith("---"))
        diffs.append(Difference(path, status, added, removed, "".join(lines)))
    return diffs


def foreign_files(out: Path) -> list[str]:
    """Files in `out` that the last build did not write and that are no build artefact."""
    if not (out / MANIFEST).is_file():
        return []
    listed = set((_read(out / MANIFEST) or "").splitlines()) | {MANIFEST}
    return sorted(set(_existing(out, listed)) - listed)


def write(files: dict[str, str], out: Path) -> bool:
    """Replace `out` with exactly `files` (keeping build artefacts). Returns False when nothing
    needed to change. Raises ForeignFiles, before touching anything, if that would delete a
    file convgen did not write."""
    files = with_manifest(files)
    if out.is_symlink():
        out = out.resolve()
    if out.exists():
        if not out.is_dir():
            raise WriteError(f"{out} exists and is not a folder")
        if any(out.iterdir()) and not (out / MANIFEST).is_file():
            raise WriteError(
                f"{out} is not empty and was not written by convgen (no {MANIFEST}): choose another folder"
            )
        foreign = foreign_files(out)
        if foreign:
            raise ForeignFiles(out, foreign)
    same, kept = _unchanged(files, out)
    existing = set(_existing(out, files)) if len(files) - len(same) <= 1 else None
    if len(same) == len(files) and existing == set(files):
        remove_leftovers(out)
        return False
    parent = out.absolute().parent
    if existing == set(files) and len(kept) == len(files) - 1:
        # one file changed, none came or went, and the others are as a new tree would have them
        # (plain files with a new file's mode: a symlink or another mode is written anew)
        (rel,) = (p for p in files if p not in same)
        if _replace_one(out, rel, files[rel]):
            remove_leftovers(out)
            return True
    try:
        parent.mkdir(parents=True, exist_ok=True)
        remove_leftovers(out)
        staging = _make_staging(parent, out)
    except OSError as exc:
        raise WriteError(f"cannot create a staging folder in {parent}: {exc.strerror or exc}") from None
    carried: list[str] = []
    try:
        made: set[Path] = set()
        for rel, text in files.items():
            target = staging / rel
            if target.parent not in made:
                target.parent.mkdir(parents=True, exist_ok=True)
                made.add(target.parent)
            if rel in kept and _linked(out / rel, target):
                continue
            with open(target, "w", encoding="utf-8", newline="\n") as fh:
                fh.write(text)
        _carry_artefacts(out, staging, files, carried)
        _swap(staging, out)
    except BaseException as exc:  # Ctrl-C too: never leave a half-written output
        _put_back(staging, out, carried)
        _remove_tree(staging)
        if isinstance(exc, OSError):
            raise WriteError(f"cannot write {out}: {exc.strerror or exc}") from None
        raise
    return True


def _replace_one(out: Path, rel: str, text: str) -> bool:
    """Put the one changed file in place: written beside the output folder (a leftover there,
    should this process be killed, goes as a staging folder's does), then renamed over the old
    file: one atomic step, as the folder swap is, without linking a thousand unchanged files into
    a new tree. False (nothing done) where the old file is not a plain file."""
    target = out / rel
    if target.is_symlink() or not target.is_file():
        return False
    temp = _new_beside(out.absolute().parent, out)
    try:
        with open(temp, "x", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        os.replace(temp, target)
    except BaseException as exc:  # Ctrl-C too: the old file stays, the new one goes
        try:
            os.unlink(temp)
        except OSError:
            pass
        if isinstance(exc, OSError):
            raise WriteError(f"cannot write {target}: {exc.strerror or exc}") from None
        raise
    return True


def _unchanged(files: dict[str, str], out: Path) -> tuple[set[str], set[str]]:
    """The files `out` already holds as they are (read as text, as `compare` reads them), and
    those of them that can go into the new tree as hard links to the old ones: plain files with
    the very bytes and the mode a new file gets. On a big client where one schema changed,
    creating a thousand files again costs far more than the build itself; a symlink, or a
    file whose mode or line ends differ, is written anew (as a full rewrite would).
    """
    same: set[str] = set()
    linkable: set[str] = set()
    if not out.is_dir():
        return same, linkable
    mask = os.umask(0)
    os.umask(mask)
    mode = 0o666 & ~mask
    for rel, text in files.items():
        path = os.path.join(out, rel)
        try:
            with open(path, "rb") as fh:
                data = fh.read()
            info = os.lstat(path)
        except OSError:
            continue
        if data == text.encode("utf-8", "surrogatepass"):
            same.add(rel)
            if stat.S_ISREG(info.st_mode) and stat.S_IMODE(info.st_mode) == mode:
                linkable.add(rel)
        elif _as_text(data) == text:
            same.add(rel)
    return same, linkable


def _as_text(data: bytes) -> str | None:
    """Bytes as `_read` reads a file: UTF-8, universal newlines."""
    try:
        return data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
    except UnicodeDecodeError:
        return None


def _linked(old: Path, target: Path) -> bool:
    """Hard-link an unchanged file into the staging folder; False where links are refused."""
    try:
        os.link(old, target, follow_symlinks=False)
    except OSError:
        return False
    return True


def _new_beside(parent: Path, out: Path) -> Path:
    """A fresh name in `parent` for what a build writes beside `out` (`remove_leftovers` knows it)."""
    return parent / f".{out.name}.new-{os.getpid()}-{secrets.token_hex(4)}"


def _make_staging(parent: Path, out: Path) -> Path:
    """A new folder beside `out` with the mode a plain mkdir gives (mkdtemp's is 0700), or `out`'s own."""
    for _ in range(100):
        staging = _new_beside(parent, out)
        try:
            os.mkdir(staging)
        except FileExistsError:
            continue
        if out.is_dir():
            os.chmod(staging, stat.S_IMODE(out.stat().st_mode))
        return staging
    raise OSError(errno.EEXIST, "no free name for a staging folder", str(parent))


def _artefacts(out: Path, files: dict[str, str]) -> list[str]:
    """The topmost artefact entries of `out` (relative paths), except where the new files go."""
    found = []
    for root, dirs, names in os.walk(out):
        rel_root = Path(root).relative_to(out).as_posix()
        prefix = "" if rel_root == "." else rel_root + "/"
        for name in [*dirs, *names]:
            rel = prefix + name
            if (
                _is_artefact(name, top=not prefix, is_file=name in names)
                and rel not in files
                and not any(f.startswith(rel + "/") for f in files)
            ):
                found.append(rel)
        dirs[:] = [d for d in dirs if prefix + d not in found]
    return found


def _is_artefact(name: str, *, top: bool, is_file: bool) -> bool:
    if is_file:
        return name.endswith((".pyc", ".pyo")) or top and name in ARTEFACT_TOP
    return name in ARTEFACT_ANYWHERE or name.endswith(".egg-info") or top and name in ARTEFACT_TOP


def _carry_artefacts(out: Path, staging: Path, files: dict[str, str], carried: list[str]) -> None:
    """Move the artefacts of `out` into `staging` (recorded in `carried` as they go, to put them
    back if the swap does not happen). A cache in a folder the new build does not have is dropped."""
    if not out.is_dir():
        return
    for rel in _artefacts(out, files):
        target = staging / rel
        if not target.parent.is_dir() or os.path.lexists(target):
            continue
        os.rename(out / rel, target)
        carried.append(rel)


def _put_back(staging: Path, out: Path, carried: list[str]) -> None:
    for rel in reversed(carried):
        try:
            os.rename(staging / rel, out / rel)
        except OSError:
            pass


def compare_raw(files: dict[str, str], out: Path) -> bool:
    """True when `out` differs from `files` (files already include the manifest)."""
    existing = _existing(out, files)
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
    """Remove staging folders of `out` (and the files `_replace_one` writes beside it) left by
    builds that were killed (their process is gone)."""
    removed: list[Path] = []
    parent = out.absolute().parent
    try:
        entries = list(parent.iterdir())
    except OSError:
        return removed
    for entry in entries:
        match = _LEFTOVER.match(entry.name)
        if match is None or match.group("name") != out.name or entry.is_symlink():
            continue
        if not entry.is_dir() and not entry.is_file():
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
        if entry.is_dir():
            _remove_tree(entry)
        else:
            try:
                entry.unlink()
            except OSError:
                continue
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


def _existing(out: Path, generated: Iterable[str] = ()) -> dict[str, str]:
    """The files of `out` that count (relative path -> path): not build artefacts, unless the
    build writes there (a package named `build`); a symlinked folder counts as a file. Plain
    string paths: on a client of a thousand files, pathlib's objects cost a tenth of a second."""
    if not out.is_dir():
        return {}
    ours = {path.split("/", 1)[0] for path in generated}
    found = {}
    base = os.fspath(out)
    for root, dirs, names in os.walk(base):
        top = root == base
        prefix = "" if top else os.path.relpath(root, base).replace(os.sep, "/") + "/"
        linked = [d for d in dirs if os.path.islink(os.path.join(root, d))]
        dirs[:] = [
            d for d in dirs if d not in linked and (top and d in ours or not _is_artefact(d, top=top, is_file=False))
        ]
        for name in [*names, *linked]:
            if _is_artefact(name, top=top, is_file=True) and not (top and name in ours):
                continue
            found[prefix + name] = os.path.join(root, name)
    return found


def _read(path: str | Path) -> str | None:
    try:
        with open(path, encoding="utf-8") as fh:
            return fh.read()
    except (OSError, UnicodeDecodeError):
        return None
