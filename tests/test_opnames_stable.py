"""Operation names depend on the operation and its own path item, never on what else is
selected (`--tag X` names its methods as the whole-spec build does); the spec's Python
examples name methods whatever variable holds the client; a query-flag variant of a path
that its operationId names too (`/responses?beta=true`, `beta_createResponse`) is a namespace.
Build stage only (IR): about 5 s."""

from __future__ import annotations

import textwrap
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from test_openai_names import whole_spec

from generator import ir
from generator.build import build
from generator.load import load
from generator.opnames import name_operation
from generator.select import Selection, select

ROOT = Path(__file__).resolve().parent.parent
OK = {"200": {"description": "ok", "content": {"application/json": {"schema": {"type": "object"}}}}}


def _names(api: ir.Api) -> dict[str, str]:
    return {op.operation_id: ".".join((*op.resource, op.method_name, *op.aliases)) for op in api.operations}


@cache
def _api(spec: str, tags: tuple[str, ...] = ()) -> ir.Api:
    loaded, _ = load(ROOT / spec, tags=tags)
    assert loaded is not None
    section, _ = select(loaded.doc, Selection(tags=tags))
    assert section is not None
    return build(section)[0]


# Box: `PUT /files/{id}` beside the trash's `POST /files/{id}`; `GET /metadata_templates/enterprise`
# beside paths that go on below it in another tag
@pytest.mark.parametrize("tag", ["Trashed files", "Trashed folders", "Files", "Metadata templates", "Shared links (Files)"])
def test_a_tag_of_box_names_its_operations_as_the_whole_spec_does(tag: str) -> None:
    whole = _names(_api("tests/corpus/box.json"))
    part = _names(_api("tests/corpus/box.json", (tag,)))
    assert part and {k: whole[k] for k in part} == part


def test_a_tag_of_openai_names_its_operations_as_the_whole_spec_does() -> None:
    whole = _names(whole_spec(False))  # built once with test_openai_names
    part = _names(_api("spec/openai.yaml", ("Responses",)))  # parsed alone (lazyload): the other paths are not there
    assert len(part) >= 10 and {k: whole[k] for k in part} == part
    assert part["beta_createResponse"] == "beta.responses.create" and part["createResponse"] == "responses.create"


def named(path: str, method: str, op: dict[str, Any], item: dict[str, Any] | None = None) -> str:
    operation = {"responses": OK, **op}
    result = name_operation(path, method, operation, {**(item or {}), method: operation}, {"paths": {}})
    return ".".join((*result.resource, result.method))


def test_the_example_client_may_be_the_module_or_any_variable():
    streamed = textwrap.dedent("""\
        import openai
        with openai.audio.speech.with_streaming_response.create(model="m", input="x") as response:
            response.stream_to_file(path)
        """)
    assert named("/audio/speech", "post", {"x-oaiMeta": {"examples": {"request": {"python": streamed}}}}) == (
        "audio.speech.create")
    variable = "from acme import Acme\nacme = Acme()\nresult = acme.widgets.raw_response.frob('w_1')\n"
    assert named("/widgets/{id}/frob", "post", {"x-oaiMeta": {"examples": {"request": {"python": variable}}}}) == (
        "widgets.raw_response.frob")
    unrelated = "import json\npath = Path(__file__)\nprint(json.dumps(path.read_text()))\n"
    assert named("/widgets/{id}/frob", "post", {"x-oaiMeta": {"examples": {"request": {"python": unrelated}}}}) == (
        "widgets.frob")  # `json.dumps(` and `path.read_text(` are no client's calls: the rules name it


def test_a_hint_spelling_a_path_segment_differently_follows_the_path():
    example = {"x-oaiMeta": {"examples": {"request": {"python": "client.beta.chat_kit.threads.delete('t')"}}}}
    assert named("/chatkit/threads/{thread_id}", "delete", example) == "beta.chatkit.threads.delete"


def test_a_query_flag_the_operation_id_names_is_a_namespace():
    assert named("/responses?beta=true", "post", {"operationId": "beta_createResponse"}) == "beta.responses.create"
    example = {"operationId": "beta_getResponse",
               "x-oaiMeta": {"examples": {"request": {"python": "client.responses.retrieve('r')"}}}}
    assert named("/responses/{id}?beta=true", "get", example) == "beta.responses.retrieve"
    # a flag alone is a fixed query parameter, not a name
    assert named("/responses/{id}?beta=true", "get", {"operationId": "getResponse"}) == "responses.retrieve"
    assert named("/responses/{id}?beta=false", "get", {"operationId": "beta_getResponse"}) == "responses.retrieve"


def test_an_item_post_beside_put_takes_its_operation_id():
    put = {"put": {"responses": OK}}
    assert named("/files/{file_id}", "post", {"operationId": "restoreFile"}, put) == "files.restore_file"
    assert named("/files/{file_id}", "post", {"operationId": "updateFile"}) == "files.update"


def test_a_collection_whose_one_list_stands_beside_paging_keys_is_listed():
    page = {"200": {"description": "ok", "content": {"application/json": {"schema": {"type": "object", "properties": {
        "ssh_keys": {"type": "array", "items": {"type": "object"}}, "links": {"type": "object"},
        "meta": {"type": "object"}}}}}}}
    one = {"200": {"description": "ok", "content": {"application/json": {"schema": {"type": "object", "properties": {
        "model_ids": {"type": "array", "items": {"type": "string"}}, "mode": {"type": "string"}}}}}}}
    item = {"get": {"responses": page}, "post": {"responses": OK}}
    assert named("/v2/account/keys", "get", {"responses": page}, item) == "account.keys.list"
    assert named("/v2/account/keys", "post", {}, item) == "account.keys.create"
    single = {"get": {"responses": one}, "post": {"responses": OK}}
    assert named("/projects/{id}/model_permissions", "get", {"responses": one}, single) == "projects.model_permissions.retrieve"
    assert named("/projects/{id}/model_permissions", "post", {}, single) == "projects.model_permissions.update"


def test_collections_items_and_updates_read_the_spec_s_other_paths():
    """`/nfs` with `GET /nfs/{id}` beside it is a collection whatever its GET answers; an item
    under a listed collection is retrieved; PATCH beside PUT is `patch`; a singleton's POST beside
    its PUT is `create`."""
    item = {"get": {"responses": OK}}
    doc = {"paths": {"/v2/nfs": {"get": {"responses": OK}, "post": {"responses": OK}}, "/v2/nfs/{nfs_id}": item}}

    def at(path: str, method: str) -> str:
        paths = doc["paths"]
        result = name_operation(path, method, paths[path][method], paths[path], doc)
        return ".".join((*result.resource, result.method))

    assert (at("/v2/nfs", "get"), at("/v2/nfs", "post"), at("/v2/nfs/{nfs_id}", "get")) == (
        "nfs.list", "nfs.create", "nfs.retrieve")
    listing = {"200": {"description": "ok", "content": {"application/json": {"schema": {"type": "object", "properties": {
        "data": {"type": "array", "items": {"type": "object"}}}}}}}}
    doc["paths"]["/v2/nfs/{nfs_id}"] = {"get": {"responses": listing}}
    assert at("/v2/nfs/{nfs_id}", "get") == "nfs.retrieve"  # its parent lists: an item, whatever it holds
    doc = {"paths": {"/v2/nfs/{nfs_id}": {"get": {"responses": listing}}}}
    assert at("/v2/nfs/{nfs_id}", "get") == "nfs.list"  # `/taxonomies/{namespace}`: an item that is a list
    both = {"put": {"responses": OK}, "patch": {"responses": OK}}
    assert named("/vpcs/{vpc_id}", "put", {}, both) == "vpcs.update"
    assert named("/vpcs/{vpc_id}", "patch", {}, both) == "vpcs.patch"
    assert named("/vpcs/{vpc_id}", "patch", {}) == "vpcs.update"
    singleton = {"get": {"responses": OK}, "put": {"responses": OK}}
    assert named("/files/{id}/metadata/global/skills", "post", {}, singleton) == "files.metadata.global_.skills.create"
    assert named("/files/{id}/metadata/global/skills", "put", {}, singleton) == "files.metadata.global_.skills.update"
