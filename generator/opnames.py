"""Operation -> where it lives on the client: a resource path and a method name.

Three sources, strongest first:
1. the configuration's name table (`names` in [tool.convgen]: see README, "Operation names");
2. the spec's own hints: the SDK call in `x-oaiMeta.examples.request.python`;
3. general rules on the path, for any API:
   - a leading version segment (`/v2`, `/2010-04-01`, `/api/v1`) is not a resource, an
     extension (`Messages.json`) is not part of a name, a query string in a path key
     (`/responses?beta=true`) is a fixed query parameter of the operation, never a name;
   - literal segments are resources; on an item (`/batches/{id}`) GET is `retrieve`,
     POST/PUT/PATCH `update`, DELETE `delete`; on a collection GET is `list`, POST `create`;
     a singleton (GET answering one object, not a list) has `retrieve`/`update`/`delete`;
   - a last singular segment with one operation under a resource (`/batches/{id}/cancel`,
     RPC style `POST /asset_report/pdf/get`) is an action: a method of that resource;
   - a fragment in a path key (`/files/{id}#get_shared_link`) names the method; it is no part
     of the URL.

Only the operation and its own path item are read, so a name does not depend on which
other operations are selected; except where names would clash: an action whose segment is
also a resource (`name_operations`), and two operations on one method (`settle`).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import parse_qsl

from . import ir
from .diagnostics import Diagnostic
from .naming import RESERVED_CLASSES, pascal, pascal_part, snake
from .specread import deref

_PARAM = re.compile(r"^{([^}]+)}$")
_EXTENSION = re.compile(r"\.(json|xml|yaml|yml|csv|txt|html)$", re.I)
_VERSION = re.compile(r"^(v\d+([._]\d+)*([a-z]+\d*)?|\d+(\.\d+)+|\d{4}-\d{2}-\d{2})$", re.I)
_CALL = re.compile(r"(?<![\w.])([A-Za-z_]\w*)\.([A-Za-z_][\w.]*)\(")
# how an example gets its client: `client = OpenAI(...)`, or the module's own (`import openai`)
_CLIENT = re.compile(r"^\s*(?:(\w+)\s*=\s*(?:await\s+)?[\w.]*[A-Z]\w*\(|import\s+(\w+)\s*$)", re.M)
# the SDK's views of a method (`client.files.with_raw_response.create`) name the method itself
_WRAPPERS = ("with_raw_response", "with_streaming_response")
_LIST_FIELDS = ("data", "items", "results", "entries", "records", "values", "list", "objects")
# keys beside a list that say it is one page of many
_PAGING = frozenset(
    {"links", "meta", "next", "next_page", "next_cursor", "cursor", "has_more", "total", "total_count", "next_marker"}
    | {"next_page_token", "next_token", "page", "page_size", "offset", "limit", "marker", "first_id", "last_id"}
)
_WRITES = ("post", "put", "patch")
_HTTP = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_CLASS_SUFFIXES = ("Resource", "Api", "Endpoints")  # for a resource class whose name a type has


@dataclass(frozen=True)
class NameTable:
    """The configuration's names: per operation, per path prefix, per `x-oaiMeta.group`."""

    operations: dict[str, tuple[str, ...]] = field(default_factory=dict)  # key -> "a.b.method" (+ aliases)
    resources: tuple[tuple[str, tuple[str, ...]], ...] = ()  # path prefix -> resource path, longest first
    groups: dict[str, tuple[str, ...]] = field(default_factory=dict)  # group -> resource prefix


@dataclass(frozen=True)
class OpName:
    resource: tuple[str, ...]
    method: str
    aliases: tuple[str, ...] = ()
    fixed_query: tuple[tuple[str, str], ...] = ()
    path: str = ""  # the path template without its query string or fragment
    source: str = "rule"  # "rule", "hint" or "table"
    as_resource: tuple[tuple[str, ...], str] | None = None  # an action's name were its segment a resource


def name_operations(operations: list[Any], doc: dict[str, Any], table: NameTable | None = None) -> list[OpName]:
    """`name_operation` for each selected operation (`select.SelectedOperation`); an action
    whose segment other operations use as a resource (`GET /files/{id}/metadata` beside
    `/files/{id}/metadata/{scope}`) is named as a resource too: its method would hide it.
    Every operation of the document counts there, selected or not, so that a selection
    names its operations as the whole spec does."""
    named = [name_operation(o.path, o.method, o.operation, o.path_item, doc, table) for o in operations]
    if all(n.as_resource is None for n in named):
        return named
    chosen = {(o.path, o.method) for o in operations}
    paths: dict[str, Any] = doc["paths"] if isinstance(doc.get("paths"), dict) else {}
    others = [
        name_operation(path, m, item[m], item, doc, table)
        for path, item in paths.items()
        if isinstance(item, dict)
        for m in _HTTP
        if isinstance(item.get(m), dict) and (path, m) not in chosen
    ]
    resources = {n.resource[:i] for n in [*named, *others] for i in range(1, len(n.resource) + 1)}
    return [
        replace(n, resource=n.as_resource[0], method=n.as_resource[1])
        if n.as_resource is not None and (*n.resource, n.method) in resources
        else n
        for n in named
    ]


def name_operation(
    path: str,
    method: str,
    op: dict[str, Any],
    path_item: dict[str, Any],
    doc: dict[str, Any],
    table: NameTable | None = None,
) -> OpName:
    bare, _, fragment = path.partition("#")
    bare, _, query = bare.partition("?")
    fixed = tuple(parse_qsl(query, keep_blank_values=True))
    rule = _rule(bare, method, op, path_item, doc)
    if fragment.strip():  # `/files/{id}#get_shared_link`: the fragment tells variants of one path apart
        rule = (rule[0], snake(fragment))
    op_id = op.get("operationId")
    if table is not None:
        wanted = table.operations.get(str(op_id)) if op_id else None
        wanted = wanted or table.operations.get(f"{method.upper()} {path}")
        if wanted:
            first = _split(wanted[0])
            aliases = tuple(m for m in (_split(w)[1] for w in wanted[1:] if _split(w)[0] == first[0]) if m != first[1])
            return OpName(first[0], first[1], aliases, fixed, bare, "table")
    variant = _variant(fixed, op_id)
    hint = _hint(op, rule, bare)
    if hint is not None:
        return OpName(_under(variant, hint[0]), hint[1], (), fixed, bare, "hint")
    resource = rule[0]
    alternative = None
    if table is not None:
        resource = _prefixed(bare, resource, op, table)
    resource = _under(variant, resource)
    if rule[0] != _resource_of(bare):  # an action: the method would hide a resource of its name
        alternative = (
            (*resource, rule[1]),
            "list" if method == "get" and _lists(op, doc, rule[1]) else _collection_method(method),
        )
    return OpName(resource, rule[1], (), fixed, bare, "rule", alternative)


def _variant(fixed: tuple[tuple[str, str], ...], op_id: Any) -> tuple[str, ...]:
    """A path key's query flag that its operationId names too (`/responses?beta=true`,
    `beta_createResponse`) marks a variant of the plain path's operation: a namespace of that name."""
    words = snake(str(op_id or "")).split("_")
    for key, value in fixed:
        if value.lower() == "true" and snake(key) == words[0] and len(words) > 1:
            return (snake(key),)
    return ()


def _under(variant: tuple[str, ...], resource: tuple[str, ...]) -> tuple[str, ...]:
    return resource if not variant or resource[: len(variant)] == variant else variant + resource


def _resource_of(path: str) -> tuple[str, ...]:
    return tuple(snake(s) for s in literal_segments(path) if s != "{}") or ("root",)


def _collection_method(method: str) -> str:
    return {"get": "retrieve", "post": "create", "delete": "delete"}.get(
        method, "update" if method in _WRITES else snake(method)
    )


def _split(dotted: str) -> tuple[tuple[str, ...], str]:
    parts = tuple(snake(p) for p in dotted.split(".") if p)
    return (parts[:-1] or ("root",)), parts[-1]


def literal_segments(path: str) -> list[str]:
    """The path's segments as names: no version prefix, no extensions, parameters as `{}`."""
    segments = [_EXTENSION.sub("", s) for s in path.split("#")[0].split("?")[0].split("/") if s]
    out = ["{}" if _PARAM.match(s) or s.startswith("{") else s for s in segments]
    while len(out) > 1 and (_VERSION.match(out[0]) or (out[0].lower() == "api" and _VERSION.match(out[1]))):
        out.pop(0)
    return out


def _rule(
    path: str, method: str, op: dict[str, Any], path_item: dict[str, Any], doc: dict[str, Any]
) -> tuple[tuple[str, ...], str]:
    segments = literal_segments(path)
    names = [snake(s) for s in segments if s != "{}"]
    resource = tuple(names) or ("root",)
    if segments and segments[-1] == "{}":
        if method == "get":  # an item that is itself a list (`/taxonomies/{namespace}`) is listed
            listed = tuple(segments[:-1]) not in _readable(doc) and _lists(op, doc, names[-1] if names else "")
            return resource, "list" if listed else "retrieve"  # (unless the list is its parent's GET)
        if (
            method == "post"
            and op.get("operationId")
            and any(isinstance(path_item.get(m), dict) for m in ("put", "patch"))
        ):
            return resource, snake(str(op["operationId"]))  # `update` is the PUT's/PATCH's beside it
        return resource, _write(method, path_item)
    methods = [m for m in _HTTP if isinstance(path_item.get(m), dict)]
    last = segments[-1] if segments else ""
    if len(names) >= 2 and len(methods) == 1 and not _plural(names[-1]):
        return resource[:-1], names[-1]  # an action: /batches/{id}/cancel, /asset_report/pdf/get
    get = path_item.get("get") if isinstance(path_item.get("get"), dict) else None
    listing = _lists(get, doc, names[-1] if names else "", collection=True) if get is not None else None
    singleton = listing is False or (listing is None and last != "" and not _plural(names[-1] if names else ""))
    if singleton and tuple(segments) in _collections(doc):  # `/logsink` beside `GET /logsink/{id}`: a collection
        singleton = False
    if method == "get":
        return resource, "retrieve" if singleton else "list"
    if method == "post" and not (singleton and get is not None and not _updated(path_item)):
        return resource, "create"  # (on a singleton, only when no PUT or PATCH is its update)
    return resource, _write(method, path_item)


def _updated(path_item: dict[str, Any]) -> bool:
    return any(isinstance(path_item.get(m), dict) for m in ("put", "patch"))


def _write(method: str, path_item: dict[str, Any]) -> str:
    """DELETE `delete`, PUT `update`, PATCH `update` too unless a PUT is beside it (then `patch`)."""
    if method == "delete":
        return "delete"
    if method == "patch" and isinstance(path_item.get("put"), dict):
        return "patch"
    return "update" if method in _WRITES else snake(method)


# for the last document asked: the literal segments of its paths with a GET
_READABLE: list[tuple[dict[str, Any], frozenset[tuple[str, ...]]]] = []


def _readable(doc: dict[str, Any]) -> frozenset[tuple[str, ...]]:
    if not _READABLE or _READABLE[0][0] is not doc:
        paths = doc.get("paths") if isinstance(doc.get("paths"), dict) else {}
        found = frozenset(
            tuple(literal_segments(str(p)))
            for p, item in (paths or {}).items()
            if isinstance(item, dict) and "get" in item
        )
        _READABLE[:] = [(doc, found)]
    return _READABLE[0][1]


def _collections(doc: dict[str, Any]) -> frozenset[tuple[str, ...]]:
    """The literal segments of every path of the spec with an item below it that can be read (`GET /a/{id}`)."""
    return frozenset(p[:-1] for p in _readable(doc) if p[-1:] == ("{}",))


def _plural(word: str) -> bool:
    last = word.split("_")[-1]
    return last.endswith("s") and not last.endswith(("ss", "us", "is"))


def _lists(op: dict[str, Any], doc: dict[str, Any], name: str, collection: bool = False) -> bool | None:
    """Whether a GET answers a list: an array, or an object holding one under `data`, `items`,
    ... or the resource's own name (`{"messages": [...], "next_page_uri": ...}`); at a
    collection path, also the one list beside paging facts (`{"ssh_keys": [...], "links": ..., "meta": ...}`)."""
    responses: dict[Any, Any] = op["responses"] if isinstance(op.get("responses"), dict) else {}
    for code in sorted(str(c) for c in responses):
        if not code.startswith("2"):
            continue
        response = deref(doc, responses.get(code, responses.get(int(code)) if code.isdigit() else None))
        content: dict[str, Any] = (
            response["content"] if isinstance(response, dict) and isinstance(response.get("content"), dict) else {}
        )
        for media in content.values():
            schema = deref(doc, media.get("schema")) if isinstance(media, dict) else None
            if not isinstance(schema, dict):
                continue
            if schema.get("type") == "array":
                return True
            props = _properties(doc, schema)
            arrays = [k for k in props if isinstance(s := deref(doc, props[k]), dict) and s.get("type") == "array"]
            return any(k in _LIST_FIELDS or snake(k) == name for k in arrays) or (
                collection and len(arrays) == 1 and any(snake(k) in _PAGING for k in props)
            )
    return None


def _properties(doc: dict[str, Any], schema: dict[str, Any], depth: int = 0) -> dict[str, Any]:
    """The properties of an object schema, with those of its `allOf` parts."""
    props = dict(schema["properties"]) if isinstance(schema.get("properties"), dict) else {}
    parts: list[Any] = schema["allOf"] if depth < 5 and isinstance(schema.get("allOf"), list) else []
    for part in parts:
        part = deref(doc, part)
        if isinstance(part, dict):
            props.update(_properties(doc, part, depth + 1))
    return props

    return None


def _hint(op: dict[str, Any], rule: tuple[tuple[str, ...], str], path: str) -> tuple[tuple[str, ...], str] | None:
    """The SDK call the spec's Python example makes; of several, the one most like the rule's.
    A resource the path spells without an underscore the call has (`chatkit`, `chat_kit`) is
    spelt as in the path, so that every operation under that path stays on one resource."""
    meta = op.get("x-oaiMeta")
    if not isinstance(meta, dict):
        return None
    calls: list[tuple[tuple[str, ...], str]] = []
    for text in _python_examples(meta.get("examples")):
        receivers = {"client"} | {a or b for a, b in _CLIENT.findall(text)}
        for receiver, dotted in _CALL.findall(text):
            parts = [p for p in dotted.split(".") if p not in _WRAPPERS]
            if receiver in receivers and len(parts) >= 2 and all(p.isidentifier() for p in parts):
                calls.append((tuple(parts[:-1]), parts[-1]))
    if not calls:
        return None
    resource, method = rule

    def score(item: tuple[int, tuple[tuple[str, ...], str]]) -> tuple[bool, bool, bool, int]:
        i, (res, meth) = item
        tail = res[-len(resource) :] == resource
        return (tail and meth == method, tail, res[-1:] == resource[-1:], i)

    res, meth = max(enumerate(calls), key=score)[1]
    spelt = {snake(s).replace("_", ""): snake(s) for s in literal_segments(path) if s != "{}"}
    return tuple(spelt.get(p.replace("_", ""), p) for p in res), meth


def _python_examples(node: Any) -> list[str]:
    out: list[str] = []
    if isinstance(node, dict):
        request = node.get("request")
        if isinstance(request, dict) and isinstance(request.get("python"), str):
            out.append(request["python"])
        for key, value in node.items():
            if key != "request":
                out += _python_examples(value)
    elif isinstance(node, list):
        for value in node:
            out += _python_examples(value)
    return out


def _prefixed(path: str, resource: tuple[str, ...], op: dict[str, Any], table: NameTable) -> tuple[str, ...]:
    for prefix, target in table.resources:
        if path == prefix or path.startswith(prefix.rstrip("/") + "/"):
            drop = len([s for s in literal_segments(prefix) if s != "{}"])
            resource = target + resource[drop:]
            break
    meta = op.get("x-oaiMeta")
    group = meta.get("group") if isinstance(meta, dict) else None
    if isinstance(group, str) and group in table.groups:
        extra = table.groups[group]
        if resource[: len(extra)] != extra:
            resource = extra + resource
    return resource


def settle(operations: list[ir.Operation], diags: list[Diagnostic]) -> list[ir.Operation]:
    """Names that collide: the one operation with the strongest name (table > hint > rule,
    then one without a fixed query, then not a POST) keeps it, the others take their operationId's (W360);
    a tie renames all. An operationId's name that a long name's cut made equal to another keeps
    all its words. Names still equal after that are an error (E205)."""
    rank = {"table": 0, "hint": 1, "rule": 2}
    out = list(operations)
    renamed: dict[int, tuple[str, str]] = {}  # index -> (the colliding operations, the name they would share)
    groups: dict[tuple[tuple[str, ...], str], list[int]] = {}
    for i, op in enumerate(out):
        for m in (op.method_name, *op.aliases):
            groups.setdefault((op.resource, m), []).append(i)
    for (_, method), indexes in sorted(groups.items()):
        if len(indexes) < 2:
            continue
        # PUT/PATCH before POST for `update`: a POST beside them on one path gets the other name
        keys = {
            i: (rank.get(out[i].name_source, 2), bool(out[i].fixed_query), out[i].http_method == "POST")
            for i in indexes
        }
        keep = [i for i in indexes if keys[i] == min(keys.values())]
        others = " and ".join(f"{out[i].http_method} {_shown(out[i])}" for i in indexes)
        for i in indexes:
            if (len(keep) == 1 and i == keep[0]) or out[i].method_name != method:
                continue
            renamed[i] = (others, method)
            out[i] = replace(out[i], method_name=snake(out[i].operation_id))
    names = Counter((op.resource, m) for op in out for m in (op.method_name, *op.aliases))
    for i in renamed:
        if names[(out[i].resource, out[i].method_name)] > 1:
            out[i] = replace(out[i], method_name=snake(out[i].operation_id, cut=False))
    for i, (others, method) in renamed.items():
        op, resource = out[i], ".".join(out[i].resource)
        now = f"{op.http_method} {_shown(op)} is {resource}.{op.method_name}()"
        diags.append(Diagnostic("W360", f"{others} would all be {resource}.{method}(): {now}", op.pointer))
    seen: dict[tuple[tuple[str, ...], str], ir.Operation] = {}
    for op in out:
        for m in (op.method_name, *op.aliases):
            key = (op.resource, m)
            if key in seen and seen[key] is not op:
                other = seen[key]
                diags.append(
                    Diagnostic(
                        "E205",
                        f"{op.http_method} {_shown(op)} and {other.http_method} {_shown(other)} "
                        f"both become {'.'.join(op.resource)}.{m}()",
                        op.pointer,
                    )
                )
            seen[key] = op
    return out


def _shown(op: ir.Operation) -> str:
    return op.path + ("?" + "&".join(f"{k}={v}" for k, v in op.fixed_query) if op.fixed_query else "")


# Names a generated method's body uses besides its arguments: an argument of the same name
# would hide them (a body field `path` made every call fail with "'Unset' object is not callable").
METHOD_BODY_NAMES = frozenset(
    {
        "path",
        "RequestOptions",
        "Timeout",
        "UNSET",
        "Unset",
        "RawResponse",
        "AsyncPager",
        "SyncCursorPage",
        "AsyncCursorPage",
        "Mapping",
        "Sequence",
        "Any",
        "Literal",
        "TYPE_CHECKING",
        "cached_property",
        "annotations",
        "_t",
        "_r",
        "_b",
        "_s",
        "_u",
        "Styled",
    }
)
PAGE_LAMBDA_NAMES = frozenset({"Paging"})  # what a paginated method's code uses besides its page class


def unshadow(op: ir.Operation, diags: list[Diagnostic]) -> ir.Operation:
    """Arguments named like something the method body uses get a `_` suffix (W362)."""
    taken = METHOD_BODY_NAMES | (PAGE_LAMBDA_NAMES if op.page is not None else frozenset())
    fields = list(op.body.fields) if op.body is not None and op.body.flattened else []
    used = {p.attr for p in [*op.path_params, *op.query_params]} | {f.attr for f in fields}
    if not used & taken:
        return op

    def fix(attr: str, wire: str) -> str:
        if attr not in taken:
            return attr
        new = attr + "_"
        while new in used or new in taken:
            new += "_"
        used.add(new)
        what = "a name the method's code uses" if attr in METHOD_BODY_NAMES else "a name its pagination uses"
        diags.append(
            Diagnostic(
                "W362",
                f"argument {wire!r} of {'.'.join((*op.resource, op.method_name))}() is {new!r}: {attr!r} is {what}",
                op.pointer,
            )
        )
        return new

    path_params = tuple(replace(p, attr=fix(p.attr, p.wire)) for p in op.path_params)
    query_params = tuple(replace(p, attr=fix(p.attr, p.wire)) for p in op.query_params)
    body = op.body
    if body is not None and body.flattened:
        body = replace(body, fields=tuple(replace(f, attr=fix(f.attr, f.wire)) for f in body.fields))
    return replace(op, path_params=path_params, query_params=query_params, body=body)


def _class_name(text: str) -> str:
    """`pascal`, but a name the generated code uses stays as it is (`Scheme`, not `SchemeModel`):
    the caller counts it as taken, so that the class gets a `Resource` suffix and a W361."""
    part = pascal_part(text)
    return part if part in RESERVED_CLASSES else pascal(text)


def resource_classes(
    operations: list[ir.Operation], type_names: frozenset[str], diags: list[Diagnostic]
) -> tuple[tuple[tuple[str, ...], str], ...]:
    """A class name per resource path. Names are scoped per resource module (one per top-level
    resource): `client.vector_stores.files` and `client.containers.files` are both `Files`.
    Within a module a taken name gets its parents' names in front (`ChatkitThreads`); a name
    a type has gets a `Resource` suffix instead (W361), as no type may be hidden by a resource
    (`Api` where that is a type's too, as `TagsResource` is in DigitalOcean's spec)."""
    paths = sorted(
        {op.resource[:i] for op in operations for i in range(1, len(op.resource) + 1)}, key=lambda p: (len(p), p)
    )
    pointers: dict[tuple[str, ...], str] = {}
    for op in operations:
        pointers.setdefault(op.resource, op.pointer)
    tops: set[str] = set()
    modules: dict[str, set[str]] = {}
    out: list[tuple[tuple[str, ...], str]] = []
    for path in paths:
        taken = modules.setdefault(path[0], set()) | ({"Client", "AsyncClient"} | tops if len(path) == 1 else set())
        candidates = [_class_name("_".join(path[i:])) for i in range(len(path) - 1, -1, -1)]
        name = next((c for c in candidates if c not in taken and c not in type_names), "")
        if not name:
            name = next(
                (
                    c + suffix
                    for suffix in _CLASS_SUFFIXES
                    for c in candidates
                    if c + suffix not in taken and c + suffix not in type_names
                ),
                "",
            )
            n = 2
            while not name or name in taken or name in type_names:
                name = f"{candidates[-1]}Resource{n}"
                n += 1
            diags.append(
                Diagnostic(
                    "W361",
                    f"the class of client.{'.'.join(path)} is {name}: {candidates[0]} is the name of a type"
                    + (" the generated code uses" if candidates[0] in RESERVED_CLASSES else ""),
                    pointers.get(path, next(p for r, p in pointers.items() if r[: len(path)] == path)),
                )
            )
        modules[path[0]].add(name)
        if len(path) == 1:
            tops.add(name)
        out.append((path, name))
    return tuple(out)
