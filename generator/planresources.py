"""plan, the resources: the tree of resource classes with their methods' views (`resource_views`),
and one module view per resource (resources/beta/threads/runs.py)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace
from typing import TYPE_CHECKING

from . import ir
from .examples import example
from .importorder import member_key, module_key
from .naming import Namespace, pascal
from .planmethods import RUNTIME_ORDER, method
from .pytypes import Types
from .views import FLAVORS, MethodView, Options, ParamView, ResourceModuleView, ResourceView

if TYPE_CHECKING:
    from .planmemo import PlanMemo


def walk(resource: ResourceView) -> list[ResourceView]:
    """The resource and every resource below it, depth first."""
    return [resource] + [r for child in resource.children for r in walk(child)]


def resource_views(
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

    tops = tuple(make(p) for p in sorted((p for p in by_path if len(p) == 1), key=lambda p: module_key(p[0])))
    modules = [_resource_module(r, owners) for top in tops for r in walk(top)]
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
            (m, tuple(sorted(n, key=member_key))) for m, n in sorted(imports.items(), key=lambda e: module_key(e[0]))
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
    return tuple(sorted(names, key=member_key))
