"""Local `$ref`s outside #/components (`#/paths/~1users/get/...`), as specs converted from Swagger 2
write them: what they name moves under #/components and is shared, or is copied where it is
named; percent-encoded pointers are decoded; a reference to the wrong kind of object is E106."""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path

from conftest import ROOT, run_convgen
from convgen.bundle import UNUSUAL_REF
from convgen.load import load
from goldens import assembled_features

SPEC = ROOT / "tests" / "features" / "local_refs.yaml"
ITEMS = "/paths/~1users/get/responses/200/content/application~1json/schema/properties/users/items"


def test_shared_objects_move_under_components_and_every_place_refers_to_them() -> None:
    spec, diags = load(SPEC)
    assert spec is not None and diags == []
    doc = spec.doc
    components = doc["components"]
    assert set(components["schemas"]) == {"listUsers_response_users_item"}
    assert components["schemas"]["listUsers_response_users_item"]["required"] == ["id", "name"]
    assert set(components["responses"]) == {"listUsers_404_response"}
    assert set(components["parameters"]) == {"getUser_user_id", "listUsers_team"}
    listed = doc["paths"]["/users"]["get"]
    got = doc["paths"]["/users/{user_id}"]["get"]
    friends = doc["paths"]["/users/{user_id}/friends"]["get"]
    # the first place of each refers to it like the others
    item_ref = {"$ref": "#/components/schemas/listUsers_response_users_item"}
    assert listed["responses"]["200"]["content"]["application/json"]["schema"]["properties"]["users"]["items"] == item_ref
    assert got["responses"]["200"]["content"]["application/json"]["schema"] == item_ref
    assert listed["responses"]["404"] == got["responses"]["404"] == {"$ref": "#/components/responses/listUsers_404_response"}
    assert listed["parameters"] == [{"$ref": "#/components/parameters/listUsers_team"}]
    # the percent-encoded pointer (`~1users~1%7Buser_id%7D`) names getUser's path parameter
    assert friends["parameters"] == [{"$ref": "#/components/parameters/getUser_user_id"},
                                     {"$ref": "#/components/parameters/listUsers_team"}]
    # a media type is no component: copied where it is named, its shared schema still shared
    copied = friends["responses"]["200"]["content"]["application/json"]["schema"]
    assert copied["properties"]["users"]["items"] == item_ref
    # extension data is data: its `$ref` is left as written
    assert friends["responses"]["200"]["x-sample"] == {"$ref": "#/info"}


def test_operations_share_the_type_and_it_round_trips() -> None:
    path = str(assembled_features() / "local_refs")
    if path not in sys.path:
        sys.path.insert(0, path)
    types = importlib.import_module("local_refs.types")
    users = importlib.import_module("local_refs.resources.users")
    item = types.ListUsersResponseUsersItem
    assert users.Users.retrieve.__annotations__["return"] == "ListUsersResponseUsersItem"
    page = {"users": [{"id": "u1", "name": "Ada", "role": "admin"}, {"id": "u2", "name": "Bo", "role": "guest"}]}
    decoded = types.ListUsersResponse.from_dict(page)
    friends = types.ListFriendsResponse.from_dict(page)
    assert type(decoded.users[0]) is type(friends.users[0]) is item
    assert decoded.users[0].role is types.ListUsersResponseUsersItemRole.ADMIN
    assert decoded.to_dict() == friends.to_dict() == page  # "guest", unknown to the enum, kept


def test_a_diagnostic_inside_a_moved_object_points_where_it_was_written(tmp_path: Path) -> None:
    text = SPEC.read_text(encoding="utf-8").replace("role: {type: string, enum: [admin, member]}",
                                                    "role: {type: string, enum: [admin, admin]}")
    spec = tmp_path / "spec.yaml"
    spec.write_text(text, encoding="utf-8")
    result = run_convgen("build", spec, "--no-config", "--package", "moved", "-o", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    line = next(x for x in result.stderr.splitlines() if " W" in x and "admin" in x)
    number = int(line.split(":")[1])
    assert "enum: [admin, admin]" in text.splitlines()[number - 1]


def test_a_selection_of_a_large_spec_finds_what_unselected_operations_hold(tmp_path: Path) -> None:
    """The lazy parse of a selection reads only the selected path items and the components
    they name: a spec whose local references point elsewhere is parsed whole instead."""
    filler = "".join(f"  /filler{i}:\n    get:\n      operationId: filler{i}\n      tags: [Filler]\n"
                     f"      responses:\n        '204': {{description: padding the spec past the lazy bound}}\n"
                     for i in range(1500))
    text = SPEC.read_text(encoding="utf-8").replace("      operationId: getUser\n",
                                                    "      operationId: getUser\n      tags: [Picked]\n")
    spec_path = tmp_path / "spec.yaml"
    spec_path.write_text(text + filler, encoding="utf-8")
    assert spec_path.stat().st_size > 200_000
    spec, diags = load(spec_path, tags=("Picked",))
    assert spec is not None and diags == []
    assert spec.doc["components"]["schemas"]["listUsers_response_users_item"]["required"] == ["id", "name"]
    result = run_convgen("build", spec_path, "--no-config", "--tag", "Picked", "--package", "picked",
                         "-o", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    types = "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "out" / "picked" / "types").glob("*.py"))
    assert "class ListUsersResponseUsersItem(" in types and "class ListUsersResponse(" not in types


def test_a_reference_to_the_wrong_kind_of_object_is_e106(tmp_path: Path) -> None:
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps({"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {
        "/a": {"get": {"operationId": "getA", "responses": {"200": {"description": "OK"}}}},
        "/b": {"get": {"operationId": "getB", "responses": {"200": {"description": "OK", "content": {
            "application/json": {"schema": {"$ref": "#/paths/~1a/get"}}}}}}},
    }}), encoding="utf-8")
    result = run_convgen("build", spec, "--no-config", "--package", "wrong", "-o", tmp_path / "out")
    assert result.returncode == 2
    assert "error E106: $ref '#/paths/~1a/get' points outside #/components" in result.stderr
    assert not (tmp_path / "out").exists()



def test_a_spec_is_bundled_only_when_a_reference_needs_it() -> None:
    """One pass over the text finds the `$ref`s other than a plain `#/components/...` (the
    committed OpenAI spec, 3 MB, has none: it is not copied by the bundler)."""
    assert UNUSUAL_REF.search((ROOT / "spec" / "openai.yaml").read_text(encoding="utf-8")) is None
    plain = ['"$ref": "#/components/schemas/A"', "{$ref: '#/components/schemas/A'}", '"$ref" : "#/components/x/B"',
             '$ref: "#/components/schemas/Long\\\n  Name"']  # (YAML's line continuation)
    unusual = ['$ref: "#/paths/~1a/get"', '"$ref": "#/components/schemas/A%20B"', '"$ref":"part.yaml"',
               "$ref: 'part.yaml#/A'", "$ref: part.yaml"]
    assert [text for text in plain if UNUSUAL_REF.search(text)] == []
    assert [text for text in unusual if not UNUSUAL_REF.search(text)] == []
    spec, _ = load(SPEC)
    assert spec is not None and spec.origins  # bundled: the moved objects' origins are known
