"""What the OpenAPI 3.0 document schema asks of a component schema, checked fast (one-sided).

The standard validator first checks the whole document against the OAS 3.0 schema, which
describes every Schema Object down to its last subschema (`oneOf` Schema / Reference at each
level): most of that check's time on a big 3.0 spec. `vouches` says True only if a component
schema certainly passes there (valid as exactly one of Schema and Reference); standardcheck.py then
lets `{}`, which passes the same way, stand in for it. False means "leave it to jsonschema".
Used only with the definitions it was written from (`usable`).
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from .dialectcheck import (
    Conforms,
    Rule,
    _boolean,
    _count,
    _fields,
    _formatted,
    _is_number,
    _object,
    _plain,
    _schema_map,
    _string,
    _subschema,
)

_DEFINITIONS = ("Schema", "Reference", "Discriminator", "XML", "ExternalDocumentation")
_DIGEST = "9cbbd2e65dc29d3f01fbddf93e23032e3e889350c27d910cec276a9e3edccf7c"
_REF = re.compile(r"^\$ref$")
_TYPES = frozenset({"array", "boolean", "integer", "number", "object", "string"})


def digest(openapi_schema: Any) -> str:
    definitions = openapi_schema["definitions"]
    text = json.dumps(
        [[definitions[name] for name in _DEFINITIONS], definitions["Components"]["properties"]["schemas"]],
        sort_keys=True,
    )
    return hashlib.sha256(text.encode()).hexdigest()


def usable(openapi_schema: Any) -> bool:
    """Whether the document schema's definitions are the ones these rules were written from."""
    try:
        return digest(openapi_schema) == _DIGEST
    except Exception:  # noqa: BLE001 - another schema: leave the document check as it is
        return False


def vouches(schema: Any, conforms: Conforms) -> bool:
    """True only if `schema` is certainly valid as exactly one of Schema and Reference."""
    stack = [schema]
    while stack:
        node = stack.pop()
        if type(node) is not dict:
            return False
        if "$ref" in node:  # a Reference (a Schema Object may not have `$ref`); other keys are free
            refs = [v for k, v in node.items() if type(k) is str and _REF.search(k)]  # its patternProperties
            if not all(type(v) is str and conforms(v, "uri-reference") for v in refs):
                return False
            continue
        if not _fields(_SCHEMA, node, conforms, stack):
            return False
    return True


def _subschemas(value: Any, conforms: Conforms, stack: list[Any]) -> bool:
    if type(value) is not list:
        return False
    stack.extend(value)
    return True


def _additional(value: Any, conforms: Conforms, stack: list[Any]) -> bool:
    if type(value) is not bool:  # a boolean is neither a Schema nor a Reference: exactly one fits
        stack.append(value)
    return True


def _required(value: Any) -> bool:
    return type(value) is list and bool(value) and all(type(s) is str for s in value) and len(set(value)) == len(value)


def _discriminator(value: Any, conforms: Conforms, stack: list[Any]) -> bool:
    if type(value) is not dict or type(value.get("propertyName")) is not str:
        return False
    mapping = value.get("mapping", {})
    return type(mapping) is dict and all(type(v) is str for v in mapping.values())


_SCHEMA: dict[str, Rule] = {
    "title": _string,
    "multipleOf": _plain(lambda v: _is_number(v) and v > 0),
    "maximum": _plain(_is_number),
    "exclusiveMaximum": _boolean,
    "minimum": _plain(_is_number),
    "exclusiveMinimum": _boolean,
    "maxLength": _count,
    "minLength": _count,
    "pattern": _formatted("regex"),
    "maxItems": _count,
    "minItems": _count,
    "uniqueItems": _boolean,
    "maxProperties": _count,
    "minProperties": _count,
    "required": _plain(_required),
    "enum": _plain(lambda v: type(v) is list and bool(v)),
    "type": _plain(lambda v: type(v) is str and v in _TYPES),
    "not": _subschema,
    "allOf": _subschemas,
    "oneOf": _subschemas,
    "anyOf": _subschemas,
    "items": _subschema,
    "properties": _schema_map,
    "additionalProperties": _additional,
    "description": _string,
    "format": _string,
    "default": _plain(lambda v: True),
    "nullable": _boolean,
    "discriminator": _discriminator,
    "readOnly": _boolean,
    "writeOnly": _boolean,
    "example": _plain(lambda v: True),
    "externalDocs": _object({"description": _string, "url": _formatted("uri-reference")}, ("url",)),
    "deprecated": _boolean,
    "xml": _object(
        {"name": _string, "namespace": _formatted("uri"), "prefix": _string, "attribute": _boolean, "wrapped": _boolean}
    ),
}
FIELDS = frozenset(_SCHEMA)
