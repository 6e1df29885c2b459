"""plan: the IR -> render jobs whose views hold every decision (imports from the IR's facts, alias
order, the README's example order, the public names); small inline specs."""

from __future__ import annotations

from typing import Any

from unit_support import build_api, json_response, ref, spec

from convgen import plan as planning
from convgen.views import Options, ResourceModuleView, TypesModuleView

STR = {"type": "string"}


def jobs(doc: dict[str, Any]) -> dict[str, planning.Job]:
    api, _ = build_api(doc)
    return {job.path: job for job in planning.plan(api, Options(package="p"))}


def types_module(doc: dict[str, Any], name: str) -> TypesModuleView:
    """The view of the types file that defines `name` (files hold many schemas: typelayout.py)."""
    views = [j.context["module"] for j in jobs(doc).values() if j.template == "types_module.py.jinja"]
    module = next(v for v in views if name in v.names)
    assert isinstance(module, TypesModuleView)
    return module


def test_a_module_imports_the_types_it_names_from_other_modules_and_typing_names_it_uses() -> None:
    schemas = {"Owner": {"type": "object", "properties": {"name": STR}}, "Cat": {"type": "object", "properties": {"name": STR}},
               "Pet": {"type": "object", "required": ["kind"], "properties": {
                   "owner": ref("Owner"), "kind": {"const": "Cat"}, "meta": {"type": "object"}}}}
    # Pet only `client.pets` answers, Owner `client.owners` too (so it is in a shared file), Cat `client.cats`
    paths = {f"/{n.lower()}s": {"get": {"operationId": f"get{n}", "responses": json_response(ref(n))}}
             for n in ("Pet", "Owner", "Cat")}
    pet = types_module(spec(paths, schemas), "Pet")
    # `Literal["Cat"]` names no type (reading the text, it once imported Cat): only the reference is imported
    assert pet.imports == (("shared_owner", ("Owner",)),)
    assert {"Literal", "Any"} <= set(pet.typing)
    assert pet.runtime == ("EMPTY", "UNSET", "Unset")  # optional fields: `X | Unset = UNSET`


def test_a_module_without_optional_fields_or_foreign_names_imports_nothing_else() -> None:
    pet = types_module(spec(schemas={"Pet": {"type": "object", "required": ["n"], "properties": {"n": {"type": "integer"}}}}), "Pet")
    assert pet.imports == () and pet.runtime == ("EMPTY",) and "Literal" not in pet.typing


def test_aliases_come_after_the_aliases_they_name() -> None:
    schemas = {"Z": {"type": "array", "items": {"oneOf": [STR, {"type": "integer"}]}}}
    z = types_module(spec(schemas=schemas), "Z")
    assert [(a.name, a.value, a.members) for a in z.aliases] == [
        ("ZItem", "str | int", ("str", "int")), ("Z", "list[ZItem]", ("list[ZItem]",))]


def test_union_members_are_split_at_the_top_level_only() -> None:
    schemas = {"Color": {"type": "string", "enum": ["red", "blue"]},
               "M": {"type": ["array", "null"], "items": {"type": "object", "additionalProperties": {"type": ["string", "null"]}}},
               "C": {"anyOf": [ref("Color"), {"type": "null"}]}}
    aliases = {a.name: (a.value, a.members) for a in types_module(spec(schemas=schemas), "M").aliases}
    assert aliases["M"] == ("list[dict[str, str | None]] | None", ("list[dict[str, str | None]]", "None"))
    aliases = {a.name: (a.value, a.members) for a in types_module(spec(schemas=schemas), "C").aliases}
    assert aliases["C"] == ("Color | str | None", ("Color", "str", "None"))


PETS = {"type": "object", "properties": {"id": STR}}


def crud(*, children: bool = True) -> dict[str, Any]:
    one = {"name": "pet_id", "in": "path", "required": True, "schema": STR}
    paths: dict[str, Any] = {
        "/pets": {"get": {"operationId": "listPets", "responses": json_response({"type": "array", "items": ref("Pet")})},
                  "post": {"operationId": "createPet", "responses": json_response(ref("Pet"))}},
        "/pets/{pet_id}": {"parameters": [one],
                           "delete": {"operationId": "deletePet", "responses": json_response(ref("Pet"))},
                           "get": {"operationId": "getPet", "responses": json_response(ref("Pet"))},
                           "patch": {"operationId": "updatePet", "responses": json_response(ref("Pet"))}},
        "/pets/{pet_id}/feed": {"parameters": [one], "post": {"operationId": "feedPet", "responses": json_response(STR)}},
    }
    if children:
        toy = {"name": "toy_id", "in": "path", "required": True, "schema": STR}
        paths["/pets/{pet_id}/toys"] = {"parameters": [one], "post": {"operationId": "addToy", "responses": json_response(STR)}}
        paths["/pets/{pet_id}/toys/{toy_id}"] = {"parameters": [one, toy],
                                                 "delete": {"operationId": "dropToy", "responses": json_response(STR)},
                                                 "get": {"operationId": "getToy", "responses": json_response(STR)}}
    return spec(paths, {"Pet": PETS})


def test_readme_examples_run_in_usage_order_children_before_the_parent_s_delete() -> None:
    readme = jobs(crud())["README.md"].context
    steps = [(".".join(r.path), m.name) for r, m in readme["walkthrough"]]
    # POST /pets/{pet_id}/feed is an action on the item (`pets.feed(pet_id)`), run beside the other POSTs
    assert steps == [("pets", "create"), ("pets", "feed"), ("pets", "retrieve"), ("pets", "update"), ("pets", "list"),
                     ("pets.toys", "create"), ("pets.toys", "retrieve"), ("pets.toys", "delete"), ("pets", "delete")]
    assert sorted(steps) == sorted((".".join(op.resource), op.method_name) for op in build_api(crud())[0].operations)


def test_a_resource_module_imports_from_facts_including_its_return_annotations() -> None:
    paths = {"/stats": {"get": {"operationId": "getStats", "responses": json_response({"type": "object", "additionalProperties": True})}},
             "/stats/{id}": {"post": {"operationId": "setStat", "parameters": [{"name": "id", "in": "path", "required": True, "schema": STR}],
                                      "requestBody": {"content": {"application/json": {"schema": {
                                          "type": "object", "properties": {"pets": {"type": "array", "items": ref("Pet")}}}}}},
                                      "responses": json_response(ref("Pet"))}}}
    module = jobs(spec(paths, {"Pet": PETS}))["p/resources/stats.py"].context["module"]
    assert isinstance(module, ResourceModuleView)
    methods = {m.name: m for m in module.resources[0].methods}
    # a GET of a path answering one object (not a list) is `retrieve` (the naming rules' singleton)
    assert methods["retrieve"].returns == "dict[str, Any]" and "Any" in module.typing  # once left out: ruff F821
    assert methods["update"].uses == ("Pet", "Any", "Mapping", "Sequence")
    assert module.imports == (("stats", ("Pet",)),) and module.abc == ("Mapping", "Sequence")  # only stats uses Pet


def test_the_public_names_come_from_one_table() -> None:
    context = jobs(crud(children=False))["p/__init__.py"].context
    assert sorted(context["public"]) == sorted(planning.PUBLIC)
    assert dict(context["public_modules"]) == planning.PUBLIC
    runtime_modules = {f"._runtime.{f.removesuffix('.py')}" for f in planning.RUNTIME_FILES} | {"._client"}
    assert set(planning.PUBLIC.values()) <= runtime_modules
