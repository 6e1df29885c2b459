"""Stage 5, plan: the IR -> one render job per output file, each with its template context.

The view dataclasses below ARE the template API (documented in docs/templates.md and
checked by tests): templates only format what is decided here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

from . import ir
from .examples import example
from .naming import Namespace, pascal, snake
from .pytypes import Types, docstring, literal


@dataclass(frozen=True)
class Options:
    package: str
    version: str = "0.1.0"
    env_prefix: str = "CLIENT"  # credentials are read from PREFIX_<ARGUMENT> unless `env_vars` names them
    base_url_env: str = "CLIENT_BASE_URL"
    array_format: str = "brackets"
    client_name: str = "Client"
    env_vars: tuple[tuple[str, str], ...] = ()  # (client argument, environment variable)


@dataclass(frozen=True)
class CredentialView:
    """One security scheme the client can send: its constructor arguments and environment variables."""

    scheme: str  # literal of the scheme's name
    name: str  # the scheme's name as in the spec
    kind: str  # literal: "bearer", "basic", "header", "query" or "cookie"
    wire: str  # literal of the header, query parameter or cookie name
    args: tuple[str, ...]  # the token, or username and password
    envs: tuple[str, ...]  # environment variable of each of `args`
    provider: str  # argument taking a token-provider callable ("" when none)
    how: str  # how it is sent, for the docs, e.g. "`Authorization: Bearer <api_key>`"
    spec_type: str  # e.g. "HTTP bearer", "API key in header `X-Key`"
    description: str


@dataclass(frozen=True)
class FieldView:
    attr: str
    wire: str  # Python literal of the JSON key
    annotation: str
    default: str  # "" when the argument is required
    doc: str
    required: bool
    nullable: bool
    decode: str  # decodes `v`, a present non-null value
    decode_direct: str  # decodes data[wire] (required, non-null fields)
    encode: str  # JSON form of self.<attr> once known present


@dataclass(frozen=True)
class ModelView:
    name: str
    doc: str
    fields: tuple[FieldView, ...]
    keys: tuple[str, ...]  # Python literals of the known JSON keys
    keys_name: str = ""  # module-level name that holds `keys`, unique in its module


@dataclass(frozen=True)
class EnumView:
    name: str
    doc: str
    members: tuple[tuple[str, str], ...]  # (attribute, value literal)


@dataclass(frozen=True)
class TaggedView:
    name: str
    doc: str
    alias: str
    decoder: str
    table: str
    prop: str  # literal of the tag property
    prop_attr: str  # property on the Unknown class ("" when the name is not usable)
    unknown: str
    # (tag literal or None, decoder expressions): one `X.from_dict`, or several
    # `(X.from_dict, frozenset(required keys))` for `_r.choose` to pick from
    entries: tuple[tuple[str, tuple[str, ...]], ...]


@dataclass(frozen=True)
class KindView:
    name: str
    doc: str
    alias: str
    decoder: str
    branches: tuple[tuple[str, str], ...]  # (condition on `kind`, expression over `data`)
    expected: str


@dataclass(frozen=True)
class AliasView:
    name: str
    doc: str
    value: str
    members: tuple[str, ...]  # of `value` when it is a union (`A | B`), else just `value`


@dataclass(frozen=True)
class TypesModuleView:
    name: str
    imports: tuple[tuple[str, tuple[str, ...]], ...]
    typing: tuple[str, ...]
    runtime: tuple[str, ...]
    aliases: tuple[AliasView, ...]
    enums: tuple[EnumView, ...]
    models: tuple[ModelView, ...]
    tagged: tuple[TaggedView, ...]
    kinds: tuple[KindView, ...]


@dataclass(frozen=True)
class ParamView:
    attr: str
    wire: str
    annotation: str
    default: str
    doc: str


@dataclass(frozen=True)
class MethodView:
    name: str
    http_method: str
    path: str  # literal of the path template
    path_args: tuple[tuple[str, str], ...]  # (literal of the placeholder name, argument)
    positional: tuple[ParamView, ...]
    keyword: tuple[ParamView, ...]
    query: tuple[ParamView, ...]
    body_fields: tuple[ParamView, ...]
    body_param: str  # name of a whole-body argument, "" when flattened or none
    returns: str
    decode: str  # callable taking the JSON
    page: str  # page class name, "" when not paginated
    page_item: str  # annotation of one item of a page ("" when not paginated)
    cursor_arg: str  # the argument that takes the next page's cursor
    summary: str
    doc: str
    example: str
    deprecated: bool
    call: str = ""  # `client.a.b.method("id_123")` when path ids are all it needs, else ""
    security: str = ""  # literal of the accepted alternatives of scheme names, "" when none
    errors: tuple[tuple[str, str], ...] = ()  # (literal of the status key, decoder) of documented errors
    credentials: str = ""  # for the docs: the arguments it needs, e.g. "`api_key`" or "`username` + `password`"


@dataclass(frozen=True)
class PageView:
    name: str
    item: str
    response: str
    accessors: tuple[tuple[str, str], ...]  # (attribute, annotation) of the list object
    items_field: str
    has_more_field: str
    cursor_field: str
    cursor_param: str


@dataclass(frozen=True)
class ResourceView:
    name: str  # class name, e.g. Items
    attr: str  # attribute on the parent
    path: tuple[str, ...]
    methods: tuple[MethodView, ...]
    children: tuple[ResourceView, ...]


@dataclass(frozen=True)
class ResourceModuleView:
    name: str
    resources: tuple[ResourceView, ...]  # depth-first: parents before children
    pages: tuple[PageView, ...]
    imports: tuple[tuple[str, tuple[str, ...]], ...]
    typing: tuple[str, ...]  # names imported from `typing`
    abc: tuple[str, ...]  # names imported from `collections.abc`
    runtime: tuple[str, ...]  # "_r" when the module needs the models runtime, "_t" the types package


@dataclass(frozen=True)
class Job:
    path: str
    template: str  # template name, or "" to copy `source` from the runtime folder
    context: dict[str, Any] = field(default_factory=dict)
    source: str = ""


@dataclass(frozen=True)
class Flavor:
    """Sync or async: every client, resource and page class is rendered once per flavor."""

    is_async: bool
    prefix: str
    client: str
    page_base: str


FLAVORS = (Flavor(False, "", "SyncAPIClient", "SyncCursorPage"), Flavor(True, "Async", "AsyncAPIClient", "AsyncCursorPage"))
PUBLIC = ("APIConnectionError", "APIError", "APIResponseValidationError", "APIStatusError", "APITimeoutError",
          "AsyncClient", "AuthenticationError", "BadRequestError", "Client", "ConflictError", "DecodeError",
          "InternalServerError", "NotFoundError", "PermissionDeniedError", "RateLimitError", "RawResponse", "UNSET",
          "UnprocessableEntityError", "Unknown", "Unset", "lenient_decoding")
RUNTIME_FILES = ("__init__.py", "models.py", "errors.py", "http.py", "pagination.py", "auth.py")


def plan(api: ir.Api, options: Options) -> list[Job]:
    decoders = _decoder_names(api)
    types = Types(api, decoders)
    pkg = options.package
    modules = [_types_module(api, types, name) for name in api.modules]
    exports = _exports(api, decoders)
    resources, resource_modules = _resources(api, types, options)
    common = {"package": pkg, "options": options, "api": _api_view(api), "flavors": FLAVORS}
    common["public"] = _dunder_all(PUBLIC)
    common["security"] = _credentials(api, options)
    common["required_scheme"] = _required_scheme(api)
    methods = [m for top in resources for r in _walk(top) for m in r.methods]
    common["sample"] = next((m for m in methods if m.call and not m.page and m.http_method == '"GET"'), None)
    common["paged"] = next((m for m in methods if m.call and m.page), None)
    jobs = [
        Job("pyproject.toml", "pyproject.toml.jinja", common),
        Job(f"{pkg}/py.typed", "py.typed.jinja", common),
        Job(f"{pkg}/__init__.py", "package_init.py.jinja", {**common, "resources": resources}),
        Job(f"{pkg}/_client.py", "client.py.jinja", {**common, "resources": resources}),
        Job(f"{pkg}/types/__init__.py", "types_init.py.jinja", {**common, "exports": exports, "all_names": _dunder_all(n for n, _ in exports)}),
        Job(f"{pkg}/resources/__init__.py", "resources_init.py.jinja", {**common, "resources": resources}),
        Job("README.md", "README.md.jinja", {**common, "resources": resources, "modules": resource_modules}),
        Job("api.md", "api.md.jinja", {**common, "resources": resources, "modules": resource_modules, "type_modules": modules}),
    ]
    jobs += [Job(f"{pkg}/_runtime/{f}", "", source=f"runtime/{f}") for f in RUNTIME_FILES]
    jobs += [Job(f"{pkg}/types/{m.name}.py", "types_module.py.jinja", {**common, "module": m}) for m in modules]
    jobs += [Job(f"{pkg}/resources/{m.name}.py", "resource_module.py.jinja", {**common, "module": m}) for m in resource_modules]
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
            how = {"header": f"header `{s.wire}: <{s.args[0]}>`", "query": f"query parameter `?{s.wire}=<{s.args[0]}>`",
                   "cookie": f"cookie `{s.wire}=<{s.args[0]}>`"}[s.kind]
        out.append(CredentialView(literal(s.name), s.name, literal(s.kind), literal(s.wire), s.args, envs, s.provider,
                                  how, s.spec_type, " ".join(s.description.split())))
    return tuple(out)


def _required_scheme(api: ir.Api) -> str:
    """A scheme that every operation requires (and nothing else): the client needs it to do anything."""
    needs = {op.security for op in api.operations}
    only = next(iter(needs)) if len(needs) == 1 else ()
    return literal(only[0][0]) if len(only) == 1 and len(only[0]) == 1 else ""


def _walk(resource: ResourceView) -> list[ResourceView]:
    return [resource] + [r for child in resource.children for r in _walk(child)]


def _api_view(api: ir.Api) -> dict[str, str]:
    # one line: the title also sits inside indented docstrings, where a line break would not
    return {"title": docstring(" ".join(api.title.split())), "version": docstring(api.version), "server_url": literal(api.server_url),
            "description": docstring(api.description)}


def _decoder_names(api: ir.Api) -> dict[str, str]:
    names = Namespace(frozenset(d.name for d in api.definitions), "_")
    out = {}
    for d in api.definitions:
        if isinstance(d, (ir.TaggedUnion, ir.KindUnion)):
            out[d.name] = names.claim(snake(d.name) + "_from_dict")[0]
    return out


def _exports(api: ir.Api, decoders: dict[str, str]) -> tuple[tuple[str, str], ...]:
    out: list[tuple[str, str]] = []
    for d in api.definitions:
        out.append((d.name, d.module))
        if isinstance(d, ir.TaggedUnion):
            out.append((d.unknown, d.module))
        if d.name in decoders:
            out.append((decoders[d.name], d.module))
    return tuple(sorted(out, key=lambda e: (e[1], _isort_type(e[0]), e[0])))


def _dunder_all(names: Any) -> list[str]:
    return sorted(names, key=lambda n: (_isort_type(n), n))


def _isort_type(name: str) -> int:
    """isort's order-by-type: CONSTANTS, then Classes, then functions."""
    return 0 if name.isupper() else 1 if name[:1].isupper() else 2


# ---- types modules -------------------------------------------------------------------------
def _types_module(api: ir.Api, types: Types, module: str) -> TypesModuleView:
    defs = [d for d in api.definitions if d.module == module]
    enums = tuple(EnumView(d.name, docstring(d.description), tuple((m.attr, literal(m.value)) for m in d.members))
                  for d in defs if isinstance(d, ir.Enum))
    models = _name_key_sets(tuple(_model(d, types) for d in defs if isinstance(d, ir.Model)))
    tagged = tuple(_tagged(d, types) for d in defs if isinstance(d, ir.TaggedUnion))
    tables = Namespace(frozenset(), "_")  # FooBar and FooBAR would both get _FOO_BAR_BY_TAG
    tagged = tuple(replace(t, table=tables.claim(t.table)[0]) for t in tagged)
    kinds = tuple(_kind(d, types) for d in defs if isinstance(d, ir.KindUnion))
    aliases = _ordered_aliases(defs, types, tagged, kinds)
    code = " ".join(
        [f.annotation + " " + f.decode + " " + f.decode_direct + " " + f.encode for m in models for f in m.fields]
        + [a.value for a in aliases] + [dec for t in tagged for _, decs in t.entries for dec in decs] + [e for k in kinds for _, e in k.branches]
    )
    words = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", code))
    index = api.index()
    owners = {d.name: d.module for d in api.definitions} | {fn: index[n].module for n, fn in types.decoders.items()}
    imports: dict[str, set[str]] = {}
    for word in sorted(words):
        owner = owners.get(word)
        if owner is not None and owner != module:
            imports.setdefault(owner, set()).add(word)
    wanted = {n for n in ("Any", "Literal") if n in words}
    if models:
        wanted |= {"Any", "Mapping"}
    if aliases:
        wanted.add("TypeAlias")
    if tagged or kinds:
        wanted.add("Any")
    needs_unset = "UNSET" in code or any(not f.required for m in models for f in m.fields) or any(t.prop_attr for t in tagged)
    runtime = tuple(n for n, used in (("EMPTY", bool(models)), ("UNSET", needs_unset), ("Unset", "Unset" in words)) if used)
    return TypesModuleView(
        name=module,
        imports=tuple((m, tuple(sorted(n, key=lambda x: (_isort_type(x), x)))) for m, n in sorted(imports.items())),
        typing=tuple(sorted(wanted)), runtime=runtime,
        aliases=aliases, enums=enums, models=models, tagged=tagged, kinds=kinds,
    )


def _union_members(value: str) -> tuple[str, ...]:
    """The members of a union annotation, split at its top level only (`dict[str, A | B]` is one)."""
    members, depth, start = [], 0, 0
    for i, char in enumerate(value):
        if char in "[(":
            depth += 1
        elif char in "])":
            depth -= 1
        elif depth == 0 and value.startswith(" | ", i):
            members.append(value[start:i])
            start = i + 3
    return tuple(members + [value[start:]])


def _ordered_aliases(defs: list[ir.Definition], types: Types, tagged: tuple[TaggedView, ...], kinds: tuple[KindView, ...]) -> tuple[AliasView, ...]:
    """Type aliases are evaluated at import: each must come after the aliases it names."""
    views: dict[str, AliasView] = {}
    for d in defs:
        if isinstance(d, ir.Alias):
            value = types.annotation(d.target)
            views[d.name] = AliasView(d.name, docstring(d.description), value, _union_members(value))
    for t in tagged:
        views[t.name] = AliasView(t.name, t.doc, t.alias, _union_members(t.alias))
    for k in kinds:
        views[k.name] = AliasView(k.name, k.doc, k.alias, _union_members(k.alias))
    order: list[AliasView] = []
    done: set[str] = set()

    def visit(name: str, trail: frozenset[str]) -> None:
        if name in done or name in trail:
            return
        for word in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", views[name].value):
            if word in views and word != name:
                visit(word, trail | {name})
        done.add(name)
        order.append(views[name])

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
        fields.append(FieldView(
            attr=f.attr, wire=wire, annotation=annotation, default=default, doc=docstring(doc),
            required=f.required, nullable=nullable, decode=types.decode(inner, "v"),
            decode_direct=types.decode(inner, f"data[{wire}]"), encode=encoded,
        ))
    keys = tuple(literal(f.wire) for f in d.fields)
    return ModelView(d.name, docstring(d.description), tuple(fields), keys)


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
    prop_attr = d.prop if d.prop.isidentifier() and d.prop not in ("raw", "error", "tag", "tag_property", "to_dict", "from_dict") and not d.prop.startswith("_") else ""
    import keyword

    if keyword.iskeyword(prop_attr):
        prop_attr = ""
    return TaggedView(
        name=d.name, doc=docstring(d.description), alias=" | ".join(members),
        decoder=types.decoders[d.name], table="_" + snake(d.name).upper() + "_BY_TAG", prop=literal(d.prop),
        prop_attr=prop_attr, unknown=d.unknown, entries=tuple(entries),
    )


_KIND_TEST = {"str": "kind is str", "int": "kind is int", "bool": "kind is bool", "list": "kind is list", "dict": "kind is dict"}
_KIND_WORD = {"str": "a string", "int": "an integer", "float": "a number", "bool": "a boolean", "list": "an array", "dict": "an object"}


def _kind(d: ir.KindUnion, types: Types) -> KindView:
    kinds = {a.kind for a in d.arms}
    branches = []
    for arm in d.arms:
        test = _KIND_TEST.get(arm.kind) or ("kind is float" if "int" in kinds else "kind is float or kind is int")
        branches.append((test, types.decode(arm.type, "data")))
    words = [_KIND_WORD[a.kind] for a in d.arms]
    expected = ", ".join(words[:-1]) + " or " + words[-1] if len(words) > 1 else words[0]
    alias = " | ".join(types.annotation(a.type) for a in d.arms)
    return KindView(d.name, docstring(d.description), alias, types.decoders[d.name], tuple(branches), literal(expected))


# ---- resources -------------------------------------------------------------------------------
def _resources(api: ir.Api, types: Types, options: Options) -> tuple[tuple[ResourceView, ...], tuple[ResourceModuleView, ...]]:
    by_path: dict[tuple[str, ...], list[ir.Operation]] = {}
    for op in api.operations:
        for i in range(1, len(op.resource) + 1):
            by_path.setdefault(op.resource[:i], [])
        by_path[op.resource].append(op)
    class_names = Namespace(frozenset(d.name for d in api.definitions) | {"Client", "AsyncClient"})
    pages: dict[str, list[PageView]] = {}
    index = api.index()
    schemes = {s.name: s for s in api.security_schemes}

    def make(path: tuple[str, ...]) -> ResourceView:
        cls, _ = class_names.claim(pascal(path[-1]))
        children = tuple(make(p) for p in sorted(by_path) if len(p) == len(path) + 1 and p[: len(path)] == path)
        methods = []
        for op in by_path[path]:
            page = ""
            if op.page is not None and isinstance(op.response, ir.Ref):
                page, _ = class_names.claim(op.response.name + "Page")
                pages.setdefault(path[0], []).append(_page(page, op, types, index))
            methods.append(_method(op, types, page, example(op, options.package, options.client_name), schemes))
        return ResourceView(cls, path[-1], path, tuple(methods), children)

    tops = tuple(make(p) for p in sorted(by_path) if len(p) == 1)
    modules = []
    for top in tops:
        flat: list[ResourceView] = []
        stack = [top]
        while stack:
            r = stack.pop(0)
            flat.append(r)
            stack[:0] = list(r.children)
        used: set[str] = set()
        for r in flat:
            for m in r.methods:
                used.update(re.findall(r"\b[A-Z][A-Za-z0-9_]*\b", m.returns + " " + " ".join(p.annotation for p in m.keyword + m.positional)))
        for p in pages.get(top.attr, []):
            used.update(re.findall(r"\b[A-Z][A-Za-z0-9_]*\b", " ".join(a for _, a in p.accessors) + " " + p.item + " " + p.response))
        imports: dict[str, set[str]] = {}
        decoder_modules = {fn: index[n].module for n, fn in types.decoders.items()}
        for name in sorted(used):
            d = index.get(name)
            if d is not None:
                imports.setdefault(d.module, set()).add(name)
            elif name in decoder_modules:
                imports.setdefault(decoder_modules[name], set()).add(name)
        errors = " ".join(d for r in flat for m in r.methods for _, d in m.errors)
        code = " ".join(a for p in pages.get(top.attr, []) for _, a in p.accessors)
        code += " " + " ".join(p.annotation for r in flat for m in r.methods for p in m.positional + m.keyword)
        typing = ("TYPE_CHECKING",) + tuple(n for n in ("Any", "Literal") if re.search(rf"\b{n}\b", code))
        abc = ("Mapping",) + (("Sequence",) if "Sequence[" in code else ())
        modules.append(ResourceModuleView(top.attr, tuple(flat), tuple(pages.get(top.attr, [])),
                                          tuple((m, tuple(sorted(n, key=lambda x: (_isort_type(x), x)))) for m, n in sorted(imports.items())), typing, abc,
                                          tuple(n for n, used in (("_r", any(m.decode.startswith("_r.") for r in flat for m in r.methods) or "_r." in errors),
                                                                  ("_t", bool(imports) or "_t." in errors)) if used)))
    return tops, tuple(modules)


def _page(name: str, op: ir.Operation, types: Types, index: dict[str, ir.Definition]) -> PageView:
    assert op.page is not None and isinstance(op.response, ir.Ref)
    model = index[op.response.name]
    accessors = []
    if isinstance(model, ir.Model):
        for f in model.fields:
            if f.wire not in (op.page.items_field, op.page.has_more_field):
                accessors.append((f.attr, types.annotation(f.type) + ("" if f.required else " | Unset")))
    return PageView(name, types.annotation(op.page.item), op.response.name, tuple(accessors), literal(op.page.items_field),
                    literal(op.page.has_more_field), literal(op.page.cursor_field), op.page.param)


def _method(op: ir.Operation, types: Types, page: str, usage: str, api_schemes: dict[str, ir.SecurityScheme]) -> MethodView:
    def param(p: ir.Param | ir.Field, required: bool) -> ParamView:
        annotation = types.parameter(p.type)
        if not required:
            annotation = annotation.removesuffix(" | None") + " | Unset" + (" | None" if annotation.endswith(" | None") else "")
        return ParamView(p.attr, literal(p.wire), annotation, "" if required else "UNSET", docstring(p.description))

    positional = tuple(param(p, True) for p in op.path_params if p.positional)
    path_kw = [param(p, True) for p in op.path_params if not p.positional]
    query = tuple(param(p, p.required) for p in op.query_params)
    body_fields: tuple[ParamView, ...] = ()
    body_param = ""
    if op.body is not None and op.body.flattened:
        body_fields = tuple(param(f, f.required) for f in op.body.fields)  # required by the schema: required
    elif op.body is not None:
        body_param = "body"
        body_fields = (ParamView("body", '"body"', types.parameter(op.body.type).removesuffix(" | None") + ("" if op.body.required else " | Unset") + (" | None" if types.parameter(op.body.type).endswith(" | None") else ""), "" if op.body.required else "UNSET", ""),)
    keyword = path_kw + list(body_fields if not body_param else body_fields) + list(query)
    keyword.sort(key=lambda p: (p.default != "",))
    if op.response is None:
        returns, decode = "None", "_r.identity"
    else:
        # through the lazy types package (`_t.`): a call imports only the modules it decodes with
        returns, decode = types.annotation(op.response), types.qualified("_t.").decoder(op.response)
    if page:
        returns = page
    summary = op.summary or op.description.split("\n", 1)[0] or f"{op.http_method} {op.path}"
    return MethodView(
        name=op.method_name, http_method=literal(op.http_method), path=literal(op.path),
        path_args=tuple((literal(p.wire), p.attr) for p in op.path_params),
        positional=positional, keyword=tuple(keyword), query=query,
        body_fields=() if body_param else body_fields, body_param=body_param, returns=returns, decode=decode, page=page,
        page_item=types.annotation(op.page.item) if op.page else "",
        cursor_arg=next((p.attr for p in op.query_params if op.page and p.wire == op.page.param), ""),
        summary=docstring(summary), doc=docstring(op.description if op.description != summary else ""),
        example=usage, deprecated=op.deprecated, call=_call(op, keyword), security=_security(op),
        errors=tuple((literal(e.status), types.qualified("_t.").decoder(e.type)) for e in op.errors),
        credentials="; or ".join(" + ".join(_args_of(api_schemes, n) for n in alt) or "none" for alt in op.security),
    )


def _security(op: ir.Operation) -> str:
    """`(("A",), ("B", "C"))`: A, or else B and C together; `()` in it means none is also fine."""
    if not op.security:
        return ""
    def tuple_(items: list[str]) -> str:  # as black writes it: a trailing comma only for one item
        return "(" + items[0] + ",)" if len(items) == 1 else "(" + ", ".join(items) + ")"  # () when empty

    return tuple_([tuple_([literal(n) for n in alt]) for alt in op.security])


def _args_of(schemes: dict[str, ir.SecurityScheme], name: str) -> str:
    scheme = schemes[name]
    return " + ".join(f"`{a}`" for a in scheme.args) + (f" (or `{scheme.provider}`)" if scheme.provider else "")


def _call(op: ir.Operation, keyword: list[ParamView]) -> str:
    if any(not p.default for p in keyword if p.attr not in {q.attr for q in op.path_params}):
        return ""
    args = [literal(p.wire + "_123") for p in op.path_params if p.positional]
    args += [f"{p.attr}={literal(p.wire + '_123')}" for p in op.path_params if not p.positional]
    return f"client.{'.'.join(op.resource)}.{op.method_name}({', '.join(args)})"
