"""The document check of the standard validator with component schemas standing in as `{}` (issue 15).

For OAS 3.0 specs, oas30check vouches for a component schema only if the OAS 3.0 document schema
certainly finds it valid (exactly one of Schema and Reference); checked here on every component
schema of the corpus and bad specs and on generated ones, and against a table drift. The
findings with stand-ins are compared with upstream's in tests/test_validate_fast.py.
(About 5 s of test time.)
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
from convgen import oas30check, standardsafe
from convgen.load import load
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parent.parent
SPECS = sorted(
    p for d in ("corpus", "bad_specs") for p in (ROOT / "tests" / d).iterdir() if p.suffix in (".yaml", ".json")
)


def _document_schema() -> Any:
    from openapi_spec_validator import OpenAPIV30SpecValidator

    return OpenAPIV30SpecValidator.schema_validator.schema


def _component_validator() -> Any:
    """jsonschema, checking a value as the document check checks a component schema."""
    from jsonschema.validators import Draft4Validator

    schema = _document_schema()
    position = schema["definitions"]["Components"]["properties"]["schemas"]["patternProperties"]
    return Draft4Validator({"definitions": schema["definitions"], **position["^[a-zA-Z0-9\\.\\-_]+$"]})


COMPONENT = _component_validator()


def _vouches(value: Any) -> bool:
    return oas30check.vouches(value, lambda v, fmt: True)  # the document check asserts no formats


def _passes(value: Any) -> bool:
    try:
        return bool(COMPONENT.is_valid(value))
    except RecursionError:
        return False


def test_the_definitions_are_the_ones_the_rules_were_written_from() -> None:
    schema = _document_schema()
    assert oas30check.usable(schema)
    assert set(schema["definitions"]["Schema"]["properties"]) == oas30check.FIELDS
    assert not oas30check.usable({**schema, "definitions": {**schema["definitions"], "Reference": {}}})
    assert __import__("openapi_spec_validator").OpenAPIV30SpecValidator.schema_validator.format_checker is None


@pytest.mark.parametrize("path", SPECS, ids=lambda p: p.name)
def test_a_vouched_component_schema_passes_the_document_check(path: Path) -> None:
    spec, _ = load(path)
    schemas = (spec.doc.get("components") or {}).get("schemas") if spec is not None else None
    if not isinstance(schemas, dict):
        schemas = {}
    for value in standardsafe.for_validator(schemas).values():
        if _vouches(value):
            assert _passes(value), json.dumps(value, default=str)[:500]


def test_nearly_every_box_schema_is_vouched_for() -> None:
    spec, _ = load(ROOT / "tests" / "corpus" / "box.json")
    assert spec is not None
    schemas = list(standardsafe.for_validator(spec.doc["components"]["schemas"]).values())
    assert len(schemas) > 300 and sum(map(_vouches, schemas)) >= 0.98 * len(schemas)


BAD = [
    [],
    {"$ref": 5},
    {"type": "null"},
    {"type": ["string"]},
    {"nullable": "yes"},
    {"unknown": 1},
    {"$schema": "x"},
    {"required": []},
    {"enum": []},
    {"items": {"$ref": "#/a", "x": 1, "type": 3}, "type": "array"} | {"items": 3},
    {"properties": {"a": {"type": "string", "bogus": 1}}},
    {"allOf": {}},
    {"additionalProperties": "no"},
    {"discriminator": {"mapping": {}}},
    {"discriminator": {"propertyName": "k", "mapping": {"a": 1}}},
    {"externalDocs": {"url": "u", "extra": 1}},
    {"xml": {"wrapped": "yes"}},
    {"multipleOf": 0},
    {"minLength": -1},
]


@pytest.mark.parametrize("value", BAD, ids=lambda v: json.dumps(v)[:40])
def test_what_the_document_check_rejects_is_not_vouched_for(value: Any) -> None:
    assert not _passes(value)
    assert not _vouches(value)


GOOD = [
    {},
    {"$ref": "#/components/schemas/A", "description": "siblings are free in a Reference"},
    {"type": "object", "nullable": True, "additionalProperties": False, "properties": {"a": {"$ref": "#/A"}}},
    {"allOf": [], "x-anything": {"bogus": 1}, "discriminator": {"propertyName": "k", "other": 1}},
    {"items": {"type": "string", "enum": ["a", "a"]}, "type": "array", "xml": {"name": "n", "x-y": 1}},
]


@pytest.mark.parametrize("value", GOOD, ids=lambda v: json.dumps(v)[:40])
def test_plain_component_schemas_are_vouched_for(value: Any) -> None:
    assert _vouches(value) and _passes(value)


_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-2, max_value=2),
    st.sampled_from([0.0, 1.0, 2.5, math.inf, math.nan]),
    st.sampled_from(["", "a", "string", "null", "#/x", "(", "x-a", "$ref"]),
)
_keys = st.sampled_from(sorted(oas30check.FIELDS | {"x-a", "$ref", "$ref\n", "nullable", "propertyName", "url", "b"}))
_values = st.recursive(
    _scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(_keys, inner, max_size=3)),
    max_leaves=12,
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(_keys, _values, max_size=4))
def test_generated_component_schemas_vouched_for_pass(value: dict[str, Any]) -> None:
    if _vouches(value):
        assert _passes(value)
