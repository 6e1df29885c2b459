"""The template globals `wrap_as_black` and `assign_as_black`: one statement written as black
splits it. The `wrapped` macro of black_style.jinja calls the first; templates ask for them
thousands of times per build, and a macro's body in Jinja costs several times what these do."""

from __future__ import annotations

from collections.abc import Sequence

from .render import fits


def wrap_as_black(head: str, items: Sequence[object], tail: str, indent: int, kind: str = "call") -> str:
    """`head` + items + `tail` on one line at `indent` if it fits; else split as black splits it,
    without a line break at either end: for a "call", the items on one line inside the brackets
    if they fit there, else one per line with a trailing comma; a "display" (dict, list or set
    literal) of several items and an "import" (`head` is "from x import ", put in parentheses
    when split) one per line."""
    pad = " " * indent
    inner = ", ".join(map(str, items))
    if kind == "import" and not fits(head + inner, indent):
        head, tail = head + "(", ")"
    if fits(head + inner + tail, indent):
        return pad + head + inner + tail
    if fits(inner, indent + 4) and (kind == "call" or (kind == "display" and len(items) == 1)):
        return f"{pad}{head}\n{pad}    {inner}\n{pad}{tail}"
    lines = [pad + head, *(f"{pad}    {item}," for item in items), pad + tail]
    return "\n".join(lines)


def assign_as_black(target: str, expr: str, ternary: bool, indent: int = 12) -> str:
    """`target = expr` at `indent`, without a line break at either end, as black writes it: when
    too long, a conditional expression (`ternary`) goes in parentheses on a line of its own if it
    fits there; anything else is left to the format stage."""
    pad = " " * indent
    line = f"{target} = {expr}"
    if ternary and not fits(line, indent) and fits(expr, indent + 4):
        return f"{pad}{target} = (\n{pad}    {expr}\n{pad})"
    return pad + line
