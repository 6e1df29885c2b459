"""Request bodies, for the build stage: which media type an operation sends, and how.

An operation may offer several media types for its body; the client sends the richest one
it supports: multipart/form-data (files and fields) > JSON > x-www-form-urlencoded > raw
bytes > text (I330 says which). A media type convgen cannot encode field by field (XML, ...)
is still sent: the method takes the raw body (W331). File fields are found in the raw
schema (`format: binary`, `contentMediaType`, `contentEncoding`), since the IR types of
the same schemas also describe JSON.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from . import ir
from .diagnostics import Diagnostic, escape_token
from .naming import Namespace, parameter
from .schemas import SchemaBuilder
from .specread import deref

_RANK: dict[ir.BodyKind, int] = {"multipart": 5, "json": 4, "form": 3, "binary": 2, "text": 1}


def request_body(
    sb: SchemaBuilder, doc: dict[str, Any], op: dict[str, Any], base: str, at: str, names: Namespace, op_id: str
) -> ir.Body | None:
    request = deref(doc, op.get("requestBody"))
    if not isinstance(request, dict):
        return None
    content: dict[Any, Any] = request["content"] if isinstance(request.get("content"), dict) else {}
    offered = [(str(m), c) for m, c in content.items() if isinstance(c, dict)]
    if not offered:
        return None
    kinds = [(media, c, media_kind(doc, media, c.get("schema"))) for media, c in offered]
    supported = [k for k in kinds if k[2] is not None]
    where = f"{at}/requestBody/content"
    required = request.get("required") is True
    if not supported:
        media = offered[0][0]
        sb.diags.append(
            Diagnostic(
                "W331",
                f"{op_id}: the request body media type {media!r} is not encoded field by field: "
                "the method takes the raw body (bytes, a file or a path)",
                f"{where}/{escape_token(media)}",
            )
        )
        return ir.Body((), ir.Prim("str", "binary"), required, False, "binary", media)
    media, chosen, kind = max(supported, key=lambda k: _RANK[k[2]])  # type: ignore[index]
    assert kind is not None
    if len(offered) > 1:
        others = ", ".join(m for m, _ in offered if m != media)
        sb.diags.append(
            Diagnostic(
                "I330",
                f"{op_id}: the request body offers {media} and {others}: the client sends {media}",
                f"{where}/{escape_token(media)}",
            )
        )
    ptr = f"{where}/{escape_token(media)}"
    schema = chosen.get("schema", {})
    if kind in ("binary", "text"):
        return ir.Body((), ir.Prim("str", "binary" if kind == "binary" else ""), required, False, kind, media)
    type_ = sb.convert(schema, base + "Body", ptr + "/schema")
    model = sb.defs.get(type_.name) if isinstance(type_, ir.Ref) else None
    if not isinstance(model, ir.Model):
        return ir.Body((), type_, required, False, kind, media)
    fields = tuple(replace(f, attr=names.claim(parameter(f.wire))[0]) for f in model.fields)
    parts: tuple[ir.Part, ...] = ()
    if kind in ("multipart", "form"):
        parts = _parts(sb, doc, schema, chosen.get("encoding"), kind, fields, ptr, op_id)
    return ir.Body(fields, type_, required, True, kind, media, parts)


def media_kind(doc: dict[str, Any], media: str, schema: Any) -> ir.BodyKind | None:
    """How a body of this media type (and schema) is sent; None when convgen cannot encode it."""
    m = media.split(";", 1)[0].strip().lower()
    if m == "application/json" or m.endswith("+json"):
        return "json"
    if m == "multipart/form-data":
        return "multipart"
    if m == "application/x-www-form-urlencoded":
        return "form"
    s = deref(doc, schema)
    if s is None or s == {} or s is True:
        return "text" if m.startswith("text/") else "binary"
    if not isinstance(s, dict):
        return None
    if _is_file(s):
        return "binary"
    if s.get("type") == "string":
        return "text"
    return None


def file_shape(doc: dict[str, Any], schema: Any, depth: int = 0) -> str:
    """The files a schema holds: "one", "many" (an array of files), "one_or_many", "mixed" (a
    file or something else), or "" (none)."""
    s = deref(doc, schema)
    if not isinstance(s, dict) or depth > 20:
        return ""
    if _is_file(s):
        return "one"
    if s.get("type") == "array" or "items" in s:
        return "many" if file_shape(doc, s.get("items"), depth + 1) == "one" else ""
    for key in ("oneOf", "anyOf", "allOf"):
        variants = s.get(key)
        if isinstance(variants, list) and variants:
            shapes = [file_shape(doc, v, depth + 1) for v in variants if deref(doc, v) != {"type": "null"}]
            if not any(shapes):
                continue
            if key == "allOf" or set(shapes) == {"one"}:
                return shapes[0] if len(set(shapes)) == 1 else "mixed"
            if set(shapes) == {"many"}:
                return "many"
            return "one_or_many" if set(shapes) == {"one", "many"} else "mixed"
    return ""


def _is_file(s: dict[str, Any]) -> bool:
    if s.get("type", "string") != "string":
        return False
    media = s.get("contentMediaType")
    json_content = isinstance(media, str) and (media == "application/json" or media.endswith("+json"))
    return s.get("format") == "binary" or (isinstance(media, str) and not json_content) or "contentEncoding" in s


def _parts(
    sb: SchemaBuilder,
    doc: dict[str, Any],
    schema: Any,
    encoding: Any,
    kind: str,
    fields: tuple[ir.Field, ...],
    ptr: str,
    op_id: str,
) -> tuple[ir.Part, ...]:
    props = _properties(doc, schema)
    encoding = encoding if isinstance(encoding, dict) else {}
    for name, entry in encoding.items():
        at = f"{ptr}/encoding/{escape_token(str(name))}"
        if str(name) not in props:
            sb.diags.append(
                Diagnostic(
                    "W332", f"{op_id}: `encoding` names {name!r}, which is not a property of the body: ignored", at
                )
            )
        elif isinstance(entry, dict) and entry.get("headers"):
            sb.diags.append(
                Diagnostic(
                    "W332",
                    f"{op_id}: per-part `headers` of {name!r} are not sent (pass them in a file tuple)",
                    at + "/headers",
                )
            )
    out = []
    for f in fields:
        entry = encoding.get(f.wire) if isinstance(encoding.get(f.wire), dict) else {}
        content_type: str = entry["contentType"] if isinstance(entry.get("contentType"), str) else ""
        prop = deref(doc, props.get(f.wire))
        if not content_type and isinstance(prop, dict) and isinstance(prop.get("contentMediaType"), str):
            content_type = str(prop["contentMediaType"])  # 3.1: the part's media type unless `encoding` says otherwise
        style: str = entry["style"] if isinstance(entry.get("style"), str) else ("form" if kind == "form" else "")
        explode: bool = (
            entry["explode"] if isinstance(entry.get("explode"), bool) else (style == "form" if style else True)
        )
        shape = file_shape(doc, props.get(f.wire))
        if kind == "form" and shape:
            sb.diags.append(
                Diagnostic(
                    "W332", f"{op_id}: file field {f.wire!r} in a urlencoded body: sent as text", f"{ptr}/schema"
                )
            )
            shape = ""
        out.append(ir.Part(f.wire, content_type.strip(), style, explode, shape))  # type: ignore[arg-type]
    return tuple(out)


def _properties(doc: dict[str, Any], schema: Any, depth: int = 0) -> dict[str, Any]:
    """The raw property schemas of an object schema, through `$ref` and `allOf`."""
    s = deref(doc, schema)
    if not isinstance(s, dict) or depth > 20:
        return {}
    out: dict[str, Any] = {}
    for sub in s.get("allOf") or []:
        out.update(_properties(doc, sub, depth + 1))
    if isinstance(s.get("properties"), dict):
        out.update({str(k): v for k, v in s["properties"].items()})
    return out
