"""plan, the types modules: each module's enums, models, unions and aliases as views
(`types_module`), and the index api.md lists them by (`types_index`)."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from . import ir
from .importorder import member_key, module_key
from .naming import Namespace, snake
from .pytypes import Code, Types, docstring, literal, union, uses
from .views import (
    AliasView,
    EnumView,
    FieldView,
    IndexEntryView,
    KindView,
    ModelView,
    TaggedView,
    TypesIndexView,
    TypesModuleView,
)

if TYPE_CHECKING:
    from .planmemo import PlanMemo


def types_module(
    defs: list[ir.Definition],
    types: Types,
    module: str,
    owners: dict[str, str],
    exported: tuple[str, ...],
    memo: PlanMemo | None,
) -> TypesModuleView:
    """The view of one types module (its definitions `defs`, exporting `exported`); with a `memo`,
    the last build's view when its inputs are unchanged."""
    key = memo.key(module, defs, exported) if memo is not None else None
    view = memo.get(key) if memo is not None else None
    if view is None:
        view = replace(_module_view(defs, types, module, owners), names=exported)
        if memo is not None:
            memo.put(key, view)
    return view


def types_index(m: TypesModuleView, memo: PlanMemo | None) -> TypesIndexView:
    def make() -> TypesIndexView:
        return TypesIndexView(
            tuple(IndexEntryView(e.name, ", ".join(value for _, value in e.members)) for e in m.enums),
            tuple(IndexEntryView(x.name, ", ".join(f.attr for f in x.fields)) for x in m.models),
            tuple(IndexEntryView(t.name, t.prop, t.unknown) for t in m.tagged),
            tuple(IndexEntryView(k.name) for k in m.kinds),
            tuple(IndexEntryView(a.name, a.value) for a in m.aliases),
        )

    return memo.derive(m, b"index", TypesIndexView, make) if memo is not None else make()


def _module_view(defs: list[ir.Definition], types: Types, module: str, owners: dict[str, str]) -> TypesModuleView:
    enums = tuple(
        EnumView(d.name, docstring(d.description), tuple((m.attr, literal(m.value)) for m in d.members))
        for d in defs
        if isinstance(d, ir.Enum)
    )
    models = _name_key_sets(tuple(_model(d, types) for d in defs if isinstance(d, ir.Model)))
    tagged = tuple(_tagged(d, types) for d in defs if isinstance(d, ir.TaggedUnion))
    tables = Namespace(frozenset(), "_")  # FooBar and FooBAR would both get _FOO_BAR_BY_TAG
    tagged = tuple(replace(t, table=tables.claim(t.table)[0]) for t in tagged)
    kinds = tuple(_kind(d, types) for d in defs if isinstance(d, ir.KindUnion))
    aliases = _ordered_aliases(defs, types, tagged, kinds)
    used = _types_module_uses(defs, types)
    imports: dict[str, set[str]] = {}
    for name in sorted(used.refs):
        owner = owners.get(name)
        if owner is not None and owner != module:
            imports.setdefault(owner, set()).add(name)
    wanted: set[str] = {n for n in ("Any", "Literal") if n in used.typing}
    if models:
        wanted |= {"Any", "Mapping", "TYPE_CHECKING"}  # (TYPE_CHECKING: the key sets' declarations)
    if aliases:
        wanted.add("TypeAlias")
    if tagged or kinds:
        wanted.add("Any")
    optional_fields = any(not f.required for m in models for f in m.fields)  # annotated `X | Unset`, default UNSET
    needs_unset = optional_fields or any(t.prop_attr for t in tagged)
    runtime = tuple(
        n for n, needed in (("EMPTY", bool(models)), ("UNSET", needs_unset), ("Unset", optional_fields)) if needed
    )
    return TypesModuleView(
        name=module,
        imports=tuple(
            (m, tuple(sorted(n, key=member_key))) for m, n in sorted(imports.items(), key=lambda e: module_key(e[0]))
        ),
        typing=tuple(sorted(wanted, key=member_key)),
        runtime=runtime,
        aliases=aliases,
        enums=enums,
        models=models,
        tagged=tagged,
        kinds=kinds,
    )


def _types_module_uses(defs: list[ir.Definition], types: Types) -> Code:
    """The names a types module's annotations and decoders use (encoders name no types)."""
    parts: list[Code] = []
    for d in defs:
        if isinstance(d, ir.Model):
            for f in d.fields:
                inner = types.resolve(f.type)
                inner = inner.inner if isinstance(inner, ir.Nullable) else f.type
                parts += [types.annotated(inner), types.decode_code(inner, "v")]
        elif isinstance(d, ir.Alias):
            parts.append(types.annotated(d.target))
        elif isinstance(d, ir.TaggedUnion):
            parts.append(Code("", tuple(v.name for v in d.variants)))
        elif isinstance(d, ir.KindUnion):
            parts += [c for a in d.arms for c in (types.annotated(a.type), types.decode_code(a.type, "data"))]
    return uses("", *parts)


def _ordered_aliases(
    defs: list[ir.Definition], types: Types, tagged: tuple[TaggedView, ...], kinds: tuple[KindView, ...]
) -> tuple[AliasView, ...]:
    """Type aliases are evaluated at import: each must come after the aliases it names."""
    views: dict[str, AliasView] = {}
    names: dict[str, tuple[str, ...]] = {}  # alias -> the names its value uses, in order
    tagged_views, kind_views = {t.name: t for t in tagged}, {k.name: k for k in kinds}
    for d in defs:
        if isinstance(d, ir.Alias):
            value = types.annotated(d.target)
            views[d.name] = AliasView(d.name, docstring(d.description), value.text, value.members)
            names[d.name] = value.refs
        elif isinstance(d, ir.TaggedUnion):
            t = tagged_views[d.name]
            names[d.name] = tuple(v.name for v in d.variants)
            views[d.name] = AliasView(t.name, t.doc, t.alias, (*names[d.name], d.unknown))
        elif isinstance(d, ir.KindUnion):
            k, arms = kind_views[d.name], union(types.annotated(a.type) for a in d.arms)
            names[d.name] = arms.refs
            views[d.name] = AliasView(k.name, k.doc, k.alias, arms.members)
    order: list[AliasView] = []
    done: set[str] = set()

    def visit(name: str, trail: frozenset[str]) -> None:
        if name in done or name in trail:
            return
        words = [w for w in names[name] if w in views]
        for word in words:
            if word != name:
                visit(word, trail | {name})
        done.add(name)
        view = views[name]
        if any(w not in done or w == name for w in words):
            # recursive (`Value = str | list[Value]`): not defined yet when evaluated, so quoted
            view = replace(view, value=f'"{view.value}"', members=(f'"{view.value}"',))
        order.append(view)

    for name in sorted(views):
        visit(name, frozenset())
    return tuple(order)


def _model(d: ir.Model, types: Types) -> ModelView:
    fields = []
    for f in d.fields:
        t = types.resolve(f.type) if isinstance(types.resolve(f.type), ir.Nullable) else f.type
        nullable = isinstance(t, ir.Nullable)
        inner = t.inner if isinstance(t, ir.Nullable) else t
        annotation = types.annotation(inner)
        if not f.required:
            annotation += " | Unset"
            default = "UNSET"
        else:
            const = types.resolve(f.type)
            default = literal(const.value) if isinstance(const, ir.Const) else ""
        if nullable:
            annotation += " | None"
        doc = f.description
        if f.has_default:
            doc = (doc + "\n\n" if doc else "") + f"Default on the server: `{f.default!r}`."
        wire = literal(f.wire)
        encoded = types.encode(inner, f"self.{f.attr}")
        if nullable and encoded != f"self.{f.attr}":
            encoded = f"None if self.{f.attr} is None else {encoded}"
        fields.append(
            FieldView(
                attr=f.attr,
                wire=wire,
                annotation=annotation,
                default=default,
                doc=docstring(doc),
                required=f.required,
                nullable=nullable,
                decode=types.decode(inner, "v"),
                decode_direct=types.decode(inner, f"data[{wire}]"),
                encode=encoded,
            )
        )
    keys = tuple(literal(f.wire) for f in d.fields)
    collections = any(types.encodes_model_collection(f.type) for f in d.fields)
    return ModelView(d.name, docstring(d.description), tuple(fields), keys, model_collections=collections)


def _name_key_sets(models: tuple[ModelView, ...]) -> tuple[ModelView, ...]:
    """`_KEYS_FOOBAR` for FooBar; FooBAR in the same module gets `_KEYS_FOOBAR_2`."""
    names = Namespace(frozenset(), "_")
    return tuple(replace(m, keys_name=names.claim("_KEYS_" + m.name.upper())[0]) for m in models)


def _tagged(d: ir.TaggedUnion, types: Types) -> TaggedView:
    required = {v.name: v.required for v in d.variants}

    def chooser(names: tuple[str, ...]) -> tuple[str, ...]:
        if len(names) == 1:
            return (f"{names[0]}.from_dict",)
        return tuple(f"({n}.from_dict, frozenset({{{', '.join(literal(k) for k in required[n])}}}))" for n in names)

    entries = [(literal(c.tag), chooser(c.variants)) for c in d.cases]
    if d.untagged:
        entries.append(("None", chooser(d.untagged)))
    members = [v.name for v in d.variants] + [d.unknown]
    prop_attr = (
        d.prop
        if d.prop.isidentifier()
        and d.prop not in ("raw", "error", "tag", "tag_property", "to_dict", "from_dict")
        and not d.prop.startswith("_")
        else ""
    )
    import keyword

    if keyword.iskeyword(prop_attr):
        prop_attr = ""
    return TaggedView(
        name=d.name,
        doc=docstring(d.description),
        alias=" | ".join(members),
        decoder=types.decoders[d.name],
        table="_" + snake(d.name).upper() + "_BY_TAG",
        prop=literal(d.prop),
        prop_attr=prop_attr,
        unknown=d.unknown,
        entries=tuple(entries),
    )


_KIND_TEST = {
    "str": "kind is str",
    "int": "kind is int",
    "bool": "kind is bool",
    "list": "kind is list",
    "dict": "kind is dict",
}
_KIND_WORD = {
    "str": "a string",
    "int": "an integer",
    "float": "a number",
    "bool": "a boolean",
    "list": "an array",
    "dict": "an object",
}


def _kind(d: ir.KindUnion, types: Types) -> KindView:
    kinds = {a.kind for a in d.arms}
    # an arm that admits null (`type: [string, "null"]`) makes the union admit it: its alias ends in `| None`
    nullable = any(isinstance(types.resolve(a.type), ir.Nullable) for a in d.arms)
    branches = [("data is None", "None")] if nullable else []
    for arm in d.arms:
        test = _KIND_TEST.get(arm.kind) or ("kind is float" if "int" in kinds else "kind is float or kind is int")
        branches.append((test, types.decode(arm.type, "data")))
    words = [_KIND_WORD[a.kind] for a in d.arms] + (["null"] if nullable else [])
    expected = ", ".join(words[:-1]) + " or " + words[-1] if len(words) > 1 else words[0]
    alias = union(types.annotated(a.type) for a in d.arms).text
    return KindView(d.name, docstring(d.description), alias, types.decoders[d.name], tuple(branches), literal(expected))
