"""Selection follows references, never data that happens to look like one."""

from __future__ import annotations

from convgen.select import Selection, select

DOC = {
    "openapi": "3.1.0",
    "info": {"title": "t", "version": "1"},
    "paths": {"/a": {"get": {"responses": {"200": {"description": "ok", "content": {"application/json": {
        "schema": {"$ref": "#/components/schemas/A"},
        "examples": {"one": {"value": {"$ref": "https://example.invalid/not-a-reference"}},
                     "two": {"$ref": "#/components/examples/Two"}},
    }}}}}}},
    "components": {"schemas": {"A": {"type": "object", "properties": {"b": {"$ref": "#/components/schemas/B"}}},
                               "B": {"type": "string"}, "Unused": {"type": "integer"}},
                   "examples": {"Two": {"value": {"$ref": "#/components/schemas/Unused"}}}},
}


def test_example_values_are_data_not_references() -> None:
    section, diags = select(DOC, Selection())
    assert diags == []
    assert section is not None
    assert section.refs == ("#/components/examples/Two", "#/components/schemas/A", "#/components/schemas/B")
