"""The standard validator's check of each schema against its meta-schema, made deterministic
(the first error in a fixed order) and fast (dialectcheck/draft4check vouch for most schemas;
metamemo remembers how the others came out; one meta-schema validator per kind)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from . import dialectcheck, draft4check, metamemo


def first_meta_error(self: Any, schema: Any, schema_value: Any) -> Any:
    """The validator's check of one schema against its meta-schema, made deterministic.

    Upstream reports whichever error the meta-schema validation meets first, and that order
    depends on string hashing (PYTHONHASHSEED): the same spec gave different warnings from
    one run to the next. Here every error is collected and the first in (path, message)
    order is reported.
    """
    from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

    try:
        checker = self._get_schema_checker(schema, schema_value)
    except ValueError as exc:
        return OpenAPIValidationError(str(exc))
    check = getattr(checker, "func", checker)
    cls = getattr(check, "__self__", None)
    if cls is None or not hasattr(cls, "META_SCHEMA"):  # not jsonschema's classmethod: do as upstream
        try:
            checker(schema_value)
        except Exception as err:  # noqa: BLE001 - upstream raises SchemaError / ValidationError
            return OpenAPIValidationError.create_from(err)
        return None
    meta_cls = _meta_class(cls)
    format_checker = getattr(checker, "keywords", {}).get("format_checker", meta_cls.FORMAT_CHECKER)
    # openapi-schema-validator's check_schema resolves the OAS meta-schemas in its own registry
    registry = getattr(getattr(check, "__func__", None), "__globals__", {}).get("OPENAPI_SPECIFICATIONS")
    fast = _fast_check(cls.META_SCHEMA, meta_cls, registry) if hasattr(format_checker, "conforms") else None
    if fast is not None and fast(schema_value, format_checker.conforms):
        return None  # certainly no error (see dialectcheck.py): jsonschema would find none
    # the same schema text against the same meta-schema: checked once (see metamemo.py)
    digest = metamemo.key(f"{cls.__module__}.{cls.__qualname__}|{cls.META_SCHEMA.get('$id', '')}", schema_value)
    if metamemo.passed(digest):
        return None
    remembered = rebuilt(metamemo.failure(digest), schema_value)
    if remembered is not None:
        return remembered
    try:
        meta = _meta_validator(meta_cls, cls.META_SCHEMA, format_checker, registry)
        errors = sorted(meta.iter_errors(schema_value), key=lambda e: ([str(p) for p in e.absolute_path], e.message))
    except Exception:  # noqa: BLE001 - an upstream change: fall back to its own (unordered) check
        try:
            checker(schema_value)
        except Exception as err:  # noqa: BLE001
            return OpenAPIValidationError.create_from(err)
        return None
    if errors:
        metamemo.remember_failure(digest, record(errors[0], schema_value))
        return OpenAPIValidationError.create_from(errors[0])
    metamemo.remember(digest)
    return None


# What a remembered failure's error is rebuilt from: all of the error but its `instance` (found
# again in the schema by its path), `cause` and `context` (the format checker's exception and the
# errors of each `anyOf` branch, which nothing reads: rebuilt empty), and `parent` (None for the
# errors that the meta-schema check reports).
_KEPT = ("message", "validator", "validator_value", "path", "schema_path", "schema")


def record(error: Any, schema_value: Any) -> Any:
    """The failure as plain JSON data to remember, or None when it cannot be rebuilt exactly
    (see `rebuilt`): its instance is not the value at its path, or its parts are not JSON.
    (`schema_value` is the instance that was checked: a schema here, a `default` in
    standarddefaults.py.)"""
    if error.parent is not None or not string_keys(schema_value):
        return None
    kept = {name: getattr(error, name) for name in _KEPT}
    kept["path"] = list(error.path)
    kept["schema_path"] = list(error.schema_path)
    try:
        if _at(schema_value, kept["path"]) is not error.instance:
            return None
        text = json.dumps(kept, ensure_ascii=False, allow_nan=False)
    except (LookupError, TypeError, ValueError):
        return None
    return kept if _exactly(json.loads(text), kept) else None


def rebuilt(kept: Any, schema_value: Any) -> Any:
    """The error `record` remembered, rebuilt for `schema_value` (same text, so same content:
    see metamemo.key); None when there is no such record, or it is not one `record` writes
    (a foreign or damaged cache file is only a miss)."""
    if not isinstance(kept, dict) or set(kept) != set(_KEPT):
        return None
    message, validator, path, schema_path = (kept[k] for k in ("message", "validator", "path", "schema_path"))
    if not (
        isinstance(message, str)
        and isinstance(validator, str)
        and isinstance(path, list)
        and isinstance(schema_path, list)
        and all(isinstance(p, (str, int)) and not isinstance(p, bool) for p in [*path, *schema_path])
        and string_keys(schema_value)
    ):
        return None
    try:
        instance = _at(schema_value, path)
    except (LookupError, TypeError):
        return None
    from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

    return OpenAPIValidationError(
        message,
        validator=validator,
        path=path,
        validator_value=kept["validator_value"],
        instance=instance,
        schema=kept["schema"],
        schema_path=schema_path,
    )


def _at(value: Any, path: list[Any]) -> Any:
    for token in path:
        if isinstance(value, dict) and isinstance(token, str):
            value = value[token]
        elif isinstance(value, list) and isinstance(token, int) and not isinstance(token, bool) and token >= 0:
            value = value[token]
        else:
            raise LookupError(token)
    return value


def string_keys(value: Any) -> bool:
    """Whether every mapping in `value` has only string keys: then its JSON text (the memo's key)
    tells it apart from any other value (JSON spells the key 1 and the key "1" alike)."""
    return keys_all(value, _is_text)


def keys_all(value: Any, test: Callable[[Any], bool]) -> bool:
    """Whether every key of every mapping in `value` passes `test`."""
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if not all(map(test, node)):
                return False
            stack.extend(v for v in node.values() if isinstance(v, (dict, list)))
        elif isinstance(node, list):
            stack.extend(v for v in node if isinstance(v, (dict, list)))
    return True


def _is_text(key: Any) -> bool:
    return isinstance(key, str)


def _exactly(a: Any, b: Any) -> bool:
    """Equal and of the same types throughout (a JSON round trip may turn a tuple into a list)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(_exactly(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_exactly(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


_META_CLASS: dict[int, tuple[Any, Any, Any]] = {}


def _meta_class(cls: Any) -> Any:
    """jsonschema's validator class for `cls`'s meta-schema, looked up once per class (each
    lookup parses the meta-schema's `$schema` URI: a tenth of the walk's time when done per schema).
    The key's objects are kept in the value, so their ids stay theirs."""
    known = _META_CLASS.get(id(cls))
    if known is None or known[0] is not cls or known[1] is not cls.META_SCHEMA:
        from jsonschema.validators import validator_for

        known = _META_CLASS[id(cls)] = (cls, cls.META_SCHEMA, validator_for(cls.META_SCHEMA, default=cls))
    return known[2]


_FAST: dict[tuple[int, int, int], tuple[Any, ...]] = {}


def _fast_check(meta_schema: Any, meta_cls: Any, registry: Any) -> Callable[[Any, Any], bool] | None:
    """The fast check that may vouch for schemas checked against `meta_schema` by `meta_cls`:
    dialectcheck (OAS 3.1) or draft4check (OAS 3.0), only for the very meta-schemas (and
    jsonschema classes) they were written from; None otherwise."""
    key = (id(meta_schema), id(meta_cls), id(registry))
    if key not in _FAST:  # the key's objects are kept in the value, so their ids stay theirs
        from jsonschema.validators import Draft4Validator, Draft202012Validator

        check: Callable[[Any, Any], bool] | None = None
        if meta_schema.get("$id") == dialectcheck.DIALECT and meta_cls is Draft202012Validator:
            if registry is not None and dialectcheck.usable(registry.contents):
                check = dialectcheck.vouches
        elif meta_cls is Draft4Validator and draft4check.usable(meta_schema):
            check = draft4check.vouches
        _FAST[key] = (check, meta_schema, meta_cls, registry)
    return _FAST[key][0]  # type: ignore[no-any-return]


_META: dict[tuple[int, int, int], Any] = {}


def _meta_validator(meta_cls: Any, meta_schema: Any, format_checker: Any, registry: Any) -> Any:
    """One meta-schema validator per kind, built (and its registry crawled) once instead of
    once per schema checked. The key's objects are kept in the value, so their ids stay theirs."""
    key = (id(meta_cls), id(format_checker), id(registry))
    if key not in _META:
        extra = {"registry": registry} if registry is not None else {}
        _META[key] = (
            crawled(meta_cls(meta_schema, format_checker=format_checker, **extra)),
            meta_cls,
            format_checker,
            registry,
        )
    return _META[key][0]


def crawled(validator: Any) -> Any:
    """The validator with its registry crawled up front. Its root schema is otherwise left
    uncrawled, and every dynamic-anchor lookup that misses re-crawls it (jsonschema 4.26)."""
    try:
        resolver = validator._resolver
        registry = resolver._registry.crawl()
        return validator.evolve(_resolver=registry.resolver(base_uri=resolver._base_uri))
    except Exception:  # noqa: BLE001 - private API: if it changed, only speed is lost
        return validator
