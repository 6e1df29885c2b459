"""The format stage gives exactly black's output on real generated code (issue 15).

Black stays the reference: every Python file of a build is formatted by the format stage
(which runs black only on the long statements it cannot lay out itself) and by black on the
whole file, and the two must be byte-identical. The sections are chosen for their long
constructs (overloads, long imports, long parameters, long decoders); the whole-spec check
is `python benchmarks/bench_format.py` (about two minutes of black). Takes ~10 s.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from format_support import differences, rendered

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("spec", "tags"),
    [
        ("spec/openai.yaml", ("Audio", "Moderations")),
        ("tests/corpus/uspto.yaml", ()),
    ],
)
def test_format_stage_equals_black_on_every_file(spec: str, tags: tuple[str, ...]) -> None:
    files = rendered(ROOT / spec, tags=tags)
    assert differences(files) == []


LONG = "x" * 60
UNION = f"{LONG}_A | Mapping[str, Any] | Sequence[Any] | Unset | None"
CONSTRUCTS = {
    "a long parameter of a def already split": (
        f"class C:\n    def f(\n        self,\n        *,\n        a: {UNION} = UNSET,\n        b: int = 1,\n    ) -> None:\n"
        "        return None\n"
    ),
    "a long parameter with a string default": (
        f'def f(\n    self,\n    object: Literal["{LONG}.deleted"] = "{LONG}.deleted",\n) -> None:\n    return None\n'
    ),
    "a long return annotation after split parameters": (
        f"async def f(\n    self,\n    a: int,\n) -> RawResponse[{LONG}_Response | _s.Stream[{LONG}_Event]]:\n    return 1\n"
    ),
    "overloads with long parameters and a long return": (
        "class C:\n    @overload\n    def f(\n        self,\n        *,\n"
        f"        a: {UNION} = UNSET,\n        b: Literal['x'],\n    ) -> R[{LONG}_A | Stream[{LONG}_B]]: ...\n\n"
        "    @overload\n    def f(\n        self,\n        *,\n"
        f"        a: {UNION} = UNSET,\n        b: str,\n    ) -> R[{LONG}_A]: ...\n\n"
        f"    def f(self, *, a: {UNION} = UNSET, b: str = 'x') -> R[{LONG}_A]:\n        return g()\n"
    ),
    "a long parameter that black splits at its unions": (
        f"def f(\n    self,\n    {LONG}: {LONG}_A | {LONG}_B | Mapping[str, Any] | None = UNSET,\n) -> None:\n    pass\n"
    ),
    "a long first line of a split def": (f"def {LONG}_{LONG}_name(\n    self,\n    a: int,\n) -> None:\n    pass\n"),
    "a long argument of a call already split": (
        "class C:\n    def f(self):\n        return self._client.request(\n            'GET',\n            path(\n"
        f"                '/v2/apps/{{app_id}}/x',\n                {{'app_id': app_id, '{LONG}': deployment_id, 'c': c}},\n"
        "            ),\n            cast=int,\n        )\n"
    ),
    "a long keyword argument of a call already split": f"x = call(\n    a,\n    {LONG}=other_call({LONG}, {LONG}_b),\n)\n",
    "a long sole argument of a call already split": f"x = call(\n    other_call({LONG}, {LONG}_b, {LONG}_c),\n)\n",
    "long imports": (
        f"from .{LONG} import {LONG}_A\nfrom ..types.{LONG} import {LONG}_A, {LONG}_B\n"
        f"from . import {LONG}_a, {LONG}_b\n"
    ),
    "long one-line def headers": (
        f"def {LONG}_from_dict(data: Any) -> {LONG}_Type:\n    pass\n\n\n"
        f"class C:\n    @classmethod\n    def from_dict(cls, data: Mapping[str, Any]) -> {LONG}_Type:\n        pass\n\n"
        f"    async def g(self, data: Mapping[str, Any] | None) -> {LONG}_Type:\n        pass\n"
    ),
    "long class headers": (
        f"class {LONG}Page(SyncCursorPage['{LONG}', 'Other']):\n    pass\n\n\n"
        f"class {LONG}Other(Base[{LONG}_A]):\n    x = 1\n"
    ),
    "a parameter split over lines in a def already split": (
        f"def f(\n    self,\n    a: dict[\n        str, int\n    ],\n    b: {UNION} = UNSET,\n) -> None:\n    pass\n"
    ),
}


@pytest.mark.parametrize("name", sorted(CONSTRUCTS))
def test_constructs_equal_black(name: str) -> None:
    source = CONSTRUCTS[name].replace("'", '"')
    assert differences({"m.py": source}) == []


def test_a_long_parameter_is_formatted_alone_in_a_stand_in_def() -> None:
    from convgen import format as fmt
    from convgen import logical

    source = CONSTRUCTS["a long parameter of a def already split"]
    lines = source.split("\n")
    long = [i for i, line in enumerate(lines) if fmt.too_long(line)]
    [snippet] = logical.snippets(source, lines, long) or []
    assert (snippet.first, snippet.last, snippet.drop) == (long[0], long[0], (1, 2))
    assert snippet.text.startswith("def _(\n    a: ")


LAID_OUT_HERE = [
    (4, f"from ..types.{LONG} import {LONG}_A, {LONG}_B"),
    (0, f"from .{LONG} import {LONG}_A"),
    (0, f"def {LONG}_from_dict(data: Any) -> {LONG}_Type:\n    pass"),
    (4, f"@classmethod\ndef from_dict(cls, data: Mapping[str, Any]) -> {LONG}_Type:\n    pass"),
    (0, f'class {LONG}Page(SyncCursorPage["{LONG}", "Other"]):\n    pass'),
]


@pytest.mark.parametrize(("indent", "text"), LAID_OUT_HERE)
def test_shapes_laid_out_without_black_are_as_black_lays_them_out(indent: int, text: str) -> None:
    from convgen import blackstyle
    from convgen import format as fmt

    mine = blackstyle.layout(indent, text)
    assert mine is not None
    assert mine == fmt._black_snippets([(indent, text)])[(indent, text)]


def test_a_long_argument_is_formatted_alone_in_a_stand_in_call() -> None:
    from convgen import format as fmt
    from convgen import logical

    source = CONSTRUCTS["a long argument of a call already split"].replace("'", '"')
    lines = source.split("\n")
    long = [i for i, line in enumerate(lines) if fmt.too_long(line)]
    [snippet] = logical.snippets(source, lines, long) or []
    assert (snippet.first, snippet.last, snippet.drop) == (long[0], long[0], (1, 2))
    assert snippet.text.startswith("_(\n    {")
