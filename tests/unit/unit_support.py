"""Small inline specs run through single stages (select -> build, then plan), in process."""

from __future__ import annotations

from typing import Any

from convgen import ir
from convgen.build import build
from convgen.diagnostics import Diagnostic
from convgen.select import Selection, select


def spec(paths: dict[str, Any] | None = None, schemas: dict[str, Any] | None = None) -> dict[str, Any]:
    """An OpenAPI 3.1 document; without paths, one GET /things returning each schema makes them reachable."""
    if paths is None:
        paths = {f"/things/{name.lower()}": {"get": {"operationId": f"get{name}", "responses": {
            "200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}}}}}}
            for name in schemas or {}}
    return {"openapi": "3.1.0", "info": {"title": "Test", "version": "1"}, "paths": paths,
            "components": {"schemas": schemas or {}}}


def build_api(doc: dict[str, Any]) -> tuple[ir.Api, list[Diagnostic]]:
    section, diags = select(doc, Selection())
    assert section is not None, diags
    api, more = build(section)
    return api, diags + more


def definition(api: ir.Api, name: str) -> ir.Definition:
    return api.index()[name]


def codes(diags: list[Diagnostic]) -> list[str]:
    return sorted(d.code for d in diags)


def json_response(schema: dict[str, Any]) -> dict[str, Any]:
    return {"200": {"description": "ok", "content": {"application/json": {"schema": schema}}}}


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}
