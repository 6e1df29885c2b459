"""The build stage's choice of request media (generator/bodies.py), in-process on small specs: which media type is
sent, how each form field is encoded, which fields hold files, and the diagnostics (I330, W331, W332)."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from convgen import ir
from convgen.build import build
from convgen.select import Selection, select


def body_of(content: dict[str, Any], required: bool = True) -> tuple[ir.Body | None, list[tuple[str, str]]]:
    doc = {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {"/things": {"post": {
        "operationId": "makeThing", "requestBody": {"required": required, "content": content},
        "responses": {"204": {"description": "ok"}}}}}}
    section, diags = select(doc, Selection((), ()))
    assert section is not None and not diags
    api, diags = build(section)
    return api.operations[0].body, [(d.code, d.message) for d in diags]


FILE = {"type": "string", "format": "binary"}
OBJECT = {"type": "object", "properties": {"a": {"type": "string"}}}


@pytest.mark.parametrize(("offered", "sent"), [
    (["application/json", "multipart/form-data"], "multipart/form-data"),
    (["application/x-www-form-urlencoded", "application/json"], "application/json"),
    (["text/plain", "application/x-www-form-urlencoded"], "application/x-www-form-urlencoded"),
    (["text/plain", "application/octet-stream"], "application/octet-stream"),
    (["application/xml", "text/plain"], "text/plain"),
])
def test_the_richest_supported_media_is_sent_and_named_at_info_level(offered: list[str], sent: str) -> None:
    schemas = {"application/octet-stream": FILE, "text/plain": {"type": "string"}, "application/xml": OBJECT,
               "application/x-www-form-urlencoded": OBJECT}
    body, diags = body_of({m: {"schema": schemas.get(m, {"type": "object", "properties": {"file": FILE}})} for m in offered})
    assert body is not None and body.media == sent
    assert [code for code, _ in diags] == ["I330"]
    assert f"the client sends {sent}" in diags[0][1]


@pytest.mark.parametrize(("media", "schema", "kind"), [
    ("application/vnd.api+json", OBJECT, "json"),
    ("image/*", None, "binary"),
    ("audio/mpeg", {"type": "string", "contentMediaType": "audio/mpeg"}, "binary"),
    ("application/pdf", {"type": "string", "contentEncoding": "base64"}, "binary"),
    ("text/csv", None, "text"),
    ("application/sdp", {"type": "string"}, "text"),
])
def test_media_kinds(media: str, schema: Any, kind: str) -> None:
    body, diags = body_of({media: {} if schema is None else {"schema": schema}})
    assert body is not None and (body.kind, body.media) == (kind, media) and not diags


def test_an_unsupported_media_type_keeps_a_raw_method_with_a_warning() -> None:
    body, diags = body_of({"application/xml": {"schema": OBJECT}}, required=False)
    assert body is not None and (body.kind, body.media, body.required) == ("binary", "application/xml", False)
    assert [code for code, _ in diags] == ["W331"]


def test_form_parts_carry_encoding_and_file_shapes() -> None:
    spec = yaml.safe_load("""
    multipart/form-data:
      schema:
        type: object
        properties:
          one: {type: string, format: binary}
          many: {type: array, items: {type: string, format: binary}}
          either: {anyOf: [{type: string, format: binary}, {type: array, items: {type: string, format: binary}}]}
          mixed: {oneOf: [{type: string, format: binary}, {type: object, properties: {url: {type: string}}}]}
          nullable: {anyOf: [{type: string, format: binary}, {type: "null"}]}
          picture: {type: string, contentMediaType: image/png}
          meta: {type: object, properties: {a: {type: string}}}
          plain: {type: string}
      encoding:
        meta: {contentType: application/json}
        plain: {style: form, explode: false}
    """)
    body, diags = body_of(spec)
    assert body is not None and body.kind == "multipart" and body.flattened and not diags
    parts = {p.wire: p for p in body.parts}
    assert {w: p.file for w, p in parts.items()} == {"one": "one", "many": "many", "either": "one_or_many", "mixed": "mixed",
                                                   "nullable": "one", "picture": "one", "meta": "", "plain": ""}
    assert parts["picture"].content_type == "image/png" and parts["meta"].content_type == "application/json"
    assert (parts["plain"].style, parts["plain"].explode) == ("form", False)
    assert (parts["one"].style, parts["one"].explode) == ("", True)  # the client's array_format applies


def test_urlencoded_defaults_are_form_and_explode() -> None:
    body, diags = body_of({"application/x-www-form-urlencoded": {
        "schema": {"type": "object", "properties": {"a": {"type": "array", "items": {"type": "string"}}, "b": OBJECT}},
        "encoding": {"b": {"style": "deepObject"}}}})
    assert body is not None and not diags
    assert [(p.wire, p.style, p.explode) for p in body.parts] == [("a", "form", True), ("b", "deepObject", False)]
