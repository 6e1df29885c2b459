"""dialectcheck's counterpart for OpenAPI 3.0: schemas are checked against the draft-04 meta-schema.

The same one-sided check: True only if jsonschema would find the schema valid against the
draft-04 meta-schema; False means "ask jsonschema". Used only for the meta-schema text it was
written from (`usable`).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from .dialectcheck import (
    Conforms,
    Rule,
    _boolean,
    _count,
    _formatted,
    _is_number,
    _is_type,
    _number,
    _plain,
    _schema_list,
    _schema_map,
    _string,
    _subschema,
    _vouches,
)

_META_DIGEST = "3c44caea73b2f781ff5a82ae0c0afd31023d6321447b7c7cf68421c5ed0180ca"


def usable(meta_schema: Any) -> bool:
    """Whether `meta_schema` is the draft-04 meta-schema these rules were written from."""
    try:
        text = json.dumps(meta_schema, sort_keys=True)
    except (TypeError, ValueError):
        return False
    return hashlib.sha256(text.encode()).hexdigest() == _META_DIGEST


def vouches(schema: Any, conforms: Conforms) -> bool:
    """True only if `schema` certainly passes the draft-04 meta-schema."""
    return _vouches(schema, conforms, _RULES, booleans=False, needs=_NEEDS)


def _schema_or_array(value: Any, conforms: Conforms, stack: list[Any]) -> bool:
    if type(value) is list:
        return _schema_list(value, conforms, stack)
    stack.append(value)
    return True


def _boolean_or_schema(value: Any, conforms: Conforms, stack: list[Any]) -> bool:
    if type(value) is not bool:
        stack.append(value)
    return True


def _is_string_array(value: Any) -> bool:
    return type(value) is list and bool(value) and all(type(s) is str for s in value) and len(set(value)) == len(value)


def _dependencies(value: Any, conforms: Conforms, stack: list[Any]) -> bool:
    if type(value) is not dict:
        return False
    for item in value.values():
        if type(item) is list:
            if not _is_string_array(item):
                return False
        else:
            stack.append(item)
    return True


def _is_enum(value: Any) -> bool:
    """A non-empty list of strings, integers, booleans and nulls, no two alike (uniqueItems: other
    values, e.g. 1 and 1.0, are left to jsonschema's notion of equality)."""
    if type(value) is not list or not value:
        return False
    if not all(type(v) in (str, int, bool) or v is None for v in value):
        return False
    return len({(type(v), v) for v in value}) == len(value)


_RULES: dict[str, Rule] = {
    "id": _string,
    "$schema": _string,
    "title": _string,
    "description": _string,
    "multipleOf": _plain(lambda v: _is_number(v) and v > 0),
    "maximum": _number,
    "exclusiveMaximum": _boolean,
    "minimum": _number,
    "exclusiveMinimum": _boolean,
    "maxLength": _count,
    "minLength": _count,
    "pattern": _formatted("regex"),
    "additionalItems": _boolean_or_schema,
    "items": _schema_or_array,
    "maxItems": _count,
    "minItems": _count,
    "uniqueItems": _boolean,
    "maxProperties": _count,
    "minProperties": _count,
    "required": _plain(_is_string_array),
    "additionalProperties": _boolean_or_schema,
    "definitions": _schema_map,
    "properties": _schema_map,
    "patternProperties": _schema_map,
    "dependencies": _dependencies,
    "enum": _plain(_is_enum),
    "type": _plain(_is_type),
    "format": _string,
    "allOf": _schema_list,
    "anyOf": _schema_list,
    "oneOf": _schema_list,
    "not": _subschema,
}
# the meta-schema's own `dependencies`: an exclusive bound needs its bound
_NEEDS = (("exclusiveMaximum", "maximum"), ("exclusiveMinimum", "minimum"))
FREE = frozenset({"default"})
CONSTRAINED = frozenset(_RULES)
