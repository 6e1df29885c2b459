"""JSON pointer -> (line, column) in the spec's source text, for diagnostics.

PyYAML's C loader gives no positions, and composing a node tree of the 3 MB OpenAI spec
costs a second, so block-style YAML is searched by indentation directly. Flow style and
JSON fall back to a composed node tree, built once and only when a diagnostic needs it.
"""

from __future__ import annotations

import bisect
import functools
import re
from json.decoder import scanstring  # type: ignore[attr-defined]
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import yaml

# Linear on any line: a plain key may not start with "- " (that is a sequence entry) and runs
# greedily up to its colon (trailing blanks are stripped after the match).
_KEY = re.compile(
    r"""^(?P<indent> *)(?P<dash>(?:- +)*)"""
    r"""(?P<key>"(?:[^"\\]|\\.)*"[ \t]*|'(?:[^']|'')*'[ \t]*|(?:[^\s#'"{\[-]|-(?=\S))[^:#]*):(?:\s|$)"""
)


def _unquote(key: str) -> str:
    if key.startswith('"'):
        import yaml  # (here: a JSON spec's build does not import PyYAML)

        try:
            return str(yaml.safe_load(key))
        except yaml.YAMLError:
            return key[1:-1]
    if key.startswith("'"):
        return key[1:-1].replace("''", "'")
    return key


def _tokens(ptr: str) -> list[str]:
    if not ptr or ptr == "/":
        return []
    return [t.replace("~1", "/").replace("~0", "~") for t in ptr.lstrip("/").split("/")]


_Children = tuple[dict[str, tuple[int, int]], list[tuple[int, int]]]
_MEANINGFUL = re.compile(r"\n( *)([^ \n#])")  # a line's indentation and first character


@functools.cache
def _ends_value(indent: int) -> re.Pattern[str]:
    return re.compile(rf"\n(?! {{{indent}}}- ) {{0,{indent}}}[^ \n#]")


@functools.cache
def _at_indent(col: int) -> re.Pattern[str]:
    return re.compile(rf"\n {{{col}}}(?=[^ \n])")


class Locator:
    def __init__(self, text: str, is_json: bool = False) -> None:
        self._tree: yaml.Node | None = None
        self._text = text
        self._is_json = is_json
        self._json: _JsonIndex | None = None
        self._ends: dict[tuple[int, int, int], int] = {}
        self._children: dict[tuple[int, int, int, bool], _Children] = {}
        self._starts: list[int] | None = None
        self._nl_text = ""

    @functools.cached_property
    def _lines(self) -> list[str]:
        return self._text.splitlines()  # (when first needed: the document's own position needs none)

    def locate(self, ptr: str) -> tuple[int, int]:
        tokens = _tokens(ptr)
        if self._is_json:
            if self._json is None:
                self._json = _JsonIndex(self._text)
            return self._json.locate(tokens)
        found = self._block(tokens)
        if found is None:
            found = self._composed(tokens)
        return found

    # Block YAML: each step narrows [start, end) to the lines of one value.
    def _block(self, tokens: list[str]) -> tuple[int, int] | None:
        if not tokens:
            return (1, 1)
        lines = self._lines
        start, end, indent = 0, len(lines), -1
        line_no, col = 0, 0
        for token in tokens:
            hit = self._find_child(start, end, indent, token)
            if hit is None:
                return None
            line_no, col = hit
            if token.isdigit() and self._inline_mapping_item(line_no, col):
                # `- key: value` then more keys at the column of `key`: the item's mapping
                # starts on the dash's line and goes on while lines are indented that far
                start, indent = line_no, col - 1
                end = self._value_end(line_no + 1, end, indent)
            else:
                start, indent = line_no + 1, col
                end = self._value_end(start, end, indent)
            if lines[line_no].rstrip().endswith(("{", "[")) or "{" in lines[line_no].split(":", 1)[-1]:
                return None if token != tokens[-1] else (line_no + 1, col + 1)
        return (line_no + 1, col + 1) if tokens else (1, 1)

    def _inline_mapping_item(self, line_no: int, col: int) -> bool:
        """Whether (line_no, col) is a sequence item whose content is a key on the dash's line."""
        text = self._lines[line_no]
        if not text[:col].rstrip().endswith("-"):
            return False
        match = _KEY.match(text)
        return match is not None and len(match.group("indent")) + len(match.group("dash")) == col

    def _value_end(self, start: int, end: int, indent: int) -> int:
        key = (start, end, indent)
        if key not in self._ends:
            self._ends[key] = self._scan_value_end(start, end, indent)
        return self._ends[key]

    def _scan_value_end(self, start: int, end: int, indent: int) -> int:
        starts = self._line_starts()
        if starts is not None and start < end:
            # the first line indented no deeper than `indent` (blank lines and comments aside),
            # but for a sequence item at exactly `indent`, which still belongs to the value
            stop = starts[end] if end < len(starts) else len(self._text)
            hit = _ends_value(indent).search(self._nl_text, starts[start], stop + 1)
            return end if hit is None else bisect.bisect_right(starts, hit.start()) - 1
        for i in range(start, end):
            text = self._lines[i]
            stripped = text.lstrip(" ")
            if not stripped or stripped.startswith("#"):
                continue
            if len(text) - len(stripped) <= indent and not (
                stripped.startswith("- ") and len(text) - len(stripped) == indent
            ):
                return i
            if len(text) - len(stripped) < indent:
                return i
        return end

    def _find_child(self, start: int, end: int, indent: int, token: str) -> tuple[int, int] | None:
        """Where the child `token` of the value in lines [start, end) is: a key, or for a
        numeric token, a sequence item (or a key spelled like a number, whichever comes first).

        Each range is indexed once, so many diagnostics under one big mapping (such as
        /components/schemas of a 3 MB spec) cost one scan of it, not one each."""
        if not token.isdigit():
            return self._index(start, end, indent, by_item=False)[0].get(token)
        keys, items = self._index(start, end, indent, by_item=True)
        index = int(token)
        hits = [hit for hit in (keys.get(token), items[index] if index < len(items) else None) if hit]
        return min(hits) if hits else None

    def _index(self, start: int, end: int, indent: int, *, by_item: bool) -> _Children:
        memo = (start, end, indent, by_item)
        if memo not in self._children:
            self._children[memo] = self._scan_children(start, end, indent, by_item)
        return self._children[memo]

    def _line_starts(self) -> list[int] | None:
        """Offset of each line in the text, or None when `splitlines` breaks lines at more than
        newlines (then line numbers and offsets would not agree)."""
        if self._starts is None:
            starts = [0] + [m.end() for m in re.finditer("\n", self._text)]
            complete = self._text.endswith("\n")
            self._starts = starts if len(starts) - complete == len(self._lines) else []
            # the regexes below start with a literal newline, which the engine finds fast: in
            # this copy, the newline before line i sits at offset starts[i]
            self._nl_text = "\n" + self._text
        return self._starts or None

    def _scan_keys_fast(self, start: int, end: int, indent: int) -> _Children | None:
        """`_scan_children` for a mapping, by regex over the text instead of line by line (a
        big mapping such as /components/schemas is scanned in milliseconds). None when the
        value does not start as a plain block mapping: the line-by-line scan then decides."""
        starts = self._line_starts()
        if starts is None or start >= end:
            return None
        stop = starts[end] if end < len(starts) else len(self._text)
        first = _MEANINGFUL.search(self._nl_text, starts[start], stop + 1)
        if first is None:
            return None
        col = len(first.group(1))
        line = bisect.bisect_right(starts, first.start()) - 1
        match = _KEY.match(self._lines[line])
        if col <= indent or first.group(2) == "-" or match is None or len(match.group("indent")) != col:
            return None
        keys: dict[str, tuple[int, int]] = {}
        for hit in _at_indent(col).finditer(self._nl_text, starts[start], stop + 1):
            i = bisect.bisect_right(starts, hit.start()) - 1
            found = _KEY.match(self._lines[i])
            if found is not None and not found.group("dash"):
                keys.setdefault(_unquote(found.group("key").strip()), (i, col))
        return keys, []

    def _scan_children(self, start: int, end: int, indent: int, by_item: bool) -> _Children:
        """The first position of each key, and of each item when `by_item`, at the children's
        indentation (the first child found sets it); "- key:" lines count as items then."""
        if not by_item:
            fast = self._scan_keys_fast(start, end, indent)
            if fast is not None:
                return fast
        keys: dict[str, tuple[int, int]] = {}
        items: list[tuple[int, int]] = []
        child_indent: int | None = None
        for i in range(start, end):
            text = self._lines[i]
            stripped = text.lstrip(" ")
            if not stripped or stripped.startswith("#"):
                continue
            col = len(text) - len(stripped)
            if by_item and stripped.startswith("-"):
                if child_indent is None:
                    child_indent = col
                if col == child_indent:
                    rest = stripped[1:]
                    items.append((i, col + 1 + (len(rest) - len(rest.lstrip(" ")))))
                continue
            if (child_indent is not None and col > child_indent) or (col <= indent and stripped[0] != "-"):
                continue  # cannot be a child key: skip the regex (most lines of a big range)
            match = _KEY.match(text)
            if not match:
                continue
            key_col = len(match.group("indent")) + len(match.group("dash"))
            if key_col <= indent:
                continue
            if child_indent is None:
                child_indent = key_col
            if key_col == child_indent:
                keys.setdefault(_unquote(match.group("key").strip()), (i, key_col))
        return keys, items

    def _composed(self, tokens: list[str]) -> tuple[int, int]:
        import yaml  # (here: a JSON spec's build does not import PyYAML)

        if self._tree is None:
            try:
                self._tree = yaml.compose(self._text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
            except (yaml.YAMLError, RecursionError):
                return (1, 1)
        node = self._tree
        best = (1, 1)
        for token in tokens:
            if node is None:
                break
            best = (node.start_mark.line + 1, node.start_mark.column + 1)
            nxt = None
            if isinstance(node, yaml.MappingNode):
                for key, value in node.value:
                    if isinstance(key, yaml.ScalarNode) and key.value == token:
                        best = (key.start_mark.line + 1, key.start_mark.column + 1)
                        nxt = value
                        break
            elif isinstance(node, yaml.SequenceNode) and token.isdigit() and int(token) < len(node.value):
                nxt = node.value[int(token)]
                best = (nxt.start_mark.line + 1, nxt.start_mark.column + 1)
            node = nxt
        return best


# ---- JSON: walk the text itself (a YAML parser may refuse valid JSON, e.g. tab indentation) ----
_JSON_SPACE = re.compile(r"[ \t\n\r]*")
# Text up to the next bracket outside strings, then that bracket: opening (group 1) or closing
# (group 2). Strings are skipped inside the regex engine, so a match costs one bracket, not one string.
_JSON_BRACKET = re.compile(r'[^"\[\]{}]*(?:"[^"\\]*(?:\\.[^"\\]*)*"[^"\[\]{}]*)*(?:([\[{])|([\]}]))')
_JSON_SCALAR = re.compile(r"[^,\]}\s]*")
# a container's children: key or item index -> (where the child is shown, where its value starts)
_JsonChildren = dict[str, tuple[int, int]]


class _JsonIndex:
    """Pointer lookups in one JSON text. Each container on a pointer's path is scanned once and
    its children kept, so n diagnostics cost one pass per container they share plus n short
    walks, not n passes over the whole file."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._children: dict[int, _JsonChildren | None] = {}
        self._line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self._ends: dict[int, int] | None = None  # built on the first lookup

    def locate(self, tokens: list[str]) -> tuple[int, int]:
        """Position of the key (in an object) or the item (in an array) the pointer names.

        When a token is not found, the deepest position found so far: the nearest ancestor.
        """
        text = self._text
        best = pos = _skip_space(text, 1 if text.startswith("\ufeff") else 0)
        for token in tokens:
            if pos not in self._children:
                if self._ends is None:
                    self._ends = _container_ends(text)
                try:
                    self._children[pos] = _json_children(text, pos, self._ends)
                except (IndexError, ValueError):
                    self._children[pos] = None
            children = self._children[pos]
            hit = children.get(token) if children is not None else None
            if hit is None:
                break
            best, pos = hit
        line = bisect.bisect_right(self._line_starts, best) - 1
        return line + 1, best - self._line_starts[line] + 1


def _container_ends(text: str) -> dict[int, int]:
    """Where each object or array ends, by its start: one regex pass over the text, so that
    skipping a nested value is a lookup."""
    ends: dict[int, int] = {}
    opened: list[int] = []
    for match in _JSON_BRACKET.finditer(text):
        if match.lastindex == 1:
            opened.append(match.start(1))
        elif opened:
            ends[opened.pop()] = match.end()
    return ends


def _json_children(text: str, pos: int, ends: dict[int, int]) -> _JsonChildren | None:
    """Every child of the object or array that starts at `pos` (None for a scalar). With
    duplicate keys the last one counts, as in a JSON parser; a malformed tail ends the scan."""
    opener = text[pos]
    if opener not in "{[":
        return None
    closer = "}" if opener == "{" else "]"
    pos = _skip_space(text, pos + 1)
    index = 0
    children: _JsonChildren = {}
    while text[pos] != closer:
        if opener == "{":
            key_at = pos
            key, pos = scanstring(text, pos + 1)
            pos = _skip_space(text, pos)
            if text[pos] != ":":
                return children
            pos = _skip_space(text, pos + 1)
            children[key] = (key_at, pos)
        else:
            children[str(index)] = (pos, pos)
            index += 1
        pos = _skip_space(text, _skip_value(text, pos, ends))
        if text[pos] == ",":
            pos = _skip_space(text, pos + 1)
        elif text[pos] != closer:
            return children
    return children


def _skip_space(text: str, pos: int) -> int:
    return _JSON_SPACE.match(text, pos).end()  # type: ignore[union-attr]


def _skip_value(text: str, pos: int, ends: dict[int, int]) -> int:
    char = text[pos]
    if char == '"':
        end: int = scanstring(text, pos + 1)[1]
        return end
    if char in "[{":
        if pos not in ends:
            raise ValueError("unclosed bracket")
        return ends[pos]
    return _JSON_SCALAR.match(text, pos).end()  # type: ignore[union-attr]
