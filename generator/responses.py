"""What a successful response is, for the build stage: JSON, an event stream, bytes, text or nothing.

The first 2xx response is read (as for JSON before); among its media types JSON is decoded
when present, else bytes, else text. A `text/event-stream` beside it is offered through the
request body's boolean `stream` field (`create(stream=True)`); alone, it is what the method
always returns. Whatever cannot be told apart this way gets a W34x diagnostic, and the
method still gives the bytes (`with_streaming_response`), never a wrong decoding.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import ir
from .diagnostics import Diagnostic, escape_token
from .schemas import SchemaBuilder
from .specread import deref

EVENT_STREAM = "text/event-stream"
STREAM_FLAG = "stream"  # the body field that asks for the event stream instead of the other response
EVENTS_VALUE = "sse"  # or an enum body field with this value (`stream_format: sse`)
# media types that are bytes whatever their schema says (prefixes end in "/")
_BINARY = (
    "audio/",
    "video/",
    "image/",
    "font/",
    "model/",
    "application/octet-stream",
    "application/pdf",
    "application/zip",
    "application/gzip",
    "application/x-tar",
    "application/x-gzip",
    "application/x-zip-compressed",
    "application/vnd.",
    "application/x-7z-compressed",
    "application/wasm",
)


_KINDS: dict[str, ir.ResponseKind] = {"json": "json", "binary": "binary", "text": "text"}


@dataclass(frozen=True)
class Chosen:
    type: ir.TypeRef | None  # the JSON type when kind is "json"
    kind: ir.ResponseKind
    media: str
    events: ir.EventStream | None


def choose(sb: SchemaBuilder, op: dict[str, Any], base: str, at: str) -> Chosen:
    responses: dict[Any, Any] = op["responses"] if isinstance(op.get("responses"), dict) else {}
    for code in sorted(str(c) for c in responses):
        if not (code.startswith("2") or code == "2XX"):
            continue
        response = deref(sb.doc, responses.get(code, responses.get(int(code)) if code.isdigit() else None))
        if not isinstance(response, dict):
            continue
        content: dict[str, Any] = response["content"] if isinstance(response.get("content"), dict) else {}
        return _choose_media(sb, op, content, base, f"{at}/responses/{escape_token(code)}/content")
    return Chosen(None, "empty", "", None)


def kind_of(media: str, schema: Any) -> str:
    """ "json", "events", "binary" or "text" for one media type; "" when it is none of them."""
    m = media.split(";", 1)[0].strip().lower()
    if m == "application/json" or m.endswith("+json") or m == "*/*" and _is_json_schema(schema):
        return "json"
    if m == EVENT_STREAM:
        return "events"
    s = schema if isinstance(schema, dict) else {}
    if (
        any(m == b or (b.endswith(("/", ".")) and m.startswith(b)) for b in _BINARY)
        or s.get("format") == "binary"
        or "contentMediaType" in s
    ):
        return "binary"
    if m.startswith("text/") or s.get("type") == "string" or m.endswith(("+xml", "/xml")) and not s:
        return "text"
    return ""


def _choose_media(sb: SchemaBuilder, op: dict[str, Any], content: dict[str, Any], base: str, at: str) -> Chosen:
    by_kind: dict[str, tuple[str, Any]] = {}
    for media, entry in content.items():
        entry = entry if isinstance(entry, dict) else {}
        schema = entry.get("schema", {})
        kind = kind_of(str(media), schema)
        if not kind:
            # bytes are always a safe reading: the caller gets `.content` / `.text` and decides
            sb.diags.append(
                Diagnostic(
                    "W341",
                    f"{media} responses are not decoded: the method returns their bytes",
                    f"{at}/{escape_token(str(media))}",
                )
            )
            kind = "binary"
        by_kind.setdefault(kind, (str(media), entry))
    kinds = [k for k in by_kind if k != "events"]
    # one kind is read as it is; several are bytes, which `.json()`, `.text` and `.content` all read
    primary = kinds[0] if len(kinds) == 1 else "binary" if kinds else ""
    if len(kinds) > 1 and "json" in by_kind and _is_structured(sb.doc, by_kind["json"][1].get("schema")):
        media = by_kind["json"][0]
        others = ", ".join(m for k, (m, _) in by_kind.items() if k not in ("json", "events"))
        sb.diags.append(
            Diagnostic(
                "W342",
                f"the response is {media} or {others}: the method returns the bytes "
                "(`.json()` gives the JSON undecoded)",
                f"{at}/{escape_token(media)}",
            )
        )
    events = None
    if "events" in by_kind:
        media, entry = by_kind["events"]
        event = sb.convert(entry.get("schema", {}), base + "Event", f"{at}/{escape_token(media)}/schema")
        flag, value = _stream_flag(sb.doc, op)
        if not primary:
            events = ir.EventStream(event, media)
        elif flag:
            events = ir.EventStream(event, media, flag, value)
        else:
            sb.diags.append(
                Diagnostic(
                    "W340",
                    f"the {media} response is not asked for by a boolean `{STREAM_FLAG}` body field (or an enum with "
                    f"{EVENTS_VALUE!r}): the method returns "
                    f"{by_kind[kinds[0]][0]}; read the events through with_streaming_response",
                    f"{at}/{escape_token(media)}",
                )
            )
    if not primary:
        return Chosen(None, "events", events.media, events) if events else Chosen(None, "empty", "", None)
    media, entry = by_kind[primary] if primary in by_kind else by_kind[kinds[0]]
    type_: ir.TypeRef | None = None
    if primary == "json" and "schema" in entry:
        type_ = sb.convert(entry["schema"], base + "Response", f"{at}/{escape_token(media)}/schema")
    return Chosen(type_, _KINDS[primary], media, events)


def _stream_flag(doc: dict[str, Any], op: dict[str, Any]) -> tuple[str, bool | str]:
    """The request body property (of any media type) that asks for the event stream, and its
    value: a boolean STREAM_FLAG (True), else an enum property with EVENTS_VALUE; ("", False)."""
    body = deref(doc, op.get("requestBody"))
    content: dict[str, Any] = (
        body["content"] if isinstance(body, dict) and isinstance(body.get("content"), dict) else {}
    )
    schemas = [deref(doc, entry.get("schema")) for entry in content.values() if isinstance(entry, dict)]
    for schema in schemas:
        if _is_boolean(doc, _property(doc, schema, STREAM_FLAG, 0)):
            return STREAM_FLAG, True
    for schema in schemas:
        for name in _property_names(doc, schema, 0):
            enum = deref(doc, _property(doc, schema, name, 0))
            if isinstance(enum, dict) and isinstance(enum.get("enum"), list) and EVENTS_VALUE in enum["enum"]:
                return name, EVENTS_VALUE
    return "", False


def _property_names(doc: dict[str, Any], schema: Any, depth: int) -> list[str]:
    schema = deref(doc, schema)
    if not isinstance(schema, dict) or depth > 10:
        return []
    names = [str(n) for n in schema.get("properties") or {}] if isinstance(schema.get("properties"), dict) else []
    for member in schema.get("allOf") or []:
        names += _property_names(doc, member, depth + 1)
    return names


def _property(doc: dict[str, Any], schema: Any, name: str, depth: int) -> Any:
    schema = deref(doc, schema)
    if not isinstance(schema, dict) or depth > 10:
        return None
    props = schema.get("properties")
    if isinstance(props, dict) and name in props:
        return props[name]
    for member in schema.get("allOf") or []:
        found = _property(doc, member, name, depth + 1)
        if found is not None:
            return found
    return None


def _is_boolean(doc: dict[str, Any], schema: Any) -> bool:
    schema = deref(doc, schema)
    if not isinstance(schema, dict):
        return False
    type_ = schema.get("type")
    if type_ == "boolean" or isinstance(type_, list) and "boolean" in type_:
        return True
    variants = schema.get("anyOf") or schema.get("oneOf") or []
    return isinstance(variants, list) and any(_is_boolean(doc, v) for v in variants)


def _is_structured(doc: dict[str, Any], schema: Any) -> bool:
    """Whether a JSON schema describes more than a string (a model that bytes would not decode)."""
    schema = deref(doc, schema)
    return isinstance(schema, dict) and bool(schema) and schema.get("type") != "string"


def _is_json_schema(schema: Any) -> bool:
    return (
        isinstance(schema, dict)
        and schema.get("type") in ("object", "array")
        or isinstance(schema, dict)
        and "$ref" in schema
    )

    return None
