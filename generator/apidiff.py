"""`convgen diff OLD NEW`: what changed in the generated client's public API between two specs.

Compares two intermediate models, so it speaks in the client's terms (methods, classes,
attributes, enum members) and flags what breaks code written against the old client.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import ir


@dataclass(frozen=True, order=True)
class Change:
    subject: str  # e.g. "type Message", "method conversations.items.list"
    what: str
    breaking: bool


def diff(old: ir.Api, new: ir.Api) -> list[Change]:
    changes: list[Change] = []
    changes += _operations(old, new)
    changes += _definitions(old, new)
    return sorted(changes)


def _operations(old: ir.Api, new: ir.Api) -> list[Change]:
    def key(op: ir.Operation) -> str:
        return ".".join(op.resource + (op.method_name,))

    before = {key(op): op for op in old.operations}
    after = {key(op): op for op in new.operations}
    out = [Change(f"method {k}", "removed", True) for k in before.keys() - after.keys()]
    out += [
        Change(f"method {k}", f"added ({after[k].http_method} {after[k].path})", False)
        for k in after.keys() - before.keys()
    ]
    for k in before.keys() & after.keys():
        a, b = before[k], after[k]
        subject = f"method {k}"
        if (a.http_method, a.path) != (b.http_method, b.path):
            out.append(Change(subject, f"now {b.http_method} {b.path} (was {a.http_method} {a.path})", False))
        old_args = {p.attr: p for p in _arguments(a)}
        new_args = {p.attr: p for p in _arguments(b)}
        for name in old_args.keys() - new_args.keys():
            out.append(Change(subject, f"argument {name} removed", True))
        for name in new_args.keys() - old_args.keys():
            required = new_args[name].required
            out.append(Change(subject, f"argument {name} added{' (required)' if required else ''}", required))
        for name in old_args.keys() & new_args.keys():
            p, q = old_args[name], new_args[name]
            if q.required and not p.required:
                out.append(Change(subject, f"argument {name} is now required", True))
            if p.type != q.type:
                out.append(Change(subject, f"argument {name} changed type", True))
        if a.response != b.response:
            out.append(Change(subject, "return type changed", True))
    return out


def _arguments(op: ir.Operation) -> list[ir.Param]:
    params = list(op.path_params) + list(op.query_params)
    if op.body is not None:
        params += [ir.Param(f.wire, f.attr, f.type, f.required) for f in op.body.fields]
    return params


def _request_types(api: ir.Api) -> set[str]:
    """Definitions a caller may construct: those an argument or a request body uses, transitively."""
    index = api.index()
    pending: list[str] = []
    for op in api.operations:
        for param in _arguments(op):
            pending += ir.ref_names(param.type)
        if op.body is not None:
            pending += ir.ref_names(op.body.type)
    seen: set[str] = set()
    while pending:
        name = pending.pop()
        if name in seen or name not in index:
            continue
        seen.add(name)
        d = index[name]
        if isinstance(d, ir.Model):
            pending += [n for f in d.fields for n in ir.ref_names(f.type)]
        elif isinstance(d, ir.TaggedUnion):
            pending += [v.name for v in d.variants]
        elif isinstance(d, ir.KindUnion):
            pending += [n for arm in d.arms for n in ir.ref_names(arm.type)]
        elif isinstance(d, ir.Alias):
            pending += ir.ref_names(d.target)
    return seen


def _definitions(old: ir.Api, new: ir.Api) -> list[Change]:
    before, after = old.index(), new.index()
    requests = _request_types(old) | _request_types(new)
    out = [Change(f"type {n}", "removed", True) for n in before.keys() - after.keys()]
    out += [Change(f"type {n}", f"added ({_kind(after[n])})", False) for n in after.keys() - before.keys()]
    for name in sorted(before.keys() & after.keys()):
        a, b = before[name], after[name]
        subject = f"type {name}"
        if type(a) is not type(b):
            out.append(Change(subject, f"is now {_kind(b)} (was {_kind(a)})", True))
        elif isinstance(a, ir.Model) and isinstance(b, ir.Model):
            out += _fields(subject, a, b, name in requests)
        elif isinstance(a, ir.Enum) and isinstance(b, ir.Enum):
            old_values = {m.value for m in a.members}
            new_values = {m.value for m in b.members}
            out += [Change(subject, f"value {v!r} added", False) for v in sorted(new_values - old_values)]
            # unknown values decode to str, so a removed member only breaks code naming it
            out += [Change(subject, f"value {v!r} removed", True) for v in sorted(old_values - new_values)]
        elif isinstance(a, ir.TaggedUnion) and isinstance(b, ir.TaggedUnion):
            old_variants = {v.name for v in a.variants}
            new_variants = {v.name for v in b.variants}
            out += [Change(subject, f"variant {v} added", False) for v in sorted(new_variants - old_variants)]
            out += [Change(subject, f"variant {v} removed", True) for v in sorted(old_variants - new_variants)]
        elif a != b and not isinstance(a, ir.Model):
            out.append(Change(subject, "changed", False))
    return out


def _fields(subject: str, a: ir.Model, b: ir.Model, in_requests: bool) -> list[Change]:
    """Field changes; one that becomes required breaks only code that constructs the type,
    which callers do for request types, so there it is breaking."""
    old = {f.attr: f for f in a.fields}
    new = {f.attr: f for f in b.fields}
    out = [Change(subject, f"field {n} removed", True) for n in sorted(old.keys() - new.keys())]
    out += [
        Change(subject, f"field {n} added{' (required)' if new[n].required else ''}", new[n].required)
        for n in sorted(new.keys() - old.keys())
    ]
    for n in sorted(old.keys() & new.keys()):
        if old[n].type != new[n].type:
            out.append(Change(subject, f"field {n} changed type", True))
        elif old[n].required != new[n].required:
            now = "required" if new[n].required else "optional"
            out.append(Change(subject, f"field {n} is now {now}", now == "optional" or in_requests))
    return out


def _kind(d: ir.Definition) -> str:
    return {ir.Model: "model", ir.Enum: "enum", ir.TaggedUnion: "union", ir.KindUnion: "union", ir.Alias: "alias"}[
        type(d)
    ]


def report(changes: list[Change]) -> str:
    if not changes:
        return "no changes to the client's public API\n"
    breaking = sum(c.breaking for c in changes)
    lines = [f"{'BREAKING ' if c.breaking else ''}{c.subject}: {c.what}" for c in changes]
    lines.append(f"{len(changes)} change{'s' * (len(changes) != 1)}, {breaking} breaking")
    return "\n".join(lines) + "\n"
