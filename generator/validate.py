"""Stage 3, validate: openapi-spec-validator on the selected section, plus convgen's own rules.

The standard validator's findings are warnings (real specs break it and still deserve a
client); convgen's own structural rules are errors where generation cannot be right.
Validator results are cached by the section's content hash: it is the slowest stage.
"""

from __future__ import annotations

import hashlib
import json
import marshal
import os
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from . import cache, dialectcheck, draft4check, metamemo, oas30check, specwalk
from .background import Child, ChildFailed
from .diagnostics import Diagnostic, escape_token, pointer
from .select import Section, resolve_pointer
from .specread import MAX_REF_CHAIN, deref
from .walkmemo import WalkMemo

_PARAM = re.compile(r"{([^}/]+)}")


Pending = Callable[[], list[Diagnostic]]


def validate(
    section: Section, *, use_cache: bool = True, standard: bool = True, background: Child | None = None
) -> tuple[list[Diagnostic], Pending]:
    """Findings of convgen's own rules and of the standard validator (unless `standard` is
    false: the selection is broken, e.g. refs point at nothing).

    The standard validator takes about a second and a half on a cold cache. Given a
    `background` child (see `start_background`), it runs there while the caller builds,
    renders and formats; the returned callable waits for its findings (call it exactly once,
    before acting on the output). Otherwise that callable returns [].
    """
    diags: list[Diagnostic] = []
    pending: Pending = list
    doc = section.standalone() if standard else None
    hit = _cached(doc) if doc is not None and use_cache else None
    if hit is not None:
        diags.extend(hit)
    elif doc is not None and background is not None:
        try:  # marshal writes the section in a third of pickle's time: a plain bytes payload then
            job: tuple[Callable[[Any], list[dict[str, str]]], Any] = (_marshalled_job, marshal.dumps((doc, use_cache)))
        except ValueError:
            job = (_standard_job, (doc, use_cache))
        pending = _collector(background.submit(*job), doc, use_cache)
        background = None
    elif doc is not None:
        diags.extend(_standard(doc, use_cache))
    if background is not None:
        background.cancel()  # its job is done already (cached) or not wanted
    diags.extend(_path_parameters(section))
    diags.extend(_duplicate_parameters(section))
    diags.extend(_operation_ids(section))
    diags.extend(_enum_duplicates(section, use_cache))
    return diags, pending


def start_background() -> Child | None:
    """A child process that imports the standard validator now, to run it later (or None)."""
    return Child.start(("openapi_spec_validator", "jsonschema"))


def _standard_job(job: tuple[dict[str, Any], bool]) -> list[dict[str, str]]:
    return [_as_dict(d) for d in _standard(*job)]


def _marshalled_job(blob: bytes) -> list[dict[str, str]]:
    return _standard_job(marshal.loads(blob))


def _collector(result: Callable[[], Any], doc: dict[str, Any], use_cache: bool) -> Pending:
    def collect() -> list[Diagnostic]:
        try:
            return [Diagnostic(**d) for d in result()]
        except (ChildFailed, TypeError):  # the child died (killed, out of memory): do it here
            return _standard(doc, use_cache)

    return collect


# Bump when the findings for the same document change (they are cached by its hash).
_RULES_VERSION = "3"
MAX_STANDARD_FINDINGS = 100
# The validator's checks that carry no location and that convgen's own rules report precisely.
_COVERED = {
    "DuplicateOperationIDError",  # E204
    "UnresolvableParameterError",  # E202 / E203
    "ParameterDuplicateError",  # W207
    "ExtraParametersError",  # W311 (required but not described)
}
# Keywords whose values are data or names, not schemas: never rewritten before validation.
_DATA = frozenset({"example", "examples", "default", "enum", "const"})
_NAMED = frozenset(
    {
        "properties",
        "patternProperties",
        "$defs",
        "definitions",
        "dependentSchemas",
        "schemas",
        "responses",
        "parameters",
        "requestBodies",
        "headers",
        "securitySchemes",
        "links",
        "callbacks",
        "pathItems",
        "paths",
        "content",
        "encoding",
        "variables",
        "mapping",
    }
)


def _cache_dir() -> Path:
    return cache.root() / "validate"


def _cache_file(doc: dict[str, Any]) -> Path:
    try:  # the data in document order, in marshal's format 2 (no back-references): a fifth of JSON's time
        blob = b"marshal 2\0" + marshal.dumps(doc, 2)
    except ValueError:  # not plain data
        blob = json.dumps(doc, sort_keys=True, default=str).encode()
    key = hashlib.sha256(_RULES_VERSION.encode() + b"\0" + blob).hexdigest()
    return _cache_dir() / f"{key}.json"


def _cached(doc: dict[str, Any]) -> list[Diagnostic] | None:
    try:
        return [Diagnostic(**d) for d in json.loads(_cache_file(doc).read_text())]
    except (OSError, ValueError, TypeError):
        return None


def _as_dict(d: Diagnostic) -> dict[str, str]:
    return {"code": d.code, "message": d.message, "pointer": d.pointer}


def _standard(doc: dict[str, Any], use_cache: bool) -> list[Diagnostic]:
    from openapi_spec_validator import OpenAPIV30SpecValidator, OpenAPIV31SpecValidator

    version = str(doc.get("openapi", ""))
    base = OpenAPIV30SpecValidator if version.startswith("3.0") else OpenAPIV31SpecValidator
    schema_keyword = type(
        "SchemaKeyword", (base.keyword_validators["schema"],), {"_validate_schema_meta": _first_meta_error}
    )
    validator_cls = type(
        "LocalValidator",
        (base,),
        {
            "resolver_handlers": _Refuse(),
            "schema_validator": _crawled(base.schema_validator),
            "keyword_validators": {**base.keyword_validators, "schema": schema_keyword},
        },
    )
    found: list[Diagnostic] = []
    skipped = 0
    places = _Places(doc)
    if use_cache:
        metamemo.load()
    try:
        for error in _errors(validator_cls(_for_validator(doc)), base):
            path = [str(p) for p in getattr(error, "absolute_path", [])]
            message = str(getattr(error, "message", error)).splitlines()[0][:300]
            if type(error).__name__ in _COVERED or message.endswith("is not of type 'object', 'boolean'"):
                continue  # reported by convgen's own rules, with a location
            if len(found) >= MAX_STANDARD_FINDINGS:
                skipped += 1
                continue
            where = places.find(path, getattr(error, "instance", None))
            found.append(Diagnostic("W201", f"OpenAPI schema violation: {message}", where))
    except RecursionError:
        found.append(Diagnostic("W201", "OpenAPI validation gave up: the document nests too deeply", ""))
    except Exception as exc:  # noqa: BLE001 - the validator's own failures must not stop generation
        found.append(Diagnostic("W201", f"OpenAPI validation could not finish: {type(exc).__name__}: {exc}"[:300], ""))
    if skipped:
        found.append(Diagnostic("W201", f"{skipped} more OpenAPI schema violations are not shown", ""))
    if use_cache:
        metamemo.save()
        try:
            cached = _cache_file(doc)
            cached.parent.mkdir(parents=True, exist_ok=True)
            tmp = cached.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(json.dumps([_as_dict(d) for d in found]))
            os.replace(tmp, cached)
        except OSError:
            pass
    return found


def _errors(validator: Any, base: Any) -> Iterator[Any]:
    """What `validator.iter_errors()` yields (less the findings convgen's own rules report),
    its walk over the document made on plain dicts (specwalk.py) where that walk applies."""
    from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

    def wrapped(errors: Iterable[Any]) -> Iterator[Any]:  # as upstream's `wraps_errors`
        for error in errors:
            yield error if isinstance(error, OpenAPIValidationError) else OpenAPIValidationError.create_from(error)

    yield from _document_errors(validator, base, wrapped)
    walked: list[Any] | None = None
    if _walk_applies(base):
        root = validator.schema_path
        schema_keyword = validator.keyword_validators_registry["schema"]
        default_keyword = validator.keyword_validators_registry["default"]
        walk = specwalk.Walk(
            validator.schema,
            lambda value: schema_keyword._validate_schema_meta(root, value),
            lambda parts, value: default_keyword(root._clone_with_parts(parts), value),
        )
        walked = []
        try:
            walked.extend(walk.errors())
        except Exception:  # noqa: BLE001 - specwalk.Unusual, or upstream code failing: upstream's walk says how
            walked = None
    if walked is None:
        yield from wrapped(validator.root_validator(validator.schema_path))
    else:
        yield from wrapped(walked)


def _document_errors(validator: Any, base: Any, wrapped: Callable[[Iterable[Any]], Iterator[Any]]) -> Iterator[Any]:
    """The document checked against the OpenAPI schema (upstream's first step).

    Most of that check's time goes to the component schemas, yet the outcome for each is simple:
    OAS 3.1's schema asks only that it be an object or a boolean (`$dynamicRef: #meta`), and for
    OAS 3.0 oas30check.py vouches for those that certainly pass. So the document is checked with
    `{}`, which passes alike, standing in for each of those. The same for each path item (and
    webhook) that passed this check before, by content (see `_passed_items`). A finding's message
    shows its instance: where an instance holds a stand-in (a finding at the root, at
    `components`, `components/schemas`, `paths` or one stood in for), or the check failed, the
    document is checked again as it is.
    """
    doc = validator.schema
    schema_validator = validator.schema_validator
    replaceable = _replaceable(schema_validator)
    light = _without_component_schemas(doc, replaceable) if replaceable is not None else None
    held = [["components", "schemas", name] for name in light["components"]["schemas"]] if light is not None else []
    digests: _Digests = {}  # each item's, by place and id: computed once for the lookup and the memo
    items = _passed_items(light if light is not None else doc, schema_validator, digests)
    if items is not None:
        light, stood_in = items
        held.extend(stood_in)
    if light is not None:
        try:
            errors = list(wrapped(schema_validator.iter_errors(light)))
        except Exception:  # noqa: BLE001 - checked again as it is, below, to fail as upstream fails
            errors = None
        if errors is not None and not any(
            list(e.absolute_path) == where[: len(e.absolute_path)] for e in errors for where in held
        ):
            _remember_items(light, errors, schema_validator, digests)
            yield from errors
            return
    seen = []
    for error in wrapped(schema_validator.iter_errors(doc)):
        seen.append(error)
        yield error
    _remember_items(doc, seen, schema_validator, digests)


# The parts of a document whose items (path items, webhooks) the document check may skip once
# each has passed: the OpenAPI schema checks each item on its own, whatever else the document holds.
_ITEM_SECTIONS = ("paths", "webhooks")
_Digests = dict[tuple[str, int], str | None]


def _item_key(schema_validator: Any, section: str, value: Any, digests: _Digests) -> str | None:
    """The memo's digest of one item of `section` checked by `schema_validator` (see metamemo.py)."""
    if (section, id(value)) not in digests:
        schema = getattr(schema_validator, "schema", None)
        schema_id = schema.get("$id", schema.get("id", "")) if isinstance(schema, dict) else ""
        kind = schema_validator.__class__  # a lazy proxy upstream: the class of what it stands for
        meta = f"document|{kind.__module__}.{kind.__qualname__}|{schema_id}|{section}"
        digests[section, id(value)] = metamemo.key(meta, value)
    return digests[section, id(value)]


def _passed_items(doc: Any, schema_validator: Any, digests: _Digests) -> tuple[dict[str, Any], list[list[Any]]] | None:
    """`doc` with `{}` standing in for each path item and webhook that passed the document check
    before, and where those stand-ins are; None when there is none."""
    if not isinstance(doc, dict):
        return None
    light = dict(doc)
    stood_in: list[list[Any]] = []
    for section in _ITEM_SECTIONS:
        items = doc.get(section)
        if not isinstance(items, dict):
            continue
        kept: dict[Any, Any] = {}
        for name, value in items.items():
            if (
                isinstance(value, dict)
                and value
                and metamemo.passed(_item_key(schema_validator, section, value, digests))
            ):
                kept[name] = {}
                stood_in.append([section, name])  # as findings' paths spell it
            else:
                kept[name] = value
        light[section] = kept
    return (light, stood_in) if stood_in else None


def _remember_items(checked: Any, errors: list[Any], schema_validator: Any, digests: _Digests) -> None:
    """Remember each path item and webhook of the checked document that passed: no finding at it,
    below it or above it (a finding at `paths` may be about one of them)."""
    if not isinstance(checked, dict):
        return
    found = [list(e.absolute_path) for e in errors]
    for section in _ITEM_SECTIONS:
        items = checked.get(section)
        if not isinstance(items, dict) or any(len(path) < 2 and path == [section][: len(path)] for path in found):
            continue
        failed = {str(path[1]) for path in found if len(path) >= 2 and path[0] == section}
        for name, value in items.items():
            if isinstance(value, dict) and value and str(name) not in failed:
                metamemo.remember(_item_key(schema_validator, section, value, digests))


def _replaceable(schema_validator: Any) -> Callable[[Any], bool] | None:
    """Which component schemas `{}` may stand in for, given the document schema; None: none."""
    openapi_schema = schema_validator.schema
    if _schemas_are_leaves(openapi_schema):
        return lambda value: isinstance(value, dict)
    if oas30check.usable(openapi_schema):
        checker = getattr(schema_validator, "format_checker", None)
        conforms = checker.conforms if checker is not None else lambda value, fmt: True
        return lambda value: oas30check.vouches(value, conforms)
    return None


def _schemas_are_leaves(openapi_schema: Any) -> bool:
    """Whether the OpenAPI schema checks a component schema only for being an object or a
    boolean (OAS 3.1's, read from the schema itself rather than assumed)."""
    try:
        defs = openapi_schema["$defs"]
        meta = {k: v for k, v in defs["schema"].items() if k != "$comment"}
        schemas = defs["components"]["properties"]["schemas"]
        anchors = 0
        stack = [openapi_schema]
        while stack:
            node = stack.pop()
            if isinstance(node, dict):
                anchors += "$dynamicAnchor" in node
                stack.extend(node.values())
            elif isinstance(node, list):
                stack.extend(node)
    except Exception:  # noqa: BLE001 - not the schema this was written for: check the document whole
        return False
    return bool(
        meta == {"$dynamicAnchor": "meta", "type": ["object", "boolean"]}
        and schemas == {"type": "object", "additionalProperties": {"$dynamicRef": "#meta"}}
        and anchors == 1
    )


def _without_component_schemas(doc: Any, replaceable: Callable[[Any], bool]) -> dict[str, Any] | None:
    """`doc` with each replaceable component schema replaced by `{}` (None: nothing to replace)."""
    components = doc.get("components") if isinstance(doc, dict) else None
    if not isinstance(components, dict):
        return None
    schemas = components.get("schemas")
    if not isinstance(schemas, dict):
        return None
    light = {name: ({} if replaceable(value) else value) for name, value in schemas.items()}
    if all(a is b for a, b in zip(light.values(), schemas.values(), strict=True)):
        return None
    return {**doc, "components": {**components, "schemas": light}}


def _walk_applies(base: Any) -> bool:
    """specwalk reproduces upstream's walk as of openapi-spec-validator 0.9: only for the
    keyword classes (and operations) it was written from."""
    from openapi_spec_validator.validation import keywords as k

    v3 = {
        "__root__": k.RootValidator,
        "components": k.ComponentsValidator,
        "content": k.ContentValidator,
        "mediaType": k.MediaTypeValidator,
        "operation": k.OperationValidator,
        "parameter": k.ParameterValidator,
        "parameters": k.ParametersValidator,
        "paths": k.PathsValidator,
        "path": k.PathValidator,
        "response": k.OpenAPIV3ResponseValidator,
        "responses": k.ResponsesValidator,
        "schemas": k.SchemasValidator,
        "tags": k.TagsValidator,
    }
    expected = [
        {**v3, "default": k.OpenAPIV30ValueValidator, "schema": k.OpenAPIV30SchemaValidator},
        {**v3, "default": k.OpenAPIV31ValueValidator, "schema": k.OpenAPIV31SchemaValidator},
    ]
    return base.keyword_validators in expected and tuple(k.PathValidator.OPERATIONS) == specwalk.OPERATIONS


def _for_validator(doc: Any) -> Any:
    """The copy of the section the standard validator sees: nothing in it can reach out or hang.

    - `pattern` / `patternProperties` are left out of schemas: the validator checks every
      `default` against its schema, and a hostile `pattern` such as `^(a+)+$` with a default
      of thirty `a`s and a `!` backtracks for hours (convgen does not use patterns);
    - `$id` is left out of schemas, so that no `$ref` resolves against a remote base;
    - in data (`default`, `example`, `enum`, `x-...`), a `$ref` key is renamed: the validator
      would otherwise follow it, and fetch a URL or read a file the spec names.
    The validator also gets resolver handlers that refuse every URI (see `_Refuse`).
    """
    root: dict[str, Any] = {}
    stack: list[tuple[Any, Any, str]] = [(doc, root, "schema")]  # (source, copy, what the source is)
    while stack:
        src, dst, what = stack.pop()
        items = src.items() if isinstance(src, dict) else enumerate(src)
        for key, value in items:
            child = what
            if isinstance(src, dict):
                if what == "data":
                    key = "$ref (data)" if key == "$ref" else key
                elif what == "schema" and key in ("pattern", "patternProperties", "$id"):
                    continue
                elif what == "schema" and key == "examples" and isinstance(value, dict):
                    child = "names"  # a map of Example Objects (their `value` is data, below)
                elif what == "schema" and (key in _DATA or key == "value" or str(key).startswith("x-")):
                    child = "data"
                elif what == "schema" and key in _NAMED:
                    child = "names"
                else:
                    child = "schema"
            if isinstance(value, (dict, list)):
                copy: Any = {} if isinstance(value, dict) else [None] * len(value)
                stack.append((value, copy, child))
                value = copy
            dst[key] = value
    return root


def _first_meta_error(self: Any, schema: Any, schema_value: Any) -> Any:
    """The validator's check of one schema against its meta-schema, made deterministic.

    Upstream reports whichever error the meta-schema validation meets first, and that order
    depends on string hashing (PYTHONHASHSEED): the same spec gave different warnings from
    one run to the next. Here every error is collected and the first in (path, message)
    order is reported.
    """
    from jsonschema.validators import validator_for
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
    meta_cls = validator_for(cls.META_SCHEMA, default=cls)
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
        return OpenAPIValidationError.create_from(errors[0])
    metamemo.remember(digest)
    return None


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
            _crawled(meta_cls(meta_schema, format_checker=format_checker, **extra)),
            meta_cls,
            format_checker,
            registry,
        )
    return _META[key][0]


def _crawled(validator: Any) -> Any:
    """The validator with its registry crawled up front. Its root schema is otherwise left
    uncrawled, and every dynamic-anchor lookup that misses re-crawls it (jsonschema 4.26)."""
    try:
        resolver = validator._resolver
        registry = resolver._registry.crawl()
        return validator.evolve(_resolver=registry.resolver(base_uri=resolver._base_uri))
    except Exception:  # noqa: BLE001 - private API: if it changed, only speed is lost
        return validator


class _Refuse(dict):  # type: ignore[type-arg]
    """Resolver handlers for every URI scheme, each refusing: the validator reads nothing outside."""

    def __contains__(self, scheme: object) -> bool:
        return True

    def __getitem__(self, scheme: object) -> Any:
        return _refuse


def _refuse(uri: str) -> Any:
    raise ValueError(f"$ref {uri!r} is not followed: convgen reads nothing outside the spec")


class _Places:
    """Where in the document the validator's findings are (it reports paths relative to the
    schema it checked): each finding's path is looked for below every node of the document."""

    def __init__(self, doc: Any) -> None:
        self._doc = doc
        self._index: dict[str, list[tuple[Any, tuple[str, ...]]]] | None = None
        self._lists: list[tuple[Any, tuple[str, ...]]] = []

    def find(self, path: list[str], instance: Any) -> str:
        """The first (in pointer order) place where `path` leads to `instance` (any value when
        None). A finding without a path is about a `default` that does not fit its schema (the
        validator checks defaults on their own): it is shown at that `default`."""
        if not path:
            if instance is None:
                return ""
            hits = sorted(
                pointer(*at, "default")
                for node, at in self._starts("default")
                if "default" not in at  # what a `default` holds is data, not looked into
                and _as_validated(node["default"]) == instance
                and type(node["default"]) is type(instance)
            )
            return hits[0] if hits else ""
        hits = sorted(pointer(*at, *path) for node, at in self._starts(path[0]) if _match(node, path, instance))
        return hits[0] if hits else pointer(*path)

    def _starts(self, token: str) -> list[tuple[Any, tuple[str, ...]]]:
        """Every node (with its place) where a path beginning with `token` may start: the
        objects that have that key, or every array when it is an index."""
        if self._index is None:
            self._index = {}
            stack: list[tuple[Any, tuple[str, ...]]] = [(self._doc, ())]
            while stack:  # one walk over the whole document, however many findings there are
                node, at = stack.pop()
                if isinstance(node, dict):
                    for k, v in node.items():
                        if isinstance(k, str):
                            self._index.setdefault(k, []).append((node, at))
                        if isinstance(v, (dict, list)):
                            stack.append((v, at + (str(k),)))
                elif isinstance(node, list):
                    self._lists.append((node, at))
                    stack.extend((v, at + (str(i),)) for i, v in enumerate(node) if isinstance(v, (dict, list)))
        starts = self._index.get(token, [])
        return [*starts, *self._lists] if token.isdigit() else starts


def _as_validated(value: Any) -> Any:
    """A data value as `_for_validator` shows it to the validator."""
    if isinstance(value, dict):
        return {("$ref (data)" if k == "$ref" else k): _as_validated(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_validated(v) for v in value]
    return value


def _match(node: Any, path: list[str], instance: Any) -> bool:
    for token in path:
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            return False
    return instance is None or node == instance


def _path_parameters(section: Section) -> Iterator[Diagnostic]:
    for op in section.operations:
        in_template = _PARAM.findall(op.path)
        declared: dict[str, str] = {}
        for where, params in (("path_item", op.path_item.get("parameters")), ("op", op.operation.get("parameters"))):
            for i, param in enumerate(params or []):
                param = deref(section.doc, param)
                if isinstance(param, dict) and param.get("in") == "path" and isinstance(param.get("name"), str):
                    at = pointer("paths", op.path, *(() if where == "path_item" else (op.method,)), "parameters", i)
                    declared[param["name"]] = at
        for name in in_template:
            if name not in declared:
                yield Diagnostic(
                    "E202", f"path parameter {{{name}}} of {op.method.upper()} {op.path} is not declared", op.pointer
                )
        for name, at in declared.items():
            if name not in in_template:
                yield Diagnostic("E203", f"path parameter {name!r} is not in the path {op.path}", at)


def _duplicate_parameters(section: Section) -> Iterator[Diagnostic]:
    for op in section.operations:
        for where, params in (
            (pointer("paths", op.path, "parameters"), op.path_item.get("parameters")),
            (op.pointer + "/parameters", op.operation.get("parameters")),
        ):
            if not isinstance(params, list):
                continue
            seen: set[tuple[str, str]] = set()
            for i, param in enumerate(params):
                param = deref(section.doc, param)
                if not (isinstance(param, dict) and isinstance(param.get("name"), str)):
                    continue
                key = (param["name"], str(param.get("in")))
                if key in seen:
                    yield Diagnostic(
                        "W207", f"{key[1]} parameter {key[0]!r} is declared twice: the last one is used", f"{where}/{i}"
                    )
                seen.add(key)


def _operation_ids(section: Section) -> Iterator[Diagnostic]:
    seen: dict[str, str] = {}
    for op in section.operations:
        op_id = op.operation.get("operationId")
        if not isinstance(op_id, str):
            continue
        if op_id in seen:
            yield Diagnostic("E204", f"operationId {op_id!r} is used by {seen[op_id]} too", op.pointer + "/operationId")
        else:
            seen[op_id] = f"{op.method.upper()} {op.path}"


def _enum_duplicates(section: Section, use_cache: bool = False) -> Iterator[Diagnostic]:
    roots: list[tuple[Any, str, tuple[Any, str] | None]] = [
        (deref(section.doc, {"$ref": ref}), ref.lstrip("#"), None) for ref in section.refs
    ]
    for op in section.operations:
        roots.append((op.operation, op.pointer, (op.path_item, op.method)))
        if isinstance(op.path_item.get("parameters"), list):
            roots.append(
                (op.path_item["parameters"], pointer("paths", op.path, "parameters"), (op.path_item, "parameters"))
            )
    # The findings of an unchanged subtree are remembered (walkmemo) only where the parse cache
    # read the spec block by block (such a document holds no YAML anchors: no object sits in two
    # places) and each component's `$ref` chain ends at a whole component: then two roots are
    # one object or apart, and a root's findings do not depend on what was walked before it.
    disjoint = use_cache and bool(section.subtrees) and all(_whole(section.doc, ref) for ref in section.refs)
    memo = WalkMemo("enums", ("validate.py", "diagnostics.py"), True, section.subtrees) if disjoint else None
    done: set[int] = set()
    for root, at, within in roots:
        if memo is None or id(root) in done:
            found: Any = list(_enum_walk(root, at, done))
        else:
            done.add(id(root))
            digest = memo.digest(at, root, within)
            found = memo.get(b"e", digest)
            if not (isinstance(found, tuple) and all(isinstance(f, tuple) and len(f) == 2 for f in found)):
                found = tuple((where[len(at) :], message) for where, message in _enum_walk(root, at, set()))
                memo.put(b"e", digest, found)
            found = [(at + str(suffix), str(message)) for suffix, message in found]
        for where, message in found:
            yield Diagnostic("W206", message, where)
    if memo is not None:
        memo.save()


def _whole(doc: dict[str, Any], ref: str) -> bool:
    """Whether the chain of local `$ref`s from the component `ref` (which `deref` follows) names
    whole components only, not a part of one."""
    try:
        node = resolve_pointer(doc, ref)
        for _ in range(MAX_REF_CHAIN):
            target = node.get("$ref") if isinstance(node, dict) else None
            if not (isinstance(target, str) and target.startswith("#/")):
                return True
            parts = target.split("/")
            if len(parts) != 4 or parts[1] != "components":
                return False
            node = resolve_pointer(doc, target)
    except KeyError:
        return True  # deref gives None: no object at all
    return True  # a loop: deref gives None


def _enum_walk(root: Any, at: str, done: set[int]) -> Iterator[tuple[str, str]]:
    """The pointer and message of each repeated enum value in `root` (at `at`), but in the
    objects in `done` (to which the objects walked are added)."""
    # where a node is: its parent's place and its key (the pointer is spelt out only for a finding)
    stack: list[tuple[Any, _Place]] = [(root, at)]
    while stack:
        node, where = stack.pop()
        if id(node) in done:
            continue
        done.add(id(node))
        if isinstance(node, dict):
            enum = node.get("enum")
            if isinstance(enum, list):
                for i in _repeated(enum):
                    yield f"{_spelt(where)}/enum/{i}", f"enum value {_short(enum[i])} is listed twice"
            stack.extend(
                (v, (where, k))
                for k, v in node.items()
                if isinstance(v, (dict, list)) and k not in _NOT_SCHEMAS and not str(k).startswith("x-")
            )
        elif isinstance(node, list):
            stack.extend((v, (where, i)) for i, v in enumerate(node) if isinstance(v, (dict, list)))


_Place = str | tuple[Any, Any]  # a pointer, or (the parent's place, a key or index)
_NOT_SCHEMAS = frozenset({"enum", "example", "examples", "default", "const", "$ref"})


def _spelt(where: _Place) -> str:
    tokens: list[str] = []
    while isinstance(where, tuple):
        where, token = where
        tokens.append(escape_token(token))
    return where + "".join("/" + t for t in reversed(tokens))


def _repeated(values: list[Any]) -> Iterator[int]:
    """The index of each value equal to (and of the same type as) an earlier one."""
    hashed: set[tuple[type, Any]] = set()
    others: list[Any] = []
    for i, value in enumerate(values):
        if isinstance(value, float) and value != value:
            continue  # NaN equals nothing, itself included
        try:
            key = (type(value), value)
            if key in hashed:
                yield i
            hashed.add(key)
        except TypeError:  # a list or a mapping: compared with the others of its kind
            if any(value == s and type(value) is type(s) for s in others):
                yield i
            others.append(value)


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 60 else text[:57] + "..."
