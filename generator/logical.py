"""The statements of a generated Python file that hold its long lines, found without parsing it.

`ast.parse` costs about 25 µs a line, and the format stage needs only the extent of the few
statements black must see: so the file is cut into logical lines by what decides their extent
(strings, comments, brackets, backslash continuations, newlines), found by regex substitutions
(about 1.5 µs a line).
A statement that cannot be formatted alone, or text that does not balance, gives None: the
caller then sends the whole file to black (which also reports it when it is not Python).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

# A string from its opening quote (a prefix letter such as `f` is not a bracket: it may stay).
QUOTED = (
    r'"""[^"\\]*(?:(?:\\.|"(?!""))[^"\\]*)*"""'
    r"|'''[^'\\]*(?:(?:\\.|'(?!''))[^'\\]*)*'''"
    r'|"[^"\\\n]*(?:\\.[^"\\\n]*)*"'
    r"|'[^'\\\n]*(?:\\.[^'\\\n]*)*'"
)
_STRING = rf"[rRbBuUfF]{{0,2}}(?:{QUOTED})"
# What hides brackets and newlines from the statement structure: strings, comments, and
# backslash continuations. Replaced before brackets are counted (see `logical_ends`).
# One group: re.split keeps what it matched, every other item.
_NOISE = re.compile(rf"({QUOTED}|#[^\n]*|\\\n)")
_NOT_BRACKET = re.compile(r"[^()\[\]{}\n]+")
_NOT_BRACKET_BYTES = bytes(sorted(set(range(256)) - set(b"()[]{}\n")))
_QUOTED_LINE = re.compile(QUOTED)
_BARE_STRING = re.compile(rf"(?:{_STRING}\s*)+(?:#[^\n]*)?")
# A compound statement's clause: a header of its own only together with the clause before it.
_CLAUSE = re.compile(r"(?:elif|else|except|finally|case)\b")
_DEF_OR_CLASS = re.compile(r"(?:async\s+)?(?:def|class)\b")
_DEF = re.compile(r"(?:async\s+)?def\b")
# The start of a parameter on a line of its own (not a closing bracket)
_PARAMETER = re.compile(r"    [^\s)\]}]")
# A call's opening bracket ending its line (after a name or a closing bracket)
_CALL_OPENER = re.compile(r"[\w)\]]\($")
# A display's opening bracket ending its line (not a subscript's)
_DISPLAY_OPENER = re.compile(r"(?:^|[ (\[{])[\[{]$")
_CLOSER = {"(": ")", "[": "]", "{": "}"}
# the brackets around one item in a snippet: a call (with a second argument, so that the
# item is never a sole argument), a list, a dict or set
_STAND_INS = {"(": ("_(\n", "\n    _=_,\n)"), "[": ("_ = [\n", "\n]"), "{": ("_ = {\n", "\n}")}
_COMPOUND = re.compile(r"(?:async\s+)?(?:def|class|if|for|while|with|try)\b")


@dataclass(frozen=True)
class Snippet:
    """Lines [first, last] of a file that black formats alone: one statement, or a compound
    statement's header (decorators included) with a stand-in `pass` body; `text` is dedented
    by `indent`."""

    first: int
    last: int
    indent: int
    text: str
    drop: tuple[int, int] = (0, 0)  # lines of black's output to leave out at the start and the end

    @property
    def header(self) -> bool:
        return self.text.endswith(STAND_IN)


STAND_IN = "\n    pass"


def logical_ends(text: str) -> list[int] | None:
    """Index of the last line of each logical line (a statement, a compound statement's header,
    a comment or a blank line), in order; None when brackets do not balance.

    Done in C as far as possible: strings and comments are cut out (a multi-line string or a
    backslash continuation becomes a bracket pair around its newlines, so that they do not end
    a statement), then everything but brackets and newlines (by bytes.translate when it is all
    ASCII); the depth at each line's end is what is left to count."""
    parts = _NOISE.split(text)
    parts[1::2] = [_hidden(noise) if "\n" in noise else "" for noise in parts[1::2]]
    code = "".join(parts)
    if code.isascii():
        skeleton = code.encode().translate(None, _NOT_BRACKET_BYTES).decode()
    else:
        skeleton = _NOT_BRACKET.sub("", code)
    ends: list[int] = []
    depth = 0
    for index, line in enumerate(skeleton.split("\n")):
        if line:
            depth += 2 * (line.count("(") + line.count("[") + line.count("{")) - len(line)
            if depth < 0:
                return None
        if depth == 0:
            ends.append(index)
    return ends if depth == 0 else None


def _hidden(noise: str) -> str:
    return "(" + "\n" * noise.count("\n") + ")"


def snippets(text: str, lines: list[str], long: list[int]) -> list[Snippet] | None:
    """The statements and compound-statement headers that hold the `long` lines (indexes, in
    order), each once; None when one cannot be formatted alone."""
    ends = logical_ends(text)
    if ends is None:
        return None
    out: list[Snippet] = []
    covered = -1  # the last line of the snippets found so far
    for i in long:
        if i <= covered:
            continue
        k = bisect.bisect_left(ends, i)
        if k == len(ends):
            return None
        first, last = (ends[k - 1] + 1 if k else 0), ends[k]
        head = lines[first].lstrip(" ")
        if head.startswith("#") or not head:
            continue  # a comment (black leaves it alone)
        statement = "\n".join(lines[first : last + 1])
        if _BARE_STRING.fullmatch(statement.strip()):
            continue  # a docstring or other bare string: black leaves its lines alone
        if head.startswith("@") or _COMPOUND.match(head) or _CLAUSE.match(head) or statement.rstrip().endswith(":"):
            found = _header(lines, ends, k, long)
        else:
            found = _call_items(lines, first, last, long)
            if found is None:
                one = _lines(lines, first, last, "")
                found = [one] if one is not None else None
        if found is None:
            return None
        if out and found[0].first <= covered:
            return None  # overlaps the one before (a decorator's long line, then its header's)
        out.extend(found)
        covered = max(covered, last, *(s.last for s in found))
    return out


def _header(lines: list[str], ends: list[int], k: int, long: list[int]) -> list[Snippet] | None:
    """A decorated or compound statement's header (with all its decorators) with a stand-in
    body; for a def or class whose body is `...` on the header's line, the whole statement.
    A def whose parameters are already one a line (see `_exploded`) gives a small snippet per
    long line instead."""
    # from a decorator forward to the statement it decorates
    while lines[(ends[k - 1] + 1 if k else 0)].lstrip(" ").startswith("@"):
        k += 1
        if k == len(ends):
            return None
    first, last = (ends[k - 1] + 1 if k else 0), ends[k]
    head = lines[first].lstrip(" ")
    # back over the decorators above it
    while k and lines[(ends[k - 2] + 1 if k > 1 else 0)].lstrip(" ").startswith("@"):
        k -= 1
    start = ends[k - 1] + 1 if k else 0
    if _CLAUSE.match(head):
        return None  # `else:`, `except ...:`: not a statement alone
    tail = lines[last].rstrip()
    stub = _DEF_OR_CLASS.match(head) and tail.endswith(": ...")
    if _DEF.match(head) and (tail.endswith(":") or stub):
        parts = _exploded(lines, start, first, last, long)
        if parts is not None:
            return parts
    code = _QUOTED_LINE.sub(_blank, tail).partition("#")[0].rstrip()  # less a comment at its end
    if code.endswith(":") and (_COMPOUND.match(head) or head.startswith(("match ", "match("))):
        one = _lines(lines, start, last, STAND_IN)  # a comment after `:` stays there in black's output
    elif stub:
        one = _lines(lines, start, last, "")  # an overload or protocol stub: one statement
    else:
        return None  # a body on the header's line
    return [one] if one is not None else None


def _exploded(lines: list[str], start: int, first: int, last: int, long: list[int]) -> list[Snippet] | None:
    """For a def header already split one parameter a line with a magic trailing comma, black
    lays out each line of it on its own: each long parameter, and a long `) -> ...:` line,
    becomes a snippet of its own inside a stand-in def of the same shape (so that the same
    parameter line, common to a method's overloads and its sync and async forms, is formatted
    once). None when the header has another shape or its first lines are long."""
    pad = lines[first][: len(lines[first]) - len(lines[first].lstrip(" "))]
    inner = lines[first + 1 : last]
    closing = lines[last]
    if (
        len(inner) < 2
        or not lines[first].endswith("(")
        or not closing.startswith(pad + ")")
        or any(start <= i <= first for i in long)
        or not all(_parameter(line[len(pad) :]) for line in inner)
    ):
        return None
    out: list[Snippet] = []
    for i in range(first + 1, last + 1):
        if i not in long:
            continue
        if i < last:  # a parameter, between another one (black then splits at commas, as in the real def)
            text = "def _(\n" + lines[i][len(pad) :] + "\n    _,\n):" + STAND_IN
            out.append(Snippet(i, i, len(pad), text, (1, 2)))
        else:
            text = "def _(\n    _,\n" + closing[len(pad) :] + ("" if closing.endswith(": ...") else STAND_IN)
            out.append(Snippet(i, i, len(pad), text, (2, 0)))
    return out


def _call_items(lines: list[str], first: int, last: int, long: list[int]) -> list[Snippet] | None:
    """For a statement whose long lines are each a whole item (an argument, a dict entry, a
    list element) of brackets already split one item a line with a magic trailing comma (a
    call's `f(`, or a display's `{` or `[`): black lays out each such line on its own, so each
    becomes a snippet inside a stand-in of the same brackets. The other items may take several
    lines. None when a long line is anything else (the statement goes whole)."""
    if any('"""' in line or "'''" in line for line in lines[first : last + 1]):
        return None  # a line in a multi-line string could look like an item
    out: list[Snippet] = []
    for i in long:
        if i < first or i > last:
            continue
        indent = _indent(lines[i])
        if i == first or indent < 4 or not _parameter(lines[i][indent - 4 :]):
            return None
        opener, closer = i - 1, i + 1
        while opener > first and _indent(lines[opener]) >= indent:
            opener -= 1
        while closer < last and _indent(lines[closer]) >= indent:
            closer += 1
        bracket = lines[opener][-1:]
        if (
            _indent(lines[opener]) != indent - 4
            or _indent(lines[closer]) != indent - 4
            or not (_CALL_OPENER.search(lines[opener]) or _DISPLAY_OPENER.search(lines[opener]))
            or "#" in lines[opener]  # (the bracket could be a comment's)
            or not lines[closer].lstrip(" ").startswith(_CLOSER[bracket])
            or not lines[closer - 1].endswith(",")  # the magic trailing comma: black keeps one a line
        ):
            return None
        before, after = _STAND_INS[bracket]
        out.append(Snippet(i, i, indent - 4, before + lines[i][indent - 4 :] + after, (1, after.count("\n"))))
    return out


def _blank(match: re.Match[str]) -> str:
    return "_" * len(match.group())


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" ")) if line.strip() else -1


def _parameter(line: str) -> bool:
    """One whole parameter and its comma: brackets balance, no comment."""
    return bool(_PARAMETER.match(line)) and line.endswith(",") and "#" not in line and logical_ends(line) == [0]


def _lines(lines: list[str], first: int, last: int, stand_in: str) -> Snippet | None:
    """Lines [first, last] dedented as one snippet; None when dedenting could change them (a
    line indented less than the first, such as a multi-line string's) or a blank line would
    be lost."""
    text = lines[first]
    indent = len(text) - len(text.lstrip(" "))
    pad = " " * indent
    part = lines[first : last + 1]
    if any(not line.strip() or not line.startswith(pad) for line in part):
        return None
    return Snippet(first, last, indent, "\n".join(line[indent:] for line in part) + stand_in)
