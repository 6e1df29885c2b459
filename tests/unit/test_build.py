"""build: the selected section -> the IR, with every name settled (small inline specs)."""

from __future__ import annotations

from typing import Any

from unit_support import build_api, codes, definition, json_response, ref, spec

from convgen import ir

STR = {"type": "string"}
PET = {"type": "object", "properties": {"id": STR, "name": STR, "tag": {"type": ["string", "null"]}}, "required": ["id", "name"]}
PET_LIST = {"type": "object", "required": ["data", "has_more"],
            "properties": {"data": {"type": "array", "items": ref("Pet")}, "has_more": {"type": "boolean"}, "last_id": STR}}


def path_param(name: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": STR}


PATHS: dict[str, Any] = {
    "/pets": {
        "get": {"operationId": "listPets", "responses": json_response(ref("PetList")),
                "parameters": [{"name": "after", "in": "query", "schema": STR}, {"name": "limit", "in": "query", "schema": {"type": "integer"}}]},
        "post": {"operationId": "createPet", "responses": json_response(ref("Pet")),
                 "requestBody": {"required": True, "content": {"application/json": {"schema": {
                     "type": "object", "required": ["name"], "properties": {"name": STR, "timeout": {"type": "number"}}}}}}},
    },
    "/owners/{owner_id}/pets/{pet_id}": {
        "parameters": [path_param("owner_id")],
        "get": {"operationId": "getPet", "parameters": [path_param("pet_id")], "responses": json_response(ref("Pet"))},
        "put": {"operationId": "replacePet", "parameters": [path_param("pet_id")], "responses": json_response(ref("Pet")),
                "requestBody": {"content": {"application/vnd.api+json": {"schema": {"type": "array", "items": STR}}}}},
        "delete": {"operationId": "deletePet", "parameters": [path_param("pet_id")], "responses": {"204": {"description": "gone"}}},
    },
}


def operations() -> dict[str, ir.Operation]:
    api, diags = build_api(spec(PATHS, {"Pet": PET, "PetList": PET_LIST}))
    assert diags == []
    return {op.operation_id: op for op in api.operations}


def test_methods_are_named_from_the_path_shape_and_http_method() -> None:
    ops = operations()
    assert {k: (op.resource, op.method_name) for k, op in ops.items()} == {
        "listPets": (("pets",), "list"), "createPet": (("pets",), "create"),
        "getPet": (("owners", "pets"), "retrieve"), "replacePet": (("owners", "pets"), "update"),
        "deletePet": (("owners", "pets"), "delete")}


def test_the_last_path_parameter_is_positional_and_path_item_parameters_apply() -> None:
    op = operations()["getPet"]
    assert [(p.wire, p.positional, p.required) for p in op.path_params] == [("owner_id", False, True), ("pet_id", True, True)]


def test_query_parameters_are_optional_unless_required() -> None:
    op = operations()["listPets"]
    assert [(p.attr, p.type, p.required) for p in op.query_params] == [("after", ir.Prim("str"), False), ("limit", ir.Prim("int"), False)]


def test_an_object_body_is_flattened_into_arguments_that_do_not_shadow_the_method_s() -> None:
    body = operations()["createPet"].body
    assert body is not None and body.flattened and body.required
    assert [(f.wire, f.attr, f.required) for f in body.fields] == [("name", "name", True), ("timeout", "timeout_", False)]


def test_a_body_that_is_not_an_object_is_one_argument_and_json_media_types_count() -> None:
    body = operations()["replacePet"].body
    assert body == ir.Body((), ir.ListOf(ir.Prim("str")), False, False, kind="json", media="application/vnd.api+json")


def test_responses_and_pagination() -> None:
    ops = operations()
    assert ops["getPet"].response == ir.Ref("Pet") and ops["deletePet"].response is None
    assert ops["listPets"].page == ir.Pagination(
        "cursor", "ConversationCursorPage", ir.Ref("Pet"), "data", "data", field="last_id", param="after",
        has_more_field="has_more")
    assert ops["getPet"].page is None


def test_models_keep_required_optional_and_nullable_apart() -> None:
    api, _ = build_api(spec(PATHS, {"Pet": PET, "PetList": PET_LIST}))
    pet = definition(api, "Pet")
    assert isinstance(pet, ir.Model) and pet.module == "pet" and pet.pointer == "/components/schemas/Pet"
    assert [(f.attr, f.type, f.required) for f in pet.fields] == [
        ("id", ir.Prim("str"), True), ("name", ir.Prim("str"), True), ("tag", ir.Nullable(ir.Prim("str")), False)]


def test_enums_and_parameters_renamed_on_collision() -> None:
    paths = {"/things": {"get": {"operationId": "listThings", "responses": json_response(ref("Color")), "parameters": [
        {"name": "a-b", "in": "query", "schema": STR}, {"name": "a_b", "in": "query", "schema": STR}]}}}
    api, diags = build_api(spec(paths, {"Color": {"type": "string", "enum": ["red", "dark-green"]}}))
    color = definition(api, "Color")
    assert isinstance(color, ir.Enum) and [(m.attr, m.value) for m in color.members] == [("RED", "red"), ("DARK_GREEN", "dark-green")]
    assert [p.attr for p in api.operations[0].query_params] == ["a_b", "a_b_2"]
    assert codes(diags) == ["W308"] and diags[0].pointer == "/paths/~1things/get/parameters/1"


def test_two_operations_that_become_one_method_fall_back_to_operation_ids_or_fail() -> None:
    twice = {"/a": {"get": {"operationId": "one", "responses": json_response(STR)}},
             "/a/": {"get": {"operationId": "two", "responses": json_response(STR)}}}
    api, diags = build_api(spec(twice, {}))
    # the clash is no silent rename: a W360 warning names both operations
    assert sorted(op.method_name for op in api.operations) == ["one", "two"] and set(codes(diags)) == {"W360"}
    same = {"/a": {"get": {"operationId": "same", "responses": json_response(STR)}},
            "/a/": {"get": {"operationId": "Same", "responses": json_response(STR)}}}
    _, diags = build_api(spec(same, {}))
    assert codes(diags) == ["E205", "W360", "W360"]


def test_definitions_referring_to_each_other_across_modules_share_one() -> None:
    schemas = {"A": {"type": "object", "properties": {"b": ref("B")}}, "B": {"type": "object", "properties": {"a": ref("A")}},
               "C": {"type": "object", "properties": {"a": ref("A")}}}
    api, _ = build_api(spec(schemas=schemas))
    modules = {d.name: d.module for d in api.definitions}
    assert modules["A"] == modules["B"] != modules["C"]
    assert api.modules == tuple(sorted(set(modules.values())))
