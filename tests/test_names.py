"""Public names: no numbers or doubles the spec does not have, renames reported, nothing shadowed.

Small specs through the real build stage (and one generated client over HTTP): resource
classes beside types, names scoped per resource module, long names shortened by words,
non-identifier schema names, arguments and fields that would hide a name the code uses.
"""

from __future__ import annotations

import importlib
import json
import re
import sys
from pathlib import Path
from typing import Any

import yaml
from conftest import run_convgen

from generator import ir
from generator.build import build
from generator.naming import MAX_NAME, pascal, snake
from generator.select import Selection, select

OBJ = {"type": "object", "properties": {"id": {"type": "string"}}}


def _ok(schema: dict[str, Any]) -> dict[str, Any]:
    return {"200": {"description": "ok", "content": {"application/json": {"schema": schema}}}}


def built(paths: dict[str, Any], schemas: dict[str, Any] | None = None) -> tuple[ir.Api, list[Any]]:
    doc = {"openapi": "3.1.0", "info": {"title": "T", "version": "1"}, "paths": paths,
           "components": {"schemas": schemas or {}}}
    section, diags = select(doc, Selection())
    assert section is not None, diags
    return build(section)


def _id(name: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}


def test_a_resource_named_like_a_type_gets_a_suffix_and_a_warning():
    api, diags = built({"/pets": {"get": {"operationId": "listPets", "responses": _ok({"$ref": "#/components/schemas/Pets"})}}},
                       {"Pets": {"type": "array", "items": OBJ}})
    assert dict(api.resource_classes) == {("pets",): "PetsResource"}
    assert [(d.code, d.message) for d in diags if d.code == "W361"] == [
        ("W361", "the class of client.pets is PetsResource: Pets is the name of a type")]


def test_resource_class_names_are_scoped_per_module():
    item = {"get": {"responses": _ok(OBJ)}}
    api, diags = built({"/vector_stores/{vs}/files/{f}": {"parameters": [_id("vs"), _id("f")], **item},
                        "/containers/{c}/files/{f}": {"parameters": [_id("c"), _id("f")], **item},
                        "/beta/threads/{t}": {"parameters": [_id("t")], **item},
                        "/beta/chatkit/threads/{t}": {"parameters": [_id("t")], **item}})
    classes = dict(api.resource_classes)
    assert classes[("vector_stores", "files")] == classes[("containers", "files")] == "Files"
    assert (classes[("beta", "threads")], classes[("beta", "chatkit", "threads")]) == ("Threads", "ChatkitThreads")
    assert not [d for d in diags if d.code.startswith("W3")]


def test_long_names_lose_whole_words_not_characters():
    long = "CreateEvalResponsesRunDataSourceInputMessagesInputMessagesTemplateTemplateItem"
    assert pascal(long) == "CreateEvalResponsesRunDataSourceInputMessagesTemplateItem"
    short = pascal("CreateModerationResponseResultsItemCategoryAppliedInputTypesSelfHarmInstructionsItem")
    assert len(short) <= MAX_NAME and short.startswith("CreateModeration") and short.endswith("SelfHarmInstructionsItem")
    name = snake("a_very_long_operation_name_that_goes_on_and_on_well_past_the_limit_of_sixty_four")
    assert len(name) <= MAX_NAME and name.startswith("a_very") and name.endswith("sixty_four")


def test_deep_inline_types_get_distinct_names_without_numbers():
    leaf = {"type": "array", "items": {"type": "string", "enum": ["a", "b"]}}
    cats = {"type": "object", "properties": {k: leaf for k in ("self-harm/intent", "self-harm/instructions", "violence/graphic")}}
    schema = {"type": "object", "properties": {"results": {"type": "array", "items": {"type": "object", "properties": {
        "category_applied_input_types": cats}}}}}
    api, diags = built({"/moderations": {"post": {"responses": _ok({"$ref": "#/components/schemas/CreateModerationResponse"})}}},
                       {"CreateModerationResponse": schema})
    names = [d.name for d in api.definitions]
    assert all(len(n) <= MAX_NAME and not re.search(r"\d$", n) for n in names), names
    assert len(set(names)) == len(names) and not [d for d in diags if d.code == "W308"]


def test_inline_union_variants_are_named_by_what_they_are_not_by_position():
    value = {"anyOf": [{"type": "string"}, {"type": "string", "enum": ["a", "b"]}]}
    moderation = {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}, {"type": "array", "items": {"oneOf": [
        {"type": "object", "required": ["type"], "properties": {"type": {"enum": ["image_url"]}, "url": {"type": "string"}}},
        {"type": "object", "required": ["type"], "properties": {"type": {"enum": ["text"]}, "text": {"type": "string"}}}]}}]}
    api, _ = built({"/t": {"post": {"responses": _ok({"$ref": "#/components/schemas/Tool"})}}},
                   {"Tool": {"type": "object", "properties": {"model": value, "input": moderation}}})
    names = sorted(d.name for d in api.definitions)
    assert names == ["Tool", "ToolInput", "ToolInputUnionListItem", "ToolInputUnionListItemImageUrl",
                     "ToolInputUnionListItemText", "ToolModel", "ToolModelEnum"]


def test_a_component_keeps_its_name_when_an_inline_schema_wants_it_first():
    report = {"type": "object", "properties": {"details": {"type": "object", "properties": {"x": {"type": "string"}}}}}
    api, diags = built({"/a": {"get": {"responses": _ok({"anyOf": [{"$ref": "#/components/schemas/Report"},
                                                                   {"$ref": "#/components/schemas/ReportDetails"}]})}}},
                       {"Report": report, "ReportDetails": OBJ})
    names = {d.pointer: d.name for d in api.definitions}
    assert names["/components/schemas/ReportDetails"] == "ReportDetails"
    assert names["/components/schemas/Report/properties/details"] == "ReportDetailsInline"
    assert not [d for d in diags if d.code == "W308"]


def test_a_schema_name_that_is_no_identifier_takes_its_title():
    api, diags = built({"/c": {"get": {"responses": _ok({"anyOf": [{"$ref": "#/components/schemas/ConversationParam-2"},
                                                                   {"$ref": "#/components/schemas/MessagePhase-2"}]})}}},
                       {"ConversationParam-2": {**OBJ, "title": "Conversation object"},
                        "MessagePhase-2": {"type": "string", "enum": ["commentary", "final_answer"]}})
    names = {d.pointer: d.name for d in api.definitions}
    assert names["/components/schemas/ConversationParam-2"] == "ConversationObject"
    assert names["/components/schemas/MessagePhase-2"] == "MessagePhase2"  # no title: the spec's own digit stays
    assert sorted(d.message for d in diags if d.code == "W364") == [
        "schema 'ConversationParam-2' is named 'ConversationObject' in Python",
        "schema 'MessagePhase-2' is named 'MessagePhase2' in Python"]


def test_a_field_named_like_a_type_is_renamed_and_reported():
    api, diags = built({"/a": {"get": {"responses": _ok({"$ref": "#/components/schemas/Account"})}}},
                       {"Account": {"type": "object", "properties": {"Item": {"$ref": "#/components/schemas/Item"}}},
                        "Item": OBJ})
    account = next(d for d in api.definitions if d.name == "Account")
    assert isinstance(account, ir.Model) and [(f.wire, f.attr) for f in account.fields] == [("Item", "Item_")]
    assert any(d.code == "W306" and "Item is a type's name" in d.message for d in diags)


MOVE = {"type": "object", "required": ["path"], "properties": {"path": {"type": "string"}, "RequestOptions": {"type": "string"}}}
SPEC = {
    "openapi": "3.1.0", "info": {"title": "Files", "version": "1"},
    "paths": {"/files": {"post": {"operationId": "moveFile", "responses": _ok(OBJ),
                                  "requestBody": {"required": True, "content": {"application/json": {"schema": MOVE}}}}}},
}


def test_a_body_field_named_path_does_not_hide_the_path_helper(tmp_path: Path, fake_server: Any):
    (tmp_path / "files.yaml").write_text(yaml.safe_dump(SPEC))
    result = run_convgen("build", tmp_path / "files.yaml", "--no-config", "--package", "files_shadow", "-o", tmp_path / "out", "--no-cache")
    assert result.returncode == 0, result.stderr
    assert "W362: argument 'path' of files.create() is 'path_': 'path' is a name the method's code uses" in result.stderr
    sys.path.insert(0, str(tmp_path / "out"))
    try:
        files = importlib.import_module("files_shadow")
        fake_server.inject(path=r"/files", status=200, json={"id": "f_1"})
        with files.Client(base_url=fake_server.base_url, max_retries=0) as client:
            assert client.files.create(path_="/a/b", RequestOptions_="x").id == "f_1"
        assert json.loads(fake_server.requests[-1].body) == {"path": "/a/b", "RequestOptions": "x"}
    finally:
        sys.path.remove(str(tmp_path / "out"))
        for name in [m for m in sys.modules if m == "files_shadow" or m.startswith("files_shadow.")]:
            del sys.modules[name]
