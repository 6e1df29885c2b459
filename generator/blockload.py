"""Parse a large block-style YAML spec block by block, each block through the parse cache.

Block YAML shows its structure in the indentation: the text is cut at the keys of its top-level
mapping, and a long block whose value is a block mapping is cut again at that mapping's keys
(`paths` into path items, `components` into kinds, `schemas` into schemas), a few levels
deep. Each piece is parsed on its own (parsecache.BlockCache: from the cache when its text is
unchanged) and the pieces are put together in the order of the text, so that the result is the
whole document's. The cuts are found with regular expressions over the text, not line by line:
on a 3 MB spec the cutting must cost far less than the parsing it saves.

Anything that is not plainly such a document (flow style at a level that is cut, a key line that
also holds a value, line breaks other than \\n and \\r\\n, a key twice) returns None, and the
caller parses the whole text; so does any error in a piece, which the whole parse then reports
at its line.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from functools import cache as memoized
from typing import Any

import yaml

from .diagnostics import escape_token
from .parsecache import BlockCache, other_breaks

_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_SPLIT_AT = 16_384  # a block longer than this (characters) is cut into the blocks of its keys
_LEVELS = 3  # top-level keys, then e.g. components, then e.g. schemas
_SHALLOW = 4  # the lines indented this much or less are found in one search of the whole text
# A key on one line: quoted, or plain starting with a letter, `_`, `$` or `/`.
_KEY = re.compile(r"""(?:"[^"\n]*"|'[^'\n]*'|[A-Za-z_$/][^:#\n]*?):(?:[ \t\r\n]|$)""")
# The line breaks before lines that hold something (not blank, not a comment), with the
# indentation; a literal `\n` first makes the search fast. Regions start at a line start, so
# each search begins on the `\n` before it (the text's first line is read apart).
_CONTENT = re.compile(r"\n( *)(?=[^ \r\n#])")


@memoized
def _at_most(indent: int) -> re.Pattern[str]:
    """Lines holding something, indented `indent` spaces or fewer."""
    return re.compile(rf"\n( {{0,{indent}}})(?=[^ \r\n#])")


def _lines(pattern: re.Pattern[str], text: str, start: int, end: int) -> list[tuple[int, int]]:
    """(line start, indentation) of the lines `pattern` finds between start and end."""
    found = [(m.start() + 1, len(m.group(1))) for m in pattern.finditer(text, max(start - 1, 0), end)]
    if start == 0:
        line_end = text.find("\n", 0, end)
        first = pattern.match("\n" + text[: line_end if line_end >= 0 else end])  # no `\n` before it
        if first is not None:
            found.insert(0, (0, len(first.group(1))))
    return found


class _Shallow:
    """The lines holding something, indented at most _SHALLOW spaces, of the whole text, found in
    one search: each level's cut reads its keys' lines from here, instead of searching its region
    of the text again (three searches of a 3 MB spec's text, cut three levels deep)."""

    def __init__(self, text: str) -> None:
        self.lines = _lines(_at_most(_SHALLOW), text, 0, len(text))
        self.starts = [at for at, _ in self.lines]

    def at_most(self, indent: int, start: int, end: int) -> list[tuple[int, int]]:
        """_lines(_at_most(indent), text, start, end), for indent <= _SHALLOW."""
        first = bisect_left(self.starts, start)
        last = bisect_left(self.starts, end, first)
        return [(at, width) for at, width in self.lines[first:last] if width <= indent and at + width < end]


def load_blocks(text: str, cache: BlockCache) -> tuple[dict[str, Any], int] | None:
    """The whole document, as JSON data, and how deep its containers nest (jsondata); None when
    it is not cut this way (the caller parses it whole)."""
    if other_breaks(text):
        return None
    shallow = _Shallow(text)
    spans = _spans(text, 0, len(text), 0, shallow)
    if spans is None:
        return None
    try:
        return _mapping(text, spans, 0, cache, _LEVELS, 1, shallow)
    except (yaml.YAMLError, ValueError, RecursionError):
        return None


def _mapping(
    text: str,
    spans: list[tuple[int, int]],
    indent: int,
    cache: BlockCache,
    levels: int,
    level: int,
    shallow: _Shallow,
    at: str = "",
) -> tuple[dict[str, Any], int]:
    """The mapping the spans hold, at nesting `level` (the document is 1; `at`, its pointer), and
    its depth."""
    out: dict[str, Any] = {}
    deepest = level
    for a, b in spans:
        cut = _cut(text, a, b, indent, shallow) if levels > 1 and b - a > _SPLIT_AT else None
        if cut is None:
            value, depth = cache.parse_with_depth(text[a:b], indent)
            cache.spanned(at, value, a, b)
            out.update(value)
            deepest = max(deepest, level - 1 + depth)
            continue
        body, inner, children = cut
        head = cache.parse(text[a:body], indent)  # the key alone: YAML resolves it (`200:` is 200)
        if len(head) != 1 or next(iter(head.values())) is not None:
            raise ValueError("a key line with a value")
        key = next(iter(head))
        out[key], depth = _mapping(
            text, children, inner, cache, levels - 1, level + 1, shallow, f"{at}/{escape_token(key)}"
        )
        deepest = max(deepest, depth)
    return out, deepest


def _cut(text: str, a: int, b: int, indent: int, shallow: _Shallow) -> tuple[int, int, list[tuple[int, int]]] | None:
    """Where the key line starting at `a` ends, the indentation of the block mapping under it and
    that mapping's spans; None when what follows the key is not a block mapping."""
    body = text.find("\n", a, b) + 1
    if body == 0 or not text[a:body].rstrip().endswith(":"):
        return None  # a value, a comment or a tag on the key's line
    first = _CONTENT.search(text, body - 1, b)
    if first is None:
        return None
    inner = len(first.group(1))
    if inner <= indent or text.startswith("-", first.end()):
        return None  # a sequence, or not indented under the key
    spans = _spans(text, body, b, inner, shallow)
    return (body, inner, spans) if spans else None


def _spans(text: str, start: int, end: int, indent: int, shallow: _Shallow) -> list[tuple[int, int]] | None:
    """The blocks of the keys at exactly `indent` spaces between start and end; None when any
    line holding something is less indented, or is not such a key, or a key comes twice."""
    keyed = keyed_spans(text, start, end, indent, shallow)
    return list(keyed.values()) if keyed is not None else None


def keyed_spans(
    text: str, start: int, end: int, indent: int, shallow: _Shallow | None = None
) -> dict[str, tuple[int, int]] | None:
    """_spans by key (as written: see key_text); `shallow`, the text's shallow lines when known."""
    starts: dict[str, int] = {}
    lines = (
        shallow.at_most(indent, start, end)
        if shallow is not None and indent <= _SHALLOW
        else _lines(_at_most(indent), text, start, end)
    )
    for at, width in lines:
        if width != indent:
            return None
        key = _KEY.match(text, at + width, end)
        if key is None:
            return None
        name = key_text(key.group().rstrip(" \t\r\n")[:-1])
        if name in starts:
            return None  # let the whole parse decide
        starts[name] = at
    if not starts or _lines(_CONTENT, text, start, next(iter(starts.values()))):
        return None  # nothing, or something before the first key that belongs to none
    ends = [*list(starts.values())[1:], end]
    return {name: (at, stop) for (name, at), stop in zip(starts.items(), ends, strict=True)}


def key_text(raw: str) -> str:
    """A key as written (quoted or plain), to tell keys apart; YAML's own reading is the parse's."""
    if raw[:1] in "\"'":
        value = yaml.load(raw, Loader=_SafeLoader)
        return str(value)
    return raw
