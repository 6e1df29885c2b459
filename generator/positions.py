"""Diagnostics' positions in the unchanged blocks of a large YAML spec, remembered across runs.

Locating a diagnostic scans the spec's text (locate.py): on the whole OpenAI spec the two hundred
diagnostics of a build take a tenth of a second. The parse cache cut the text into blocks (one a
schema, one a path item, see blockload) and knows each by the digest of its text, so a position
found inside a block is kept relative to the block's first line, under the block's digest and
the rest of the pointer: after one schema changed, the positions in every other block are read
back and moved to where their block now starts. The entries are keyed by this code, locate's and
the cutting's (walkmemo), so code that would find another position never reads them.
"""

from __future__ import annotations

import hashlib

from .walkmemo import WalkMemo


class Positions:
    """Remembered positions in the blocks of one spec text."""

    def __init__(self, text: str, blocks: dict[str, tuple[bytes, int, int]]) -> None:
        self.text = text
        self.blocks = blocks  # pointer -> (digest, start, end)
        self.memo = WalkMemo(
            "positions",
            ("positions.py", "locate.py", "blockload.py", "parsecache.py", "load.py", "diagnostics.py"),
            True,
        )
        self._lines: dict[str, tuple[int, int]] | None = None  # pointer -> (first line, last line)

    def get(self, ptr: str) -> tuple[int, int] | None:
        """The (line, column) remembered for `ptr`, or None."""
        where = self._where(ptr)
        if where is None:
            return None
        key, first, _ = where
        found = self.memo.get(b"p", key)
        if isinstance(found, tuple) and len(found) == 2 and all(type(n) is int for n in found):
            return first + found[0], found[1]
        return None

    def put(self, ptr: str, line: int, column: int) -> None:
        """Remember a position locate found, when it lies in the block the pointer is in."""
        where = self._where(ptr)
        if where is not None and where[1] <= line <= where[2]:
            self.memo.put(b"p", where[0], (line - where[1], column))

    def save(self) -> None:
        self.memo.save()

    def _where(self, ptr: str) -> tuple[bytes, int, int] | None:
        """The key of `ptr` in its block and the block's first and last line (1-based)."""
        head = ptr
        while head and head not in self.blocks:
            head = head.rpartition("/")[0]
        if not head:
            return None
        first, last = self._block_lines()[head]
        rest = ptr[len(head) :].encode("utf-8", "surrogatepass")
        digest = self.blocks[head][0] + head.encode("utf-8", "surrogatepass") + b"\0" + rest
        return hashlib.blake2b(digest, digest_size=20).digest(), first, last

    def _block_lines(self) -> dict[str, tuple[int, int]]:
        """Each block's first and last line, counted in one pass over the text."""
        if self._lines is None:
            self._lines = {}
            at, line = 0, 1
            for ptr, (_, start, end) in sorted(self.blocks.items(), key=lambda item: item[1][1]):
                line += self.text.count("\n", at, start)
                first = line
                line += self.text.count("\n", start, end)  # now the line `end` starts (the next block's)
                at = end
                self._lines[ptr] = (first, line - 1 if end < len(self.text) else line)
        return self._lines
