"""Black's layout of a few long one-line constructs, written here instead of running black.

The templates' long statements are mostly of a few shapes whose split black fixes exactly
(black 24+ stable style, read from its linegen): a `from m import a, b` line becomes one
name a line in parentheses with a trailing comma; a `def` header is split at its parameter
list's brackets (left-hand split), the parameters on one line, with a trailing comma when
there is a single one; a class header is split at its bases' brackets; an assignment of a
conditional expression gets its right-hand side in parentheses, split before `if` and `else`
when it does not fit; an assignment of a call is split in the call's brackets, the arguments
one a line with a trailing comma when they do not fit on one. Only the plainest form of each
is done here, and only when every line of the result fits: anything else (None) goes to
black. tests/test_format_identity.py (also on generated variations of each shape) and
benchmarks/bench_format.py compare the results with black's.
"""

from __future__ import annotations

import re

from .logical import QUOTED, STAND_IN, logical_ends

LINE_LENGTH = 100
_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_IMPORT = re.compile(rf"(from \.*(?:{_NAME}(?:\.{_NAME})*)? import )({_NAME}(?:, {_NAME})*)")
_DEF = re.compile(rf"((?:async )?def {_NAME}\()(.*)(\)(?: -> (.+))?:)")
_CLASS = re.compile(rf"(class {_NAME}\()(.*)(\):)")
_DECORATOR = re.compile(rf"@{_NAME}(?:\.{_NAME})*")
_DOTTED = rf"{_NAME}(?:\.{_NAME})*"
# `target = value`: a dotted name, or one subscripted by a string (whose brackets decide how
# black splits a call after it, so that form is for conditional expressions only)
_ASSIGN = re.compile(rf'({_DOTTED}(\["[^"\\]*"\])?) = (.+)')
_CALL = re.compile(rf"({_DOTTED})\((.+)\)")
_QUOTED = re.compile(QUOTED)
# What black would change besides the split: single quotes, string prefixes, escapes,
# powers, number literals
_NORMALIZED = re.compile(r"'|[FBUu]\"|\\|\*\*|\b\d\w*[A-Za-z]")
# What black splits otherwise at the top level of an expression: tuples, comprehensions,
# lambdas, walruses and slices, unpacking, comments
_TOP_LEVEL_OTHER = re.compile(r",|\b(?:for|lambda|await|yield|async)\b|:|\*|;|#")
_CONDITIONAL = re.compile(r" (?:if|else) ")


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
        found = _import(indent, statement) or _assignment(indent, statement)
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


def _assignment(indent: int, line: str) -> list[str] | None:
    """`target = a if b else c` and `target = f(args)`, as black splits them (its right-hand
    split: the value in invisible parentheses, kept for a conditional expression, whose two
    keywords are more than one delimiter, and left out for a call, whose own brackets split)."""
    match = _ASSIGN.fullmatch(line)
    if match is None or _NORMALIZED.search(line) or _fits(indent, line):
        return None
    target, subscripted, value = match.group(1), match.group(2), match.group(3)
    top = _top_level(_QUOTED.sub(_blank, value))
    if top is None or top[0] in "([{" or _TOP_LEVEL_OTHER.search(top):
        return None
    keywords = [m.start() for m in _CONDITIONAL.finditer(top)]
    if keywords:
        if len(keywords) != 2 or top[keywords[0] : keywords[0] + 4] != " if " or top[keywords[1] + 1] != "e":
            return None
        body = [value]
        if not _fits(indent + 4, value):
            body = [value[: keywords[0]], value[keywords[0] + 1 : keywords[1]], value[keywords[1] + 1 :]]
        out = [f"{target} = (", *(f"    {part}" for part in body), ")"]
    else:
        call = _CALL.fullmatch(value)
        # one pair of brackets at the top level, the call's (not `f(a)(b)` nor `f(a).g(b)`)
        if call is None or subscripted or top.count("(") != 1 or any(c in top for c in "[{"):
            return None
        callee, arguments = call.groups()
        inner = _top_level(_QUOTED.sub(_blank, arguments)) or ","
        if inner.endswith(",") or _TOP_LEVEL_OTHER.sub(",", inner).count(",") != inner.count(","):
            return None  # a magic trailing comma, or more than plain arguments
        body = [arguments]
        if not _fits(indent + 4, arguments):
            if "," not in inner:
                return None  # one long argument: black splits inside it
            cuts = [-2, *(i for i, char in enumerate(inner) if char == ","), len(arguments)]
            body = [arguments[a + 2 : b] + "," for a, b in zip(cuts, cuts[1:], strict=False)]
        out = [f"{target} = {callee}(", *(f"    {part}" for part in body), ")"]
    return out if all(_fits(indent, part) for part in out) else None


def _blank(match: re.Match[str]) -> str:
    """A string with its content hidden (same length): its brackets and words do not count."""
    text = match.group()
    return text[0] + "_" * (len(text) - 2) + text[-1]


def _top_level(text: str) -> str | None:
    """`text` with what is inside its brackets hidden (same length); None when they do not
    balance."""
    out = []
    depth = 0
    for char in text:
        if char in ")]}":
            depth -= 1
            if depth < 0:
                return None
        out.append(char if depth == 0 else "_")
        if char in "([{":
            depth += 1
    return "".join(out) if depth == 0 else None
