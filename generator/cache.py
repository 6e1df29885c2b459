"""The build cache: when nothing that goes into a build changed, its result is reused whole.

The key covers everything the output depends on: the spec's bytes, the options, the user's
template overrides, convgen's own code and templates, and black's version. A hit skips
every stage; the cached files are still compared with (or written to) the output folder.
Lives under $XDG_CACHE_HOME/convgen (or ~/.cache/convgen); deleting it is always safe.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import marshal
import os
import sys
import tempfile
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from .diagnostics import Diagnostic

_PACKAGE = Path(__file__).resolve().parent


def root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "convgen"


def fingerprint(spec: Path, options: dict[str, Any], templates: Path | None) -> str | None:
    digest = hashlib.sha256()
    try:
        digest.update(spec.read_bytes())
    except OSError:
        return None
    digest.update(json.dumps(options, sort_keys=True, default=str).encode())
    for folder in (_PACKAGE, _templates_dir(), templates):
        if folder is not None and folder.is_dir():
            _add_tree(digest, folder)
    digest.update(black_version().encode())
    return digest.hexdigest()


def _add_tree(digest: Any, folder: Path) -> None:
    """Every file below `folder` but bytecode caches, by relative path and content (plain strings
    and os.walk: pathlib's objects made this a tenth of every warm build's time)."""
    base = os.fspath(folder)
    found: list[str] = []
    for root, dirs, names in os.walk(base):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        prefix = os.path.relpath(root, base).replace(os.sep, "/") + "/" if root != base else ""
        found += (prefix + name for name in names if os.path.isfile(os.path.join(root, name)))
    for rel in sorted(found):
        digest.update(rel.encode() + b"\0")
        with open(os.path.join(base, rel), "rb") as fh:
            digest.update(fh.read())


def black_version() -> str:
    """What identifies the installed black, read without importing it (that costs ~0.1 s)."""
    spec = find_spec("black")
    if spec is None or not spec.origin:
        return "none"
    version_file = Path(spec.origin).with_name("_black_version.py")
    data = version_file.read_bytes() if version_file.is_file() else spec.origin.encode()
    return hashlib.sha256(data).hexdigest()[:16]


def _templates_dir() -> Path | None:
    spec = find_spec("convgen.templates")
    locations = spec.submodule_search_locations if spec is not None else None
    return Path(list(locations)[0]) if locations else None


# A build's files are kept with marshal: written and read back in a few milliseconds where JSON
# took tens (the whole OpenAI client is 8 MB of text); entries of another Python are not read.
_SUFFIX = f".py{sys.version_info[0]}{sys.version_info[1]}.marshal"


def load(key: str) -> tuple[list[Diagnostic], dict[str, str]] | None:
    try:
        data = marshal.loads((root() / "builds" / f"{key}{_SUFFIX}").read_bytes())
        if any(_file_hash(Path(p)) != h for p, h in data.get("depends", {}).items()):
            return None  # a file the spec's `$ref`s name has changed since
        return [Diagnostic(**d) for d in data["diagnostics"]], dict(data["files"])
    except (OSError, ValueError, EOFError, KeyError, TypeError, AttributeError):
        return None


def _file_hash(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return ""


def save(key: str, diags: list[Diagnostic], files: dict[str, str], depends: list[Path] | None = None) -> None:
    folder = root() / "builds"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        entries = [p for p in folder.iterdir() if p.name.endswith((".marshal", ".json"))]  # .json: earlier convgens'
        for old in sorted(entries, key=lambda p: p.stat().st_mtime)[:-20]:
            old.unlink(missing_ok=True)  # keep the 20 newest builds
        blob = {
            "diagnostics": [_fields(d) for d in diags],
            "files": dict(files),
            "depends": {str(p.resolve()): _file_hash(p) for p in depends or ()},
        }
        write_atomic(folder / f"{key}{_SUFFIX}", marshal.dumps(blob))
    except (OSError, ValueError):
        pass  # an unwritable cache only costs time (ValueError: a value marshal cannot hold)


def _fields(d: Diagnostic) -> dict[str, Any]:
    return {
        "code": d.code,
        "message": d.message,
        "pointer": d.pointer,
        "file": d.file,
        "line": d.line,
        "column": d.column,
    }


def write_atomic(path: Path, data: bytes) -> None:
    """A cache file written whole or not at all: a concurrent build reads the old file or the new
    one. A cache that cannot be written only costs time: nothing is raised, no temporary is left."""
    tmp: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, path)
    except OSError:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def code_identity(seed: str, modules: tuple[str, ...]) -> str:
    """What names the code that computed a cache's entries: `seed` (versions) and the source of
    the generator's `modules` (file names), so an entry is never read by code that would compute
    something else."""
    digest = hashlib.sha256(seed.encode())
    for name in modules:
        try:
            digest.update((_PACKAGE / name).read_bytes())
        except OSError:
            digest.update(name.encode())
    return digest.hexdigest()[:32]
