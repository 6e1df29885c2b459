"""The standard validator's meta-schema check, made cheap without changing what it finds (issue 15).

dialectcheck vouches for a schema only if jsonschema would find it valid against the OAS 3.1
dialect; every other schema still goes to jsonschema. Checked here: that one-sidedness on every
schema of the OpenAI spec, the corpus and the bad specs, and on generated schemas; that its table
covers exactly the keywords the meta-schemas constrain; and that the standard validator's
findings are the same with it as without it (and without the other savings of standardcheck.py:
specwalk's walk, component schemas standing in as `{}` in the document check). The same for
draft4check (OpenAPI 3.0 specs).
(About 20 s of test time, most of it the old path on the whole OpenAI spec.)
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from convgen import dialectcheck, draft4check, standardcheck, standardmeta, standardsafe
from convgen.load import load
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parent.parent
SPECS = [
    ROOT / "spec" / "openai.yaml",
    *sorted(p for p in (ROOT / "tests" / "corpus").iterdir() if p.suffix in (".yaml", ".json")),
    *sorted(p for p in (ROOT / "tests" / "bad_specs").iterdir() if p.suffix in (".yaml", ".json")),
]


def _meta(version: str) -> Any:
    """The meta-schema validator the standard validator uses for OAS `version` (3.1 or 3.0)."""
    from jsonschema.validators import validator_for
    from openapi_schema_validator import OAS30Validator, OAS31Validator, oas31_format_checker
    from openapi_schema_validator._specifications import REGISTRY

    oas = OAS31Validator if version == "3.1" else OAS30Validator
    cls = validator_for(oas.META_SCHEMA)
    checker = oas31_format_checker if version == "3.1" else cls.FORMAT_CHECKER
    return cls(oas.META_SCHEMA, format_checker=checker, registry=REGISTRY)


META = {"3.1": _meta("3.1"), "3.0": _meta("3.0")}
VOUCHES = {"3.1": dialectcheck.vouches, "3.0": draft4check.vouches}


def _vouches(schema: Any, version: str = "3.1") -> bool:
    return VOUCHES[version](schema, META[version].format_checker.conforms)


def _jsonschema_passes(schema: Any, version: str = "3.1") -> bool:
    try:
        return bool(META[version].is_valid(schema))
    except RecursionError:
        return False


def _unvouched_or_checked(doc: Any, version: str) -> Iterator[tuple[Any, bool]]:
    """(schema, vouched) for every component schema and, below those not vouched for, every
    subschema, each distinct text once. Below a vouched schema nothing more is needed: the
    vouch covered its subschemas, and jsonschema checks them with it."""
    components = doc.get("components") if isinstance(doc, dict) else None
    schemas = components.get("schemas") if isinstance(components, dict) else None
    if not isinstance(schemas, dict):
        return
    seen_ids: set[int] = set()
    seen_texts: set[str] = set()
    stack = list(schemas.values())
    while stack:
        node = stack.pop()
        if id(node) in seen_ids:
            continue
        seen_ids.add(id(node))
        if isinstance(node, dict):
            try:
                text = json.dumps(node, sort_keys=True, default=str)
            except (ValueError, RecursionError):
                continue
            if text in seen_texts:
                continue
            seen_texts.add(text)
            vouched = _vouches(node, version)
            yield node, vouched
            if vouched:
                continue
            stack.extend(v for k, v in node.items() if k not in dialectcheck.FREE and k not in ("enum", "examples"))
        elif isinstance(node, list):
            stack.extend(node)


_load = functools.cache(load)  # each spec parsed once for all the tests


@functools.cache
def _spec_doc(path: Path) -> Any:
    spec, _ = _load(path)
    return None if spec is None else standardsafe.for_validator(spec.doc)


def test_the_meta_schemas_are_the_ones_the_rules_were_written_from() -> None:
    from openapi_schema_validator._specifications import REGISTRY

    assert dialectcheck.usable(REGISTRY.contents)
    constrained: set[str] = set()
    for uri in dialectcheck._META_URIS:
        constrained |= set(REGISTRY.contents(uri).get("properties", {}))
    assert constrained == dialectcheck.CONSTRAINED | dialectcheck.FREE
    assert not dialectcheck.usable(lambda uri: {**REGISTRY.contents(uri), "changed": True})


def test_the_draft4_meta_schema_is_the_one_its_rules_were_written_from() -> None:
    from openapi_schema_validator import OAS30Validator

    assert draft4check.usable(OAS30Validator.META_SCHEMA)
    assert set(OAS30Validator.META_SCHEMA["properties"]) == draft4check.CONSTRAINED | draft4check.FREE
    assert OAS30Validator.META_SCHEMA["dependencies"] == {a: [b] for a, b in draft4check._NEEDS}
    assert not draft4check.usable({**OAS30Validator.META_SCHEMA, "changed": True})


# spec/openai.yaml is left out here: its component schemas are compared whole, through the
# standard validator's findings with and without the fast check, below. Any schema will do for
# either check (soundness holds for every input), so each spec is tried with both.
@pytest.mark.parametrize("version", ["3.1", "3.0"])
@pytest.mark.parametrize("path", SPECS[1:], ids=lambda p: p.name)
def test_a_vouched_schema_passes_jsonschema(path: Path, version: str) -> None:
    for schema, vouched in _unvouched_or_checked(_spec_doc(path), version):
        if vouched:
            assert _jsonschema_passes(schema, version), json.dumps(schema, default=str)[:500]


@pytest.mark.parametrize("name, version", [("openai.yaml", "3.1"), ("box.json", "3.0")])
def test_nearly_every_schema_of_a_real_spec_is_vouched_for(name: str, version: str) -> None:
    doc = _spec_doc(next(p for p in SPECS if p.name == name))
    schemas = list(doc["components"]["schemas"].values())
    vouched = sum(_vouches(s, version) for s in schemas)
    assert len(schemas) > 300 and vouched >= 0.98 * len(schemas), (vouched, len(schemas))


BAD = [
    {"type": "text"},
    {"type": []},
    {"type": ["string", "string"]},
    {"required": ["a", "a"]},
    {"required": "a"},
    {"exclusiveMinimum": True},
    {"multipleOf": 0},
    {"minLength": -1},
    {"minLength": True},
    {"maxItems": 2.5},
    {"allOf": []},
    {"anyOf": {}},
    {"properties": {"a": 3}},
    {"properties": []},
    {"items": [{"type": "string"}]},
    {"items": {"type": 5}},
    {"not": {"properties": {"a": {"minimum": "1"}}}},
    {"$recursiveAnchor": True},
    {"$anchor": "1abc"},
    {"$ref": 7},
    {"enum": "a"},
    {"examples": {"a": 1}},
    {"deprecated": "yes"},
    {"dependencies": {"a": ["b", "b"]}},
    {"dependencies": {"a": 3}},
    {"dependentRequired": {"a": [1]}},
    {"discriminator": {"mapping": {}}},
    {"discriminator": {"propertyName": "kind", "other": 1}},
    {"discriminator": {"propertyName": "kind", "mapping": {"a": 1}}},
    {"externalDocs": {"description": "no url"}},
    {"xml": {"attribute": "yes"}},
    {"$vocabulary": {"https://example.com/v": "yes"}},
    {"title": None},
    {"pattern": "("},
    {"patternProperties": {"(": {}}},
    5,
    "schema",
    None,
]


@pytest.mark.parametrize("schema", BAD, ids=lambda s: json.dumps(s)[:40])
def test_a_schema_jsonschema_rejects_is_not_vouched_for(schema: Any) -> None:
    assert not _jsonschema_passes(schema)
    assert not _vouches(schema)


BAD_DRAFT4 = [
    True,
    {"exclusiveMaximum": True},
    {"maximum": 3, "exclusiveMaximum": 1},
    {"enum": []},
    {"enum": ["a", "a"]},
    {"enum": [1, 1.0]},
    {"required": []},
    {"items": []},
    {"items": [{"type": "string"}, 3]},
    {"additionalProperties": "no"},
    {"additionalItems": {"type": 1}},
    {"dependencies": {"a": []}},
    {"multipleOf": -1},
    {"type": "text"},
    {"properties": {"a": True}},
    {"pattern": "("},
]


@pytest.mark.parametrize("schema", BAD_DRAFT4, ids=lambda s: json.dumps(s)[:40])
def test_a_schema_the_draft4_meta_schema_rejects_is_not_vouched_for(schema: Any) -> None:
    assert not _jsonschema_passes(schema, "3.0")
    assert not _vouches(schema, "3.0")


GOOD_DRAFT4 = [
    {},
    {"type": "integer", "minimum": 0, "exclusiveMinimum": True, "enum": [1, 2, True, None, "1"]},
    {"items": [{"type": "string"}], "additionalItems": False, "additionalProperties": {"type": "string"}},
    {"dependencies": {"a": ["b"], "c": {"required": ["d"]}}, "nullable": True, "x-a": {"type": 5}},
    {"allOf": [{"$ref": "#/components/schemas/A"}], "discriminator": {"propertyName": "k"}},
]


@pytest.mark.parametrize("schema", GOOD_DRAFT4, ids=lambda s: json.dumps(s)[:40])
def test_plain_draft4_schemas_are_vouched_for(schema: Any) -> None:
    assert _vouches(schema, "3.0") and _jsonschema_passes(schema, "3.0")


GOOD = [
    True,
    {},
    {"type": ["string", "null"], "maxLength": 3, "x-anything": {"type": 5}, "nullable": "yes"},
    {"discriminator": {"propertyName": "kind", "mapping": {"a": "#/A"}, "x-extra": 1}, "oneOf": [{"$ref": "#/A"}]},
    {"externalDocs": {"url": "https://example.com/docs"}, "xml": {"name": "n", "wrapped": True}},
    {"dependencies": {"a": ["b"], "c": {"required": ["d"]}}, "$defs": {"x": False}},
]


@pytest.mark.parametrize("schema", GOOD, ids=lambda s: json.dumps(s)[:40])
def test_plain_schemas_are_vouched_for(schema: Any) -> None:
    assert _vouches(schema) and _jsonschema_passes(schema)


_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-3, max_value=3),
    st.sampled_from([0.0, 1.0, 2.5, -1.5, math.inf, math.nan]),
    st.sampled_from(["", "a", "string", "integer", "null", "#/x", "^x-", "(", "a b", "x-a", "http://e.com/s#"]),
)
_keys = st.sampled_from(
    sorted(
        dialectcheck.CONSTRAINED
        | dialectcheck.FREE
        | draft4check.CONSTRAINED
        | draft4check.FREE
        | {"x-a", "nullable", "propertyName"}
    )
)
_values = st.recursive(
    _scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(_keys, inner, max_size=3)),
    max_leaves=12,
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(_keys, _values, max_size=4))
def test_generated_schemas_vouched_for_pass_jsonschema(schema: dict[str, Any]) -> None:
    for version in ("3.1", "3.0"):
        if _vouches(schema, version):
            assert _jsonschema_passes(schema, version)


def _standard(doc: dict[str, Any], fast: bool, monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    with monkeypatch.context() as patch:
        if not fast:  # upstream's meta-schema checks and upstream's walk
            patch.setattr(standardmeta, "_fast_check", lambda *args: None)
            patch.setattr(standardcheck, "_walk_applies", lambda *args: False)
            patch.setattr(standardcheck, "_without_component_schemas", lambda *args: None)
            patch.setattr(standardcheck, "_passed_items", lambda *args: None)
        return standardcheck.standard(doc, False)


def _sections() -> list[Path]:
    """The specs whose sections reach the standard validator."""
    from convgen.select import Selection, select

    found = []
    for path in SPECS:
        spec, _ = _load(path)
        if spec is not None and select(spec.doc, Selection())[0] is not None:
            found.append(path)
    return found


@pytest.mark.parametrize("path", _sections(), ids=lambda p: p.name)
def test_the_findings_are_the_same_as_without_the_fast_check(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from convgen.select import Selection, select

    spec, _ = _load(path)
    assert spec is not None
    section, _ = select(spec.doc, Selection())
    assert section is not None
    doc = section.standalone()
    assert _standard(doc, True, monkeypatch) == _standard(doc, False, monkeypatch)
