"""Stage 4, build: the selected section -> the intermediate model (`ir.Api`).

Schemas are converted by `schemas.SchemaBuilder`, unions resolved by `unions`, and here
operations get their client names: path shape + HTTP method (POST on a collection is
`create`, GET `list`; GET on one item is `retrieve`, POST/PUT/PATCH `update`, DELETE
`delete`), the last path parameter positional, everything else keyword-only.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from . import ir
from .diagnostics import Diagnostic
from .naming import Namespace, parameter, pascal, snake
from .schemas import SchemaBuilder
from .security import requirements, schemes
from .select import Section, resolve_pointer
from .unions import resolve_unions

_PARAM = re.compile(r"^{([^}]+)}$")
_NAMES = {("collection", "post"): "create", ("collection", "get"): "list", ("one", "get"): "retrieve",
          ("one", "post"): "update", ("one", "put"): "update", ("one", "patch"): "update", ("one", "delete"): "delete"}


def build(section: Section) -> tuple[ir.Api, list[Diagnostic]]:
    diags: list[Diagnostic] = []
    sb = SchemaBuilder(section.doc, diags)
    for ref in section.refs:
        if ref.startswith("#/components/schemas/"):
            sb.component(ref)
    operations = [_operation(sb, section, op) for op in section.operations]
    resolve_unions(sb)
    operations = _settle_method_names([_detect_page(op, sb.defs) for op in operations], diags)
    operations, security_schemes = _settle_security(section.doc, operations, diags)
    definitions = _group_modules(sb.defs)
    doc = section.doc
    info = doc.get("info") if isinstance(doc.get("info"), dict) else {}
    servers = doc.get("servers") if isinstance(doc.get("servers"), list) else []
    server = servers[0].get("url", "") if servers and isinstance(servers[0], dict) else ""
    api = ir.Api(
        title=str(info.get("title", "API")),
        version=str(info.get("version", "")),
        description=str(info.get("description", "") or "").strip(),
        server_url=str(server),
        definitions=tuple(sorted(definitions.values(), key=lambda d: (d.module, d.name))),
        operations=tuple(sorted(operations, key=lambda o: (o.resource, o.method_name))),
        modules=tuple(sorted({d.module for d in definitions.values()})),
        security_schemes=security_schemes,
    )
    return api, diags


def _operation(sb: SchemaBuilder, section: Section, sel: Any) -> ir.Operation:
    op: dict[str, Any] = sel.operation
    op_id = str(op.get("operationId") or f"{sel.method}_{sel.path}")
    base = pascal(op_id)
    sb.use_module(op_id)
    segments = [s for s in sel.path.split("/") if s]
    resource = tuple(snake(s) for s in segments if not _PARAM.match(s)) or ("root",)
    shape = "one" if segments and _PARAM.match(segments[-1]) else "collection"
    method_name = _NAMES.get((shape, sel.method), snake(op_id))
    names = Namespace(frozenset(), "_")
    path_params: list[ir.Param] = []
    query_params: list[ir.Param] = []
    params = list(sel.path_item.get("parameters") or []) + list(op.get("parameters") or [])
    by_key: dict[tuple[str, str], tuple[dict[str, Any], int]] = {}
    for i, raw in enumerate(params):
        param = _deref(section.doc, raw)
        if isinstance(param, dict) and isinstance(param.get("name"), str):
            by_key[(param["name"], str(param.get("in")))] = (param, i)  # operation-level wins
    path_order = [m.group(1) for s in segments if (m := _PARAM.match(s))]
    for (wire, where), (param, i) in by_key.items():
        at = f"{sel.pointer}/parameters/{i}"
        attr, renamed = names.claim(parameter(wire))
        if renamed:
            sb.diags.append(Diagnostic("W308", f"parameter {wire!r} ({where}) of {op_id} is argument {attr!r}", at))
        schema = param.get("schema", {})
        type_ = sb.convert(schema, base + pascal(wire), at + "/schema")
        p = ir.Param(wire, attr, type_, bool(param.get("required")) or where == "path", _text(param.get("description")))
        if where == "path":
            path_params.append(p)
        elif where == "query":
            query_params.append(p)
    path_params.sort(key=lambda p: path_order.index(p.wire) if p.wire in path_order else len(path_order))
    if path_params:
        path_params[-1] = replace(path_params[-1], positional=True)
    body = _body(sb, section, op, base, sel.pointer, names)
    response = _response(sb, section, op, base, sel.pointer)
    example = ""
    meta = op.get("x-oaiMeta")
    if isinstance(meta, dict) and isinstance(meta.get("examples"), dict):
        request = meta["examples"].get("request")
        if isinstance(request, dict) and isinstance(request.get("python"), str):
            example = request["python"].strip()
    return ir.Operation(
        operation_id=op_id, resource=resource, method_name=method_name, http_method=sel.method.upper(),
        path=sel.path, pointer=sel.pointer, summary=_text(op.get("summary")), description=_text(op.get("description")),
        path_params=tuple(path_params), query_params=tuple(query_params), body=body, response=response,
        page=None, deprecated=op.get("deprecated") is True, example=example,
        security=requirements(section.doc, op, sel.pointer, sb.diags), errors=_errors(sb, section, op, base, sel.pointer),
    )


def _body(sb: SchemaBuilder, section: Section, op: dict[str, Any], base: str, at: str, names: Namespace) -> ir.Body | None:
    request = _deref(section.doc, op.get("requestBody"))
    if not isinstance(request, dict):
        return None
    content = request.get("content") if isinstance(request.get("content"), dict) else {}
    media = next((m for m in content if m == "application/json" or str(m).endswith("+json")), None)
    if media is None or not isinstance(content[media], dict):
        return None
    schema = content[media].get("schema", {})
    type_ = sb.convert(schema, base + "Body", f"{at}/requestBody/content/{media.replace('/', '~1')}/schema")
    model = sb.defs.get(type_.name) if isinstance(type_, ir.Ref) else None
    required = request.get("required") is True
    if isinstance(model, ir.Model):
        fields = tuple(replace(f, attr=names.claim(parameter(f.wire))[0]) for f in model.fields)
        return ir.Body(fields, type_, required, True)
    return ir.Body((), type_, required, False)


def _response(sb: SchemaBuilder, section: Section, op: dict[str, Any], base: str, at: str) -> ir.TypeRef | None:
    responses = op.get("responses") if isinstance(op.get("responses"), dict) else {}
    for code in sorted(str(c) for c in responses):
        if not (code.startswith("2") or code == "2XX"):
            continue
        response = _deref(section.doc, responses.get(code, responses.get(int(code)) if code.isdigit() else None))
        if not isinstance(response, dict):
            continue
        content = response.get("content") if isinstance(response.get("content"), dict) else {}
        media = next((m for m in content if m == "application/json" or str(m).endswith("+json")), None)
        if media is not None and isinstance(content[media], dict) and "schema" in content[media]:
            return sb.convert(content[media]["schema"], base + "Response", f"{at}/responses/{code}/content/{media.replace('/', '~1')}/schema")
        return None
    return None


def _errors(sb: SchemaBuilder, section: Section, op: dict[str, Any], base: str, at: str) -> tuple[ir.ErrorResponse, ...]:
    """The documented 4xx/5xx/default responses with a JSON body: the client decodes errors into them."""
    responses = op.get("responses") if isinstance(op.get("responses"), dict) else {}
    out = []
    for key in responses:
        code = str(key).upper()
        if not (code == "DEFAULT" or (len(code) == 3 and code[0] in "45" and (code[1:].isdigit() or code[1:] == "XX"))):
            continue
        response = _deref(section.doc, responses[key])
        content = response.get("content") if isinstance(response, dict) and isinstance(response.get("content"), dict) else {}
        media = next((m for m in content if m == "application/json" or str(m).endswith("+json")), None)
        if media is None or not isinstance(content[media], dict) or "schema" not in content[media]:
            continue  # no JSON model documented: the error keeps the raw body
        status = code.lower() if code == "DEFAULT" else code
        type_ = sb.convert(content[media]["schema"], base + pascal(status) + "Error",
                           f"{at}/responses/{key}/content/{media.replace('/', '~1')}/schema")
        out.append(ir.ErrorResponse(status, type_))
    return tuple(sorted(out, key=lambda e: (e.status == "default", e.status)))


def _settle_security(doc: dict[str, Any], operations: list[ir.Operation], diags: list[Diagnostic]) -> tuple[list[ir.Operation], tuple[ir.SecurityScheme, ...]]:
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


def _detect_page(op: ir.Operation, defs: dict[str, ir.Definition]) -> ir.Operation:
    """The spec marks no pagination: recognise `{data: [...], has_more, last_id}` + `?after=`."""
    model = defs.get(op.response.name) if isinstance(op.response, ir.Ref) else None
    if op.http_method != "GET" or not isinstance(model, ir.Model):
        return op
    fields = {f.wire: f for f in model.fields}
    data, has_more, last = fields.get("data"), fields.get("has_more"), fields.get("last_id")
    if not (data and has_more and last and any(p.wire == "after" for p in op.query_params)):
        return op
    if not (isinstance(data.type, ir.ListOf) and has_more.type == ir.Prim("bool")):
        return op
    return replace(op, page=ir.CursorPage(data.type.item, "data", "has_more", "last_id", "after"))


def _settle_method_names(operations: list[ir.Operation], diags: list[Diagnostic]) -> list[ir.Operation]:
    """Path-derived names that collide fall back to operationId names; those must be unique."""
    by_name: dict[tuple[tuple[str, ...], str], list[int]] = {}
    for i, op in enumerate(operations):
        by_name.setdefault((op.resource, op.method_name), []).append(i)
    out = list(operations)
    for (resource, name), indexes in by_name.items():
        if len(indexes) > 1:
            for i in indexes:
                out[i] = replace(out[i], method_name=snake(out[i].operation_id))
    seen: dict[tuple[tuple[str, ...], str], ir.Operation] = {}
    for op in out:
        key = (op.resource, op.method_name)
        if key in seen:
            diags.append(Diagnostic("E205", f"{op.http_method} {op.path} and {seen[key].http_method} {seen[key].path} both become {'.'.join(op.resource)}.{op.method_name}()", op.pointer))
        seen[key] = op
    return out


def _group_modules(defs: dict[str, ir.Definition]) -> dict[str, ir.Definition]:
    """Definitions that refer to each other in a cycle across modules share one module."""
    graph: dict[str, set[str]] = {}
    for d in defs.values():
        deps = graph.setdefault(d.module, set())
        for name in _references(d):
            target = defs.get(name)
            if target is not None and target.module != d.module:
                deps.add(target.module)
    merged: dict[str, str] = {}
    for scc in _sccs(graph):
        if len(scc) > 1:
            head = min(scc)
            merged.update({m: head for m in scc})
    return {name: (replace(d, module=merged[d.module]) if d.module in merged else d) for name, d in defs.items()}


def _references(d: ir.Definition) -> set[str]:
    if isinstance(d, ir.Model):
        return set().union(*(ir.ref_names(f.type) for f in d.fields))
    if isinstance(d, ir.TaggedUnion):
        return {v.name for v in d.variants}
    if isinstance(d, ir.KindUnion):
        return set().union(*(ir.ref_names(a.type) for a in d.arms))
    if isinstance(d, ir.Alias):
        return ir.ref_names(d.target)
    return set()


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


def _deref(doc: dict[str, Any], node: Any) -> Any:
    for _ in range(50):
        if not (isinstance(node, dict) and isinstance(node.get("$ref"), str)):
            return node
        try:
            node = resolve_pointer(doc, node["$ref"])
        except KeyError:
            return None
    return None


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""
