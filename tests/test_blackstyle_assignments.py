"""Long assignments laid out without black are exactly as black lays them out (issue 15).

blackstyle lays out `target = a if b else c` and `target = f(args)` itself (most long
statements of generated decoders are of these shapes). Each shape is tried here at every
indentation the templates use and with names of many lengths, so that each way black splits it
(value on one line in parentheses, split at `if`/`else`, arguments on one line, one argument a
line) is met; every layout given must equal black's, and the shapes black splits otherwise must
be left to black. One black call for all of them: about a second.
"""

from __future__ import annotations

from convgen import blackstyle
from convgen import format as fmt

INDENTS = (0, 4, 8, 12, 16)
LENGTHS = range(4, 96, 6)


def _name(n: int, stem: str = "n") -> str:
    return (stem + "_abcdefghij" * 10)[:n]


def _conditionals(n: int) -> list[str]:
    keys = "_KEYS_" + _name(n).upper()
    return [
        f"obj.extra = EMPTY if data.keys() <= {keys} else _r.extras(data, {keys})",
        f"obj.{_name(n)} = v if v is None else _r.list_of(v, {_name(n, 'T')}.from_dict)",
        f'out["{_name(n)}.x"] = None if self.{_name(n)} is None else self.{_name(n)}.to_dict()',
        f"obj.x = v if not v else [item.to_dict() for item in self.{_name(n)}]",
    ]


def _calls(n: int) -> list[str]:
    return [
        f'obj.{_name(n)} = _r.misfit(obj, data, "{_name(n)}", "{_name(n)}", exc)',
        f'obj.{_name(n)} = {_name(n, "T")}.from_dict(data["{_name(n)}"])',
        f"obj.value = _r.list_of(data[\"content\"], {_name(n, 'f')}_from_dict, key={_name(n)})",
        f'x = call(a, g(b, "{_name(n)}"), {{"k": {_name(n)}}})',
    ]


# black splits these otherwise (or not at all): left to it
NOT_HERE = [
    "obj.x = f(" + _name(60) + ")(" + _name(40) + ")",
    "obj.x = f(" + _name(60) + ").g(" + _name(40) + ")",
    "obj.x = (" + _name(50) + " if " + _name(30) + " else " + _name(30) + ")",
    'obj["k"] = f(' + _name(60) + ", " + _name(40) + ")",
    "obj.x = " + _name(50) + ", " + _name(50),
    "obj.x = lambda v: " + _name(50) + " if v else " + _name(50),
    "obj.x = f(" + _name(120) + ")",
    "obj.x = f(" + _name(60) + ", " + _name(40) + ",)",
    "obj.x = f('" + _name(60) + "', " + _name(40) + ")",
    "obj.x = f(*" + _name(60) + ", **" + _name(40) + ")",
]


def test_assignments_laid_out_here_are_as_black_lays_them_out() -> None:
    cases = [
        (indent, text)
        for indent in INDENTS
        for n in LENGTHS
        for text in [*_conditionals(n), *_calls(n)]
        if fmt.too_long(" " * indent + text)
    ]
    mine = {case: blackstyle.layout(*case) for case in cases}
    laid_out = [case for case, lines in mine.items() if lines is not None]
    black = fmt._black_snippets(laid_out)
    assert [case for case in laid_out if mine[case] != black[case]] == []
    # each way of splitting is met, so the comparison above covers it
    shapes = {_shape(mine[case] or "") for case in laid_out}
    assert {"= (|if|else|)", "= (|one|)", "call(|one|)", "call(|each|)"} <= shapes


def _shape(laid_out: str) -> str:
    lines = [line.strip() for line in laid_out.split("\n")]
    if lines[0].endswith("= ("):
        middle = "if|else" if len(lines) == 5 else "one"
        return f"= (|{middle}|)"
    return "call(|" + ("one" if len(lines) == 3 else "each") + "|)"


def test_other_assignments_are_left_to_black() -> None:
    for text in NOT_HERE:
        assert fmt.too_long(text)
        assert blackstyle.layout(0, text) is None, text
