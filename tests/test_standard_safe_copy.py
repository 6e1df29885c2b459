"""What the standard validator sees (standardsafe.for_validator) is copied mostly in bulk now
(issue 15: the item-by-item copy of the 3 MB OpenAI spec was a sixth of a warm run's validator
time). Checked here against the item-by-item copy, on real specs and on generated documents
full of the keys it treats specially: the same keys in the same order, the same values of the
same types, and no object or array shared with the source; and the objects and arrays of the
source it gathers on the way, each at its place, are all of them. (About 4 s of test time.)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import meta_failures
import pytest
from convgen import standardsafe
from convgen.load import load
from convgen.select import Selection, select
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parent.parent


def _item_by_item(doc: Any) -> Any:
    """The copy as for_validator made it item by item (its definition, spelt out plainly)."""
    root: dict[Any, Any] = {}
    stack: list[tuple[Any, Any, str]] = [(doc, root, "schema")]
    while stack:
        src, dst, what = stack.pop()
        for key, value in src.items() if isinstance(src, dict) else enumerate(src):
            child = what
            if isinstance(src, dict):
                if what == "data":
                    key = "$ref (data)" if key == "$ref" else key
                elif what == "schema" and key in ("pattern", "patternProperties", "$id"):
                    continue
                elif what == "schema" and key == "examples" and isinstance(value, dict):
                    child = "names"
                elif what == "schema" and (key in standardsafe._DATA or key == "value" or str(key).startswith("x-")):
                    child = "data"
                elif what == "schema" and key in standardsafe._NAMED:
                    child = "names"
                else:
                    child = "schema"
            if isinstance(value, (dict, list)):
                copy: Any = {} if isinstance(value, dict) else [None] * len(value)
                stack.append((value, copy, child))
                value = copy
            dst[key] = value
    return root


def _same(a: Any, b: Any) -> bool:
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b) or (a != a and b != b)


def _containers(value: Any) -> list[int]:
    found, stack = [], [value]
    while stack:
        node = stack.pop()
        if isinstance(node, (dict, list)):
            found.append(id(node))
            stack.extend(node.values() if isinstance(node, dict) else node)
    return found


def _keys(where: Any) -> tuple[Any, ...]:
    keys: list[Any] = []
    while where is not None:
        where, key = where
        keys.append((type(key), key))
    return tuple(reversed(keys))


def _gathered(nodes: standardsafe.Nodes) -> list[list[tuple[int, tuple[Any, ...]]]]:
    return [sorted((id(node), _keys(where)) for node, where in kind) for kind in nodes]


def _check(doc: Any) -> None:
    nodes: standardsafe.Nodes = ([], [])
    copied = standardsafe.for_validator(doc, nodes)
    assert _same(copied, _item_by_item(doc))
    assert not set(_containers(copied)) & set(_containers(doc))
    # the source's objects and arrays it gathers on the way (for locating findings): all, at their places
    expected: standardsafe.Nodes = ([], [])
    standardsafe.containers(doc, None, expected)
    assert _gathered(nodes) == _gathered(expected)
    assert len(nodes[0]) + len(nodes[1]) == len(_containers(doc))


@pytest.mark.parametrize(
    "path",
    [
        ROOT / "spec" / "openai.yaml",
        *sorted((ROOT / "tests" / "corpus").glob("*.yaml")),
        ROOT / "tests/corpus/box.json",
    ],
    ids=lambda p: p.name,
)
def test_real_specs_are_copied_as_item_by_item(path: Path) -> None:
    spec, _ = load(path)
    assert spec is not None
    section, _ = select(spec.doc, Selection())
    assert section is not None
    _check(section.standalone())
    _check(meta_failures.doc("3.0.3"))


_KEYS = st.sampled_from(
    [
        "$ref",
        "$ref (data)",
        "pattern",
        "patternProperties",
        "$id",
        "examples",
        "example",
        "default",
        "enum",
        "value",
        "x-a",
        "properties",
        "schemas",
        "content",
        "type",
        "items",
        "a",
        1,
        2.5,
        True,
        None,
    ]
)
_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=3),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_KEYS, inner, max_size=5),
    max_leaves=30,
)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(_KEYS, _VALUES, max_size=6))
def test_generated_documents_are_copied_as_item_by_item(doc: dict[Any, Any]) -> None:
    _check(doc)


def test_a_shared_object_is_copied_for_each_place() -> None:
    shared = {"type": "string", "pattern": "^a$", "default": {"$ref": "x"}}
    doc = {"components": {"schemas": {"A": shared, "B": shared}}, "x-list": [shared, shared]}
    copied = standardsafe.for_validator(doc)
    _check(doc)
    a, b = copied["components"]["schemas"]["A"], copied["components"]["schemas"]["B"]
    assert a == b == {"type": "string", "default": {"$ref (data)": "x"}} and a is not b
    # in data (an `x-` value) nothing is left out, and a `$ref` key is renamed at any depth
    assert copied["x-list"][0] == {"type": "string", "pattern": "^a$", "default": {"$ref (data)": "x"}}
    assert copied["x-list"][0] is not copied["x-list"][1]
