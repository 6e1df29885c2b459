"""Documents whose schemas fail the standard validator's meta-schema check in many ways
(OAS 3.0 and 3.1), for the tests of what is remembered of those failures (metamemo.py)."""

from __future__ import annotations

import copy
from typing import Any

# Each fails its meta-schema check (or a `default` check) in its own way; the same texts occur
# twice (two components), under a path's response and inside bigger schemas.
_BOTH: dict[str, Any] = {
    "TypeNumber": {"type": 12},
    "RequiredTwice": {"type": "object", "required": ["a", "a"], "properties": {"a": {"type": "string"}}},
    "MinLengthText": {"type": "string", "minLength": "3"},
    "NegativeMax": {"type": "string", "maxLength": -1},
    "EmptyEnum": {"enum": []},
    "EmptyAllOf": {"allOf": []},
    "BadInner": {"type": "object", "properties": {"a": {"type": "object", "properties": {"b": {"type": 3}}}}},
    "BadBranch": {"oneOf": [{"type": "string"}, {"type": "integer", "minimum": "zero"}]},
    "BadItems": {"type": "array", "items": {"type": "string", "format": 7}},
    "AdditionalNumber": {"type": "object", "additionalProperties": 3},
    "BadDefault": {"type": "object", "properties": {"n": {"type": "integer", "default": "seven"}}},
    "NullDefault": {"type": "object", "default": None},
    "Unicode": {"type": "object", "properties": {"é": {"type": "string", "maxLength": "∞"}}},
    "NumberKey": {"type": "object", "properties": {1: {"type": "string", "minLength": "1"}}},
    "StringKey": {"type": "object", "properties": {"1": {"type": "string", "minLength": "1"}}},
    # defaults that do not fit their schemas (checked by the value validator, remembered alike)
    "Good": {"type": "string"},
    "DefaultThroughRef": {
        "type": "object",
        "properties": {"p": {"$ref": "#/components/schemas/Good"}},
        "default": {"p": 3},
    },
    "DefaultNumberKey": {"type": "object", "properties": {"1": {"type": "string"}}, "default": {1: 5}},
    "DefaultStringKey": {"type": "object", "properties": {"1": {"type": "string"}}, "default": {"1": 5}},
    "DefaultTwoErrors": {"type": "object", "required": ["a", "b"], "default": {}},
    "DefaultInside": {"type": "object", "properties": {"a": {"type": "integer"}}, "default": {"a": "x", "b": [1]}},
    "DefaultFormat": {"type": "string", "format": "date-time", "default": "yesterday"},
    "DefaultFits": {"type": "array", "items": {"type": "integer"}, "default": [1, 2]},
}
_V30: dict[str, Any] = {
    "ExclusiveNumber": {"type": "number", "exclusiveMinimum": 3},
    "EmptyRequired": {"type": "object", "required": []},
    "NullableText": {"type": "string", "nullable": "yes"},
    "DiscriminatorNumber": {"oneOf": [{"type": "object"}], "discriminator": 3},
}
_V31: dict[str, Any] = {
    "TypeUnknown": {"type": "strnig"},
    "RecursiveAnchor": {"$recursiveAnchor": True, "type": "object"},
    "ExclusiveBool": {"type": "number", "exclusiveMinimum": True},
    "PropertyNames": {"type": "object", "propertyNames": {"type": 3}},
    "DependentRequired": {"type": "object", "dependentRequired": {"a": [1]}},
    "CommentNumber": {"type": "string", "$comment": 3},
}


def doc(version: str) -> dict[str, Any]:
    """A section (as select gives it) with many meta-schema failures, for OAS `version`."""
    schemas = {**_BOTH, **(_V30 if version.startswith("3.0") else _V31)}
    schemas = {**copy.deepcopy(schemas), **{f"{name}Again": copy.deepcopy(s) for name, s in schemas.items()}}
    schemas["Holder"] = {"type": "object", "properties": {"x": copy.deepcopy(_BOTH["BadInner"])}}
    responses = {
        "200": {"description": "ok", "content": {"application/json": {"schema": copy.deepcopy(_BOTH["TypeNumber"])}}}
    }
    return {
        "openapi": version,
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/a": {
                "get": {
                    "operationId": "a",
                    "parameters": [{"name": "q", "in": "query", "schema": {"type": "string", "maxLength": -1}}],
                    "responses": responses,
                }
            },
            "/b": {"get": {"operationId": "b", "responses": {"200": {"$ref": "#/components/responses/R"}}}},
        },
        "components": {
            "schemas": schemas,
            "responses": {
                "R": {
                    "description": "r",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/BadInner"}}},
                }
            },
        },
    }
