"""JSON Schema -> IR types, for the build stage.

Two passes: `convert` turns schemas into types and definitions (naming inline ones after
where they sit); unions are recorded as pending and resolved once every variant model
exists, because tags are read from variants that may still be under construction
(recursive schemas). The union rules are documented in the README.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import ir, schemanames
from .diagnostics import Diagnostic, escape_token
from .naming import MAX_NAME, RESERVED_ATTRS, RESERVED_CLASSES, Namespace, attribute, member, pascal, pascal_part, snake
from .select import resolve_pointer
from .specread import text

_SCALARS = {"string": "str", "integer": "int", "number": "float", "boolean": "bool"}
_IGNORED_WITH_REF = {
    "$ref",
    "description",
    "title",
    "default",
    "example",
    "examples",
    "deprecated",
    "readOnly",
    "writeOnly",
    "nullable",
    "type",
}
# What may stand beside an `allOf: [{$ref: X}]` wrapper (or in its other members) that is still just X.
_ANNOTATIONS = _IGNORED_WITH_REF - {"$ref"} | {"$comment", "externalDocs"}


@dataclass
class PendingUnion:
    name: str
    module: str
    pointer: str
    description: str
    variants: list[tuple[ir.TypeRef, str]]  # (type, pointer of the variant)
    prop: str  # discriminator propertyName, "" when none
    mapping: dict[str, str]  # tag -> component pointer


class SchemaBuilder:
    def __init__(self, doc: dict[str, Any], diags: list[Diagnostic]) -> None:
        self.doc = doc
        self.diags = diags
        self.defs: dict[str, ir.Definition] = {}
        self.pending: dict[str, PendingUnion] = {}
        self.classes = Namespace(RESERVED_CLASSES)
        self.modules = Namespace(frozenset({"__init__"}), "_")
        self._component_names: dict[str, str] = {}
        self._component_types: dict[str, ir.TypeRef] = {}
        self._module = "types"
        self._anchor = ""
        # inline schemas by pointer: one type per place in the document, however often it is
        # reached (an allOf merge converts its members' properties again), so recursion ends
        self._inline_types: dict[str, ir.TypeRef] = {}
        self._inline_names: dict[str, str] = {}
        self._inline_active: set[str] = set()
        self._schema_names: frozenset[str] | None = None  # every component schema's class name
        self._shared_titles: frozenset[str] = frozenset()
        self._dumped_schemas: dict[str, bytes | None] = {}  # schemanames.used_by's, kept between its calls

    # ---- names ---------------------------------------------------------------------------
    def claim_class(self, wanted: str, ptr: str, inline: bool = True) -> str:
        base = pascal(wanted)
        if inline and base in self.schema_names():
            base = pascal(wanted + "Inline")  # the component of that name keeps it, whenever it comes
        name, renamed = self.classes.claim(base)
        if renamed:
            self.diags.append(Diagnostic("W308", f"type name {base!r} is taken: using {name!r}", ptr))
        return name

    # ---- components ----------------------------------------------------------------------
    def component(self, ref: str) -> ir.TypeRef:
        known = self._component_types.get(ref)
        if known is not None:
            return known
        if ref in self._component_names:  # recursion: still being converted
            return ir.Ref(self._component_names[ref])
        raw_name = ref.rsplit("/", 1)[-1].replace("~1", "/").replace("~0", "~")
        original = schemanames.copy_of(self.doc, raw_name)
        if original is not None:  # `MessagePhase-2`, a numbered copy of `MessagePhase`: its type
            result = self.component(original)
            self._component_names[ref] = self._component_names[original]
            self._component_types[ref] = result
            self.diags.append(
                Diagnostic(
                    "W363",
                    f"schema {raw_name!r} is {original.rsplit('/', 1)[-1]!r} but for annotations: "
                    f"it is type {self._component_names[original]!r}",
                    ref.lstrip("#"),
                )
            )
            return result
        readable = self._readable(raw_name, ref)
        name = self.claim_class(readable, ref.lstrip("#"), inline=False)
        if (
            name == pascal(readable)
            and name != raw_name
            and (
                not raw_name.replace("_", "").isalnum()
                or len(raw_name) > MAX_NAME
                or name.lower() != "".join(c for c in raw_name.lower() if c.isascii() and c.isalnum())
            )
        ):  # not just the name's words joined: a reserved name (`Model` -> `ModelModel`), a digit first, ...
            # (a name taken by another schema was already reported by claim_class, W308)
            why = (
                f": {pascal_part(readable)} is a name the generated code uses"
                if pascal_part(readable) in RESERVED_CLASSES
                else ""
            )
            self.diags.append(
                Diagnostic("W364", f"schema {raw_name!r} is named {name!r} in Python{why}", ref.lstrip("#"))
            )
        self._component_names[ref] = name
        outer_module, outer_anchor = self._module, self._anchor
        self._module, _ = self.modules.claim(snake(name))
        self._anchor = name
        try:
            result = self.convert(resolve_pointer(self.doc, ref), name, ref.lstrip("#"), named=True)
        finally:
            self._module, self._anchor = outer_module, outer_anchor
        self._component_types[ref] = result
        return result

    def _readable(self, raw_name: str, ref: str) -> str:
        """A schema name that is not an identifier (`ConversationParam-2`) is named by its
        `title` (`ConversationObject`) when no other schema has that title or that name; a
        title others share gets the words of the name before it (`BetaConversationObject`);
        a numbered name without a usable title is named after its user (`VideoResourceError`)."""
        if raw_name.replace("_", "").isalnum():
            return raw_name
        schema = _schema_at(self.doc, ref)
        title = schema.get("title") if isinstance(schema, dict) else None
        candidates: list[str] = []
        taken = self.schema_names()  # (and computes the titles two schemas share)
        if isinstance(title, str) and title.strip():
            if pascal(title) not in self._shared_titles:
                candidates.append(title)
            candidates.append(schemanames.titled(raw_name, title))
        for wanted in candidates:
            if pascal(wanted) not in taken and self.classes.free(pascal(wanted)):
                return wanted
        if schemanames.unnumbered(raw_name) is not None:  # looked for only now: a walk of every schema
            for wanted in schemanames.used_by(self.doc, ref, self._dumped_schemas):
                if pascal(wanted) not in taken and self.classes.free(pascal(wanted)):
                    return wanted
        return raw_name

    def schema_names(self) -> frozenset[str]:
        """The class names the component schemas want (and titles two schemas share)."""
        if self._schema_names is None:
            schemas = (
                self.doc.get("components", {}).get("schemas", {})
                if isinstance(self.doc.get("components"), dict)
                else {}
            )
            schemas = schemas if isinstance(schemas, dict) else {}
            titles = [
                pascal(str(v["title"]))
                for v in schemas.values()
                if isinstance(v, dict) and isinstance(v.get("title"), str)
            ]
            self._schema_names = frozenset(pascal(str(n)) for n in schemas)
            self._shared_titles = frozenset(t for t in titles if titles.count(t) > 1)
        return self._schema_names

    def use_module(self, wanted: str) -> None:
        """Inline definitions of operations (query enums, ...) go to a module of their own."""
        self._module, _ = self.modules.claim(snake(wanted))

    # ---- conversion ----------------------------------------------------------------------
    def convert(self, schema: Any, hint: str, ptr: str, named: bool = False) -> ir.TypeRef:
        if named:
            return self._convert(schema, hint, ptr, named)
        known = self._inline_types.get(ptr)
        if known is not None:
            return known
        if ptr in self._inline_active and ptr in self._inline_names:
            return ir.Ref(self._inline_names[ptr])  # recursion: this schema's type is being built
        self._inline_active.add(ptr)
        try:
            result = self._convert(schema, hint, ptr, named)
        finally:
            self._inline_active.discard(ptr)
        self._inline_types[ptr] = result
        return result

    def _convert(self, schema: Any, hint: str, ptr: str, named: bool) -> ir.TypeRef:
        if schema is True or schema == {}:
            return self._named_alias(hint, ptr, ir.AnyType(), "") if named else ir.AnyType()
        if not isinstance(schema, dict):
            self.diags.append(Diagnostic("W307", f"schema must be an object, got {type(schema).__name__}", ptr))
            return ir.AnyType()
        description = text(schema.get("description") or schema.get("title"))
        if "$recursiveRef" in schema or "$dynamicRef" in schema:
            return ir.Ref(self._anchor)
        schema = _unwrap(schema)
        ref = schema.get("$ref")
        if isinstance(ref, str):
            extra = {k for k in schema if k not in _IGNORED_WITH_REF and not str(k).startswith("x-")}
            if not extra:
                target = self.component(ref) if ref.startswith("#/components/") else ir.AnyType()
                if schema.get("nullable") is True:
                    target = _nullable(target)
                return self._named_alias(hint, ptr, target, description) if named else target
            # `$ref` beside other keywords means both apply (3.1): treat it as allOf
            schema = {
                "allOf": [{"$ref": ref}, {k: v for k, v in schema.items() if k != "$ref"}],
                **{k: schema[k] for k in ("description", "title") if k in schema},
            }
        nullable, types = _types_of(schema)
        inner = self._convert_nonnull(schema, types, hint, ptr, named, description)
        if nullable and named:
            return self._nullable_named(hint, inner)
        return _nullable(inner) if nullable else inner

    def _nullable_named(self, name: str, inner: ir.TypeRef) -> ir.TypeRef:
        """A nullable component that became an alias: the alias itself admits None."""
        alias = self.defs.get(name)
        if (
            isinstance(inner, ir.Ref)
            and inner.name == name
            and isinstance(alias, ir.Alias)
            and name not in self.pending
        ):
            self.defs[name] = ir.Alias(
                alias.name, alias.module, alias.pointer, alias.description, _nullable(alias.target)
            )
            return inner
        return _nullable(inner)

    def _convert_nonnull(
        self, schema: dict[str, Any], types: list[str], hint: str, ptr: str, named: bool, description: str
    ) -> ir.TypeRef:
        for key in ("oneOf", "anyOf"):
            variants = schema.get(key)
            if isinstance(variants, list) and variants:
                return self._union(schema, key, variants, hint, ptr, named, description)
        if isinstance(schema.get("allOf"), list):
            return self._all_of(schema, hint, ptr, named, description)
        if "const" in schema:
            return self._maybe_alias(named, hint, ptr, description, _const(schema["const"]))
        enum = schema.get("enum")
        if isinstance(enum, list) and enum:
            return self._enum(enum, types, hint, ptr, named, description)
        if len(types) > 1:
            arms = [{"type": t, **{k: v for k, v in schema.items() if k not in ("type", "nullable")}} for t in types]
            return self._union(schema, "anyOf", arms, hint, ptr, named, description)
        kind = types[0] if types else ("object" if "properties" in schema or "additionalProperties" in schema else "")
        if kind == "object":
            return self._object(schema, hint, ptr, named, description)
        if kind == "array":
            items = schema.get("items", True)
            item = self.convert(items, hint + "Item", ptr + "/items")
            return self._maybe_alias(named, hint, ptr, description, ir.ListOf(item))
        if kind in _SCALARS:
            return self._maybe_alias(
                named,
                hint,
                ptr,
                description,
                ir.Prim(_SCALARS[kind], str(schema.get("format", ""))),  # type: ignore[arg-type]
            )
        if kind not in ("", "null"):
            self.diags.append(Diagnostic("W307", f"unknown type {kind!r}: treated as any JSON value", ptr + "/type"))
        return self._maybe_alias(named, hint, ptr, description, ir.AnyType())

    def _maybe_alias(self, named: bool, hint: str, ptr: str, description: str, target: ir.TypeRef) -> ir.TypeRef:
        return self._named_alias(hint, ptr, target, description) if named else target

    def _named_alias(self, name: str, ptr: str, target: ir.TypeRef, description: str) -> ir.TypeRef:
        self.defs[name] = ir.Alias(name, self._module, ptr, description, target)
        return ir.Ref(name)

    def _name_for(self, named: bool, hint: str, ptr: str) -> str:
        if named:
            return hint
        name = self._inline_names[ptr] = self.claim_class(hint, ptr)
        return name

    # ---- objects -------------------------------------------------------------------------
    def _object(self, schema: dict[str, Any], hint: str, ptr: str, named: bool, description: str) -> ir.TypeRef:
        props = schema.get("properties")
        if not isinstance(props, dict) or not props:
            extra = schema.get("additionalProperties", True)
            value = (
                self.convert(extra, hint + "Value", ptr + "/additionalProperties")
                if extra is not False
                else ir.AnyType()
            )
            return self._maybe_alias(named, hint, ptr, description, ir.MapOf(value))
        name = self._name_for(named, hint, ptr)
        required: list[Any] = schema["required"] if isinstance(schema.get("required"), list) else []
        self.defs[name] = ir.Model(name, self._module, ptr, description, ())  # placeholder for recursion
        fields = self._fields(name, [(props, required, ptr)])
        self.defs[name] = ir.Model(name, self._module, ptr, description, fields)
        return ir.Ref(name)

    def _fields(self, owner: str, groups: list[tuple[dict[str, Any], list[Any], str]]) -> tuple[ir.Field, ...]:
        merged: dict[str, tuple[Any, str]] = {}
        required: set[str] = set()
        for props, req, ptr in groups:
            for wire, prop in props.items():
                merged[str(wire)] = (prop, f"{ptr}/properties/{escape_token(str(wire))}")
            required.update(str(r) for r in req if isinstance(r, str))
        attrs = Namespace(RESERVED_ATTRS, "_")
        out = []
        for wire, (prop, prop_ptr) in merged.items():
            wanted = attribute(wire)
            attr, renamed = attrs.claim(wanted)
            if wanted != wire or renamed:
                code = "W308" if renamed else "W306"
                self.diags.append(Diagnostic(code, f"property {wire!r} of {owner} is attribute {attr!r}", prop_ptr))
            type_ = self.convert(prop, owner + (pascal_part(wire) or "Field"), prop_ptr)
            default = prop.get("default") if isinstance(prop, dict) else None
            has_default = isinstance(prop, dict) and "default" in prop and isinstance(default, (str, int, float, bool))
            out.append(
                ir.Field(
                    wire=wire,
                    attr=attr,
                    type=type_,
                    required=wire in required,
                    description=text(prop.get("description") if isinstance(prop, dict) else ""),
                    default=default if has_default else None,
                    has_default=has_default,
                    deprecated=isinstance(prop, dict) and prop.get("deprecated") is True,
                )
            )
        for wire in sorted(required - set(merged)):
            # required but never described: kept as an optional any-JSON field, since a spec that
            # cannot describe it is no ground for rejecting a whole response that lacks it
            attr, _ = attrs.claim(attribute(wire))
            self.diags.append(
                Diagnostic(
                    "W311",
                    f"{owner} requires {wire!r} but does not describe it: an optional field of any JSON value",
                    groups[-1][2] + "/required",
                )
            )
            out.append(ir.Field(wire=wire, attr=attr, type=ir.AnyType(), required=False))
        return tuple(out)

    def _all_of(self, schema: dict[str, Any], hint: str, ptr: str, named: bool, description: str) -> ir.TypeRef:
        groups: list[tuple[dict[str, Any], list[Any], str]] = []
        self._collect_all_of(schema, ptr, groups, depth=0)
        if not any(props for props, _, _ in groups):
            # allOf of non-objects: take the first member's type
            first = schema["allOf"][0] if schema["allOf"] else True
            return self.convert(first, hint, ptr + "/allOf/0", named)
        name = self._name_for(named, hint, ptr)
        self.defs[name] = ir.Model(name, self._module, ptr, description, ())
        fields = self._fields(name, groups)
        self.defs[name] = ir.Model(name, self._module, ptr, description, fields)
        return ir.Ref(name)

    def _collect_all_of(
        self, schema: dict[str, Any], ptr: str, groups: list[tuple[dict[str, Any], list[Any], str]], depth: int
    ) -> None:
        if depth > 20:
            return
        for i, member_schema in enumerate(schema.get("allOf", [])):
            at = f"{ptr}/allOf/{i}"
            if isinstance(member_schema, dict) and isinstance(member_schema.get("$ref"), str):
                target = member_schema["$ref"]
                try:
                    member_schema, at = resolve_pointer(self.doc, target), target.lstrip("#")
                except KeyError:
                    continue
                if target.startswith("#/components/schemas/"):
                    # the base first: the inline types of its properties are named after it,
                    # and the merged model reuses them (one type per place in the document)
                    self.component(target)
            if isinstance(member_schema, dict):
                if "allOf" in member_schema:
                    self._collect_all_of(member_schema, at, groups, depth + 1)
                props = member_schema.get("properties")
                req = member_schema.get("required")
                groups.append((props if isinstance(props, dict) else {}, req if isinstance(req, list) else [], at))
        own, required = schema.get("properties"), schema.get("required")
        if isinstance(own, dict) or isinstance(required, list):  # a `required` beside allOf applies to the members
            groups.append((own if isinstance(own, dict) else {}, required if isinstance(required, list) else [], ptr))

    # ---- enums ---------------------------------------------------------------------------
    def _enum(
        self, values: list[Any], types: list[str], hint: str, ptr: str, named: bool, description: str
    ) -> ir.TypeRef:
        present = [v for v in values if v is not None]
        nullable = len(present) != len(values)
        if not present:
            return ir.AnyType()
        if len(present) == 1:
            result: ir.TypeRef = _const(present[0])
            result = self._maybe_alias(named, hint, ptr, description, result)
        elif all(isinstance(v, str) for v in present):
            name = self._name_for(named, hint, ptr)
            members = Namespace(frozenset({"EMPTY_"}), "_")
            out: list[ir.EnumMember] = []
            seen: set[str] = set()
            for value in present:
                if value in seen:
                    continue  # reported by validate (W206)
                seen.add(value)
                wanted = member(value)
                attr, renamed = members.claim(wanted)
                if renamed:
                    self.diags.append(
                        Diagnostic(
                            "W308",
                            f"enum values of {name} collide as {wanted!r}: {value!r} is {attr}",
                            f"{ptr}/enum/{values.index(value)}",
                        )
                    )
                out.append(ir.EnumMember(attr, value))
            self.defs[name] = ir.Enum(name, self._module, ptr, description, tuple(out))
            result = ir.Ref(name)
        else:
            kinds = {type(v).__name__ for v in present}
            kind = (
                "bool"
                if kinds == {"bool"}
                else "int"
                if kinds <= {"int"}
                else "float"
                if kinds <= {"int", "float"}
                else ""
            )
            result = ir.Prim(kind) if kind else ir.AnyType()  # type: ignore[arg-type]
            result = self._maybe_alias(named, hint, ptr, description, result)
        return ir.Nullable(result) if nullable else result

    # ---- unions --------------------------------------------------------------------------
    def _union(
        self, schema: dict[str, Any], key: str, variants: list[Any], hint: str, ptr: str, named: bool, description: str
    ) -> ir.TypeRef:
        non_null = [(i, v) for i, v in enumerate(variants) if not _is_null(v)]
        nullable = len(non_null) != len(variants)
        if len(non_null) == 1:
            i, only = non_null[0]
            merged = only
            if isinstance(only, dict) and "description" not in only and description:
                merged = {**only, "description": description}
            inner = self.convert(merged, hint, f"{ptr}/{key}/{i}", named)
            return self._nullable_named(hint, inner) if nullable and named else _nullable(inner) if nullable else inner
        name = self._name_for(named, hint, ptr)
        converted: list[tuple[ir.TypeRef, str]] = []
        suffixes = _variant_suffixes(non_null)
        for i, variant in non_null:
            arm = self.convert(variant, name + suffixes[i], f"{ptr}/{key}/{i}")
            if isinstance(arm, ir.Nullable):  # a variant that admits null (`nullable: true`) makes the union admit it
                arm, nullable = arm.inner, True
            converted.append((arm, f"{ptr}/{key}/{i}"))
        disc: dict[str, Any] = schema["discriminator"] if isinstance(schema.get("discriminator"), dict) else {}
        prop: str = disc["propertyName"] if isinstance(disc.get("propertyName"), str) else ""
        mapping = {str(k): v for k, v in (disc.get("mapping") or {}).items() if isinstance(v, str)}
        self.pending[name] = PendingUnion(name, self._module, ptr, description, converted, prop, mapping)
        self.defs[name] = ir.Alias(name, self._module, ptr, description, ir.AnyType())  # replaced in resolve
        result: ir.TypeRef = ir.Ref(name)
        return ir.Nullable(result) if nullable else result

    def component_name(self, ref: str) -> str | None:
        return self._component_names.get(ref)


def _unwrap(schema: dict[str, Any]) -> dict[str, Any]:
    """`allOf: [{$ref: X}]` plus annotations (the usual 3.0 way to describe a reference) is X:
    returned as `{$ref: X}` with the annotations, so it converts to X itself, not a copy."""
    members = schema.get("allOf")
    if not isinstance(members, list) or not members or not all(isinstance(m, dict) for m in members):
        return schema
    if not all(k in _ANNOTATIONS or k == "allOf" or str(k).startswith("x-") for k in schema):
        return schema
    refs = [m for m in members if "$ref" in m]
    if len(refs) != 1 or not isinstance(refs[0]["$ref"], str):
        return schema
    if not all(k in _IGNORED_WITH_REF or k in _ANNOTATIONS or str(k).startswith("x-") for m in members for k in m):
        return schema
    merged: dict[str, Any] = {}
    for source in [*members, schema]:  # the wrapper's own annotations win
        merged.update((k, v) for k, v in source.items() if k in _ANNOTATIONS and k != "type")
    if any(m.get("nullable") is True for m in [*members, schema]):
        merged["nullable"] = True
    return {**merged, "$ref": refs[0]["$ref"]}


def _types_of(schema: dict[str, Any]) -> tuple[bool, list[str]]:
    raw = schema.get("type")
    types = [raw] if isinstance(raw, str) else [t for t in raw if isinstance(t, str)] if isinstance(raw, list) else []
    nullable = "null" in types or schema.get("nullable") is True
    return nullable, [t for t in types if t != "null"]


def _is_null(schema: Any) -> bool:
    if not isinstance(schema, dict):
        return False
    return schema.get("type") == "null" or (schema.get("enum") == [None])


def _nullable(t: ir.TypeRef) -> ir.TypeRef:
    return t if isinstance(t, ir.Nullable) else ir.Nullable(t)


def _const(value: Any) -> ir.TypeRef:
    if value is None:
        return ir.AnyType()
    if isinstance(value, (str, int, float, bool)):
        return ir.Const(value)
    return ir.AnyType()


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _schema_at(doc: dict[str, Any], ref: str) -> Any:
    try:
        return resolve_pointer(doc, ref)
    except KeyError:
        return None


_KIND_WORDS = {
    "object": "Object",
    "array": "List",
    "string": "String",
    "integer": "Int",
    "number": "Number",
    "boolean": "Bool",
}


def _variant_suffixes(variants: list[tuple[int, Any]]) -> dict[int, str]:
    """How inline union variants are named after their union: by `title`, else by what they
    are (`Enum`, `Object`, `List`, a const's value; an object by its first property when
    several are objects); the position only when nothing else tells them apart."""

    def described(v: Any) -> list[str]:
        if not isinstance(v, dict):
            return []
        if isinstance(v.get("title"), str) and pascal_part(v["title"]):
            return [pascal_part(v["title"])]
        if "const" in v and pascal_part(str(v["const"])):
            return [pascal_part(str(v["const"]))]
        if isinstance(v.get("enum"), list):
            return ["Enum"]
        if isinstance(v.get("oneOf") or v.get("anyOf"), list):
            return ["Union"]
        kind: str = v["type"] if isinstance(v.get("type"), str) else "object" if "properties" in v else ""
        word = _KIND_WORDS.get(kind, "")
        if not word:
            return []
        if word == "List":
            item = described(v.get("items"))
            return [word] + ([item[0] + word] if item else [])
        props: dict[str, Any] = v["properties"] if isinstance(v.get("properties"), dict) else {}
        tags = [
            str(p["enum"][0])
            for p in props.values()
            if isinstance(p, dict) and isinstance(p.get("enum"), list) and len(p["enum"]) == 1
        ]
        tags += [str(p["const"]) for p in props.values() if isinstance(p, dict) and "const" in p]
        required = [r for r in v.get("required") or [] if isinstance(r, str) and r in props]
        first = (required or list(props))[:1]
        return (
            [pascal_part(t) for t in tags[:1] if pascal_part(t)] + [word] + [word + pascal_part(str(f)) for f in first]
        )

    options = {i: described(v) for i, v in variants}
    out: dict[int, str] = {}
    for i, _ in variants:
        unique = [
            c for c in options[i] if not any(c in options[j] for j in options if j != i) and c not in out.values()
        ]
        out[i] = unique[0] if unique else f"Variant{i + 1}"
    return out
