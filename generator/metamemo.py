"""Which schemas already passed the standard validator's meta-schema check, by content.

Checking each schema of a spec against its JSON Schema dialect is two thirds of the standard
validator's time (about 5 s of CPU for the 2,000 schemas of the whole OpenAI spec), and the
same schema text passes or fails the same way wherever it is. So a schema that passed is
remembered by a digest of its text and of the meta-schema it was checked against: within a
run (a schema that occurs twice is checked once) and, with the cache on, across runs (after
one schema of a big spec changed, only that one is checked again). A schema that failed is
remembered the same way, with what its error is rebuilt from (see standardmeta.py): a big spec
may have a few dozen, and checking those again with jsonschema was most of a warm run's time.
"""

from __future__ import annotations

import functools
import hashlib
import json
from pathlib import Path
from typing import Any

from . import cache

MAX_REMEMBERED = 200_000  # digests kept on disk (40 bytes each); past it the file starts over
MAX_FAILURES = 5_000  # failures kept on disk (a few hundred bytes each); past it the file starts over

_passed: set[str] = set()
_new: list[str] = []
_failed: dict[str, Any] = {}  # digest -> what the failure's error is rebuilt from (plain JSON data)
_new_failed: dict[str, Any] = {}


def key(meta: str, schema_value: Any) -> str | None:
    """The digest of a schema checked against `meta`; None when it is not plain JSON data."""
    try:
        text = json.dumps(schema_value, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError):
        return None
    return hashlib.sha1(f"{meta}\0{text}".encode(), usedforsecurity=False).hexdigest()


def passed(digest: str | None) -> bool:
    return digest is not None and digest in _passed


def remember(digest: str | None) -> None:
    if digest is not None and digest not in _passed:
        _passed.add(digest)
        _new.append(digest)


def failure(digest: str | None) -> Any:
    """What was remembered of the failure of the schema with this digest (None: nothing)."""
    return _failed.get(digest) if digest is not None else None


def remember_failure(digest: str | None, record: Any) -> None:
    """Remember a failure: `record` is plain JSON data, read back as it was written (None: not
    remembered)."""
    if digest is not None and record is not None and digest not in _failed:
        _failed[digest] = record
        _new_failed[digest] = record


def _file(kind: str = "passed", suffix: str = "txt") -> Path:
    return cache.root() / "validate" / f"meta-{kind}-{_versions()}.{suffix}"


@functools.cache
def _versions() -> str:
    # imported here: importlib.metadata costs tens of milliseconds, and only the validator needs it
    from importlib.metadata import PackageNotFoundError, version

    versions = []
    for package in ("openapi-spec-validator", "openapi-schema-validator", "jsonschema"):
        try:
            versions.append(version(package))
        except PackageNotFoundError:
            versions.append("none")
    return "-".join(versions)


def load() -> None:
    """Read what earlier runs remembered (once per process)."""
    if _passed:
        return
    _failed.clear()
    try:
        _passed.update(_file().read_text(encoding="ascii").split())
    except (OSError, ValueError):
        pass
    _failed.update(_read_failures())


def _read_failures() -> dict[str, Any]:
    try:
        failures = json.loads(_file("failed", "json").read_bytes())
    except (OSError, ValueError):
        return {}
    return failures if isinstance(failures, dict) else {}  # each record is checked where it is used


def save() -> None:
    """Add this run's new digests to the file (written whole and replaced: never half-written)."""
    if _new_failed:
        failures = {**_read_failures(), **_new_failed}
        if len(failures) > MAX_FAILURES:
            failures = dict(_new_failed)
        cache.write_atomic(_file("failed", "json"), json.dumps(failures, ensure_ascii=False).encode())
        _new_failed.clear()
    if not _new:
        return
    path = _file()
    try:
        known = path.read_text(encoding="ascii").split()
    except OSError:
        known = []
    merged = list(dict.fromkeys([*known, *_new]))
    if len(merged) > MAX_REMEMBERED:
        merged = list(dict.fromkeys(_new))
    cache.write_atomic(path, ("\n".join(merged) + "\n").encode("ascii"))
    _new.clear()
