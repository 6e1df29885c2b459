"""Selection tells names from data: `responses: default` is a response, a property named
`default` or `enum` is a schema; `select -o` writes a spec the standard validator accepts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import ROOT, run_convgen
from convgen.select import Selection, select
from goldens import assembled_features
from openapi_spec_validator import validate

CORPUS = ROOT / "tests" / "corpus"

DOC = {
    "openapi": "3.1.0",
    "info": {"title": "t", "version": "1"},
    "paths": {"/a": {"get": {"responses": {
        "200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/A"}}}},
        "default": {"$ref": "#/components/responses/Oops"},
    }}}},
    "components": {
        "schemas": {
            "A": {"type": "object", "properties": {
                "default": {"$ref": "#/components/schemas/B"},
                "enum": {"type": "array", "items": {"$ref": "#/components/schemas/C"}},
                "x-named": {"$ref": "#/components/schemas/D"},
                "plain": {"type": "string", "default": {"$ref": "#/components/schemas/Unused"}},
            }},
            "B": {"type": "string"}, "C": {"type": "integer"}, "D": {"type": "boolean"},
            "E": {"type": "object", "properties": {"message": {"type": "string"}}},
            "Unused": {"type": "integer"},
        },
        "responses": {"Oops": {"description": "error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/E"}}}}},
    },
}


def test_names_in_maps_are_followed_and_default_values_are_not() -> None:
    section, diags = select(DOC, Selection())
    assert diags == []
    assert section is not None
    assert section.refs == tuple(f"#/components/{r}" for r in (
        "responses/Oops", "schemas/A", "schemas/B", "schemas/C", "schemas/D", "schemas/E"))


@pytest.mark.parametrize("name", ["petstore.yaml", "petstore-expanded.yaml", "uspto.yaml", "tictactoe.yaml", "link-example.yaml"])
def test_select_output_is_a_valid_standalone_spec(name: str, tmp_path: Path) -> None:
    out = tmp_path / "section.json"
    result = run_convgen("select", CORPUS / name, "--no-config", "-o", out)
    assert result.returncode == 0, result.stderr
    assert "W201" not in result.stderr  # no PointerToNowhere: nothing reached from `default` is lost
    validate(json.loads(out.read_text(encoding="utf-8")))


def test_default_response_schema_is_generated(tmp_path: Path) -> None:
    result = run_convgen("build", CORPUS / "petstore.yaml", "--no-config", "--package", "pets", "-o", tmp_path / "out")
    assert result.returncode == 0 and "W201" not in result.stderr, result.stderr  # no false PointerToNowhere
    types = tmp_path / "out" / "pets" / "types"  # the file holding it follows who uses it (typelayout.py)
    assert any("class Error(" in p.read_text(encoding="utf-8") for p in types.glob("*.py"))


def test_webhooks_give_their_payload_types_and_a_warning() -> None:
    doc = {"openapi": "3.1.0", "info": {"title": "t", "version": "1"},
           "webhooks": {"hook": {"post": {"requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/P"}}}},
                                          "responses": {"200": {"description": "ok"}}}}},
           "components": {"schemas": {"P": {"type": "object"}, "Unused": {"type": "string"}}}}
    section, diags = select(doc, Selection())
    assert section is not None and section.operations == () and section.refs == ("#/components/schemas/P",)
    assert [(d.code, d.pointer) for d in diags] == [("W210", "/webhooks/hook/post")]
    import sys
    sys.path.insert(0, str(assembled_features() / "webhooks_only"))
    from webhooks_only.types import Adoption  # the generated package of a webhooks-only document

    assert Adoption.from_dict({"pet_id": 3, "adopter": "Ann"}).to_dict() == {"pet_id": 3, "adopter": "Ann"}
