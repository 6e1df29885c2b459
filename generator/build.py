"""Stage 4, build: the selected section -> the intermediate model (`ir.Api`).

Schemas are converted by `schemas.SchemaBuilder`, unions resolved by `unions`, operations
named by `opnames` (resource path + method name); the last path parameter is positional,
everything else keyword-only.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from . import ir, parameters, responses
from .bodies import request_body
from .diagnostics import Diagnostic
from .naming import RESERVED_CLASSES, Namespace, parameter, pascal, snake, unshadow_fields
from .opnames import NameTable, OpName, name_operations, resource_classes, settle, unshadow
from .paging import PagingTable, paginate
from .schemas import SchemaBuilder
from .security import requirements, schemes
from .select import Section, SelectedOperation
from .specread import deref, json_media, mapping, text
from .unions import resolve_unions

_PARAM = re.compile(r"^{([^}]+)}$")


def build(
    section: Section, names: NameTable | None = None, paging: PagingTable | None = None
) -> tuple[ir.Api, list[Diagnostic]]:
    diags: list[Diagnostic] = []
    sb = SchemaBuilder(section.doc, diags)
    for ref in section.refs:
        if ref.startswith("#/components/schemas/"):
            sb.component(ref)
    named = name_operations(list(section.operations), section.doc, names)
    operations = [_operation(sb, section, op, n) for op, n in zip(section.operations, named, strict=True)]
    resolve_unions(sb)
    operations = [
        paginate(op, sel.operation, sel.path, section.doc, sb.defs, paging, diags)
        for op, sel in zip(operations, section.operations, strict=True)
    ]
    operations = settle([unshadow(op, diags) for op in operations], diags)
    operations, security_schemes = _settle_security(section.doc, operations, diags)
    operations = _beside_the_client(operations, security_schemes, diags)
    definitions = unshadow_fields(_split_modules(_group_modules(sb.defs)), diags)
    doc = section.doc
    info = mapping(doc.get("info"))
    server, server_template, server_variables = parameters.servers(doc, diags)
    api = ir.Api(
        title=str(info.get("title", "API")),
        version=str(info.get("version", "")),
        description=str(info.get("description", "") or "").strip(),
        server_url=str(server),
        definitions=tuple(sorted(definitions.values(), key=lambda d: (d.module, d.name))),
        operations=tuple(sorted(operations, key=lambda o: (o.resource, o.method_name))),
        modules=tuple(sorted({d.module for d in definitions.values()})),
        resource_classes=resource_classes(operations, frozenset(definitions) | RESERVED_CLASSES, diags),
        server_template=server_template if server_variables else "",
        server_variables=server_variables,
        security_schemes=security_schemes,
    )
    return api, diags


def _operation(sb: SchemaBuilder, section: Section, sel: SelectedOperation, named: OpName) -> ir.Operation:
    op: dict[str, Any] = sel.operation
    op_id = str(op.get("operationId") or f"{sel.method}_{sel.path}")
    base = pascal(op_id)
    sb.use_module(op_id)
    segments = [s for s in named.path.split("/") if s]
    names = Namespace(frozenset(), "_")
    path_params: list[ir.Param] = []
    query_params: list[ir.Param] = []
    located: dict[str, list[ir.Param]] = {"path": path_params, "query": query_params, "header": [], "cookie": []}
    params = list(sel.path_item.get("parameters") or []) + list(op.get("parameters") or [])
    by_key: dict[tuple[str, str], tuple[dict[str, Any], str]] = {}
    shared = len(sel.path_item.get("parameters") or [])
    for i, raw in enumerate(params):
        param = deref(section.doc, raw)
        if isinstance(param, dict) and isinstance(param.get("name"), str):
            # where it is written: the referenced component, or the path item's or the operation's list
            at = (
                raw["$ref"][1:]
                if isinstance(raw.get("$ref"), str) and raw["$ref"].startswith("#/")
                else (
                    f"{sel.pointer.rsplit('/', 1)[0]}/parameters/{i}"
                    if i < shared
                    else f"{sel.pointer}/parameters/{i - shared}"
                )
            )
            by_key[(param["name"], str(param.get("in")))] = (param, at)  # operation-level wins
    path_order = [m.group(1) for s in segments if (m := _PARAM.match(s))]
    for (wire, where), (param, at) in by_key.items():
        if parameters.skipped(param, where, at, sb.diags):
            continue
        # header names are Title-Case by convention: their arguments are snake_case (From -> from_)
        attr, renamed = names.claim(parameter(snake(wire) if where in ("header", "cookie") else wire))
        if renamed:
            sb.diags.append(Diagnostic("W308", f"parameter {wire!r} ({where}) of {op_id} is argument {attr!r}", at))
        schema, schema_at = parameters.content_schema(param, at, sb.diags)
        type_ = sb.convert(schema, base + pascal(wire), schema_at)
        style, explode, reserved = parameters.serialization(param, where, at, sb.diags)
        p = ir.Param(
            wire,
            attr,
            type_,
            bool(param.get("required")) or where == "path",
            text(param.get("description")),
            location=where,  # type: ignore[arg-type]
            style=style,
            explode=explode,
            allow_reserved=reserved,
        )
        located[where].append(p)
    path_params.sort(key=lambda p: path_order.index(p.wire) if p.wire in path_order else len(path_order))
    if path_params:
        path_params[-1] = replace(path_params[-1], positional=True)
    body = request_body(sb, section.doc, op, base, sel.pointer, names, op_id)
    chosen = responses.choose(sb, op, base, sel.pointer)
    example = ""
    meta = op.get("x-oaiMeta")
    if isinstance(meta, dict) and isinstance(meta.get("examples"), dict):
        request = meta["examples"].get("request")
        if isinstance(request, dict) and isinstance(request.get("python"), str):
            example = request["python"].strip()
    return ir.Operation(
        operation_id=op_id,
        resource=named.resource,
        method_name=named.method,
        http_method=sel.method.upper(),
        path=named.path,
        pointer=sel.pointer,
        summary=text(op.get("summary")),
        description=text(op.get("description")),
        path_params=tuple(path_params),
        query_params=tuple(query_params),
        body=body,
        response=chosen.type,
        page=None,
        deprecated=op.get("deprecated") is True,
        example=example,
        aliases=named.aliases,
        fixed_query=named.fixed_query,
        name_source=named.source,
        header_params=tuple(located["header"]),
        cookie_params=tuple(located["cookie"]),
        accept=parameters.accept(op.get("responses"), lambda node: deref(section.doc, node)),
        response_kind=chosen.kind,
        response_media=chosen.media,
        events=chosen.events,
        security=requirements(section.doc, op, sel.pointer, sb.diags),
        errors=_errors(sb, section, op, base, sel.pointer),
    )


def _errors(
    sb: SchemaBuilder, section: Section, op: dict[str, Any], base: str, at: str
) -> tuple[ir.ErrorResponse, ...]:
    """The documented 4xx/5xx/default responses with a JSON body: the client decodes errors into them."""
    responses: dict[Any, Any] = mapping(op.get("responses"))
    out = []
    for key in responses:
        code = str(key).upper()
        if not (code == "DEFAULT" or (len(code) == 3 and code[0] in "45" and (code[1:].isdigit() or code[1:] == "XX"))):
            continue
        response = deref(section.doc, responses[key])
        content = mapping(response.get("content")) if isinstance(response, dict) else {}
        media = json_media(content)
        if media is None or "schema" not in content[media]:
            continue  # no JSON model documented: the error keeps the raw body
        status = code.lower() if code == "DEFAULT" else code
        type_ = sb.convert(
            content[media]["schema"],
            base + pascal(status) + "Error",
            f"{at}/responses/{key}/content/{media.replace('/', '~1')}/schema",
        )
        out.append(ir.ErrorResponse(status, type_))
    return tuple(sorted(out, key=lambda e: (e.status == "default", e.status)))


def _settle_security(
    doc: dict[str, Any], operations: list[ir.Operation], diags: list[Diagnostic]
) -> tuple[list[ir.Operation], tuple[ir.SecurityScheme, ...]]:
    """The schemes the operations use. An alternative that needs a scheme the client cannot send
    (W350) becomes "no credentials": the user sets that one up outside (headers, httpx client),
    so the method must not refuse to send without the others."""
    used = {name for op in operations for alternative in op.security for name in alternative}
    found = schemes(doc, used, diags)
    sendable = {s.name for s in found}
    out = []
    for op in operations:
        alternatives = tuple(dict.fromkeys(a if set(a) <= sendable else () for a in op.security))
        alternatives = alternatives if any(alternatives) else ()  # only "none": nothing to send
        out.append(replace(op, security=alternatives) if alternatives != op.security else op)
    return out, found


# What the client has of its own (runtime/http.py, client.py.jinja), besides its credentials: a
# top-level resource of one of these names would hide it (every call sends with `client.request`)
CLIENT_ATTRIBUTES = frozenset({"request", "close", "timeout", "with_options", "base_url", "max_retries", "strict"})


def _beside_the_client(
    operations: list[ir.Operation], security: tuple[ir.SecurityScheme, ...], diags: list[Diagnostic]
) -> list[ir.Operation]:
    """Top-level resources named like one of the client's attributes (OBS has `/request`) get a
    `_` suffix (W365): `client.request_`."""
    taken = CLIENT_ATTRIBUTES | {arg for s in security for arg in s.args}
    tops = {op.resource[0] for op in operations}
    renamed: dict[str, str] = {}
    for top in sorted(tops & taken):
        new = top + "_"
        while new in tops or new in taken:
            new += "_"
        renamed[top] = new
    out: list[ir.Operation] = []
    said: set[str] = set()
    for op in operations:
        top = op.resource[0]
        if top not in renamed:
            out.append(op)
            continue
        if top not in said:
            said.add(top)
            message = f"resource {top!r} is client.{renamed[top]}: the client has a {top!r} of its own"
            diags.append(Diagnostic("W365", message, op.pointer))
        out.append(replace(op, resource=(renamed[top], *op.resource[1:])))
    return out


def _group_modules(defs: dict[str, ir.Definition]) -> dict[str, ir.Definition]:
    """Definitions that refer to each other in a cycle across modules share one module."""
    graph: dict[str, set[str]] = {}
    for d in defs.values():
        deps = graph.setdefault(d.module, set())
        for name in ir.references(d):
            target = defs.get(name)
            if target is not None and target.module != d.module:
                deps.add(target.module)
    merged: dict[str, str] = {}
    for scc in _sccs(graph):
        if len(scc) > 1:
            head = min(scc)
            merged.update({m: head for m in scc})
    return {name: (replace(d, module=merged[d.module]) if d.module in merged else d) for name, d in defs.items()}


# About the lines a definition renders to (models: class, __init__, decoder and encoder per field);
# a module over the budget gives the definitions outside its main schema's cycle modules of their own.
_MODULE_LINE_BUDGET = 2000


def _lines(d: ir.Definition) -> int:
    if isinstance(d, ir.Model):
        return 20 + 10 * len(d.fields)
    if isinstance(d, ir.Enum):
        return 8 + len(d.members)
    if isinstance(d, (ir.TaggedUnion, ir.KindUnion)):
        return 20 + 3 * len(ir.references(d))
    return 4


def _split_modules(defs: dict[str, ir.Definition]) -> dict[str, ir.Definition]:
    """A schema with many inline schemas (an audit log with a payload object per event type) would
    make one huge module: there, each group of definitions that refer to each other in a cycle,
    other than the schema's own, gets a module named after it (`audit_log_project_created`). The
    groups refer to each other without cycles, so the modules import each other without any."""
    by_module: dict[str, list[ir.Definition]] = {}
    for d in defs.values():
        by_module.setdefault(d.module, []).append(d)
    modules = Namespace(frozenset(by_module) | {"__init__"}, "_")
    moved: dict[str, str] = {}
    for module, members in sorted(by_module.items()):
        if sum(_lines(d) for d in members) <= _MODULE_LINE_BUDGET:
            continue
        names = {d.name for d in members}
        graph = {d.name: ir.references(d) & names for d in members}
        main = next((d.name for d in members if snake(d.name) == module), min(names))
        for scc in _sccs(graph):
            if main not in scc:
                new = modules.claim(snake(min(scc)))[0]
                moved.update({name: new for name in scc})
    return {name: (replace(d, module=moved[name]) if name in moved else d) for name, d in defs.items()}


def _sccs(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative so that long reference chains cannot overflow the stack."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    out: list[list[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work: list[tuple[str, list[str]]] = [(root, sorted(graph.get(root, ())))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            if children:
                child = children.pop()
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, sorted(graph.get(child, ()))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                scc = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    scc.append(w)
                    if w == node:
                        break
                out.append(sorted(scc))
    return out
