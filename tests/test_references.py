"""References: `allOf: [{$ref: X}]` wrappers are X itself, and recursion through any mix of
allOf / oneOf / anyOf / items / additionalProperties ends, in the model and in decoding."""

from __future__ import annotations

import importlib
import sys
from types import ModuleType

from conftest import ROOT
from convgen import ir
from convgen.build import build
from convgen.select import Selection, select
from goldens import assembled_features

EXPECTED = ROOT / "tests" / "features" / "expected"


def types_of(name: str) -> ModuleType:
    path = str(assembled_features() / name)
    if path not in sys.path:
        sys.path.insert(0, path)
    return importlib.import_module(f"{name}.types")


def _api(doc: dict[str, object]) -> ir.Api:
    section, diags = select(doc, Selection())
    assert section is not None and not [d for d in diags if d.code.startswith("E")]
    api, diags = build(section)
    assert not [d for d in diags if d.code.startswith("E")]
    return api


def test_allof_wrapper_is_the_referenced_type_and_keeps_its_description() -> None:
    api = _api({
        "openapi": "3.0.3", "info": {"title": "t", "version": "1"},
        "paths": {"/a": {"get": {"responses": {"200": {"description": "ok", "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/Box"}}}}}}}},
        "components": {"schemas": {
            "Box": {"type": "object", "properties": {
                "first": {"description": "The first.", "allOf": [{"$ref": "#/components/schemas/Item"}]},
                "second": {"allOf": [{"$ref": "#/components/schemas/Item"}, {"description": "x", "nullable": True}], "readOnly": True},
                "many": {"type": "array", "items": {"title": "One", "allOf": [{"$ref": "#/components/schemas/Item"}]}},
            }},
            "Item": {"type": "object", "properties": {"id": {"type": "string"}}},
        }},
    })
    models = {d.name: d for d in api.definitions if isinstance(d, ir.Model)}
    assert set(models) == {"Box", "Item"}  # no copies of Item
    fields = {f.wire: f for f in models["Box"].fields}
    assert fields["first"].type == ir.Ref("Item") and fields["first"].description == "The first."
    assert fields["second"].type == ir.Nullable(ir.Ref("Item"))
    assert fields["many"].type == ir.ListOf(ir.Ref("Item"))


def test_self_reference_through_an_inline_allof_merge_terminates() -> None:
    api = _api({
        "openapi": "3.0.3", "info": {"title": "t", "version": "1"},
        "paths": {"/a": {"get": {"responses": {"200": {"description": "ok", "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/Tree"}}}}}}}},
        "components": {"schemas": {"Tree": {"type": "object", "properties": {
            "sub": {"allOf": [{"$ref": "#/components/schemas/Tree"}, {"properties": {"depth": {"type": "integer"}}}]},
        }}}},
    })
    models = {d.name: d for d in api.definitions if isinstance(d, ir.Model)}
    assert set(models) == {"Tree", "TreeSub"}
    assert [f.type for f in models["TreeSub"].fields] == [ir.Ref("TreeSub"), ir.Prim("int")]


def test_recursive_data_round_trips_through_every_form() -> None:
    t = types_of("recursion_mixed")
    node = {"name": "root", "parent": None,
            "children": [{"name": "a", "children": [{"name": "b", "by_name": {"c": {"name": "c"}}}]}],
            "extended": {"name": "e", "note": "n", "extended": {"name": "f", "note": "m", "children": [{"name": "g"}]}}}
    decoded = t.Node.from_dict(node)
    assert type(decoded.children[0].children[0].by_name["c"]) is t.Node
    assert type(decoded.extended) is t.NodeExtended and type(decoded.extended.extended) is t.NodeExtended
    assert type(decoded.extended.extended.children[0]) is t.Node
    assert decoded.to_dict() == node

    expr = {"kind": "sum", "terms": [{"kind": "literal", "value": ["x", ["y", {"z": ["w"]}]]},
                                     {"kind": "sum", "terms": [{"kind": "literal", "value": {"k": "v"}}]}]}
    decoded_expr = t.expr_from_dict(expr)
    assert type(decoded_expr) is t.Sum and type(decoded_expr.terms[1]) is t.Sum
    assert decoded_expr.to_dict() == expr

    problem = {"message": "outer", "cause": {"message": "inner", "cause": {"message": "root"}}}
    decoded_problem = t.Problem.from_dict(problem)
    assert type(decoded_problem.cause.cause) is t.Problem and decoded_problem.to_dict() == problem


def test_deep_recursive_data_decodes() -> None:
    t = types_of("recursion_mixed")
    node: dict[str, object] = {"name": "leaf"}
    for i in range(200):
        node = {"name": str(i), "children": [node]}
    assert t.Node.from_dict(node).to_dict() == node
