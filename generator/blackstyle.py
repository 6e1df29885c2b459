"""Black's layout of the common long lines of generated code, written here instead of running black.

The templates' long statements are mostly of a few shapes whose split black fixes exactly
(black 24+ stable style, read from its linegen): a `from m import a, b` line becomes one
name a line in parentheses with a trailing comma; a `def` header is split at its parameter
list's brackets (left-hand split), the parameters on one line, with a trailing comma when
there is a single one; a class header is split at its bases' brackets. A statement's value
(`target = value`, `return value`) is laid out by black's right-hand split (`_value`): in
invisible parentheses made visible for a conditional expression or a value without brackets,
split in its own brackets for a call or a comprehension (a call whose line up to its bracket
does not fit stays in the parentheses, laid out there as a line of its own; a conditional's
test too long for its line is split at its one comparison). The long item of brackets already
split one item a line (a def's parameter, a call's argument, a dict's entry: logical.py cuts
it out in a stand-in of the same brackets) is laid out alone the same way, an annotation in
parentheses when it is a union, and a long `) -> X[a, b]:` after such parameters in the
subscript's brackets. Only the plainest form of each is done here, and only when
every line of the result fits: anything else (None) goes to black. tests/test_blackstyle_shapes.py
(on variations of each shape), tests/test_format_identity.py and benchmarks/bench_format.py
compare the results with black's.
"""

from __future__ import annotations

import re

from .logical import QUOTED, STAND_IN, logical_ends

LINE_LENGTH = 100
_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_IMPORT = re.compile(rf"(from \.*(?:{_NAME}(?:\.{_NAME})*)? import )({_NAME}(?:, {_NAME})*)")
# an import already one name a line: black keeps it so, however long its first line
_EXPLODED_IMPORT = re.compile(rf"from \.*(?:{_NAME}(?:\.{_NAME})*)? import \(\n(?:    {_NAME},\n)+\)")
# a statement split in its last brackets, their one item on a line of its own and no trailing
# comma (`self.x = wrap(\n    resource.x\n)`): black lays it out as the statement on one line
_SPLIT_ONCE = re.compile(r"(?P<head>[^\n]*\()\n    (?P<item>[^\n]*[^,\n])\n\)")
_DEF = re.compile(rf"((?:async )?def {_NAME}\()(.*)(\)(?: -> (.+))?:)")
_CLASS = re.compile(rf"(class {_NAME}\()(.*)(\):)")
_DECORATOR = re.compile(rf"@{_NAME}(?:\.{_NAME})*")
_DOTTED = rf"{_NAME}(?:\.{_NAME})*"
# `target = value` (a dotted name, or one subscripted by a string), `return value`, `raise value`
# (an annotation, like a subscript, puts brackets in the target: black's invisible parentheses)
_STATEMENT = re.compile(rf'(?P<head>return |raise |{_DOTTED}(?P<brackets>\["[^"\\]*"\]|: {_DOTTED})? = )(?P<value>.+)')
_ATOM = re.compile(r'[A-Za-z_]\w*|[rbf]{0,2}"_*"')  # one leaf, with strings blanked
_CALLEE = re.compile(rf"{_DOTTED}\(")
_QUOTED = re.compile(QUOTED)
# What black would change besides the split: single quotes, string prefixes, escapes,
# powers, number literals
_NORMALIZED = re.compile(r"'|(?<!\w)[rRbBfFuU]*[FBUu][rRbBfFuU]*\"|\\|\*\*|\b\d\w*[A-Za-z]")
# What black splits otherwise at the top level of an expression: tuples, comprehensions,
# lambdas, walruses and slices, unpacking, comments
_TOP_LEVEL_OTHER = re.compile(r",|\b(?:for|lambda|await|yield|async)\b|:|\*|;|#")
_CONDITIONAL = re.compile(r" (?:if|else) ")
_KEYWORD = re.compile(rf"{_NAME}=(?!=)")
_CLOSERS = {"(": ")", "[": "]", "{": "}"}
_DISPLAY_OTHER = re.compile(r"\b(?:for|lambda|await|yield|async)\b|\*|;|#")
# Any operator or keyword of an expression that black could split at (strings blanked)
_OPERATOR = re.compile(r"[-+*/%|&^<>=!~@]+|\b(?:and|or|not|in|is|if|else|lambda|await|for)\b|[,:;#]")
_ANNOTATED = re.compile(rf"({_NAME}): (.+?)((?: = [^()\[\]{{}}]+)?,?)")


def layout(indent: int, text: str) -> str | None:
    """Black's lines for the snippet `text` (dedented by `indent`), indented; None when it is
    not one of the shapes done here."""
    if not text.isascii():
        return None  # widths of wide characters: left to black
    for (before, after), item in _ITEMS.items():
        if text.startswith(before) and text.endswith(after) and "\n" not in text[len(before) : -len(after)]:
            found = item(indent + 4, text[len(before) : -len(after)])
            if found is None:
                return None
            closing = after.removesuffix(STAND_IN).split("\n")[1:]  # black's output has no stand-in body
            lines = [*before.split("\n")[:-1], *(f"    {line}" for line in found), *closing]
            return "\n".join(" " * indent + line for line in lines)
    if text.startswith(_EXPLODED_DEF) and text.endswith(":" + STAND_IN):
        found = _returns(indent, text[len(_EXPLODED_DEF) : -len(":" + STAND_IN)])
        return None if found is None else "\n".join(" " * indent + line for line in ["def _(", "    _,", *found])
    if _EXPLODED_IMPORT.fullmatch(text):
        return "\n".join(" " * indent + line for line in text.split("\n"))
    split = _SPLIT_ONCE.fullmatch(text)
    if split is not None and _balanced(split["item"]):
        found = _statement(indent, split["head"] + split["item"] + ")")
        return None if found is None else "\n".join(" " * indent + line for line in found)
    header = text.endswith(STAND_IN)
    lines = text[: -len(STAND_IN)].split("\n") if header else text.split("\n")
    *decorators, statement = lines
    if any(not _DECORATOR.fullmatch(d) or not _fits(indent, d) for d in decorators) or (decorators and not header):
        return None
    if header:
        found = _def(indent, statement) or _class(indent, statement)
    else:
        found = _import(indent, statement) or _statement(indent, statement) or _annotated_name(indent, statement)
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
    return [head, *(f"    {name}," for name in names), ")"]  # (however long: black can do no better)


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


# the stand-in def of logical.py around a long `) -> X:` line of parameters one a line
_EXPLODED_DEF = "def _(\n    _,\n) -> "


def _returns(indent: int, annotation: str) -> list[str] | None:
    """`) -> X[a, b]:` too long: black splits the return annotation in its subscript's brackets
    (several items: a sole one would get a trailing comma), the items on one line, or one a
    line with a trailing comma."""
    top = _top_level(_QUOTED.sub(_blank, annotation))
    if top is None or _NORMALIZED.search(annotation) or "#" in annotation:
        return None
    opening = top.find("[")
    if opening < 1 or not re.fullmatch(rf"{_DOTTED}\[_*\]", top):
        return None
    inner = annotation[opening + 1 : -1]
    masked = _top_level(_QUOTED.sub(_blank, inner))
    if masked is None or "," not in masked or masked.rstrip().endswith(",") or _DISPLAY_OTHER.search(masked):
        return None
    body = [inner]
    if not _fits(indent + 4, inner):
        cuts = [-2, *(i for i, char in enumerate(masked) if char == ","), len(inner)]
        body = [inner[a + 2 : b] + "," for a, b in zip(cuts, cuts[1:], strict=False)]
    return _fitting(indent, [f") -> {annotation[: opening + 1]}", *(f"    {part}" for part in body), "]:"])


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


def _statement(indent: int, line: str) -> list[str] | None:
    """`target = value`, `return value`, `raise value`: black wraps the value in (invisible)
    parentheses, and the target's brackets decide nothing here (see `_value`)."""
    match = _STATEMENT.fullmatch(line)
    if match is None or _NORMALIZED.search(line) or _fits(indent, line):
        return None
    head, bracketed = match.group("head"), match.group("brackets") is not None
    plain = "bracketed" if bracketed else "" if head == "raise " else "plain"
    return _value(indent, head, match.group("value"), "", conditional=True, plain=plain)


def _item(indent: int, line: str) -> list[str] | None:
    """One long item of brackets split one item a line (`f(` or `[`): a call, a keyword
    argument whose value is a call, a comprehension, or a display (tuple, list, dict) of
    several elements (split one element a line, the brackets being a display's)."""
    if not line.endswith(",") or _NORMALIZED.search(line) or _fits(indent, line):
        return None
    keyword = _KEYWORD.match(line)
    head = keyword.group() if keyword else ""
    value = line[len(head) : -1]
    closer = _CLOSERS.get(value[:1], "")
    inner = _top_level(_QUOTED.sub(_blank, value[1:-1])) if value.endswith(closer) else None
    if head or not closer or inner is None or "," not in inner:
        return _value(indent, head, value, ",", conditional=False, plain="")
    if inner.endswith(",") or _DISPLAY_OTHER.search(inner):
        return None  # (a sole element never fits where it would go)
    cuts = [-2, *(i for i, char in enumerate(inner) if char == ","), len(inner)]
    elements = [value[1:-1][a + 2 : b] + "," for a, b in zip(cuts, cuts[1:], strict=False)]
    return _fitting(indent, [value[0], *(f"    {element}" for element in elements), closer + ","])


def _entry(indent: int, line: str) -> list[str] | None:
    """One long `key: value,` entry of a dict display split one entry a line: black wraps a
    conditional value in (invisible) parentheses, and splits a call in its brackets."""
    if not line.endswith(",") or _NORMALIZED.search(line) or _fits(indent, line):
        return None
    top = _top_level(_QUOTED.sub(_blank, line)) or ""
    colon = top.find(": ")
    if colon < 1 or any(char in top[:colon] for char in "([{") or _DISPLAY_OTHER.search(top[:colon]):
        return None
    return _value(indent, line[: colon + 2], line[colon + 2 : -1], ",", conditional=True, plain="")


def _value(indent: int, head: str, value: str, tail: str, *, conditional: bool, plain: str) -> list[str] | None:
    """`value` after `head` and before `tail`, as black's right-hand split lays it out. When it
    is in invisible parentheses (`conditional`: a statement's value, a dict entry's), a
    conditional expression keeps them (its two keywords are two delimiters) and is split
    before `if` and `else` when it does not fit on one line; so does a statement's value
    without brackets of its own (`plain`: "plain", or "bracketed" when its target has
    brackets), but for one leaf too long for any line, which stays. A call (a dotted name
    called) is split in its own brackets, and a comprehension in its own, when the line
    before them fits."""
    top = _top_level(_QUOTED.sub(_blank, value))
    if top is None or not top or _TOP_LEVEL_OTHER.search(top):
        return None
    if top[0] in "([{":  # `[x for x in y]` (a list display of several elements explodes)
        inner = _top_level(_QUOTED.sub(_blank, value[1:-1]))
        if top[0] != "[" or top[-1] != "]" or top[1:-1].strip("_") or inner is None or "," in inner:
            return None
        return _fitting(indent, [f"{head}[", f"    {value[1:-1]}", f"]{tail}"])
    keywords = [m.start() for m in _CONDITIONAL.finditer(top)]
    if keywords:
        if not conditional or len(keywords) != 2 or top[keywords[0] : keywords[0] + 4] != " if ":
            return None
        first, test, other = value[: keywords[0]], value[keywords[0] + 1 : keywords[1]], value[keywords[1] + 1 :]
        if not other.startswith("else "):
            return None
        if _fits(indent + 4, value):
            body = [value]
        else:
            # a part too long for its line is split as a line of its own would be: the test at
            # its comparison, `else f(args)` in the call's brackets
            tests = [test] if _fits(indent + 4, test) else _comparison(test)
            others = [other] if _fits(indent + 4, other) else _call(indent + 4, "else ", other[5:], "")
            if tests is None or others is None:
                return None
            body = [first, *tests, *others]
        return _fitting(indent, [f"{head}(", *(f"    {part}" for part in body), f"){tail}"])
    brackets = sum(top.count(char) for char in "([{")
    if brackets == 0 or (brackets == 1 and top.endswith("()")):  # a name, an operation, `a.b()`
        if plain == "plain" and _ATOM.fullmatch(top) and not _fits(indent + 4, value):
            return [head + value + tail]  # one leaf: nothing to split at
        # (a target with brackets is split in them when its line up to ` = ` is longer than
        # one less than the limit: exactly when `head(` does not fit)
        return _fitting(indent, [f"{head}(", f"    {value}", f"){tail}"]) if plain else None
    found = _call(indent, head, value, tail)
    callee = _CALLEE.match(value)
    if found is not None or plain != "plain" or callee is None or _fits(indent, head + value[: callee.end()]):
        return found
    # the line up to the call's bracket does not fit: black keeps the invisible parentheses and
    # lays the value out in them as a line of its own (split in the call's brackets if need be)
    inside = [value] if _fits(indent + 4, value) else _call(indent + 4, "", value, "")
    return None if inside is None else _fitting(indent, [f"{head}(", *(f"    {line}" for line in inside), f"){tail}"])


def _comparison(test: str) -> list[str] | None:
    """`if a <= b` (a conditional's test) split before its operator, as black's delimiter split
    does when the comparison is the test's only delimiter."""
    top = _top_level(_QUOTED.sub(_blank, test))
    if top is None or not top.startswith("if "):
        return None
    operators = [m.start() for m in _OPERATOR.finditer(top, 3)]
    if len(operators) != 1 or top[operators[0] - 1 : operators[0] + 3] != " <= ":
        return None
    return [test[: operators[0] - 1], test[operators[0] :]]


def _call(indent: int, head: str, value: str, tail: str) -> list[str] | None:
    """`head` then `f(args)` (a dotted name called), split in the call's brackets: the
    arguments on one line, or one a line with a trailing comma."""
    callee = _CALLEE.match(value)
    if callee is None or not value.endswith(")"):
        return None
    arguments = value[callee.end() : -1]
    inner = _top_level(_QUOTED.sub(_blank, arguments))
    if not arguments or inner is None or inner.endswith(","):
        return None  # not one call (`f(a)(b)`, `f(a).g(b)`), no arguments, a magic trailing comma
    if _TOP_LEVEL_OTHER.sub(",", inner).count(",") != inner.count(","):
        return None  # more than plain arguments
    body = [arguments]
    if not _fits(indent + 4, arguments):
        if "," not in inner:
            return None  # one long argument: black splits inside it
        cuts = [-2, *(i for i, char in enumerate(inner) if char == ","), len(arguments)]
        body = [arguments[a + 2 : b] + "," for a, b in zip(cuts, cuts[1:], strict=False)]
    return _fitting(indent, [head + value[: callee.end()], *(f"    {part}" for part in body), f"){tail}"])


def _parameter(indent: int, line: str) -> list[str] | None:
    """`name: annotation = default,` too long: black puts a union annotation in parentheses
    (split before each `|` when it does not fit on one line), and splits a subscripted one
    (`X[...]`) in its brackets."""
    masked = _QUOTED.sub(_blank, line)
    match = _ANNOTATED.fullmatch(masked)
    if match is None or not match.group(3).endswith(",") or _NORMALIZED.search(line) or "#" in masked:
        return None
    return _annotated(indent, line, match)


def _annotated_name(indent: int, line: str) -> list[str] | None:
    """`name: annotation` (no value) too long: laid out as a parameter's annotation."""
    masked = _QUOTED.sub(_blank, line)
    match = _ANNOTATED.fullmatch(masked)
    if match is None or match.group(3) or _NORMALIZED.search(line) or "#" in masked:
        return None
    return _annotated(indent, line, match)


def _annotated(indent: int, line: str, match: re.Match[str]) -> list[str] | None:
    if _fits(indent, line):
        return None
    name, tail = match.group(1), line[match.start(3) :]
    annotation = line[match.start(2) : match.end(2)]
    top = _top_level(match.group(2))
    if top is None or top[0] in "([{" or _TOP_LEVEL_OTHER.search(top) or match.group(3).count(",") > 1:
        return None
    unions = [m.start() for m in re.finditer(r" \| ", top)]
    if unions:
        body = [annotation]
        if not _fits(indent + 4, annotation):
            cuts = [-1, *unions, len(annotation)]
            body = [annotation[a + 1 : b] for a, b in zip(cuts, cuts[1:], strict=False)]
        return _fitting(indent, [f"{name}: (", *(f"    {part}" for part in body), f"){tail}"])
    opening = top.find("[")
    if opening < 1 or top.count("[") != 1 or top.count("(") or top.count("{") or not top.endswith("]"):
        return None
    inner = annotation[opening + 1 : -1]
    return _fitting(indent, [f"{name}: {annotation[: opening + 1]}", f"    {inner}", f"]{tail}"])


# The stand-ins of logical.py around one long line of brackets split one item a line (a def's
# parameter, a call's argument, a list's element, a dict's entry): how each is laid out
_ITEMS = {
    ("def _(\n    ", "\n    _,\n):" + STAND_IN): _parameter,
    ("_(\n    ", "\n    _=_,\n)"): _item,
    ("_ = [\n    ", "\n]"): _item,
    ("_ = {\n    ", "\n}"): _entry,
}


def _fitting(indent: int, lines: list[str]) -> list[str] | None:
    return lines if all(_fits(indent, line) for line in lines) else None


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
