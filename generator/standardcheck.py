"""openapi-spec-validator on a section (validate.py): its findings as W201 warnings at their
places, cached by the section's content; its walk made on plain dicts (specwalk.py) and its document
check spared what certainly passes (oas30check.py, metamemo.py)."""

from __future__ import annotations

import hashlib
import json
import marshal
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from . import cache, metamemo, oas30check, specwalk, standarddefaults
from .diagnostics import Diagnostic, pointer
from .standardmeta import crawled, first_meta_error, string_keys
from .standardsafe import Nodes, Place, Refuse, as_validated, containers, for_validator

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


def _cache_dir() -> Path:
    return cache.root() / "validate"


def marshalled(doc: dict[str, Any]) -> bytes | None:
    """The data in document order, in marshal's format 2 (no back-references): a fifth of JSON's
    time; None when it is not plain data. What `cache_file` hashes, and what the child is sent."""
    try:
        return marshal.dumps(doc, 2)
    except ValueError:
        return None


def _cache_file(doc: dict[str, Any], blob: bytes | None = None) -> Path:
    blob = marshalled(doc) if blob is None else blob
    text = b"marshal 2\0" + blob if blob is not None else json.dumps(doc, sort_keys=True, default=str).encode()
    key = hashlib.sha256(_RULES_VERSION.encode() + b"\0" + text).hexdigest()
    return _cache_dir() / f"{key}.json"


def cache_file(doc: dict[str, Any], blob: bytes | None = None) -> str:
    """Where the findings for `doc` are cached (given to `cached` and `standard`, it is not
    worked out again: that takes a hash of the whole section); `blob`: `marshalled(doc)`, if known."""
    return str(_cache_file(doc, blob))


def cached(doc: dict[str, Any], file: str | None = None) -> list[Diagnostic] | None:
    try:
        return [Diagnostic(**d) for d in json.loads(Path(file or _cache_file(doc)).read_text())]
    except (OSError, ValueError, TypeError):
        return None


def as_dict(d: Diagnostic) -> dict[str, str]:
    return {"code": d.code, "message": d.message, "pointer": d.pointer}


def standard(doc: dict[str, Any], use_cache: bool, file: str | None = None) -> list[Diagnostic]:
    """The validator's findings for `doc` (`file`: its `cache_file`, if known already)."""
    from openapi_spec_validator import OpenAPIV30SpecValidator, OpenAPIV31SpecValidator

    version = str(doc.get("openapi", ""))
    base = OpenAPIV30SpecValidator if version.startswith("3.0") else OpenAPIV31SpecValidator
    schema_keyword = type(
        "SchemaKeyword", (base.keyword_validators["schema"],), {"_validate_schema_meta": first_meta_error}
    )
    validator_cls = type(
        "LocalValidator",
        (base,),
        {
            "resolver_handlers": Refuse(),
            "schema_validator": _Crawled(base.schema_validator),
            "keyword_validators": {**base.keyword_validators, "schema": schema_keyword},
        },
    )
    found: list[Diagnostic] = []
    skipped = 0
    nodes: Nodes = ([], [])  # gathered by for_validator, for `places`
    places = _Places(doc, nodes)
    if use_cache:
        metamemo.load()
    try:
        for error in _errors(validator_cls(for_validator(doc, nodes)), base):
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
        cache.write_atomic(Path(file or _cache_file(doc)), json.dumps([as_dict(d) for d in found]).encode())
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
        walk = specwalk.Walk(
            validator.schema,
            lambda value: schema_keyword._validate_schema_meta(root, value),
            standarddefaults.checker(root, validator.keyword_validators_registry["default"]),
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
        # A warm run's `light` is mostly stand-ins, its text that of the last run: remembered when it
        # passed. (Without stand-ins for items, the next run's differs if it passes: not worth a digest.)
        passed = _item_key(schema_validator, "", light, digests) if items and string_keys(light) else None
        try:
            errors = [] if metamemo.passed(passed) else list(wrapped(schema_validator.iter_errors(light)))
        except Exception:  # noqa: BLE001 - checked again as it is, below, to fail as upstream fails
            errors = None
        if errors is not None and not any(
            list(e.absolute_path) == where[: len(e.absolute_path)] for e in errors for where in held
        ):
            if not errors:
                metamemo.remember(passed)
            _remember_items(light, errors, schema_validator, digests)
            yield from errors
            return
    seen = []
    for error in wrapped(schema_validator.iter_errors(doc)):
        seen.append(error)
        yield error
    _remember_items(doc, seen, schema_validator, digests)


class _Crawled:
    """The document schema's validator, its registry crawled (standardmeta.crawled) when it first
    checks a document: a warm run whose document check is remembered checks none."""

    def __init__(self, validator: Any) -> None:
        self._validator = validator
        self._crawled: Any = None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._validator, name)  # (`schema`, `format_checker`: the same either way)

    def iter_errors(self, instance: Any) -> Any:
        if self._crawled is None:
            self._crawled = crawled(self._validator)
        return self._crawled.iter_errors(instance)


# The parts of a document whose items (path items, webhooks) the document check may skip once
# each has passed: the OpenAPI schema checks each item on its own, whatever else the document holds.
_ITEM_SECTIONS = ("paths", "webhooks")
_Digests = dict[tuple[str, int], str | None]


def _item_key(schema_validator: Any, section: str, value: Any, digests: _Digests) -> str | None:
    """The memo's digest of one item of `section` checked by `schema_validator` (see metamemo.py);
    section "" is the whole document."""
    if (section, id(value)) not in digests:
        schema = getattr(schema_validator, "schema", None)
        schema_id = schema.get("$id", schema.get("id", "")) if isinstance(schema, dict) else ""
        inner = schema_validator._validator if isinstance(schema_validator, _Crawled) else schema_validator
        kind = inner.__class__  # a lazy proxy upstream: the class of what it stands for
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


class _Places:
    """Where in the document the validator's findings are (it reports paths relative to the
    schema it checked): each finding's path is looked for below every node of the document."""

    def __init__(self, doc: Any, nodes: Nodes | None = None) -> None:
        """`nodes`: every object and array of `doc` (standardsafe.containers), when they are
        gathered already (by the time of the first `find`)."""
        self._doc = doc
        self._nodes = nodes
        self._starts_of: dict[str, list[tuple[Any, Place]]] = {}

    def find(self, path: list[str], instance: Any) -> str:
        """The first (in pointer order) place where `path` leads to `instance` (any value when
        None). A finding without a path is about a `default` that does not fit its schema (the
        validator checks defaults on their own): it is shown at that `default`."""
        if not path:
            if instance is None:
                return ""
            hits = sorted(
                pointer(*at, "default")
                for node, at in map(_spelt, self._starts("default"))
                if "default" not in at  # what a `default` holds is data, not looked into
                and as_validated(node["default"]) == instance
                and type(node["default"]) is type(instance)
            )
            return hits[0] if hits else ""
        hits = sorted(
            pointer(*_spelt(start)[1], *path) for start in self._starts(path[0]) if _match(start[0], path, instance)
        )
        return hits[0] if hits else pointer(*path)

    def _starts(self, token: str) -> list[tuple[Any, Place]]:
        """Every node (with its place) where a path beginning with `token` may start: the
        objects that have that key, or every array when it is an index."""
        if self._nodes is None:
            self._nodes = ([], [])
            containers(self._doc, None, self._nodes)
        if token not in self._starts_of:
            objects, arrays = self._nodes
            starts = [start for start in objects if token in start[0]]
            self._starts_of[token] = [*starts, *arrays] if token.isdigit() else starts
        return self._starts_of[token]


def _spelt(start: tuple[Any, Place]) -> tuple[Any, tuple[str, ...]]:
    """The node and its place as the tokens of its pointer."""
    node, where = start
    tokens: list[str] = []
    while where is not None:
        where, key = where
        tokens.append(str(key))
    return node, tuple(reversed(tokens))


def _match(node: Any, path: list[str], instance: Any) -> bool:
    for token in path:
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            return False
    return instance is None or node == instance
