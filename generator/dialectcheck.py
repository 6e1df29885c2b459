"""A fast, conservative stand-in for checking a schema against the OAS 3.1 dialect meta-schema.

The standard validator checks every schema of a spec against the dialect's meta-schema with
jsonschema, whose `$dynamicRef` lookups make it cost seconds on a big spec. Yet the dialect
constrains few keywords, each simply: a keyword it knows must hold a value of the right JSON
type (a subschema, a list of them, a map of them, a string, a non-negative integer, ...) and
any other key may hold anything. `vouches` checks exactly that, recursing into subschemas.

It is one-sided: True means jsonschema finds nothing (the same rules, checked more strictly:
e.g. `1.0` is not taken for an integer, a float nan is not a number), False only means "ask
jsonschema", which then words the finding as before. It is used only for the meta-schemas it
was written from: `usable` compares their text with the digest below.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from typing import Any

DIALECT = "https://spec.openapis.org/oas/3.1/dialect/base"
# the meta-schemas the rules below were written from (their text, digested)
_META_URIS = (
    DIALECT,
    "https://spec.openapis.org/oas/3.1/meta/base",
    "https://json-schema.org/draft/2020-12/schema",
    *(
        f"https://json-schema.org/draft/2020-12/meta/{v}"
        for v in ("core", "applicator", "unevaluated", "validation", "meta-data", "format-annotation", "content")
    ),
)
_META_DIGEST = "650c92b9a34623838c026edbb96d7ccc52d39e301a57f259c5937b7cb1fef1bf"

_SIMPLE_TYPES = frozenset({"array", "boolean", "integer", "null", "number", "object", "string"})
_ANCHOR = re.compile(r"^[A-Za-z_][-A-Za-z0-9._]*$")
_ID = re.compile(r"^[^#]*#?$")
_EXTENSION = re.compile(r"^x-")

Conforms = Callable[[object, str], bool]
Rule = Callable[[Any, Conforms, list[Any]], bool]


def meta_digest(contents: Callable[[str], Any]) -> str:
    """The digest of the meta-schemas' text, read with `contents(uri)`."""
    text = json.dumps([contents(uri) for uri in _META_URIS], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def usable(contents: Callable[[str], Any]) -> bool:
    """Whether the meta-schemas are the ones these rules were written from."""
    try:
        return meta_digest(contents) == _META_DIGEST
    except Exception:  # noqa: BLE001 - a registry that cannot answer: use jsonschema
        return False


def vouches(schema: Any, conforms: Conforms) -> bool:
    """True only if `schema` certainly passes the OAS 3.1 dialect meta-schema.

    `conforms(value, format)` is the format checker jsonschema would use (so that `uri`,
    `uri-reference` and `regex` are judged exactly as it judges them).
    """
    return _vouches(schema, conforms, _RULES, booleans=True)


def _vouches(
    schema: Any, conforms: Conforms, rules: dict[str, Rule], *, booleans: bool, needs: tuple[tuple[str, str], ...] = ()
) -> bool:
    """The check: `rules` per keyword, subschemas pushed on the stack by the rules; `booleans`
    whether true/false are schemas; `needs` (keyword, keyword it requires)."""
    stack = [schema]
    while stack:
        node = stack.pop()
        if booleans and type(node) is bool:
            continue
        if type(node) is not dict:
            return False
        if any(key in node and needed not in node for key, needed in needs):
            return False
        for key, value in node.items():
            rule = rules.get(key)
            if rule is not None and not rule(value, conforms, stack):
                return False
    return True


def _subschema(value: Any, conforms: Conforms, stack: list[Any]) -> bool:
    stack.append(value)
    return True


def _schema_list(value: Any, conforms: Conforms, stack: list[Any]) -> bool:
    if type(value) is not list or not value:
        return False
    stack.extend(value)
    return True


def _schema_map(value: Any, conforms: Conforms, stack: list[Any]) -> bool:
    if type(value) is not dict:
        return False
    stack.extend(value.values())
    return True


def _pattern_map(value: Any, conforms: Conforms, stack: list[Any]) -> bool:
    return _schema_map(value, conforms, stack) and all(conforms(k, "regex") for k in value)


def _dependencies(value: Any, conforms: Conforms, stack: list[Any]) -> bool:
    if type(value) is not dict:
        return False
    for item in value.values():
        if type(item) is list:
            if not _is_string_array(item):
                return False
        else:
            stack.append(item)  # must be a schema (checked when popped)
    return True


def _is_string_array(value: Any) -> bool:
    return type(value) is list and all(type(s) is str for s in value) and len(set(value)) == len(value)


def _is_string(value: Any) -> bool:
    return type(value) is str


def _is_number(value: Any) -> bool:
    return type(value) is int or (type(value) is float and value == value)


def _is_count(value: Any) -> bool:
    return type(value) is int and value >= 0


def _is_type(value: Any) -> bool:
    if type(value) is str:
        return value in _SIMPLE_TYPES
    return (
        type(value) is list
        and bool(value)
        and all(type(t) is str and t in _SIMPLE_TYPES for t in value)
        and len(set(value)) == len(value)
    )


def _plain(check: Callable[[Any], bool]) -> Rule:
    return lambda value, conforms, stack: check(value)


def _formatted(fmt: str, pattern: re.Pattern[str] | None = None) -> Rule:
    def rule(value: Any, conforms: Conforms, stack: list[Any]) -> bool:
        return type(value) is str and (pattern is None or bool(pattern.search(value))) and conforms(value, fmt)

    return rule


def _anchor(value: Any, conforms: Conforms, stack: list[Any]) -> bool:
    return type(value) is str and bool(_ANCHOR.search(value))


def _vocabulary(value: Any, conforms: Conforms, stack: list[Any]) -> bool:
    return (
        type(value) is dict
        and all(type(k) is str and conforms(k, "uri") for k in value)
        and all(type(v) is bool for v in value.values())
    )


def _object(fields: dict[str, Rule], required: tuple[str, ...] = ()) -> Rule:
    """An OAS object of the base vocabulary: known fields, `x-` extensions, nothing else."""

    def rule(value: Any, conforms: Conforms, stack: list[Any]) -> bool:
        return type(value) is dict and all(r in value for r in required) and _fields(fields, value, conforms, stack)

    return rule


def _fields(rules: dict[str, Rule], node: dict[Any, Any], conforms: Conforms, stack: list[Any]) -> bool:
    """Known fields by their rules, `x-` extensions free, nothing else (additionalProperties: false)."""
    for key, value in node.items():
        rule = rules.get(key) if type(key) is str else None
        if rule is None:
            if type(key) is not str or not _EXTENSION.search(key):
                return False
        elif not rule(value, conforms, stack):
            return False
    return True


_string = _plain(_is_string)
_boolean = _plain(lambda v: type(v) is bool)
_count = _plain(_is_count)
_number = _plain(_is_number)
_any: Rule = _plain(lambda v: True)

_RULES: dict[str, Rule] = {
    # core
    "$id": _formatted("uri-reference", _ID),
    "$schema": _formatted("uri"),
    "$ref": _formatted("uri-reference"),
    "$anchor": _anchor,
    "$dynamicRef": _formatted("uri-reference"),
    "$dynamicAnchor": _anchor,
    "$vocabulary": _vocabulary,
    "$comment": _string,
    "$defs": _schema_map,
    # applicator
    "prefixItems": _schema_list,
    "items": _subschema,
    "contains": _subschema,
    "additionalProperties": _subschema,
    "properties": _schema_map,
    "patternProperties": _pattern_map,
    "dependentSchemas": _schema_map,
    "propertyNames": _subschema,
    "if": _subschema,
    "then": _subschema,
    "else": _subschema,
    "allOf": _schema_list,
    "anyOf": _schema_list,
    "oneOf": _schema_list,
    "not": _subschema,
    # unevaluated
    "unevaluatedItems": _subschema,
    "unevaluatedProperties": _subschema,
    # validation
    "type": _plain(_is_type),
    "enum": _plain(lambda v: type(v) is list),
    "multipleOf": _plain(lambda v: _is_number(v) and v > 0),
    "maximum": _number,
    "exclusiveMaximum": _number,
    "minimum": _number,
    "exclusiveMinimum": _number,
    "maxLength": _count,
    "minLength": _count,
    "pattern": _formatted("regex"),
    "maxItems": _count,
    "minItems": _count,
    "uniqueItems": _boolean,
    "maxContains": _count,
    "minContains": _count,
    "maxProperties": _count,
    "minProperties": _count,
    "required": _plain(_is_string_array),
    "dependentRequired": _plain(lambda v: type(v) is dict and all(_is_string_array(a) for a in v.values())),
    # meta-data
    "title": _string,
    "description": _string,
    "deprecated": _boolean,
    "readOnly": _boolean,
    "writeOnly": _boolean,
    "examples": _plain(lambda v: type(v) is list),
    # format-annotation, content
    "format": _string,
    "contentEncoding": _string,
    "contentMediaType": _string,
    "contentSchema": _subschema,
    # the 2020-12 meta-schema's keywords of earlier drafts
    "definitions": _schema_map,
    "dependencies": _dependencies,
    "$recursiveAnchor": _anchor,
    "$recursiveRef": _formatted("uri-reference"),
    # the OAS base vocabulary
    "discriminator": _object(
        {"propertyName": _string, "mapping": _plain(lambda v: type(v) is dict and all(map(_is_string, v.values())))},
        ("propertyName",),
    ),
    "externalDocs": _object({"url": _formatted("uri-reference"), "description": _string}, ("url",)),
    "xml": _object(
        {
            "name": _string,
            "namespace": _formatted("uri"),
            "prefix": _string,
            "attribute": _boolean,
            "wrapped": _boolean,
        },
        (),
    ),
}
# keywords whose values the dialect leaves free: `default`, `const`, `example` (listed for the test
# that compares this table with the meta-schemas' properties)
FREE = frozenset({"default", "const", "example"})
CONSTRAINED = frozenset(_RULES)
