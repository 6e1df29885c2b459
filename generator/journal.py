"""Cache files of many entries that a warm rebuild changes a few of: the memos of parse, walks,
plan, render and format.

Such a file holds a header (what its entries are valid for: the code's identity, the templates'
digest) and the entries of one build. Rewriting all of it after a one-schema change cost a
whole-spec rebuild ~60 ms over five memos, for a few new entries. So the entries a build adds
are appended to a journal beside the file (`NAME.journal`), each record framed by its length
and digest; the file is rewritten whole, with only the entries the build used, and the journal
removed, when the journal passes a quarter of the file's size or the header changes. Readers
apply the journal's records to the file's entries, stopping at the first record that is torn
(a build killed while appending) or meant for another header. Entries are keyed by what they
are made from, so an entry read back is right whichever build wrote it; concurrent builds lose
at most a record (a miss next time). Deleting the files is always safe.
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
import os
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .cache import write_atomic

_FRAME = struct.Struct("<I16s")  # a record's length and the blake2b digest of its bytes
_SHARE = 4  # the journal is folded into the file past 1/_SHARE of the file's size


def journal_of(path: Path) -> Path:
    return path.with_name(path.name + ".journal")


def read(path: Path) -> tuple[Any, dict[Any, Any]]:
    """(header, entries) of the file and its journal; (None, {}) when there is none or it is
    unreadable (a cache that cannot be read only costs time)."""
    try:
        data = marshal.loads(path.read_bytes())
    except (OSError, EOFError, ValueError, TypeError):
        return None, {}
    if not (isinstance(data, tuple) and len(data) == 2 and isinstance(data[1], dict)):
        return None, {}
    header, entries = data
    for added in _records(journal_of(path), header):
        entries.update(added)
    return header, entries


def read_for(path: Path | None, header: Any) -> tuple[bool, dict[Any, Any]]:
    """(whether the file is there with `header`, its entries if so, else {}): what a memo starts
    from (`same` tells `write` whether it may append)."""
    found, entries = read(path) if path is not None else (None, {})
    return found == header, entries if found == header else {}


def _records(path: Path, header: Any) -> Iterator[dict[Any, Any]]:
    try:
        blob = path.read_bytes()
    except OSError:
        return
    at = 0
    while at + _FRAME.size <= len(blob):
        size, digest = _FRAME.unpack_from(blob, at)
        payload = blob[at + _FRAME.size : at + _FRAME.size + size]
        if len(payload) != size or hashlib.blake2b(payload, digest_size=16).digest() != digest:
            return  # torn (a build killed while appending): what follows is not trusted either
        try:
            record = marshal.loads(payload)
        except (EOFError, ValueError, TypeError):
            return
        if not (isinstance(record, tuple) and len(record) == 2 and record[0] == header and isinstance(record[1], dict)):
            return  # written for another file's header: the file was replaced meanwhile
        yield record[1]
        at += _FRAME.size + size


def write(path: Path, header: Any, entries: dict[Any, Any], added: dict[Any, Any], same_header: bool) -> None:
    """Keep a build's entries: `added` (those it made) appended to the journal of a file whose
    header is `header` already (`same_header`, as read), else `entries` (all it used) written
    whole. A value marshal cannot hold: not remembered. Never raises for the file system."""
    if same_header and not added:
        return
    try:
        if same_header:
            record = marshal.dumps((header, added))
            frame = _FRAME.pack(len(record), hashlib.blake2b(record, digest_size=16).digest()) + record
            journal = journal_of(path)
            with contextlib.suppress(OSError):
                size = path.stat().st_size
                grown = journal.stat().st_size if journal.exists() else 0
                if grown + len(frame) <= size // _SHARE:
                    with open(journal, "ab") as out:  # one write: appends never interleave within it
                        out.write(frame)
                    return
        blob = marshal.dumps((header, entries))
    except ValueError:
        return
    write_atomic(path, blob)
    with contextlib.suppress(OSError):
        os.unlink(journal_of(path))
