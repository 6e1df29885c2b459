"""Second pass of the build: turn pending unions into tagged or by-kind unions.

Rules (also in the README, "How unions decode"):
1. A variant that is itself a union on the same tag is flattened into its parent.
2. Object variants are told apart by the tag property: `discriminator.mapping` when given,
   else each variant's const/enum values for that property (an enum gives several tags).
   Without a discriminator, a property whose consts differ in every object variant is used.
3. A tag shared by several variants (W302): the most specific (most required keys) whose
   required keys are all present is tried first; if it does not fit, the next ones with
   their keys present are tried strictly, so data valid for a less specific variant never
   fails; if none fits, the first error is raised.
4. A variant whose tag is optional (W303) or missing (W301) also decodes data that has no tag.
5. An unknown tag decodes to the union's Unknown variant, keeping the data.
6. Variants that are not objects are told apart by JSON kind (string, number, array, ...).
"""

from __future__ import annotations

from typing import Literal

from . import ir
from .diagnostics import Diagnostic, escape_token
from .schemas import PendingUnion, SchemaBuilder

Kind = Literal["str", "int", "float", "bool", "list", "dict"]
_ALL_KINDS: tuple[Kind, ...] = ("str", "int", "float", "bool", "list", "dict")


def resolve_unions(sb: SchemaBuilder) -> None:
    for name in sorted(sb.pending):
        sb.defs[name] = _Resolver(sb, sb.pending[name]).run()


class _Resolver:
    def __init__(self, sb: SchemaBuilder, pu: PendingUnion) -> None:
        self.sb = sb
        self.pu = pu

    def warn(self, code: str, message: str, ptr: str = "") -> None:
        self.sb.diags.append(Diagnostic(code, message, ptr or self.pu.pointer))

    def run(self) -> ir.Definition:
        pu = self.pu
        flat = self._flatten(pu.variants, pu.prop, {pu.name})
        objects: list[tuple[ir.Model, str]] = []
        others: list[tuple[ir.TypeRef, str]] = []
        for t, ptr in flat:
            model = self._model_of(t)
            if model is not None:
                if all(m.name != model.name for m, _ in objects):
                    objects.append((model, ptr))
            else:
                if pu.prop:
                    self.warn("W304", f"variant of {pu.name} is not an object: decoded by JSON kind", ptr)
                others.append((t, ptr))
        if any(isinstance(t, ir.AnyType) for t, _ in others):
            return ir.Alias(pu.name, pu.module, pu.pointer, pu.description, ir.AnyType())
        if objects and not others:
            return self._tagged(pu.name, objects)
        arms: dict[Kind, ir.TypeRef] = {}
        if len(objects) == 1:
            arms["dict"] = ir.Ref(objects[0][0].name)
        elif objects:
            inner_name = self.sb.claim_class(pu.name + "Object", pu.pointer)
            self.sb.defs[inner_name] = self._tagged(inner_name, objects)
            arms["dict"] = ir.Ref(inner_name)
        for t, ptr in others:
            for kind in self._kinds(t, set()):
                current = arms.get(kind)
                if current is None:
                    arms[kind] = t
                elif _prefer(t, current, self.sb.defs):
                    arms[kind] = t
                elif t != current and not _subsumes(current, t, self.sb.defs):
                    self.warn(
                        "W309", f"two variants of {pu.name} are both JSON {_KIND_WORDS[kind]}: the first is used", ptr
                    )
        if len(set(arms.values())) == 1:
            return ir.Alias(pu.name, pu.module, pu.pointer, pu.description, next(iter(arms.values())))
        ordered = tuple(ir.Arm(k, arms[k]) for k in _ALL_KINDS if k in arms)
        return ir.KindUnion(pu.name, pu.module, pu.pointer, pu.description, ordered)

    # ---- flattening and kinds ------------------------------------------------------------
    def _flatten(
        self, variants: list[tuple[ir.TypeRef, str]], prop: str, seen: set[str]
    ) -> list[tuple[ir.TypeRef, str]]:
        out: list[tuple[ir.TypeRef, str]] = []
        for t, ptr in variants:
            inner = self.sb.pending.get(t.name) if isinstance(t, ir.Ref) else None
            if inner is not None and inner.name not in seen and (inner.prop == prop or not inner.prop):
                out.extend(self._flatten(inner.variants, prop, seen | {inner.name}))
            else:
                out.append((t, ptr))
        return out

    def _model_of(self, t: ir.TypeRef) -> ir.Model | None:
        for _ in range(20):
            if not isinstance(t, ir.Ref):
                return None
            d = self.sb.defs.get(t.name)
            if isinstance(d, ir.Model):
                return d
            if isinstance(d, ir.Alias) and t.name not in self.sb.pending:
                t = d.target
            else:
                return None
        return None

    def _kinds(self, t: ir.TypeRef, seen: set[str]) -> tuple[Kind, ...]:
        if isinstance(t, ir.Prim):
            return (t.kind,)
        if isinstance(t, ir.Const):
            return (
                ("bool",)
                if isinstance(t.value, bool)
                else ("str",)
                if isinstance(t.value, str)
                else ("int",)
                if isinstance(t.value, int)
                else ("float",)
            )
        if isinstance(t, ir.ListOf):
            return ("list",)
        if isinstance(t, ir.MapOf):
            return ("dict",)
        if isinstance(t, ir.Nullable):
            return self._kinds(t.inner, seen)
        if isinstance(t, ir.AnyType):
            return _ALL_KINDS
        if t.name in seen:
            return ()
        seen = seen | {t.name}
        if t.name in self.sb.pending:
            kinds: list[Kind] = []
            for vt, _ in self.sb.pending[t.name].variants:
                kinds.extend(k for k in self._kinds(vt, seen) if k not in kinds)
            return tuple(kinds)
        d = self.sb.defs.get(t.name)
        if isinstance(d, ir.Enum):
            return ("str",)
        if isinstance(d, ir.Alias):
            return self._kinds(d.target, seen)
        if isinstance(d, (ir.Model, ir.TaggedUnion)):
            return ("dict",)
        if isinstance(d, ir.KindUnion):
            return tuple(a.kind for a in d.arms)
        return ()

    # ---- tagged --------------------------------------------------------------------------
    def _tagged(self, name: str, objects: list[tuple[ir.Model, str]]) -> ir.TaggedUnion:
        pu = self.pu
        prop = pu.prop or self._infer_prop([m for m, _ in objects])
        if not pu.prop:
            if prop:
                self.warn("I305", f"{name} has no discriminator: its variants are told apart by {prop!r}")
            else:
                self.warn("W309", f"{name} has no tag property: variants are chosen by their required keys")
        variants = tuple(ir.Variant(m.name, tuple(f.wire for f in m.fields if f.required)) for m, _ in objects)
        required = {v.name: len(v.required) for v in variants}
        by_tag: dict[str, list[str]] = {}
        untagged: list[str] = []
        mapped = self._mapping()
        for model, ptr in objects:
            if not prop:
                untagged.append(model.name)
                continue
            tags, optional = self._tags_of(model, prop, mapped)
            if not tags:
                self.warn(
                    "W301",
                    f"variant {model.name} of {name} has no single-valued {prop!r}: it decodes data without a tag",
                    ptr,
                )
                untagged.append(model.name)
                continue
            if optional:
                self.warn(
                    "W303",
                    f"variant {model.name} of {name} has an optional {prop!r}: it also decodes data without one",
                    ptr,
                )
                untagged.append(model.name)
            for tag in tags:
                by_tag.setdefault(tag, []).append(model.name)
        cases = []
        for tag, names in by_tag.items():
            if len(names) > 1:
                self.warn(
                    "W302", f"variants {', '.join(names)} of {name} share the tag {tag!r}: chosen by required keys"
                )
            cases.append(ir.Case(tag, tuple(sorted(names, key=lambda n: -required[n]))))
        untagged_sorted = tuple(sorted(untagged, key=lambda n: -required[n]))
        unknown = self.sb.claim_class("Unknown" + name, pu.pointer)
        return ir.TaggedUnion(
            name, pu.module, pu.pointer, pu.description, prop, variants, tuple(cases), untagged_sorted, unknown
        )

    def _mapping(self) -> dict[str, list[str]]:
        """discriminator.mapping as class name -> tags."""
        out: dict[str, list[str]] = {}
        for tag, ref in self.pu.mapping.items():
            target = self.sb.component_name(ref if ref.startswith("#") else f"#/components/schemas/{ref}")
            if target is not None:
                out.setdefault(target, []).append(tag)
            else:
                self.warn(
                    "W301",
                    f"discriminator mapping {tag!r} -> {ref!r} names no variant",
                    f"{self.pu.pointer}/discriminator/mapping/{escape_token(tag)}",
                )
        return out

    def _tags_of(self, model: ir.Model, prop: str, mapped: dict[str, list[str]]) -> tuple[list[str], bool]:
        field = next((f for f in model.fields if f.wire == prop), None)
        optional = field is None or not field.required
        if model.name in mapped:
            return mapped[model.name], False
        if field is None:
            return [], True
        t = field.type
        if isinstance(t, ir.Nullable):
            t, optional = t.inner, True
        if isinstance(t, ir.Ref):
            d = self.sb.defs.get(t.name)
            if isinstance(d, ir.Alias):
                t = d.target.inner if isinstance(d.target, ir.Nullable) else d.target
        if isinstance(t, ir.Const) and isinstance(t.value, str):
            return [t.value], optional
        if isinstance(t, ir.Ref):
            d = self.sb.defs.get(t.name)
            if isinstance(d, ir.Enum):
                return [m.value for m in d.members], optional
        return [], optional

    def _infer_prop(self, models: list[ir.Model]) -> str:
        if len(models) < 2:
            return ""
        candidates = [f.wire for f in models[0].fields]
        for prop in candidates:
            seen: set[str] = set()
            ok = True
            for model in models:
                tags, _ = self._tags_of(model, prop, {})
                if not tags or seen & set(tags):
                    ok = False
                    break
                seen.update(tags)
            if ok:
                return prop
        return ""


_KIND_WORDS = {
    "str": "strings",
    "int": "integers",
    "float": "numbers",
    "bool": "booleans",
    "list": "arrays",
    "dict": "objects",
}


def _prefer(new: ir.TypeRef, current: ir.TypeRef, defs: dict[str, ir.Definition]) -> bool:
    """An open enum beats a plain string (`anyOf: [string, enum]` is the open-enum idiom)."""
    return (
        isinstance(current, ir.Prim)
        and current.kind == "str"
        and isinstance(new, ir.Ref)
        and isinstance(defs.get(new.name), ir.Enum)
    )


def _subsumes(current: ir.TypeRef, new: ir.TypeRef, defs: dict[str, ir.Definition]) -> bool:
    if isinstance(current, ir.Ref) and isinstance(defs.get(current.name), ir.Enum):
        return isinstance(new, (ir.Prim, ir.Const))
    if isinstance(current, ir.Prim) and isinstance(new, ir.Const):
        return True
    if isinstance(current, ir.Prim) and isinstance(new, ir.Prim):
        return current.kind == new.kind
    return False
