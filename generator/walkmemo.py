"""Results of the walks over every subtree of a spec, remembered by the subtree's content.

Select walks every schema the operations reach (to collect `$ref`s, to measure nesting); on a
3 MB spec that is a tenth of a second, and after one schema changed nearly every subtree is
the same text as last run. So a walk's result for one subtree (a component, an operation) is
kept under a digest of what that walk reads: the subtree's data and its pointer. The data is
known by the digest of the block of text it was parsed from, where the parse cache read it
(see parsecache: nothing to read again), else by its bytes in marshal format 2 (which has no
back-references: the same data gives the same bytes). The file is keyed
by the code that computes the results (this module, the walking modules) and the Python
version, so an entry is never read by code that would compute something else. Deleting the
folder is always safe.
"""

from __future__ import annotations

import hashlib
import marshal
import sys
from typing import Any

from . import cache, journal

MAX_ENTRIES = 50_000  # past it only this run's entries are kept


class WalkMemo:
    """One kind of walk's remembered results; without `persist` it remembers nothing."""

    def __init__(
        self, kind: str, modules: tuple[str, ...], persist: bool, known: dict[int, tuple[Any, bytes]] | None = None
    ) -> None:
        identity = cache.code_identity(sys.version, ("walkmemo.py", *modules))
        self.path = cache.root() / "walks" / f"{kind}-{identity}.marshal" if persist else None
        self.same, self.old = journal.read_for(self.path, _HEADER)
        self.used: dict[bytes, Any] = {}
        self.added: dict[bytes, Any] = {}  # computed this run: appended to the journal
        self.new = 0  # results computed this run (the others came from the file)
        self._digests: dict[tuple[int, str], tuple[Any, bytes | None]] = {}  # (id, pointer) -> (value, digest)
        self.known = known or {}  # the parse cache's digests of unchanged blocks' containers

    def _known(self, value: Any) -> bytes | None:
        found = self.known.get(id(value))
        return found[1] if found is not None and found[0] is value else None

    def digest(self, at: str, value: Any, within: tuple[Any, str] | None = None) -> bytes | None:
        """What identifies `value` found at pointer `at` (`within`: it is the value of this key
        of that container); None when it is not plain data (then no walk of it is remembered).
        Computed once per subtree and run."""
        place = (id(value), at)
        known = self._digests.get(place)
        if known is not None:
            return known[1]
        head = at.encode("utf-8", "surrogatepass") + b"\0"
        block = self._known(value)
        if block is None and within is not None and within[0].get(within[1]) is value:
            outer = self._known(within[0])
            block = None if outer is None else outer + within[1].encode("utf-8", "surrogatepass")
        try:
            blob: bytes | None = b"b" + block if block is not None else b"m" + marshal.dumps(value, 2)
        except ValueError:
            blob = None
        digest = None if blob is None else hashlib.blake2b(head + blob, digest_size=20).digest()
        self._digests[place] = (value, digest)  # holding the value: its id is not reused meanwhile
        return digest

    def get(self, tag: bytes, digest: bytes | None) -> Any:
        """The result the walk `tag` gave for the subtree `digest`, or None."""
        if digest is None:
            return None
        key = tag + digest
        found = self.used.get(key)
        if found is None:
            found = self.old.get(key)
            if found is not None:
                self.used[key] = found
        return found

    def put(self, tag: bytes, digest: bytes | None, result: Any) -> None:
        if digest is not None:
            self.used[tag + digest] = self.added[tag + digest] = result
            self.new += 1

    def save(self) -> None:
        """Write the entries back when this run computed any: appended to the journal, or all
        written whole when it is folded in (journal.py)."""
        if self.path is None or not self.new:
            return
        entries = {**self.old, **self.used}
        journal.write(self.path, _HEADER, entries if len(entries) <= MAX_ENTRIES else self.used, self.added, self.same)


_HEADER = "walk results 1"  # (the code's identity is in the file's name)
