"""Long statements laid out without black are exactly as black lays them out (issue 15).

blackstyle lays out the long lines of generated code itself: `target = a if b else c`,
`target = f(args)`, `target = [x for x in y]`, `target = name`, `return`/`raise` of those,
`name: A | B`, and the long items of brackets already split one item a line (a def's
`name: A | B = default,`, a call's `key=f(args),`, `{...},` or `(a, b),`, a dict's
`"key": a if b else c,`). Each shape is tried here at every indentation the templates use and
with names of many lengths, so that each way black splits it is met; every layout given must
equal black's, and the shapes black splits otherwise must be left to it. Whole sources with
such items are checked through the format stage too. About five seconds (one black call for
the shapes, black on each source).
"""

from __future__ import annotations

import pytest

from convgen import blackstyle
from convgen import format as fmt
from format_support import differences

INDENTS = (0, 4, 8, 12, 16)
LENGTHS = range(4, 96, 6)


def _name(n: int, stem: str = "n") -> str:
    return (stem + "_abcdefghij" * 12)[:n]


def _statements(n: int) -> list[str]:
    keys = "_KEYS_" + _name(n).upper()
    return [
        f"obj.extra = EMPTY if data.keys() <= {keys} else _r.extras(data, {keys})",
        f"obj.{_name(n)} = v if v is None else _r.list_of(v, {_name(n, 'T')}.from_dict)",
        f'out["{_name(n)}.x"] = None if self.{_name(n)} is None else self.{_name(n)}.to_dict()',
        f"obj.x = v if not v else [item.to_dict() for item in self.{_name(n)}]",
        f"return None if self.{_name(n)} is None else self.{_name(n)}.to_dict()",
        f'obj.{_name(n)} = _r.misfit(obj, data, "{_name(n)}", "{_name(n)}", exc)',
        f'obj.{_name(n)} = {_name(n, "T")}.from_dict(data["{_name(n)}"])',
        f"obj.value = _r.list_of(data[\"content\"], {_name(n, 'f')}_from_dict, key={_name(n)})",
        f'x = call(a, g(b, "{_name(n)}"), {{"k": {_name(n)}}})',
        f'out["{_name(n)}"] = self.{_name(n)}.to_dict(x, {_name(n)})',
        f"return Async{_name(n, 'T')}WithRawResponse(self._resource.{_name(n)})",
        f'raise APIError(f"no {{what}}: pass {_name(n)}=... or set the {{name}} environment variable")',
        f'out["{_name(n)}"] = self.{_name(n)}',
        f"self.{_name(n)} = {_name(n)}",
        f"return {_name(n)} + self.{_name(n)}.to_dict()",
        f'PATH = "/v2/{_name(n)}/{{id}}/{_name(n)}"',
        f"{_name(n, 'T')}: TypeAlias = {_name(n, 'U')}",
        f'out["{_name(n)}"] = [x.to_dict() for x in self.{_name(n)}]',
        f'return f"<{_name(n, "R")} [{{self.status_code}}] {{self.request.method}} {{self.request.url}}>"',
        f"{_name(n)}: {_name(n, 'T')} | Unset",
        f"{_name(n)}: list[{_name(n, 'T')} | str] | Unset",
        f"{_name(n)}: Mapping[{_name(n, 'T')}, Any]",
        f"obj.{_name(n)} = {_name(n, 'T')}{_name(n, 'U')}.from_dict(data[\"{_name(n)}\"])",
        f"return {_name(n, 'T')}{_name(n, 'U')}.from_dict(data, {_name(n)})",
        f"obj.extra = EMPTY if data.keys() <= _KEYS_{_name(n).upper()}{_name(n).upper()} else _r.extras(data, k)",
        f'obj.{_name(n)}_ = _r.misfit(obj, data, "{_name(n)}Cpu", "{_name(n)}_", exc)',  # (a string ending in u)
        f"from ..types.{_name(n)} import {_name(n, 'T')}, {_name(n, 'U')}",
        f"self.{_name(n)} = _w.to_raw_response_wrapper(\n    resource.{_name(n)}\n)",  # (split once by the template)
        f"from ....types.{_name(n)}_{_name(n)} import (\n    {_name(n, 'T')},\n    {_name(8, 'U')},\n)",
    ]


def _items(n: int) -> list[str]:
    """Stand-ins of logical.py: one long item in brackets split one item a line."""
    return [
        f'def _(\n    type: Literal["{_name(n)}.x"] = "{_name(n)}.x",\n    _,\n):\n    pass',
        f"def _(\n    {_name(n)}: {_name(n, 'T')} | Mapping[str, Any] | Sequence[Any] | Unset = UNSET,\n    _,\n):\n    pass",
        f"def _(\n    attributes: Mapping[str, {_name(n, 'T')} | None] | Unset | None = UNSET,\n    _,\n):\n    pass",
        f"def _(\n    tracing: Mapping[{_name(n, 'T')}, Any],\n    _,\n):\n    pass",
        f"_(\n    decode=_s.json_or_events(_t.{_name(n, 'T')}.from_dict, _t.{_name(n, 'e')}_from_dict),\n    _=_,\n)",
        f'_(\n    {{"{_name(n)}": {_name(n)}, "permission_id": permission_id}},\n    _=_,\n)',
        f"_ = [\n    {_name(n, 'T')}.from_dict(data[\"{_name(n)}\"], strict=True),\n]",
        f'_ = {{\n    "{_name(n)}": None if self.{_name(n)} is None else self.{_name(n)}.to_dict(),\n}}',
        f'_ = {{\n    "{_name(n)}": _r.encode(self.{_name(n)}, {_name(n)}),\n}}',
        f'_(\n    ({_name(n, "T")}.from_dict, frozenset({{"task", "duration", "text", "segments"}})),\n    _=_,\n)',
        f'_ = {{\n    "{_name(n)}": [x.to_dict() for x in self.{_name(n)}],\n}}',
        f"def _(\n    _,\n) -> AsyncPager[{_name(n, 'T')}, AsyncCursorPage[{_name(n, 'T')}]]:\n    pass",
        f"def _(\n    _,\n) -> Pager[{_name(n, 'T')}, {_name(n, 'U')}, {_name(n, 'V')}]:\n    pass",
    ]


def _boundaries() -> list[tuple[int, str]]:
    """Targets with brackets whose line up to `(` is about as long as a line may be."""
    return [(4, f'out["{_name(n)}"] = value_{_name(30)}') for n in range(80, 96)]


# black splits these otherwise (or not at all): left to it
NOT_HERE = [
    "obj.x = f(" + _name(60) + ")(" + _name(40) + ")",
    "obj.x = f(" + _name(60) + ").g(" + _name(40) + ")",
    "obj.x = (" + _name(50) + " if " + _name(30) + " else " + _name(30) + ")",
    "obj.x = " + _name(50) + ", " + _name(50),
    "obj.x = lambda v: " + _name(50) + " if v else " + _name(50),
    "obj.x = f(" + _name(120) + ")",
    "obj.x = f(" + _name(60) + ", " + _name(40) + ",)",
    "obj.x = f('" + _name(60) + "', " + _name(40) + ")",
    "obj.x = f(*" + _name(60) + ", **" + _name(40) + ")",
    "return a + b + f(" + _name(60) + ", " + _name(40) + ")",
    "raise " + _name(110),
    "_(\n    " + _name(50) + " + f(" + _name(60) + "),\n    _=_,\n)",
    '_ = {\n    "k": ' + _name(110) + ",\n}",
    "def _(\n    " + _name(50) + ": " + _name(60) + ",\n    _,\n):\n    pass",
    "obj.x = [" + _name(50) + ", " + _name(60) + "]",
    "_(\n    [" + _name(50) + ", " + _name(60) + "] + [x],\n    _=_,\n)",
    "raise " + _name(50) + "." + _name(60),
    "obj.x = EMPTY if " + _name(50) + " <= " + _name(50) + " + 1 else " + _name(40),
    "obj.x = EMPTY if " + _name(60) + " < " + _name(60) + " else f(x)",
    'out["' + _name(50) + '"] = ' + _name(50) + ".from_dict(data)",
    "def _(\n    _,\n) -> Pager[" + _name(110) + "]:\n    pass",
    "def _(\n    _,\n) -> Pager[" + _name(50) + ", " + _name(50) + ",]:\n    pass",
    "def _(\n    _,\n) -> A[" + _name(50) + "] | B[" + _name(50) + "]:\n    pass",
    'obj.x = f(u"' + _name(60) + '", ' + _name(40) + ")",
    "obj.x = f(\n    " + _name(100) + ",\n)",  # (a magic trailing comma)
]


def test_shapes_laid_out_here_are_as_black_lays_them_out() -> None:
    cases = [
        (indent, text)
        for indent in INDENTS
        for n in LENGTHS
        for text in [*_statements(n), *_items(n)]
        if any(fmt.too_long(" " * indent + line) for line in text.split("\n"))
    ] + _boundaries()
    mine = {case: blackstyle.layout(*case) for case in cases}
    laid_out = [case for case, lines in mine.items() if lines is not None]
    black = fmt._black_snippets(laid_out)
    assert [case for case in laid_out if mine[case] != black[case]] == []
    # each shape is laid out here at some length (one that never is would be tested for nothing)
    for shape in range(len(_statements(4) + _items(4))):
        assert any(mine.get((indent, [*_statements(n), *_items(n)][shape])) for indent in INDENTS for n in LENGTHS)


def test_other_shapes_are_left_to_black() -> None:
    for text in NOT_HERE:
        assert any(fmt.too_long(line) for line in text.split("\n"))
        assert blackstyle.layout(0, text) is None, text


LONG = "x" * 60
SOURCES = {
    "long items among items of several lines": (
        "class C:\n    def f(self):\n        return self._client.request(\n            'POST',\n"
        "            body=_u.Multipart(\n                {\n                    'a': a,\n                },\n            ),\n"
        f"            decode=_s.json_or_events(_t.{LONG}.from_dict, _t.{LONG}_from_dict),\n"
        "            cast=int,\n        )\n"
    ),
    "long entries of a dict display": (
        "def to_dict(self):\n    out: dict[str, Any] = {\n        'a': self.a,\n"
        f"        '{LONG}': None if self.{LONG} is None else self.{LONG}.to_dict(),\n"
        f"        'b': {{\n            'c': c,\n        }},\n        '{LONG}_b': _r.encode(self.{LONG}, x),\n"
        "    }\n    return out\n"
    ),
    "a long element of a list": f"X = [\n    a,\n    {LONG}.from_dict(data['{LONG}'], strict=True),\n]\n",
    "a long item in brackets without a magic trailing comma": f"X = f(\n    a,\n    {LONG}.g({LONG}, {LONG})\n)\n",
    "long imports": f"if TYPE_CHECKING:\n    from .{LONG}_{LONG} import *\n    from .{LONG}_{LONG} import A, B\n"
    f"from ....{LONG}.{LONG} import (\n    A,\n)\n",
}


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_sources_equal_black(name: str) -> None:
    assert differences({"m.py": SOURCES[name].replace("'", '"')}) == []


def test_a_long_star_import_is_no_work_for_black() -> None:
    lines = [f"    from .{LONG}_{LONG} import *"]
    assert fmt.too_long(lines[0]) and fmt.long_lines(lines, True) == []


@pytest.mark.parametrize("name", sorted(set(SOURCES) - {"a long item in brackets without a magic trailing comma", "long imports"}))
def test_long_items_are_laid_out_alone_without_black(name: str) -> None:
    from convgen import logical

    source = SOURCES[name].replace("'", '"')
    lines = source.split("\n")
    snippets = logical.snippets(source, lines, [i for i, line in enumerate(lines) if fmt.too_long(line)]) or []
    assert snippets
    assert all(s.first == s.last and blackstyle.layout(s.indent, s.text) is not None for s in snippets)
