"""Issue 4, property-based: for any JSON document valid against a schema,
`from_dict(doc).to_dict() == doc` exactly, also with unknown tags, enum values and fields
injected at random depths. Plus: every response example of the spec round-trips.

Where the documents come from: strategies are derived from the JSON schemas in
spec/openai.yaml (not from convgen's IR). The spec is the independent oracle: a strategy
built from the IR would share any misreading of the spec the generator makes (a dropped
`null`, a wrong tag, a lost `allOf` part) and could never find it. `make_strategy` handles
`$ref`, `$recursiveRef` (to the nearest `$recursiveAnchor`), oneOf/anyOf (+ discriminator),
allOf (merged), enum/const, `type` lists, nullable `anyOf [X, null]`, required vs optional
keys, `additionalProperties` maps, free-form objects, arrays, untyped values, string
formats/patterns/lengths and numeric bounds; recursion is bounded by a `$ref` depth past
which optional keys are left out, arrays keep their minimum size and unions prefer variants
that do not recurse. A sample of every schema's documents is validated with jsonschema
(`oneOf` read as `anyOf`: OpenAPI discriminated unions overlap, e.g. `InputItem`'s
`EasyInputMessage` and `InputMessage` accept the same message), which proves the strategies
produce valid documents. The IR (`convgen.build.build`) is used only to find which Python
callable decodes each component (tests/lossless_support.py).

Budget: `CONVGEN_PROPERTY_EXAMPLES` examples per schema and mode (default 6; the whole file
runs in well under a minute on 2 cores), `CONVGEN_PROPERTY_DEPTH` the `$ref` depth (default 4).
Run longer with e.g. `CONVGEN_PROPERTY_EXAMPLES=300 python -m pytest tests/test_roundtrip_property.py`.
"""

from __future__ import annotations

import copy
import functools
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import openai_conversations.types as conversation_types
import pytest
import yaml
from conftest import SPEC
from convgen import ir
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy
from jsonschema import Draft202012Validator, FormatChecker
from lossless_support import FEATURE_SPECS, Built, EntryPoints, build_feature, canonical
from openai_conversations._runtime import models as conversation_runtime
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

EXAMPLES = int(os.environ.get("CONVGEN_PROPERTY_EXAMPLES", "6"))
DEPTH = int(os.environ.get("CONVGEN_PROPERTY_DEPTH", "4"))
# the CI budget is a fixed, reproducible sample; asking for more examples explores at random
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, database=None,
                    derandomize="CONVGEN_PROPERTY_EXAMPLES" not in os.environ,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.filter_too_much, HealthCheck.function_scoped_fixture])

_ANNOTATIONS = {"description", "title", "default", "example", "examples", "deprecated", "readOnly",
                "writeOnly", "$comment", "format", "discriminator", "nullable", "$recursiveAnchor"}
FUTURE = "future_"  # every injected name starts with it: no spec name does


# ---- any JSON value ------------------------------------------------------------------------
_SCALARS = (st.none() | st.booleans() | st.integers(-(2**53), 2**53)
            | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=8))
JSON: SearchStrategy[Any] = st.recursive(
    _SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=6)
TOKEN = st.from_regex(r"[a-z][a-z0-9_]{0,9}", fullmatch=True)


def chance(n: int) -> SearchStrategy[bool]:
    """True one time in n; shrinks towards False (no injection)."""
    return st.integers(0, n - 1).map(lambda x: x == n - 1)


# ---- documents from JSON schemas -----------------------------------------------------------
@dataclass(frozen=True)
class Ctx:
    depth: int  # $refs followed so far
    stack: tuple[str, ...]  # the components we are inside
    anchor: str  # where `$recursiveRef: "#"` goes
    anchored: bool  # `anchor` came from a `$recursiveAnchor` (then it stays)
    inject: bool  # add unknown tags, enum values and fields


class Documents:
    """Hypothesis strategies for the component schemas of one OpenAPI document."""

    def __init__(self, doc: dict[str, Any], max_depth: int = DEPTH) -> None:
        self.doc = doc
        self.schemas: dict[str, Any] = doc["components"]["schemas"]
        self.max_depth = max_depth

    def of(self, name: str, inject: bool = False) -> SearchStrategy[Any]:
        """Documents of the component schema `name`."""
        root = {"$ref": f"#/components/schemas/{name}"}
        return st.composite(lambda draw: self.gen(draw, root, Ctx(0, (), name, False, inject)))()

    def at(self, pointer: str, inject: bool = False) -> SearchStrategy[Any]:
        """Documents of the schema at a JSON pointer inside a component (an inline union)."""
        parts = [p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/")[1:]]
        assert parts[:2] == ["components", "schemas"], pointer
        node: Any = self.doc
        for part in parts:
            node = node[int(part)] if isinstance(node, list) else node[part]
        name = parts[2]
        anchored = self.schemas[name].get("$recursiveAnchor") is True
        return st.composite(lambda draw: self.gen(draw, node, Ctx(1, (name,), name, anchored, inject)))()

    # -- dispatch
    def gen(self, draw: Callable[..., Any], s: Any, c: Ctx) -> Any:
        if s is True or (isinstance(s, dict) and not {k for k in s if not k.startswith("x-")} - _ANNOTATIONS):
            return draw(JSON)  # untyped: any JSON value
        assert isinstance(s, dict), s
        if "$ref" in s or "$recursiveRef" in s:
            return self.follow(draw, s, c)
        if "allOf" in s:
            return self.gen(draw, self.merge(s), c)
        if "const" in s:
            return copy.deepcopy(s["const"])
        if "enum" in s:
            return self.enum(draw, s, c)
        for key in ("oneOf", "anyOf"):
            if key in s:
                return self.union(draw, s, key, c)
        kind = s.get("type")
        if isinstance(kind, list):
            kind = draw(st.sampled_from(kind))
        if kind is None:
            kind = "object" if ("properties" in s or "additionalProperties" in s) else "array" if "items" in s else None
        if kind is None:
            return draw(JSON)
        return getattr(self, "gen_" + kind)(draw, s, c)

    def follow(self, draw: Callable[..., Any], s: dict[str, Any], c: Ctx) -> Any:
        if "$ref" in s:
            ref = s["$ref"]
            assert ref.startswith("#/components/schemas/"), ref
            name = ref.rsplit("/", 1)[1].replace("~1", "/").replace("~0", "~")
        else:
            assert s["$recursiveRef"] == "#", s
            name = c.anchor
        target = self.schemas[name]
        if c.anchored:
            anchor, anchored = c.anchor, True
        else:
            anchored = isinstance(target, dict) and target.get("$recursiveAnchor") is True
            anchor = name
        rest = {k: v for k, v in s.items() if k not in ("$ref", "$recursiveRef") and k not in _ANNOTATIONS}
        schema = {"allOf": [target, rest]} if rest else target
        return self.gen(draw, schema, Ctx(c.depth + 1, c.stack + (name,), anchor, anchored, c.inject))

    def resolve(self, s: Any) -> Any:
        for _ in range(20):
            if not (isinstance(s, dict) and "$ref" in s):
                return s
            s = self.schemas[s["$ref"].rsplit("/", 1)[1]]
        raise AssertionError("$ref chain too long")

    def merge(self, s: dict[str, Any]) -> dict[str, Any]:
        """allOf as one schema: properties and required keys of every part; enums intersect."""
        parts = [self.resolve(p) for p in s["allOf"]] + [{k: v for k, v in s.items() if k != "allOf"}]
        out: dict[str, Any] = {}
        for part in parts:
            if "allOf" in part:
                part = self.merge(part)
            for key, value in part.items():
                if key == "properties":
                    props = out.setdefault("properties", {})
                    for name, sub in value.items():
                        props[name] = {"allOf": [props[name], sub]} if name in props else sub
                elif key == "required":
                    out["required"] = list(dict.fromkeys([*out.get("required", []), *value]))
                elif key == "enum" and "enum" in out:
                    out["enum"] = [v for v in out["enum"] if v in value]
                elif key not in out:
                    out[key] = value
        return out

    # -- enums and unions
    def enum(self, draw: Callable[..., Any], s: dict[str, Any], c: Ctx) -> Any:
        values = s["enum"]
        kinds = s.get("type")
        if kinds is not None:
            allowed = set(kinds) if isinstance(kinds, list) else {kinds}
            values = [v for v in values if _json_type(v) in allowed or (_json_type(v) == "integer" and "number" in allowed)]
        strings = [v for v in values if isinstance(v, str)]
        if c.inject and len(strings) >= 2 and draw(chance(4)):
            return FUTURE + draw(TOKEN)  # a value the API may add tomorrow
        return copy.deepcopy(draw(st.sampled_from(values)))

    def tag_property(self, s: dict[str, Any], key: str) -> str:
        """The property that tells object variants apart (the discriminator, else inferred)."""
        disc = s.get("discriminator")
        if isinstance(disc, dict) and isinstance(disc.get("propertyName"), str):
            return disc["propertyName"]
        variants = [self.resolve(b) for b in s[key]]
        objects = [v for v in variants if isinstance(v, dict) and isinstance(v.get("properties"), dict)]
        if len(objects) < 2:
            return ""
        for prop in objects[0]["properties"]:
            tags: list[Any] = []
            for v in objects:
                p = self.resolve(v["properties"].get(prop, {}))
                values = p.get("enum", [p["const"]] if "const" in p else [])
                if not values or set(map(str, values)) & set(map(str, tags)):
                    break
                tags += values
            else:
                return prop
        return ""

    def union(self, draw: Callable[..., Any], s: dict[str, Any], key: str, c: Ctx) -> Any:
        branches = s[key]
        if c.inject:
            prop = self.tag_property(s, key)
            if prop and draw(chance(5)):  # a variant the API may add tomorrow
                rest = draw(st.dictionaries(TOKEN.map(lambda k: FUTURE + k), JSON, max_size=3))
                return {prop: FUTURE + draw(TOKEN), **rest}
        choices = list(range(len(branches)))
        if c.depth >= self.max_depth:  # bound recursion: prefer what does not lead back
            flat = [i for i in choices if not _refers(branches[i])]
            fresh = [i for i in choices if _refers(branches[i]) not in (*c.stack, "#")]
            choices = flat or fresh or choices
        branch = branches[draw(st.sampled_from(choices))]
        rest = {k: v for k, v in s.items() if k not in (key, "discriminator") and k not in _ANNOTATIONS}
        return self.gen(draw, {"allOf": [branch, rest]} if rest else branch, c)

    # -- typed values
    def gen_null(self, draw: Callable[..., Any], s: dict[str, Any], c: Ctx) -> None:
        return None

    def gen_boolean(self, draw: Callable[..., Any], s: dict[str, Any], c: Ctx) -> bool:
        return bool(draw(st.booleans()))

    def gen_integer(self, draw: Callable[..., Any], s: dict[str, Any], c: Ctx) -> int:
        return int(draw(st.integers(s.get("minimum", -(2**40)), s.get("maximum", 2**40))))

    def gen_number(self, draw: Callable[..., Any], s: dict[str, Any], c: Ctx) -> float | int:
        lo, hi = s.get("minimum"), s.get("maximum")
        floats = st.floats(lo, hi, allow_nan=False, allow_infinity=False)
        ints = st.integers(int(lo) if lo is not None else -(2**40), int(hi) if hi is not None else 2**40)
        return draw(floats | ints)  # type: ignore[no-any-return]  # JSON numbers may be written as integers

    def gen_string(self, draw: Callable[..., Any], s: dict[str, Any], c: Ctx) -> str:
        lo, hi = s.get("minLength", 0), s.get("maxLength")
        if s.get("format") == "uri":
            text = draw(st.from_regex(r"https://[a-z]{1,8}\.example/[a-z0-9_]{0,8}", fullmatch=True))
        elif "pattern" in s:
            pattern = s["pattern"]
            fits = st.from_regex(pattern, fullmatch=True).filter(lambda x: lo <= len(x) <= (hi or 10**9))
            text = draw(fits)
        else:
            text = draw(st.text(min_size=lo, max_size=min(hi if hi is not None else lo + 12, lo + 12)))
        return str(text)

    def gen_array(self, draw: Callable[..., Any], s: dict[str, Any], c: Ctx) -> list[Any]:
        lo = s.get("minItems", 0)
        hi = lo if c.depth >= self.max_depth else min(s.get("maxItems", lo + 3), lo + 3)
        items = s.get("items", True)
        return [self.gen(draw, items, c) for _ in range(draw(st.integers(lo, hi)))]

    def gen_object(self, draw: Callable[..., Any], s: dict[str, Any], c: Ctx) -> dict[str, Any]:
        props: dict[str, Any] = s.get("properties") or {}
        required = s.get("required") or []
        out: dict[str, Any] = {}
        for name, sub in props.items():
            if name in required or (c.depth < self.max_depth and draw(st.booleans())):
                out[name] = self.gen(draw, sub, c)
        for name in required:
            if name not in props:  # required but not described (W311): any JSON value
                out[name] = draw(JSON)
        extra = s.get("additionalProperties")
        room = s.get("maxProperties", 10**6) - len(out)
        if isinstance(extra, dict) or (extra is None and not props and "type" in s):
            key_len = (s.get("propertyNames") or {}).get("maxLength", 8)
            keys = st.text(max_size=min(key_len, 8)).filter(lambda k: k not in props and not k.startswith(FUTURE))
            count = draw(st.integers(0, max(0, min(room, 0 if c.depth >= self.max_depth else 3))))
            for _ in range(count):
                out[draw(keys)] = self.gen(draw, extra, c) if isinstance(extra, dict) else draw(JSON)
        if c.inject and props and draw(chance(4)):  # a field the API may add tomorrow
            out[FUTURE + draw(TOKEN)] = draw(JSON)
        return out


def _json_type(v: Any) -> str:
    return {bool: "boolean", int: "integer", float: "number", str: "string", list: "array", dict: "object"}.get(type(v), "null")


def _refers(s: Any) -> str:
    """The component a union branch refers to ('#' for `$recursiveRef`), '' if inline."""
    if isinstance(s, dict):
        if "$ref" in s:
            return str(s["$ref"]).rsplit("/", 1)[1]
        if "$recursiveRef" in s:
            return "#"
    return ""


# ---- validation with jsonschema -------------------------------------------------------------
def _for_validation(node: Any, anchor: str = "") -> Any:
    """oneOf -> anyOf (overlapping discriminated unions) and `$recursiveRef: "#"` -> a plain
    `$ref` to the anchored component (the 2020-12 validator does not know 2019-09's keyword)."""
    if isinstance(node, dict):
        out = {}
        for k, v in node.items():
            if k == "$recursiveRef":
                out["$ref"] = f"#/components/schemas/{anchor}"
            elif k == "$recursiveAnchor" or k == "discriminator":
                continue
            elif k in ("enum", "const", "default", "example", "examples"):
                out[k] = v
            else:
                out["anyOf" if k == "oneOf" else k] = _for_validation(v, anchor)
        return out
    if isinstance(node, list):
        return [_for_validation(v, anchor) for v in node]
    return node


def _uri_checker() -> FormatChecker:
    checker = FormatChecker(formats=())

    @checker.checks("uri", raises=ValueError)
    def is_uri(value: object) -> bool:
        return not isinstance(value, str) or bool(urlsplit(value).scheme)

    return checker


class Validators:
    URI = "https://convgen.invalid/lossless.yaml"

    def __init__(self, doc: dict[str, Any]) -> None:
        schemas = {name: _for_validation(s, name) for name, s in doc["components"]["schemas"].items()}
        resource = Resource.from_contents({"components": {"schemas": schemas}}, default_specification=DRAFT202012)
        self.registry = Registry().with_resource(self.URI, resource)
        self.checker = _uri_checker()

    @functools.cache  # noqa: B019  # one per schema, for the session
    def validator(self, pointer: str) -> Draft202012Validator:
        pointer = "/".join("anyOf" if p == "oneOf" else p for p in pointer.split("/"))  # as rewritten
        return Draft202012Validator({"$ref": f"{self.URI}#{pointer}"}, registry=self.registry,
                                    format_checker=self.checker)

    def errors(self, instance: Any, name: str) -> list[str]:
        """Validation errors against a component (`name`) or a pointer (`/components/...`)."""
        pointer = name if name.startswith("/") else f"/components/schemas/{name}"
        return sorted(f"/{'/'.join(map(str, e.absolute_path))}: {e.message[:200]}"
                      for e in self.validator(pointer).iter_errors(instance))


@functools.cache
def load_spec() -> dict[str, Any]:
    with open(SPEC, encoding="utf-8") as f:
        return yaml.load(f, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # type: ignore[no-any-return]


# ---- the checks ---------------------------------------------------------------------------------
def _unknowns(value: Any) -> list[Any]:
    """Unknown variants anywhere in a decoded value (a test-side walk, not the client's)."""
    found: list[Any] = []
    stack = [value]
    while stack:
        v = stack.pop()
        if hasattr(v, "raw") and hasattr(v, "tag_property"):
            found.append(v)
        elif isinstance(v, list):
            stack.extend(v)
        elif isinstance(v, dict):
            stack.extend(v.values())
        elif hasattr(v, "__dict__") and hasattr(v, "to_dict"):
            stack.extend(x for k, x in vars(v).items() if k != "extra")
    return found


def check_roundtrip(entry: EntryPoints, name: str, doc: Any, *, known: bool,
                    decode: Callable[[Any], Any] | None = None) -> None:
    """`decode(doc)` gives `doc` back exactly: `.to_dict()` for models and tagged unions."""
    snapshot = copy.deepcopy(doc)
    value = (decode or entry.for_component(name))(doc)
    out = value.to_dict() if hasattr(value, "to_dict") else entry.r.encode(value)
    assert out == snapshot, f"{name}: to_dict() differs"
    assert canonical(out) == canonical(snapshot), f"{name}: to_dict() differs in JSON types (1 vs 1.0 vs true)"
    assert json.loads(json.dumps(out)) == snapshot  # plain JSON: no UNSET, no model leaks out
    assert doc == snapshot, f"{name}: decoding changed its input"
    if known:  # a valid document of known kinds decodes to known classes only
        assert not _unknowns(value), f"{name}: valid data decoded to {_unknowns(value)[:1]}"


@dataclass
class Target:
    label: str
    documents: Documents
    validators: Validators
    entry: EntryPoints


# the IR is built at collection (half a second: the lazy loader parses only the section);
# the whole YAML spec, needed for the strategies, only when a test runs
ENTRY = EntryPoints(SPEC, ("Conversations",), conversation_types, conversation_runtime)
COMPONENTS = list(ENTRY.components)
INLINE_UNIONS = sorted((d.name, d.pointer) for d in ENTRY.api.definitions
                       if isinstance(d, (ir.TaggedUnion, ir.KindUnion)) and d.pointer.startswith("/components/schemas/")
                       and ENTRY.by_component.get(d.pointer.split("/")[3]) is not d)


@functools.cache
def conversations() -> Target:
    doc = load_spec()
    return Target("openai_conversations", Documents(doc), Validators(doc), ENTRY)


def test_the_closure_is_covered() -> None:
    assert len(COMPONENTS) > 150 and len(INLINE_UNIONS) > 20
    missing = [n for n in COMPONENTS if ENTRY.definition(n) is None]
    assert not missing, f"components with no Python definition: {missing}"


@pytest.mark.parametrize("name", COMPONENTS)
def test_valid_documents_round_trip(name: str) -> None:
    target = conversations()

    @SETTINGS
    @given(target.documents.of(name))
    def check(doc: Any) -> None:
        errors = target.validators.errors(doc, name)
        assert not errors, f"the strategy made an invalid {name}: {errors[:3]}"
        check_roundtrip(target.entry, name, doc, known=True)

    check()


@pytest.mark.parametrize("name", COMPONENTS)
def test_documents_from_tomorrows_api_round_trip(name: str) -> None:
    target = conversations()

    @SETTINGS
    @given(target.documents.of(name, inject=True))
    def check(doc: Any) -> None:
        check_roundtrip(target.entry, name, doc, known=False)

    check()


@pytest.mark.parametrize(("name", "pointer"), INLINE_UNIONS, ids=[n for n, _ in INLINE_UNIONS])
def test_inline_union_decoders_round_trip(name: str, pointer: str) -> None:
    target = conversations()
    decode = ENTRY.union_decoder(name)  # e.g. types.message_content_item_from_dict

    @SETTINGS
    @given(target.documents.at(pointer), target.documents.at(pointer, inject=True))
    def check(doc: Any, future: Any) -> None:
        errors = target.validators.errors(doc, pointer)
        assert not errors, f"the strategy made an invalid {name}: {errors[:3]}"
        check_roundtrip(ENTRY, name, doc, known=True, decode=decode)
        check_roundtrip(ENTRY, name, future, known=False, decode=decode)

    check()


# ---- the spec's response examples -------------------------------------------------------------
def _response_examples() -> list[tuple[str, str, str]]:
    doc = load_spec()
    out = []
    for item in doc["paths"].values():
        for op in item.values():
            if not isinstance(op, dict) or "Conversations" not in (op.get("tags") or []):
                continue
            example = ((op.get("x-oaiMeta") or {}).get("examples") or {}).get("response")
            schema = op["responses"]["200"]["content"]["application/json"]["schema"]
            out.append((op["operationId"], schema["$ref"].rsplit("/", 1)[1], example))
    return sorted(out)


@pytest.mark.parametrize(("operation", "component", "example"), _response_examples(), ids=lambda v: v if isinstance(v, str) and len(v) < 40 else "")
def test_response_examples_round_trip(operation: str, component: str, example: str) -> None:
    target = conversations()
    assert isinstance(example, str) and example.strip(), f"{operation} has no response example"
    doc = json.loads(example)
    check_roundtrip(target.entry, component, doc, known=True)
    # and the operation's own return type says the same
    op = next(o for o in target.entry.api.operations if o.operation_id == operation)
    assert op.response is not None
    value = target.entry.decoder(op.response)(json.loads(example))
    assert value.to_dict() == doc


def test_every_operation_has_a_response_example() -> None:
    assert len(_response_examples()) == 8


# ---- the same properties on the small feature specs ------------------------------------------
FEATURE_COMPONENTS = [(spec, name) for spec, text in sorted(FEATURE_SPECS.items())
                      for name in sorted(yaml.safe_load(text)["components"]["schemas"])]


@pytest.fixture(scope="module")
def features(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Target]:
    base = tmp_path_factory.mktemp("lossless")
    out = {}
    for spec in FEATURE_SPECS:
        built: Built = build_feature(spec, base)
        out[spec] = Target(spec, Documents(built.doc), Validators(built.doc), built.entry)
    return out


@pytest.mark.parametrize(("spec", "name"), FEATURE_COMPONENTS)
def test_feature_specs_round_trip(spec: str, name: str, features: dict[str, Target]) -> None:
    target = features[spec]
    assert target.entry.definition(name) is not None, f"{spec}: {name} has no Python definition"

    @settings(SETTINGS, max_examples=EXAMPLES * 4)
    @given(target.documents.of(name), target.documents.of(name, inject=True))
    def check(doc: Any, future: Any) -> None:
        errors = target.validators.errors(doc, name)
        assert not errors, f"the strategy made an invalid {name}: {errors[:3]}"
        check_roundtrip(target.entry, name, doc, known=True)
        check_roundtrip(target.entry, name, future, known=False)

    check()
