"""Usage examples for the generated docs, for the plan stage.

The spec's own Python examples (`x-oaiMeta`) are rewritten for this client: the import,
the client class, and path ids passed the way our methods take them (the last one
positional, the others by keyword). Operations without one get a synthesized example.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping

from . import ir
from .pytypes import literal


def example(op: ir.Operation, package: str, client: str = "Client") -> str:
    rewritten = _rewrite(op.example, op, package, client) if op.example else None
    return rewritten if rewritten is not None else _synthesize(op, package, client)


def _rewrite(source: str, op: ir.Operation, package: str, client: str) -> str | None:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    lines = source.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))
    edits: list[tuple[int, int, str]] = []

    def span(node: ast.AST) -> tuple[int, int]:
        start = offsets[node.lineno - 1] + node.col_offset  # type: ignore[attr-defined]
        end = offsets[node.end_lineno - 1] + node.end_col_offset  # type: ignore[attr-defined]
        return start, end

    found = False
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "openai":
            edits.append((*span(node), f"from {package} import {client}"))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "OpenAI":
            edits.append((*span(node.func), client))
        elif isinstance(node, ast.Call) and _chain(node.func) == ("client", *op.resource, op.method_name):
            found = True
            edit = _reorder(node, op, source, span)
            if edit is None:
                return None
            if edit[2]:
                edits.append(edit)
    if not found:
        return None
    text = source
    for start, end, new in sorted(edits, reverse=True):
        text = text[:start] + new + text[end:]
    return text.strip()


def _reorder(node: ast.Call, op: ir.Operation, source: str, span: object) -> tuple[int, int, str] | None:
    """Spec examples pass every path id positionally, in path order."""
    positional = [a for a in node.args if not isinstance(a, ast.Starred)]
    if len(positional) != len(node.args) or len(positional) not in (0, len(op.path_params)):
        return None
    if not positional or len(op.path_params) <= 1:
        return (0, 0, "")
    texts = [ast.get_source_segment(source, a) or "" for a in positional]
    ordered = [t for t, p in zip(texts, op.path_params, strict=True) if p.positional]
    ordered += [f"{p.attr}={t}" for t, p in zip(texts, op.path_params, strict=True) if not p.positional]
    start = span(positional[0])[0]  # type: ignore[operator]
    end = span(positional[-1])[1]  # type: ignore[operator]
    return (start, end, ", ".join(ordered))


def _chain(node: ast.expr) -> tuple[str, ...]:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return tuple(reversed(parts))
    return ()


def sample(p: ir.Param) -> str:
    """An argument of the parameter's type for an example: `123`, `True`, `"droplet_id_123"`."""
    t = p.type.inner if isinstance(p.type, ir.Nullable) else p.type
    item = t.item if isinstance(t, ir.ListOf) else t
    value = {"int": "123", "float": "1.5", "bool": "True"}.get(item.kind, "") if isinstance(item, ir.Prim) else ""
    value = value or literal(p.wire + "_123")
    return f"[{value}]" if isinstance(t, ir.ListOf) else value


def _synthesize(op: ir.Operation, package: str, client: str) -> str:
    args = [sample(p) for p in op.path_params if p.positional]
    args += [f"{p.attr}={sample(p)}" for p in op.path_params if not p.positional]
    args += [f"{p.attr}={sample(p)}" for p in op.header_params + op.cookie_params if p.required]
    call = f"client.{'.'.join(op.resource)}.{op.method_name}({', '.join(args)})"
    result = "page" if op.page else "result"
    return f"from {package} import {client}\n\nclient = {client}()\n{result} = {call}\nprint({result})"


def required_call(op: ir.Operation, index: Mapping[str, ir.Definition], width: int = 80) -> str:
    """The call with only the arguments the operation requires, each a value of its type:
    `client.batches.create(completion_window="24h", endpoint="/v1/responses", input_file_id="input_file_id_123")`.
    A body that is not flattened into arguments is passed whole, by its argument name. A call
    longer than `width` takes a line for each argument."""
    args = [sample(p) for p in op.path_params if p.positional]
    args += [f"{p.attr}={sample(p)}" for p in op.path_params if not p.positional]
    args += [f"{p.attr}={value_of(p.type, p.wire, index)}" for p in op.query_params + op.header_params if p.required]
    args += [f"{p.attr}={value_of(p.type, p.wire, index)}" for p in op.cookie_params if p.required]
    if op.body is not None and op.body.flattened:
        args += [f"{f.attr}={value_of(f.type, f.wire, index)}" for f in op.body.fields if f.required]
    elif op.body is not None and op.body.required:
        args.append(f"body={value_of(op.body.type, 'body', index)}")
    call = f"client.{'.'.join(op.resource)}.{op.method_name}("
    if len(call) + sum(len(a) + 2 for a in args) <= width:
        return call + ", ".join(args) + ")"
    return call + "".join(f"\n    {a}," for a in args) + "\n)"  # one argument a line, as black splits it


def value_of(t: ir.TypeRef, name: str, index: Mapping[str, ir.Definition], depth: int = 0) -> str:
    """A short Python value of type `t` for an example: an enum's first value, a model as a dict
    of its required fields (two levels deep, then `{}`), a union as its first variant."""
    if isinstance(t, ir.Nullable):
        return value_of(t.inner, name, index, depth)
    if isinstance(t, ir.Prim) and t.format == "binary":  # a file's content
        return "b" + literal(f"{name} content")
    if isinstance(t, ir.Prim):
        return {"int": "123", "float": "1.5", "bool": "True"}.get(t.kind) or literal(f"{name}_123")
    if isinstance(t, ir.Const):
        return literal(t.value)
    if isinstance(t, ir.ListOf):
        return f"[{value_of(t.item, name, index, depth)}]"
    if isinstance(t, ir.MapOf):
        return f"{{{literal('key')}: {value_of(t.value, name, index, depth)}}}"
    if not isinstance(t, ir.Ref) or t.name not in index:
        return "{}"
    d = index[t.name]
    if isinstance(d, ir.Enum):
        return literal(d.members[0].value) if d.members else literal(name)
    if isinstance(d, ir.Alias):
        return value_of(d.target, name, index, depth)
    if isinstance(d, ir.KindUnion):
        return value_of(d.arms[0].type, name, index, depth) if d.arms else "{}"
    if isinstance(d, ir.TaggedUnion):
        case = d.cases[0] if d.cases else None
        model = index.get(case.variants[0] if case else d.variants[0].name if d.variants else "")
        return _dict_of(model, index, depth, (d.prop, case.tag) if case and d.prop else None)
    return _dict_of(d, index, depth, None)


def _dict_of(
    model: ir.Definition | None, index: Mapping[str, ir.Definition], depth: int, tag: tuple[str, str] | None
) -> str:
    if not isinstance(model, ir.Model) or depth >= 2:
        return "{}" if tag is None else f"{{{literal(tag[0])}: {literal(tag[1])}}}"
    items = [] if tag is None else [(tag[0], literal(tag[1]))]
    items += [
        (f.wire, value_of(f.type, f.wire, index, depth + 1))
        for f in model.fields
        if f.required and (tag is None or f.wire != tag[0])
    ]
    return "{" + ", ".join(f"{literal(k)}: {v}" for k, v in items) + "}"
