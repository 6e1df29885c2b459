"""Pagination: how a list operation's pages link up (README: Pagination).

Detected from the response's shape and the operation's query parameters where only one
reading fits, else taken from the configuration's `pagination` table (a TOML file):

    [operations]   # operationId, or "METHOD /path", -> a strategy, or a table of one
    listFiles = "item_cursor"
    "GET /events" = { strategy = "cursor", field = "meta.next", param = "page_token" }
    getUsage = "none"

Two readings that both fit are W370 (the method is generated without pages); a configured
strategy that does not fit the operation is W371; an entry naming no operation is W372
(checked when the whole spec is built: a selection loads only its own part).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from . import ir
from .diagnostics import Diagnostic
from .nametable import read_table
from .specread import deref, mapping

STRATEGIES = ("none", "page", "cursor", "item_cursor", "offset", "page_number", "next_url", "link_header")
_KEYS = ("strategy", "items", "param", "field", "has_more", "total", "start")

# The names the detection knows, in order of preference (wire names)
_CURSOR_FIELDS = (
    "last_id",
    "next",
    "next_cursor",
    "nextCursor",
    "cursor",
    "next_page",
    "next_page_token",
    "nextPageToken",
    "next_token",
    "nextToken",
    "continuation_token",
    "next_marker",
)
_CURSOR_PARAMS = (
    "after",
    "cursor",
    "starting_after",
    "page_token",
    "pageToken",
    "next_token",
    "nextToken",
    "continuation_token",
    "marker",
    "page",
)
_URL_FIELDS = ("next_url", "next_page_url", "nextLink", "@odata.nextLink", "next_link", "next_page_uri", "nextPageUri")
_ITEMS = ("data", "items", "entries", "results", "values", "records")  # else the response's only array
_HAS_MORE = ("has_more", "hasMore", "has_next", "more")
_OFFSET_PARAMS = ("offset", "skip")
_PAGE_PARAMS = ("page", "page_number", "pageNumber")
_TOTAL_ITEMS = ("total", "total_count", "totalCount", "total_results", "count")
_TOTAL_PAGES = ("total_pages", "totalPages", "page_count", "pageCount")
_ITEM_CURSOR_PARAMS = ("after", "starting_after")

_DEFAULT_PARAMS = {
    "cursor": _CURSOR_PARAMS,
    "item_cursor": _ITEM_CURSOR_PARAMS,
    "offset": _OFFSET_PARAMS,
    "page_number": _PAGE_PARAMS,
}
_DEFAULT_FIELDS = {"cursor": _CURSOR_FIELDS, "next_url": _URL_FIELDS}

# the runtime's page class (less its Sync/Async prefix) of each strategy
_CLASSES = {
    "page": "Page",
    "item_cursor": "CursorPage",
    "offset": "OffsetPage",
    "page_number": "PageNumberPage",
    "next_url": "NextURLPage",
    "link_header": "LinkHeaderPage",
}


@dataclass(frozen=True)
class Rule:
    """One entry of the pagination table: a strategy and the names it overrides."""

    key: str  # operationId or "METHOD /path"
    strategy: str
    line: int
    items: str = ""
    param: str = ""
    field: str = ""
    has_more: str = ""
    total: str = ""
    start: int = 1


@dataclass(frozen=True)
class PagingTable:
    file: str
    rules: tuple[Rule, ...]


def load_paging(path: Path) -> tuple[PagingTable | None, list[Diagnostic]]:
    name = str(path)
    text, data, failed = read_table(path, "the pagination table")
    if data is None:
        return None, failed
    diags: list[Diagnostic] = []

    def line_of(key: str) -> int:
        m = re.search(rf"^\s*\"?{re.escape(key)}\"?\s*=|^\[{re.escape(key)}\]", text, re.M)
        return text.count("\n", 0, m.start()) + 1 if m else 1

    def bad(key: str, message: str, code: str = "E401") -> None:
        diags.append(Diagnostic(code, message, file=name, line=line_of(key), column=1))

    rules: list[Rule] = []
    for table, entries in data.items():
        if table != "operations" or not isinstance(entries, dict):
            bad(table, f"unknown pagination table [{table}] (known: [operations])", "W402")
            continue
        for key, value in entries.items():
            entry = {"strategy": value} if isinstance(value, str) else value
            if not isinstance(entry, dict) or entry.get("strategy") not in STRATEGIES:
                bad(key, f"{key!r} needs a strategy: one of {', '.join(STRATEGIES)}")
                continue
            unknown = sorted(set(entry) - set(_KEYS))
            wrong = [k for k in _KEYS[1:-1] if k in entry and not (isinstance(entry[k], str) and entry[k])]
            if unknown or wrong or not isinstance(entry.get("start", 1), int):
                what = f"unknown keys {', '.join(unknown)}" if unknown else "names must be non-empty strings"
                bad(key, f"{key!r}: {what} (keys: {', '.join(_KEYS)})")
                continue
            rules.append(Rule(key, line=line_of(key), **entry))
    return PagingTable(name, tuple(rules)), diags


def unknown_entries(table: PagingTable | None, doc: dict[str, Any]) -> list[Diagnostic]:
    """Entries that name no operation of the document (a typo would otherwise do nothing)."""
    if table is None:
        return []
    known: set[str] = set()
    for path, item in mapping(doc.get("paths")).items():
        for method, op in mapping(item).items():
            if isinstance(op, dict):
                known |= {f"{method.upper()} {path}", str(op.get("operationId", ""))}
    return [
        Diagnostic(
            "W372",
            f"the pagination table names {r.key!r}, which is no operation of the spec",
            file=table.file,
            line=r.line,
            column=1,
        )
        for r in table.rules
        if r.key not in known
    ]


@dataclass(frozen=True)
class _Shape:
    """What the detection reads: the items, the response's fields and the query parameters."""

    items: ir.Field | None  # None when the response is the list itself
    item: ir.TypeRef
    fields: dict[str, ir.Field]
    params: dict[str, ir.Param]
    defs: dict[str, ir.Definition]


def paginate(
    op: ir.Operation,
    raw: dict[str, Any],
    path_key: str,
    doc: dict[str, Any],
    defs: dict[str, ir.Definition],
    table: PagingTable | None,
    diags: list[Diagnostic],
) -> ir.Operation:
    """`op` with its pagination: configured, else detected (GET only), else none. `raw` is the
    spec's operation, `path_key` its key under `paths` (the table may name it so)."""
    keys = (op.operation_id, f"{op.http_method} {op.path}", f"{op.http_method} {path_key}")
    rule = next((r for r in table.rules if r.key in keys), None) if table else None
    shape = _shape(op, defs)
    if rule is not None:
        if rule.strategy == "none":
            return op
        page, problem = _configured(rule, shape, op)
        if page is None:
            diags.append(
                Diagnostic(
                    "W371", f"{op.operation_id}: pagination {rule.strategy!r} does not fit: {problem}", op.pointer
                )
            )
            return op
        return _with(op, page)
    if op.http_method != "GET" or shape is None:
        return op
    found = _detect(shape, _declares_link(raw, doc))
    if len(found) > 1:
        ways = " or ".join(f"{p.kind} ({_describe(p)})" for p in found)
        diags.append(Diagnostic("W370", f"{op.operation_id}: the pages could be read as {ways}", op.pointer))
        return op
    return _with(op, found[0]) if found else op


def _with(op: ir.Operation, page: ir.Pagination) -> ir.Operation:
    return replace(op, page=page)


def _describe(p: ir.Pagination) -> str:
    return ", ".join(f"{k}={v}" for k, v in (("field", p.field), ("param", p.param)) if v)


def _shape(op: ir.Operation, defs: dict[str, ir.Definition]) -> _Shape | None:
    t = op.response
    while isinstance(t, ir.Ref) and isinstance(defs.get(t.name), ir.Alias):
        target = defs[t.name]
        assert isinstance(target, ir.Alias)
        t = target.target
    params = {p.wire: p for p in op.query_params}
    if isinstance(t, ir.ListOf):
        return _Shape(None, t.item, {}, params, defs)
    model = defs.get(t.name) if isinstance(t, ir.Ref) else None
    if not isinstance(model, ir.Model):
        return None
    fields = {f.wire: f for f in model.fields}
    lists = [f for f in model.fields if isinstance(_bare(f.type), ir.ListOf)]
    named = [f for w in _ITEMS for f in lists if f.wire == w]
    items = named[0] if named else lists[0] if len(lists) == 1 else None
    if items is None:
        return None
    listed = _bare(items.type)
    assert isinstance(listed, ir.ListOf)
    return _Shape(items, listed.item, fields, params, defs)


def _bare(t: ir.TypeRef) -> ir.TypeRef:
    return t.inner if isinstance(t, ir.Nullable) else t


def _is(field: ir.Field | ir.Param | None, kind: str) -> bool:
    t = _bare(field.type) if field is not None else None
    return isinstance(t, ir.Prim) and t.kind == kind


def _declares_link(raw: dict[str, Any], doc: dict[str, Any]) -> bool:
    for status, response in mapping(raw.get("responses")).items():
        if str(status).startswith("2"):
            headers = mapping(mapping(deref(doc, response)).get("headers"))
            return any(str(h).lower() == "link" for h in headers)
    return False


def _page(shape: _Shape, kind: str, **names: Any) -> ir.Pagination:
    items = shape.items
    field = names.get("field", "")
    cls = _CLASSES.get(kind) or ("ConversationCursorPage" if field == "last_id" else "NextCursorPage")
    return ir.Pagination(
        kind,  # type: ignore[arg-type]
        cls,
        shape.item,
        items.wire if items else "",
        items.attr if items else "",
        **names,
    )


def _detect(shape: _Shape, link: bool) -> list[ir.Pagination]:
    """Every reading that fits; the link strategies settle it alone (they carry the other parameters)."""
    fields, params = shape.fields, shape.params
    has_more = next((w for w in _HAS_MORE if _is(fields.get(w), "bool")), "")
    if link:
        return [_page(shape, "link_header")]
    url = next((w for w in fields if _is(fields[w], "str") and (w in _URL_FIELDS or _uri(fields[w]))), "")
    if url:
        return [_page(shape, "next_url", field=url, has_more_field=has_more)]
    found = []
    cursors = [w for w in _CURSOR_FIELDS if _is(fields.get(w), "str")]
    takers = [w for w in _CURSOR_PARAMS if w in params and _is(params[w], "str")]
    if cursors and takers:
        found += [
            _page(shape, "cursor", field=f, param=p, has_more_field=has_more) for f in cursors[:2] for p in takers[:2]
        ]
    elif has_more and not cursors:
        takers = [w for w in _ITEM_CURSOR_PARAMS if w in params]
        if takers and _item_key(shape, "id"):
            found.append(_page(shape, "item_cursor", field="id", param=takers[0], has_more_field=has_more))
    offset = next((w for w in _OFFSET_PARAMS if _is(params.get(w), "int")), "")
    if offset:
        total = next((w for w in _TOTAL_ITEMS if _is(fields.get(w), "int")), "")
        found.append(_page(shape, "offset", param=offset, has_more_field=has_more, total_field=total))
    number = next((w for w in _PAGE_PARAMS if _is(params.get(w), "int")), "")
    if number:
        total = next((w for w in _TOTAL_PAGES if _is(fields.get(w), "int")), "")
        found.append(_page(shape, "page_number", param=number, has_more_field=has_more, total_field=total))
    if not found and shape.items is not None and shape.items.wire == "data" and set(fields) <= {"data", "object"}:
        found.append(_page(shape, "page"))
    return found


def _uri(field: ir.Field) -> bool:
    t = _bare(field.type)
    return isinstance(t, ir.Prim) and t.format in ("uri", "url", "uri-reference") and "next" in field.wire.lower()


def _item_key(shape: _Shape, key: str) -> bool:
    item = shape.defs.get(shape.item.name) if isinstance(shape.item, ir.Ref) else None
    return isinstance(item, ir.Model) and any(f.wire == key for f in item.fields)


def _configured(rule: Rule, shape: _Shape | None, op: ir.Operation) -> tuple[ir.Pagination | None, str]:
    """The rule's strategy with the names it gives, the rest detected; or what does not fit."""
    if shape is None:
        return None, "the response is not a list, nor an object with one list of items"
    if rule.items:
        items = shape.fields.get(rule.items)
        listed = _bare(items.type) if items else None
        if items is None or not isinstance(listed, ir.ListOf):
            return None, f"the response has no list field {rule.items!r}"
        shape = _Shape(items, listed.item, shape.fields, shape.params, shape.defs)
    need_param = rule.strategy in ("cursor", "item_cursor", "offset", "page_number")
    need_field = rule.strategy in ("cursor", "next_url")
    fields, params = shape.fields, shape.params
    param = rule.param or next((w for w in _DEFAULT_PARAMS.get(rule.strategy, ()) if w in params), "")
    field = rule.field or (
        "id"
        if rule.strategy == "item_cursor"
        else next((w for w in _DEFAULT_FIELDS.get(rule.strategy, ()) if _is(fields.get(w), "str")), "")
    )
    if need_param and param not in params:
        return None, f"no query parameter {param!r}" if param else "name its query parameter (`param`)"
    if need_field and not field:
        return None, "name the response field (`field`)"
    for path in (field if rule.strategy != "item_cursor" else "", rule.has_more, rule.total):
        if path and path.split(".")[0] not in fields:
            return None, f"the response has no field {path.split('.')[0]!r}"
    model = shape.defs.get(shape.item.name) if isinstance(shape.item, ir.Ref) else None
    if rule.strategy == "item_cursor" and isinstance(model, ir.Model) and not _item_key(shape, field.split(".")[0]):
        return None, f"the items have no field {field!r}"
    totals = _TOTAL_ITEMS if rule.strategy == "offset" else _TOTAL_PAGES if rule.strategy == "page_number" else ()
    has_more = rule.has_more or next((w for w in _HAS_MORE if _is(fields.get(w), "bool")), "")
    total = rule.total or next((w for w in totals if _is(fields.get(w), "int")), "")
    names: dict[str, Any] = {"has_more_field": has_more, "total_field": total, "start": rule.start}
    if need_param:
        names["param"] = param
    if need_field or rule.strategy == "item_cursor":
        names["field"] = field
    return _page(shape, rule.strategy, **names), ""
