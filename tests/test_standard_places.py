"""Where the standard validator's findings are shown (standardcheck._Places): the first place, in
pointer order, where the finding's path leads to its instance; for a finding without a path, the
first `default` equal to it. Its index of the document is built in one lean walk (issue 15); this
checks it against a plain search of every node, for every path in documents with repeated
content, arrays, number keys and defaults. (About 2 s of test time.)
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import meta_failures
import pytest
from convgen import standardcheck
from convgen.diagnostics import pointer
from convgen.standardsafe import as_validated


def _nodes(value: Any, at: tuple[str, ...] = ()) -> Iterator[tuple[Any, tuple[str, ...]]]:
    yield value, at
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, inner in items:
        yield from _nodes(inner, (*at, str(key)))


def _leads(node: Any, path: list[str]) -> tuple[bool, Any]:
    for token in path:
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            return False, None
    return True, node


def _plain_search(doc: Any, path: list[str], instance: Any) -> str:
    if not path:
        if instance is None:
            return ""
        hits = [
            pointer(*at, "default")
            for node, at in _nodes(doc)
            if isinstance(node, dict)
            and "default" in node
            and "default" not in at
            and as_validated(node["default"]) == instance
            and type(node["default"]) is type(instance)
        ]
        return min(hits, default="")
    hits = []
    for node, at in _nodes(doc):
        leads, value = _leads(node, path)
        if leads and (instance is None or value == instance):
            hits.append(pointer(*at, *path))
    return min(hits, default=pointer(*path))


def _queries(doc: Any) -> Iterator[tuple[list[str], Any]]:
    """Every path of one or two steps below every node, with the value it leads to, with None,
    and with a value found nowhere; and every default's value."""
    for node, _ in _nodes(doc):
        for inner, below in _nodes(node):
            if 0 < len(below) <= 2:
                yield list(below), inner
                yield list(below), None
                yield list(below), "found nowhere"
        if isinstance(node, dict) and "default" in node:
            yield [], node["default"]
    yield [], None
    yield ["no such key"], 1


def _doc_with_repeats() -> dict[str, Any]:
    shared = {"type": "object", "properties": {"a": {"type": "integer", "default": 1}}, "required": ["a", "a"]}
    return {
        "openapi": "3.1.0",
        "paths": {"/x": {"get": {"parameters": [{"name": "q", "schema": dict(shared)}, {"$ref": "#/a"}]}}},
        "components": {
            "schemas": {
                "B": dict(shared),
                "A": dict(shared),
                "Numbered": {1: {"type": "string"}, "1": {"type": "string"}, "default": [1, 2]},
                "List": [[{"default": True}], {"default": 1}],
                "Data": {"default": {"default": 2, "$ref": "x"}},
            }
        },
    }


@pytest.mark.parametrize("name", ["repeats", "3.0.3", "3.1.0"])
def test_each_finding_is_shown_at_the_first_place_its_path_leads_to_its_instance(name: str) -> None:
    doc = _doc_with_repeats() if name == "repeats" else meta_failures.doc(name)
    places = standardcheck._Places(doc)
    queries = list(_queries(doc))
    assert len(queries) > 300
    for path, instance in queries:
        assert places.find(path, instance) == _plain_search(doc, path, instance), (path, instance)
