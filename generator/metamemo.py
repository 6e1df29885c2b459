"""Which schemas already passed the standard validator's meta-schema check, by content.

Checking each schema of a spec against its JSON Schema dialect is two thirds of the standard
validator's time (about 5 s of CPU for the 2,000 schemas of the whole OpenAI spec), and the
same schema text passes or fails the same way wherever it is. So a schema that passed is
remembered by a digest of its text and of the meta-schema it was checked against: within a
run (a schema that occurs twice is checked once) and, with the cache on, across runs (after
one schema of a big spec changed, only that one is checked again). Failures are not
remembered: they are rare and their errors are built afresh each time.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from . import cache

MAX_REMEMBERED = 200_000  # digests kept on disk (40 bytes each); past it the file starts over

_passed: set[str] = set()
_new: list[str] = []


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


def _file() -> Path:
    # imported here: importlib.metadata costs tens of milliseconds, and only the validator needs it
    from importlib.metadata import PackageNotFoundError, version

    versions = []
    for package in ("openapi-spec-validator", "openapi-schema-validator", "jsonschema"):
        try:
            versions.append(version(package))
        except PackageNotFoundError:
            versions.append("none")
    return cache.root() / "validate" / f"meta-passed-{'-'.join(versions)}.txt"


def load() -> None:
    """Read what earlier runs remembered (once per process)."""
    if _passed:
        return
    try:
        _passed.update(_file().read_text(encoding="ascii").split())
    except (OSError, ValueError):
        pass


def save() -> None:
    """Add this run's new digests to the file (written whole and replaced: never half-written)."""
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
