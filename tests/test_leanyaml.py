"""The lean YAML constructor gives exactly what PyYAML's SafeLoader gives, or declines."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
import yaml
from convgen import leanyaml

ROOT = Path(__file__).resolve().parent.parent


def same(a: Any, b: Any) -> bool:
    """Equal with types and key order (True == 1 in Python; YAML tells them apart), NaN equal to NaN."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    return bool(a == b)


def safe(text: str) -> Any:
    return yaml.load(text, Loader=yaml.CSafeLoader)


SCALARS = """
booleans: [yes, No, on, OFF, true, False, y, n]
ints: [0, -17, +3, 0x1A, 0o17, 017, 0b101, 1_000, "1:30", 1:30, 190:20:30]
floats: [1.5, -2.0e+3, 6.8523015e+5, .inf, -.Inf, .NaN, 190:20:30.15, 1_000.5]
nulls: [~, null, Null, "null"]
empty:
dates: [2002-12-14, 2001-12-14t21:59:43.10-05:00, 2001-12-14 21:59:43.10]
strings: ["yes", 'on', "0x1A", plain text, 'it''s']
escaped: "with \\"escapes\\" \\u00e9"
blocks:
  literal: |
    line one
      indented
  folded: >-
    folded
    text
  keep: |+
    kept

200: status
true: flag
1.5: half
null: nothing
2024-01-01: day
"": empty key
dup: first
dup: second
nested: {a: [1, {b: [c, d]}], e: {}, f: []}
"""


@pytest.mark.parametrize(
    "text",
    [
        SCALARS,
        "- a\n- - b\n  - c\n- {x: 1}\n",
        "just a string\n",
        "42\n",
        "key: [a, b, {c: d}]\n",
        "? plain complex key\n: value\n",
        "---\na: 1\n...\n",
        "a: 'multi\n  line'\nb: \"x\\\n  y\"\n",
    ],
)
def test_same_data_as_the_safe_loader(text: str) -> None:
    value = leanyaml.load(text)
    assert value is not leanyaml.DECLINED
    assert same(value, safe(text))


@pytest.mark.parametrize(
    "text",
    [
        "a: &x 1\nb: *x\n",  # anchors and aliases: the expansion is measured on the node graph
        "base: {a: 1}\nchild:\n  <<: {b: 2}\n",  # a merge key, even without an alias
        "a: !!binary aGVsbG8=\n",  # explicit tags: the SafeLoader's constructors (or refusal)
        "a: !!str 1\n",
        "a: !custom x\n",
        "a: !!python/object:os.system x\n",
        "? [a, b]\n: c\n",  # a collection as key
        "a: 1\n---\nb: 2\n",  # several documents
        "",  # an empty stream
        "# only a comment\n",
        "a: [1, 2\n",  # a syntax error: the SafeLoader's message, at its line
        "a: 1\n b: 2\n",
    ],
)
def test_declines_what_the_safe_loader_must_decide(text: str) -> None:
    assert leanyaml.load(text) is leanyaml.DECLINED


@pytest.mark.parametrize(
    "path",
    sorted((ROOT / "tests" / "corpus").glob("*.yaml")) + sorted((ROOT / "tests" / "features").glob("**/*.yaml")),
    ids=lambda p: p.name,
)
def test_real_specs(path: Path) -> None:
    text = path.read_text(encoding="utf-8-sig")
    value = leanyaml.load(text)
    if value is leanyaml.DECLINED:  # only for what the SafeLoader alone decides
        assert "&" in text or "!" in text or "<<" in text
        return
    assert same(value, safe(text))
