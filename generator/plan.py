"""Stage 5, plan: the IR -> one render job per output file, each with its template context.

Its views (views.py) ARE the template API (documented in docs/templates.md and checked by
tests): templates only format what is decided here and in its parts: plantypes.py (the types
modules), planresources.py (the resource tree and modules), planmethods.py (each method).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from . import ir
from .examples import required_call
from .importorder import dunder_all, member_key, module_key
from .naming import Namespace, snake
from .planresources import resource_views, walk
from .plantypes import types_index, types_module
from .pytypes import Types, docstring, literal
from .typelayout import layout
from .views import FLAVORS, CredentialView, Job, MethodView, Options, ResourceView

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
        types_module(by_module.get(m, []), types, m, owners, tuple(dunder_all(names.get(m, ()))), memo)
        for m in sorted(by_module)
    ]
    resources, resource_modules = resource_views(api, types, options, owners, memo)
    common = {"package": pkg, "options": options, "api": _api_view(api), "flavors": FLAVORS}
    common["public"] = dunder_all(PUBLIC)
    common["public_modules"] = sorted(PUBLIC.items(), key=lambda e: (module_key(e[1]), member_key(e[0])))
    common["security"] = _credentials(api, options)
    common["required_scheme"] = _required_scheme(api)
    methods = [m for top in resources for r in walk(top) for m in r.methods]
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
                "type_index": tuple(types_index(m, memo) for m in modules),
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
    return tuple(sorted(out, key=lambda e: (module_key(e[1]), member_key(e[0]))))


def _grouped(exports: tuple[tuple[str, str], ...]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(module, names) of `_exports`, in its order (Jinja's groupby would sort `get10` before `get2`)."""
    groups: dict[str, list[str]] = {}
    for name, module in exports:
        groups.setdefault(module, []).append(name)
    return tuple((module, tuple(names)) for module, names in groups.items())
