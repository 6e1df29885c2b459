"""Stage 5, plan: the IR -> one render job per output file, each with its template context.

Its views (views.py) ARE the template API (documented in docs/templates.md and checked by
tests): templates only format what is decided here; planmethods.py makes each method's.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace
from functools import cache
from typing import TYPE_CHECKING, Any

from . import ir
from .examples import example, required_call
from .naming import Namespace, pascal, snake
from .planmethods import RUNTIME_ORDER, method
from .pytypes import Code, Types, docstring, literal, union, uses
from .typelayout import layout
from .views import (
    FLAVORS,
    AliasView,
    CredentialView,
    EnumView,
    FieldView,
    IndexEntryView,
    Job,
    KindView,
    MethodView,
    ModelView,
    Options,
    ParamView,
    ResourceModuleView,
    ResourceView,
    TaggedView,
    TypesIndexView,
    TypesModuleView,
)

if TYPE_CHECKING:
    from .planmemo import PlanMemo

# The package's public names -> the module (relative to the package) each lives in: the one
# table the package __init__ renders its lazy imports, type-checking imports and __all__ from.
_ERRORS = (
    "APIConnectionError",
    "APIError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ConflictError",
    "InternalServerError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "UnprocessableEntityError",
)
PUBLIC: dict[str, str] = {
    "Client": "._client",
    "AsyncClient": "._client",
    **{name: "._runtime.errors" for name in _ERRORS},
    "RawResponse": "._runtime.http",
    "BinaryResponse": "._runtime.binary",
    "Stream": "._runtime.sse",
    "AsyncStream": "._runtime.sse",
    **{
        name: "._runtime.models" for name in ("UNSET", "Unset", "DecodeError", "Unknown", "lenient_decoding", "misfits")
    },
}
RUNTIME_FILES = (
    "__init__.py",
    "models.py",
    "errors.py",
    "http.py",
    "pagination.py",
    "params.py",
    "uploads.py",
    "binary.py",
    "sse.py",
    "auth.py",
    "wrappers.py",
    "lazy.py",
)


def plan(api: ir.Api, options: Options, memo: PlanMemo | None = None) -> list[Job]:
    """With a `memo`, a types module or a method whose inputs are as in an earlier build reuses
    that build's view (planmemo.py)."""
    decoders = _decoder_names(api)
    types = Types(api, decoders)
    pkg = options.package
    files = layout(api)  # the IR's type modules packed into fewer, larger files (typelayout.py)
    exports = _exports(api, decoders, files)
    names: dict[str, list[str]] = {}
    for name, module in exports:
        names.setdefault(module, []).append(name)
    by_module: dict[str, list[ir.Definition]] = {}
    for d in api.definitions:
        by_module.setdefault(files[d.module], []).append(d)
    # who defines each generated name (definitions and union decoders): what a module imports from where
    owners = {d.name: files[d.module] for d in api.definitions}
    owners |= {fn: files[types.defs[n].module] for n, fn in decoders.items()}
    if memo is not None:
        memo.start(api, decoders, owners)
    modules = [
        _types_module_memo(by_module.get(m, []), types, m, owners, tuple(_dunder_all(names.get(m, ()))), memo)
        for m in sorted(by_module)
    ]
    resources, resource_modules = _resources(api, types, options, owners, memo)
    common = {"package": pkg, "options": options, "api": _api_view(api), "flavors": FLAVORS}
    common["public"] = _dunder_all(PUBLIC)
    common["public_modules"] = sorted(PUBLIC.items(), key=lambda e: (_module_key(e[1]), _member_key(e[0])))
    common["security"] = _credentials(api, options)
    common["required_scheme"] = _required_scheme(api)
    methods = [m for top in resources for r in _walk(top) for m in r.methods]
    ops = {(op.resource, op.method_name): op for op in api.operations}
    common["walkthrough"] = tuple(step for top in resources for step in _walkthrough(top, ops))
    common["sample"] = next((m for m in methods if m.call and not m.page and m.http_method == '"GET"'), None)
    common["paged"] = next((m for m in methods if m.call and m.page), None)
    common["groups"] = _groups(resources, api, ops)
    common["packages"] = (pkg, f"{pkg}._runtime", f"{pkg}.resources", f"{pkg}.types") + tuple(
        f"{pkg}." + m.file.removesuffix("/__init__.py").replace("/", ".")
        for m in resource_modules
        if m.file.endswith("/__init__.py")
    )
    jobs = [
        Job("pyproject.toml", "pyproject.toml.jinja", common),
        Job(f"{pkg}/py.typed", "py.typed.jinja", common),
        Job(f"{pkg}/__init__.py", "package_init.py.jinja", {**common, "resources": resources}),
        Job(f"{pkg}/_client.py", "client.py.jinja", {**common, "resources": resources}),
        Job(
            f"{pkg}/types/__init__.py",
            "types_init.py.jinja",
            {**common, "exports": exports, "export_groups": _grouped(exports)},
        ),
        Job(f"{pkg}/resources/__init__.py", "resources_init.py.jinja", {**common, "resources": resources}),
        Job("README.md", "README.md.jinja", {**common, "resources": resources, "modules": resource_modules}),
        Job(
            "api.md",
            "api.md.jinja",
            {
                **common,
                "resources": resources,
                "modules": resource_modules,
                "type_modules": modules,
                "type_index": tuple(_types_index(m, memo) for m in modules),
            },
        ),
    ]
    jobs += [Job(f"{pkg}/_runtime/{f}", "", source=f"runtime/{f}") for f in RUNTIME_FILES]
    jobs += [Job(f"{pkg}/types/{m.name}.py", "types_module.py.jinja", {**common, "module": m}) for m in modules]
    jobs += [Job(f"{pkg}/{m.file}", "resource_module.py.jinja", {**common, "module": m}) for m in resource_modules]
    return sorted(jobs, key=lambda j: j.path)


def _credentials(api: ir.Api, options: Options) -> tuple[CredentialView, ...]:
    overrides = dict(options.env_vars)
    out = []
    for s in api.security_schemes:
        envs = tuple(overrides.get(arg, f"{options.env_prefix}_{arg.upper()}") for arg in s.args)
        if s.kind == "basic":
            how = f"`Authorization: Basic base64(<{s.args[0]}>:<{s.args[1]}>)`"
        elif s.kind == "bearer":
            how = f"`Authorization: Bearer <{s.args[0]}>`"
        else:
            how = {
                "header": f"header `{s.wire}: <{s.args[0]}>`",
                "query": f"query parameter `?{s.wire}=<{s.args[0]}>`",
                "cookie": f"cookie `{s.wire}=<{s.args[0]}>`",
            }[s.kind]
        out.append(
            CredentialView(
                literal(s.name),
                s.name,
                literal(s.kind),
                literal(s.wire),
                s.args,
                envs,
                s.provider,
                how,
                s.spec_type,
                " ".join(s.description.split()),
            )
        )
    return tuple(out)


def _required_scheme(api: ir.Api) -> str:
    """A scheme that every operation requires (and nothing else): the client needs it to do anything."""
    needs = {op.security for op in api.operations}
    only = next(iter(needs)) if len(needs) == 1 else ()
    return literal(only[0][0]) if len(only) == 1 and len(only[0]) == 1 else ""


def _walk(resource: ResourceView) -> list[ResourceView]:
    return [resource] + [r for child in resource.children for r in _walk(child)]


# The order a user runs an API's calls in on one server: make a thing, read it, change it, list
# them, other calls, and delete it last, after everything nested under it.
_CREATE, _RETRIEVE, _UPDATE, _LIST, _OTHER, _DELETE = range(6)


def _usage_rank(op: ir.Operation) -> int:
    on_one = op.path.rstrip("/").endswith("}")  # the path ends with the id of one thing
    if op.http_method == "DELETE":
        return _DELETE
    if op.http_method == "POST" and not on_one:
        return _CREATE
    if op.http_method == "GET":
        return _RETRIEVE if on_one else _LIST
    return _UPDATE if on_one and op.http_method in ("POST", "PUT", "PATCH") else _OTHER


_Ops = dict[tuple[tuple[str, ...], str], ir.Operation]  # (resource path, method name) -> operation


def _walkthrough(resource: ResourceView, ops: _Ops) -> list[tuple[ResourceView, MethodView]]:
    """The README's examples: a resource's calls in usage order, its children's before its deletes."""
    rank = {m.name: _usage_rank(ops[(resource.path, m.name)]) for m in resource.methods}
    ranked = sorted(resource.methods, key=lambda m: (rank[m.name], m.name))
    steps = [(resource, m) for m in ranked if rank[m.name] != _DELETE]
    steps += [step for child in resource.children for step in _walkthrough(child, ops)]
    return steps + [(resource, m) for m in ranked if rank[m.name] == _DELETE]


def _groups(
    resources: tuple[ResourceView, ...], api: ir.Api, ops: _Ops
) -> tuple[tuple[ResourceView, MethodView, str, str], ...]:
    """The README's example per top-level resource: its first call in usage order, with the
    arguments it requires (resource, method, the call, the first sentence of its summary)."""
    index = api.index()
    out = []
    for top in resources:
        steps = _walkthrough(top, ops)
        if steps:
            resource, method = steps[0]
            op = ops[(resource.path, method.name)]
            paragraph = " ".join((op.summary or op.description).split("\n\n")[0].split())
            end = re.search(r"(?<=[.!?])\s", paragraph)
            out.append((resource, method, required_call(op, index), paragraph[: end.start()] if end else paragraph))
    return tuple(out)


def _api_view(api: ir.Api) -> dict[str, str]:
    # one line: the title also sits inside indented docstrings, where a line break would not
    def tuple_of(items: list[str]) -> str:  # a Python tuple display, as black writes it
        return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"

    variables = tuple_of(
        [
            tuple_of([literal(v.name), literal(v.default), tuple_of([literal(e) for e in v.enum])])
            for v in api.server_variables
        ]
    )
    return {
        "title": docstring(" ".join(api.title.split())),
        "version": docstring(api.version),
        "server_url": literal(api.server_url),
        "description": docstring(api.description),
        "server_template": literal(api.server_template),
        "server_variables": variables if api.server_variables else "",
        "server_variable_names": ", ".join(f"`{v.name}`" for v in api.server_variables),
    }


def _decoder_names(api: ir.Api) -> dict[str, str]:
    names = Namespace(frozenset(d.name for d in api.definitions), "_")
    out = {}
    for d in api.definitions:
        if isinstance(d, (ir.TaggedUnion, ir.KindUnion)):
            out[d.name] = names.claim(snake(d.name) + "_from_dict")[0]
    return out


def _exports(api: ir.Api, decoders: dict[str, str], files: dict[str, str]) -> tuple[tuple[str, str], ...]:
    out: list[tuple[str, str]] = []
    for d in api.definitions:
        file = files[d.module]
        out.append((d.name, file))
        if isinstance(d, ir.TaggedUnion):
            out.append((d.unknown, file))
        if d.name in decoders:
            out.append((decoders[d.name], file))
    return tuple(sorted(out, key=lambda e: (_module_key(e[1]), _member_key(e[0]))))


def _dunder_all(names: Any) -> list[str]:
    """In the order of ruff's RUF022: by type, then naturally and case-sensitively."""
    return sorted(names, key=lambda n: (_member_key(n)[0], _natural(n)))


def _grouped(exports: tuple[tuple[str, str], ...]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(module, names) of `_exports`, in its order (Jinja's groupby would sort `get10` before `get2`)."""
    groups: dict[str, list[str]] = {}
    for name, module in exports:
        groups.setdefault(module, []).append(name)
    return tuple((module, tuple(names)) for module, names in groups.items())


# The order ruff's isort (I001) wants, so that generated imports need no fixing:
_DIGITS = re.compile(r"(\d+)")


@cache  # sorting asks again for the same names
def _natural(text: str) -> tuple[str | int, ...]:
    """`Get2` before `Get10`: runs of digits compare as numbers."""
    if _DIGITS.search(text) is None:  # most names: no digit to compare
        return (text,)
    return tuple(int(run) if i % 2 else run for i, run in enumerate(_DIGITS.split(text)))


@cache  # (the same few thousand names are sorted several times a build)
def _member_key(name: str) -> tuple[int, tuple[str | int, ...], tuple[str | int, ...]]:
    """A name imported `from m import ...`: by type (CONSTANTS, Classes, functions; a one-letter
    `X` is a class), then case-insensitively (`CertificateUpdated` after `CertificatesActivated`)."""
    kind = 0 if len(name) > 1 and name.isupper() else 1 if name[:1].isupper() else 2
    return kind, _natural(name.lower()), _natural(name)


@cache
def _module_key(module: str) -> tuple[tuple[str | int, ...], tuple[str | int, ...]]:
    return _natural(module.lower()), _natural(module)


# ---- types modules -------------------------------------------------------------------------
def _types_module_memo(
    defs: list[ir.Definition],
    types: Types,
    module: str,
    owners: dict[str, str],
    exported: tuple[str, ...],
    memo: PlanMemo | None,
) -> TypesModuleView:
    key = memo.key(module, defs, exported) if memo is not None else None
    view = memo.get(key) if memo is not None else None
    if view is None:
        view = replace(_types_module(defs, types, module, owners), names=exported)
        if memo is not None:
            memo.put(key, view)
    return view


def _types_index(m: TypesModuleView, memo: PlanMemo | None) -> TypesIndexView:
    def make() -> TypesIndexView:
        return TypesIndexView(
            tuple(IndexEntryView(e.name, ", ".join(value for _, value in e.members)) for e in m.enums),
            tuple(IndexEntryView(x.name, ", ".join(f.attr for f in x.fields)) for x in m.models),
            tuple(IndexEntryView(t.name, t.prop, t.unknown) for t in m.tagged),
            tuple(IndexEntryView(k.name) for k in m.kinds),
            tuple(IndexEntryView(a.name, a.value) for a in m.aliases),
        )

    return memo.derive(m, b"index", TypesIndexView, make) if memo is not None else make()


def _types_module(defs: list[ir.Definition], types: Types, module: str, owners: dict[str, str]) -> TypesModuleView:
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
            (m, tuple(sorted(n, key=_member_key))) for m, n in sorted(imports.items(), key=lambda e: _module_key(e[0]))
        ),
        typing=tuple(sorted(wanted, key=_member_key)),
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


# ---- resources -------------------------------------------------------------------------------
def _resources(
    api: ir.Api, types: Types, options: Options, owners: dict[str, str], memo: PlanMemo | None = None
) -> tuple[tuple[ResourceView, ...], tuple[ResourceModuleView, ...]]:
    by_path: dict[tuple[str, ...], list[ir.Operation]] = {}
    for op in api.operations:
        for i in range(1, len(op.resource) + 1):
            by_path.setdefault(op.resource[:i], [])
        by_path[op.resource].append(op)
    settled = dict(api.resource_classes)
    class_names = Namespace(
        frozenset(d.name for d in api.definitions) | {"Client", "AsyncClient"} | set(settled.values())
    )
    schemes = {s.name: s for s in api.security_schemes}

    below: dict[tuple[str, ...], list[tuple[str, ...]]] = {}  # a resource path -> its children's, sorted
    for p in sorted(by_path):
        below.setdefault(p[:-1], []).append(p)

    def make(path: tuple[str, ...]) -> ResourceView:
        cls = settled.get(path) or class_names.claim(pascal(path[-1]))[0]
        children = tuple(make(p) for p in below.get(path, ()))
        methods = []
        hidden: set[str] = set()  # builtins the class's methods so far hide (see _qualified)
        for op in by_path[path]:
            # (the usage example is made from the operation and these names alone: made only if needed)
            key = (
                memo.method_key(op, (options.package, options.client_name), tuple(sorted(hidden)))
                if memo is not None
                else None
            )
            view = memo.get(key, MethodView) if memo is not None else None
            if view is None:
                view = method(op, types, example(op, options.package, options.client_name), schemes)
                view = _qualified(view, hidden) if hidden else view
                if memo is not None:
                    memo.put(key, view)
            methods.append(view)
            hidden |= _BUILTINS & {view.name, *view.aliases}
        return ResourceView(cls, path[-1], path, tuple(methods), children)

    tops = tuple(make(p) for p in sorted((p for p in by_path if len(p) == 1), key=lambda p: _module_key(p[0])))
    modules = [_resource_module(r, owners) for top in tops for r in _walk(top)]
    return tops, tuple(modules)


def _resource_module(r: ResourceView, owners: dict[str, str]) -> ResourceModuleView:
    """One module per resource, in folders mirroring the resource tree (resources/beta/threads/runs.py):
    a client loads only the resources it touches, and no module holds a whole API."""
    used = {n for m in r.methods for n in m.uses}
    imports: dict[str, set[str]] = {}
    for name in sorted(used):
        owner = owners.get(name)
        if owner is not None:
            imports.setdefault(owner, set()).add(name)
    typing = ("TYPE_CHECKING",) + tuple(n for n in ("Any", "Literal") if n in used)
    abc = (("Mapping",) if r.methods else ()) + (("Sequence",) if "Sequence" in used else ())
    if any(m.overloads for m in r.methods):
        typing += ("overload",)
    params = [p for m in r.methods for p in m.positional + m.keyword]
    runtime = tuple(n for n in RUNTIME_ORDER if any(n in m.runtime for m in r.methods))
    file = "resources/" + "/".join(r.path) + ("/__init__.py" if r.children else ".py")
    return ResourceModuleView(
        ".".join(r.path),
        (r,),
        _page_imports(m.page for m in r.methods),
        tuple(
            (m, tuple(sorted(n, key=_member_key))) for m, n in sorted(imports.items(), key=lambda e: _module_key(e[0]))
        ),
        typing,
        abc,
        runtime,
        any(m.body_wrap for m in r.methods),
        any("FileTypes" in p.annotation for p in params),
        file,
        "." * (len(r.path) + (2 if r.children else 1)),
    )


# A method named like a builtin (`list`) hides it, for mypy, in the annotations of the methods after
# it in the class body: those say `builtins.list[...]` instead.
_BUILTINS = frozenset({"list", "dict", "str", "int", "float", "bool", "bytes", "object", "type", "tuple", "set"})
_BUILTIN_QUALIFIED = "builtins."


def _qualified(m: MethodView, hidden: set[str]) -> MethodView:
    pattern = re.compile(r"(?<![\w.])(" + "|".join(sorted(hidden)) + r")\b")
    fixed = False

    def fix(text: str) -> str:
        nonlocal fixed
        text, count = pattern.subn(_BUILTIN_QUALIFIED + r"\1", text)
        fixed = fixed or count > 0
        return text

    def params(views: tuple[ParamView, ...]) -> tuple[ParamView, ...]:
        return tuple(replace(p, annotation=fix(p.annotation)) for p in views)

    out = replace(
        m,
        returns=fix(m.returns),
        page_item=fix(m.page_item),
        event_type=fix(m.event_type),
        positional=params(m.positional),
        keyword=params(m.keyword),
        query=params(m.query),
        body_fields=params(m.body_fields),
        headers=params(m.headers),
        cookies=params(m.cookies),
        overloads=tuple((kind, params(views)) for kind, views in m.overloads),
    )
    return replace(out, runtime=tuple(n for n in RUNTIME_ORDER if n in m.runtime or n == "builtins")) if fixed else out


def _page_imports(pages: Iterable[str]) -> tuple[str, ...]:
    """The names a resource module imports from the runtime's pagination, sorted as isort does: the
    page class of each flavor (`flavor.page_prefix` + `MethodView.page`), the `Paging` facts and the
    async flavor's pager (what the template's `call` writes)."""
    used = {p for p in pages if p}
    if not used:
        return ()
    names = {"Paging"} | {"AsyncPager" for f in FLAVORS if f.is_async}
    names |= {f.page_prefix + p for p in used for f in FLAVORS}
    return tuple(sorted(names, key=_member_key))
