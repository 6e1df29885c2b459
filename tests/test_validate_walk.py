"""specwalk: openapi-spec-validator's walk on plain dicts gives upstream's findings (issue 15).

Real specs are walked without falling back to upstream; documents made to hit each case the
walk hands back to upstream (or reproduces: defaults, meta-schema errors, `$ref`s) give the same
findings as upstream's own walk. (About 3 s of test time.)
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from convgen import specwalk, standardcheck, standardsafe
from convgen.load import load
from convgen.select import Selection, select

ROOT = Path(__file__).resolve().parent.parent


def _upstream_and_fast(doc: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> tuple[list[Any], list[Any]]:
    fast = standardcheck.standard(copy.deepcopy(doc), False)
    with monkeypatch.context() as patch:
        patch.setattr(standardcheck, "_walk_applies", lambda *args: False)
        upstream = standardcheck.standard(copy.deepcopy(doc), False)
    return upstream, fast


@pytest.mark.parametrize("name", ["box.json", "petstore-expanded.yaml", "uspto.yaml", "link-example.yaml"])
def test_real_specs_are_walked_without_falling_back(name: str) -> None:
    spec, _ = load(ROOT / "tests" / "corpus" / name)
    assert spec is not None
    section, _ = select(spec.doc, Selection())
    assert section is not None
    doc = standardsafe.for_validator(section.standalone())
    metas: list[Any] = []
    walk = specwalk.Walk(doc, lambda value: metas.append(value), lambda parts, schema, value: iter(()))
    assert list(walk.errors()) == []
    assert len(metas) >= len(doc.get("components", {}).get("schemas", {}))  # every component schema checked


def _doc(version: str = "3.1.0", **extra: Any) -> dict[str, Any]:
    pet = {
        "type": "object",
        "required": ["id"],
        "properties": {
            "id": {"type": "integer", "default": "one"},  # a default that does not fit: a finding
            "kind": {"type": "string", "enum": ["a", "b"], "default": "c"},
            "tags": {"type": "array", "items": {"$ref": "#/components/schemas/Tag"}},
            "bad": {"type": "object", "properties": {"x": {"type": 12}}},
        },
    }
    doc: dict[str, Any] = {
        "openapi": version,
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/pets/{id}": {
                "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}],
                "get": {
                    "parameters": [{"$ref": "#/components/parameters/Limit"}],
                    "responses": {
                        "200": {
                            "description": "ok",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Pet"}}},
                        },
                        "default": {"$ref": "#/components/responses/Error"},
                    },
                },
            }
        },
        "components": {
            "schemas": {
                "Pet": pet,
                "Tag": {"allOf": [{"$ref": "#/components/schemas/Named"}], "required": ["name"]},
                "Named": {"type": "object", "properties": {"name": {"type": "string", "minLength": -1}}},
            },
            "parameters": {
                "Limit": {"name": "limit", "in": "query", "schema": {"type": "integer", "default": 10, "maximum": 5}}
            },
            "responses": {
                "Error": {"description": "e", "content": {"application/json": {"schema": {"type": "string"}}}}
            },
        },
    }
    doc.update(extra)
    return doc


def _with(doc: dict[str, Any], path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    node = doc
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return doc


CASES: dict[str, Any] = {
    "plain 3.1": lambda: _doc(),
    "plain 3.0": lambda: _doc("3.0.3"),
    "a response code that is not a string": lambda: _with(
        _doc(), ("paths", "/pets/{id}", "get", "responses", 200), {"description": "int"}
    ),
    "a $ref cycle": lambda: _with(_doc(), ("components", "schemas", "Named"), {"$ref": "#/components/schemas/Tag"}),
    "a $ref to nowhere": lambda: _with(_doc(), ("components", "schemas", "Named"), {"$ref": "#/components/nothing"}),
    "an external $ref": lambda: _with(_doc(), ("components", "schemas", "Named"), {"$ref": "other.yaml#/Named"}),
    "a malformed path template": lambda: {
        **_doc(),
        "paths": {"/pets/{id": _doc()["paths"]["/pets/{id}"]},
    },
    "a parameter without a name": lambda: _with(
        _doc(), ("paths", "/pets/{id}", "parameters"), [{"in": "path", "schema": {"type": "integer"}}]
    ),
    "allOf that is not a list": lambda: _with(_doc(), ("components", "schemas", "Tag", "allOf"), {"a": {}}),
    "an allOf part that refers to itself": lambda: _with(
        _doc(), ("components", "schemas", "Tag", "allOf"), [{"items": {"$ref": "#/components/schemas/Tag"}}]
    ),
    "a schema that is not an object": lambda: _with(_doc(), ("components", "schemas", "Named"), "a string"),
    "properties that are a list": lambda: _with(_doc(), ("components", "schemas", "Named", "properties"), [{}]),
    "a nullable null default (3.0)": lambda: _with(
        _doc("3.0.3"), ("components", "schemas", "Named"), {"type": "string", "nullable": True, "default": None}
    ),
    "a boolean schema": lambda: _with(_doc(), ("components", "schemas", "Named"), True),
    "an escaped pointer": lambda: _with(
        _with(_doc(), ("components", "schemas", "a/b~c"), {"type": "string", "default": 3}),
        ("components", "schemas", "Tag", "allOf"),
        [{"$ref": "#/components/schemas/a~1b~0c"}],
    ),
    "a required list under allOf that is not strings": lambda: _with(
        _doc(), ("components", "schemas", "Tag", "required"), [{"name": 1}]
    ),
    "a path item that is a list": lambda: _with(_doc(), ("paths", "/pets/{id}"), []),
}


# the cases specwalk reproduces itself; it hands every other one to upstream's walk
WALKED = {"plain 3.1", "plain 3.0", "a nullable null default (3.0)", "a boolean schema", "an escaped pointer"}
WALKED |= {"a schema that is not an object"}


def _walks(doc: dict[str, Any]) -> bool:
    walk = specwalk.Walk(standardsafe.for_validator(doc), lambda value: None, lambda parts, schema, value: iter(()))
    try:
        list(walk.errors())
    except specwalk.Unusual:
        return False
    return True


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_walk_gives_upstreams_findings(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    assert _walks(CASES[name]()) == (name in WALKED)
    upstream, fast = _upstream_and_fast(CASES[name](), monkeypatch)
    assert fast == upstream


def test_the_plain_document_has_findings_from_every_kind_of_check(monkeypatch: pytest.MonkeyPatch) -> None:
    upstream, fast = _upstream_and_fast(_doc(), monkeypatch)
    messages = "\n".join(d.message for d in fast)
    assert "'one' is not of type 'integer'" in messages  # a default
    assert "12 is not valid" in messages or "12 is not of type" in messages  # a meta-schema check, nested
    assert "-1 is less than the minimum of 0" in messages  # through a $ref and an allOf
    assert fast == upstream
