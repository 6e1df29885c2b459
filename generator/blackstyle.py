"""Black's layout of a few long one-line constructs, written here instead of running black.

The templates' long statements are mostly of a few shapes whose split black fixes exactly
(black 24+ stable style, read from its linegen): a `from m import a, b` line becomes one
name a line in parentheses with a trailing comma; a `def` header is split at its parameter
list's brackets (left-hand split), the parameters on one line, with a trailing comma when
there is a single one; a class header is split at its bases' brackets. Only the plainest
form of each is done here, and only when every line of the result fits: anything else
(None) goes to black. tests/test_format_identity.py and benchmarks/bench_format.py compare
the results with black's on real builds.
"""

from __future__ import annotations

import re

from .logical import STAND_IN, logical_ends

LINE_LENGTH = 100
_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_IMPORT = re.compile(rf"(from \.*(?:{_NAME}(?:\.{_NAME})*)? import )({_NAME}(?:, {_NAME})*)")
_DEF = re.compile(rf"((?:async )?def {_NAME}\()(.*)(\)(?: -> (.+))?:)")
_CLASS = re.compile(rf"(class {_NAME}\()(.*)(\):)")
_DECORATOR = re.compile(rf"@{_NAME}(?:\.{_NAME})*")


def layout(indent: int, text: str) -> str | None:
    """Black's lines for the snippet `text` (dedented by `indent`), indented; None when it is
    not one of the shapes done here."""
    if not text.isascii():
        return None  # widths of wide characters: left to black
    header = text.endswith(STAND_IN)
    lines = text[: -len(STAND_IN)].split("\n") if header else text.split("\n")
    *decorators, statement = lines
    if any(not _DECORATOR.fullmatch(d) or not _fits(indent, d) for d in decorators) or (decorators and not header):
        return None
    if header:
        found = _def(indent, statement) or _class(indent, statement)
    else:
        found = _import(indent, statement)
    if found is None:
        return None
    pad = " " * indent
    return "\n".join(pad + line for line in [*decorators, *found])


def _fits(indent: int, line: str) -> bool:
    return indent + len(line) <= LINE_LENGTH


def _import(indent: int, line: str) -> list[str] | None:
    match = _IMPORT.fullmatch(line)
    if match is None:
        return None
    head, names = match.group(1) + "(", match.group(2).split(", ")
    out = [head, *(f"    {name}," for name in names), ")"]
    return out if all(_fits(indent, part) for part in out) else None


def _def(indent: int, line: str) -> list[str] | None:
    match = _DEF.fullmatch(line)
    if match is None:
        return None
    head, params, tail, returns = match.group(1), match.group(2), match.group(3), match.group(4) or ""
    if (
        not params
        or returns.startswith(("'", '"'))  # a string return annotation: black splits it otherwise
        or not _balanced(params)
        or params.rstrip().endswith(",")  # a magic trailing comma: one parameter a line
        or "=" in params  # defaults (their commas would count): left to black
        or "#" in params
        or "'" in params
        or '"' in params
    ):
        return None
    # the closing bracket found must be the parameters' own: what is after it is the return
    if not _balanced(returns) or _depth_zero_commas(params) is None:
        return None
    # black adds a trailing comma to a sole parameter (commas inside annotations do not count)
    body = params if _depth_zero_commas(params) else params + ","
    out = [head, "    " + body, tail]
    return out if all(_fits(indent, part) for part in out) else None


def _class(indent: int, line: str) -> list[str] | None:
    match = _CLASS.fullmatch(line)
    if match is None:
        return None
    head, bases, tail = match.groups()
    if (
        not bases
        or not _balanced(bases)
        or _depth_zero_commas(bases) != 0
        or any(char in bases for char in "#=")
        or bases.rstrip().endswith(",")
    ):
        return None
    out = [head, "    " + bases, tail]
    return out if all(_fits(indent, part) for part in out) else None


def _balanced(text: str) -> bool:
    return logical_ends(text) == [0]


def _depth_zero_commas(text: str) -> int | None:
    """Commas outside brackets (the text holds no strings); None when brackets close early."""
    depth = commas = 0
    for char in text:
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
            if depth < 0:
                return None
        elif char == "," and depth == 0:
            commas += 1
    return commas
