"""The parse cache: a block of YAML whose text has not changed is not parsed again.

lazyload cuts a block-style spec into blocks (top-level keys, path items, components); each
block's parsed data is kept under the hash of its text, in one file per spec under
$XDG_CACHE_HOME/convgen/parse. After an edit only the edited blocks are parsed: the rest is read
back with marshal, which holds exactly the plain data a block parses to (dicts, lists, strings,
numbers, booleans, None, and the dates and bytes YAML may give before load makes them JSON's).

An entry is keyed by the block's text and the parser's identity (PyYAML's version and this
code's), so a stale entry is never found; a file that cannot be read back whole is ignored and
replaced. Deleting the folder is always safe.
"""

from __future__ import annotations

import hashlib
import marshal
import re
from pathlib import Path
from typing import Any

import yaml

from . import cache, journal, leanyaml
from .diagnostics import escape_token
from .jsondata import MAX_DEPTH, normalized_depth

_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_MAX_ENTRIES = 50_000
_LONE_CR = re.compile("\r(?!\n)")


# Below this bound on the nesting depth PyYAML's C composer is known to be safe (it crashes
# somewhere past 20,000 levels on an 8 MB stack); above it the parser's events are scanned.
SAFE_C_DEPTH = 10_000


def may_nest_past(text: str, limit: int = SAFE_C_DEPTH) -> bool:
    """Whether an upper bound on the nesting depth, found without parsing, exceeds `limit`.

    Every `[` / `{` can open at most one level. A block collection nested in another starts
    further right, except a sequence under a mapping key, which may share its column: so
    block depth is at most twice the widest run of indentation and indicators plus one. The
    bound exceeds the limit when some line starts with a run of `(limit - flow) // 2` or more:
    one search for such a line, not a measure of every line.
    """
    flow = text.count("[") + text.count("{")
    if flow > limit:
        return True
    run = (limit - flow) // 2
    wide = rf"[ \t?:-]{{{run},}}"
    return re.match(wide, text) is not None or re.search("\n" + wide, text) is not None


def other_breaks(text: str) -> bool:
    """Whether YAML sees line breaks besides \\n and \\r\\n in the text (block cutting does not)."""
    return "\r" in text and _LONE_CR.search(text) is not None or any(c in text for c in "\x85\u2028\u2029")


def _parser_identity() -> str:
    return cache.code_identity(
        f"{yaml.__version__} {_SafeLoader.__name__}", ("leanyaml.py", "parsecache.py", "jsondata.py")
    )


class BlockCache:
    """Parses dedented blocks of YAML, remembering each by its text.

    With a `path` the entries are read from it first and `save` writes back the ones this run
    used; without one it only parses (and remembers nothing past the run).
    """

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self.identity = _parser_identity() if path is not None else ""
        # block hash -> (depth, data)
        self.same, self.old = journal.read_for(path, self.identity)
        self.used: dict[bytes, tuple[int, Any]] = {}
        self.added: dict[bytes, tuple[int, Any]] = {}  # parsed this run: appended to the journal
        self.parsed = 0  # blocks parsed this run (the others came from the file)
        # id of each container a block's keys hold -> (it, a digest of the block's text, the key and
        # the parser): what walks of it later remember it by (walkmemo), without reading it again
        self.subtrees: dict[int, tuple[Any, bytes]] = {}
        # pointer -> (digest, start, end) of each block the spec was cut into (see blockload): where
        # located diagnostics are remembered by their place in an unchanged block (load.Spec)
        self.spans: dict[str, tuple[bytes, int, int]] = {}

    def parse(self, text: str, indent: int) -> dict[str, Any]:
        """The mapping a block's text holds, read at `indent` spaces; ValueError (or a YAML error)
        when it is not one (the caller then parses the whole spec, which reports it)."""
        return self.parse_with_depth(text, indent)[0]

    def parse_with_depth(self, text: str, indent: int) -> tuple[dict[str, Any], int]:
        """parse, and how deep the block's containers nest (the block's own mapping is 1)."""
        key = hashlib.blake2b(f"{indent}\n{text}".encode("utf-8", "surrogatepass"), digest_size=20).digest()
        if key in self.used:  # the same text twice in one spec: a copy, not one object in two places
            depth, value = self.used[key]
            return self._noted(key, dict(marshal.loads(marshal.dumps(value)))), depth
        entry = self.old.get(key)
        if entry is None:
            if other_breaks(text):
                raise ValueError("line breaks other than \\n")  # the dedenting below would miss them
            plain = re.sub(rf"(?m)^ {{1,{indent}}}", "", text) if indent else text
            if may_nest_past(plain):
                raise ValueError("may nest too deep")  # the whole parse finds where
            value = leanyaml.load(plain)
            if value is leanyaml.DECLINED:
                value = yaml.load(plain, Loader=_SafeLoader)  # tags: PyYAML's rules
            holder = [value]  # kept as the JSON data load makes of it (`200:` is "200", dates are text)
            depth = normalized_depth(holder)  # counting the holder: stops one level early, the whole parse decides
            if depth > MAX_DEPTH:
                raise ValueError("nested too deep")  # the whole parse finds where
            entry = self.added[key] = (depth - 1, holder[0])
            self.parsed += 1
        if not (isinstance(entry, tuple) and len(entry) == 2 and type(entry[0]) is int and isinstance(entry[1], dict)):
            raise ValueError("not a mapping")
        self.used[key] = entry
        return self._noted(key, entry[1]), entry[0]

    def spanned(self, at: str, block: dict[str, Any], start: int, end: int) -> None:
        """Note that `block` (parsed by this cache) is the text from `start` to `end`, in the
        mapping at pointer `at`."""
        for name, value in block.items():
            known = self.subtrees.get(id(value))
            if known is not None and known[0] is value:
                self.spans[f"{at}/{escape_token(str(name))}"] = (known[1], start, end)

    def _noted(self, key: bytes, block: dict[str, Any]) -> dict[str, Any]:
        if self.path is not None:  # (only with the cache on: nothing is remembered across runs without)
            for name, value in block.items():
                if type(value) is dict or type(value) is list:
                    head = f"{self.identity}\0{name}\0".encode("utf-8", "surrogatepass")
                    self.subtrees[id(value)] = (value, hashlib.blake2b(head + key, digest_size=20).digest())
        return block

    def save(self) -> None:
        """Write the entries back when this run parsed any (else the file is already right): the
        new ones appended to the journal, or all written whole when it is folded in (journal.py).

        The entries of the file this run did not use are kept (a selection uses a part of the
        spec; the whole is built next), up to a bound on their number past which only the used
        ones are: the old blocks of edited text do not pile up for ever.
        """
        if self.path is None or not self.parsed:
            return
        entries = {**self.old, **self.used}
        journal.write(
            self.path, self.identity, entries if len(entries) <= _MAX_ENTRIES else self.used, self.added, self.same
        )


def for_spec(spec: Path) -> BlockCache:
    """The cache of one spec file (by its resolved path): one file each, replaced as it changes."""
    from .cache import root

    name = hashlib.sha256(str(spec.resolve()).encode("utf-8", "surrogatepass")).hexdigest()[:24]
    return BlockCache(root() / "parse" / f"{name}.marshal")
