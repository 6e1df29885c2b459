"""Operation naming rules (generator/opnames.py) on layouts of real APIs, and the names table.

The rules are checked on the IR of small specs; one generated client is called over HTTP
to show that a query string in a path key is sent as a query parameter, and aliases work.
"""

from __future__ import annotations

import importlib
import sys
import textwrap
from pathlib import Path
from typing import Any

import yaml
from conftest import run_convgen

from generator.build import build
from generator.nametable import load_names
from generator.opnames import NameTable, name_operation
from generator.select import Selection, select

OK = {"200": {"description": "ok", "content": {"application/json": {"schema": {"type": "object"}}}}}
LIST = {"200": {"description": "ok", "content": {"application/json": {"schema": {
    "type": "object", "properties": {"data": {"type": "array", "items": {"type": "object"}}}}}}}}


def named(path: str, method: str, methods: tuple[str, ...] = (), responses: dict[str, Any] | None = None,
          op: dict[str, Any] | None = None, table: NameTable | None = None) -> str:
    """`resource.path.method` the rules give `method path` (with `methods` beside it on the path)."""
    operation = {"responses": responses or OK, **(op or {})}
    item = {m: {"responses": responses or OK} for m in methods} | {method: operation}
    result = name_operation(path, method, operation, item, {"paths": {path: item}}, table)
    return ".".join((*result.resource, result.method))


def test_rest_collections_items_and_actions():
    assert named("/batches", "get", ("post",), LIST) == "batches.list"
    assert named("/batches", "post", ("get",), LIST) == "batches.create"
    assert named("/batches/{batch_id}", "get", ("delete",)) == "batches.retrieve"
    assert named("/batches/{batch_id}", "post") == "batches.update"
    assert named("/batches/{batch_id}", "delete", ("get",)) == "batches.delete"
    assert named("/batches/{batch_id}/cancel", "post") == "batches.cancel"
    assert named("/conversations/{id}/items", "post", ("get",), LIST) == "conversations.items.create"
    assert named("/uploads/{upload_id}/parts", "post") == "uploads.parts.create"  # a plural noun stays a resource


def test_singletons_are_retrieved_not_listed():
    assert named("/v2/account", "get") == "account.retrieve"
    assert named("/organization/data_retention", "get", ("post",)) == "organization.data_retention.retrieve"
    assert named("/organization/data_retention", "post", ("get",)) == "organization.data_retention.update"
    assert named("/projects/{id}/model_permissions", "delete", ("get", "post")) == "projects.model_permissions.delete"
    assert named("/projects/{id}/model_permissions", "post", ("get",)) == "projects.model_permissions.update"


def test_rpc_style_paths_end_in_a_verb_method():
    assert named("/asset_report/pdf/get", "post") == "asset_report.pdf.get"
    assert named("/item/public_token/exchange", "post") == "item.public_token.exchange"
    assert named("/link/token/create", "post") == "link.token.create"


def test_version_prefixes_and_extensions_are_not_names():
    messages = {"200": {"description": "ok", "content": {"application/json": {"schema": {"type": "object", "properties": {
        "messages": {"type": "array", "items": {"type": "object"}}, "next_page_uri": {"type": "string"}}}}}}}
    assert named("/2010-04-01/Accounts/{AccountSid}/Messages.json", "post", ("get",), messages) == "accounts.messages.create"
    assert named("/2010-04-01/Accounts/{AccountSid}/Messages.json", "get", ("post",), messages) == "accounts.messages.list"
    assert named("/2010-04-01/Accounts/{AccountSid}/Messages/{Sid}.json", "get") == "accounts.messages.retrieve"
    assert named("/api/v1/pets", "get", (), LIST) == "pets.list"
    assert named("/v2", "get") == "v2.retrieve"  # nothing else to name it by


def test_box_layouts_fragments_keyed_lists_and_put_beside_post():
    assert named("/files/{file_id}#get_shared_link", "get") == "files.get_shared_link"
    op = {"responses": OK}
    assert name_operation("/files/{file_id}#get_shared_link", "get", op, {"get": op}, {}).path == "/files/{file_id}"
    assert named("/metadata_taxonomies/{namespace}", "get", (), LIST) == "metadata_taxonomies.list"
    paged = {"200": {"description": "ok", "content": {"application/json": {"schema": {"allOf": [
        {"type": "object", "properties": {"next_marker": {"type": "string"}}},
        {"type": "object", "properties": {"entries": {"type": "array", "items": {"type": "object"}}}}]}}}}}
    assert named("/ai_agents", "get", ("post",), paged) == "ai_agents.list"
    assert named("/ai_agents", "post", ("get",), paged) == "ai_agents.create"
    spec = {"openapi": "3.1.0", "info": {"title": "Box", "version": "1"}, "paths": {"/files/{file_id}": {
        "parameters": [{"name": "file_id", "in": "path", "required": True, "schema": {"type": "string"}}],
        "put": {"operationId": "put_files_id", "responses": OK}, "post": {"operationId": "post_files_id", "responses": OK}}}}
    section, _ = select(spec, Selection())
    assert section is not None
    api, diags = build(section)
    assert sorted((op.http_method, op.method_name) for op in api.operations) == [("POST", "post_files_id"), ("PUT", "update")]
    assert [d.code for d in diags] == []  # a rule, not a clash: the same name when POST is built alone


def test_an_action_that_other_paths_use_as_a_resource_is_one():
    item = {"parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}]}
    spec = {"openapi": "3.1.0", "info": {"title": "Box", "version": "1"}, "paths": {
        "/files/{id}/metadata": {**item, "get": {"operationId": "listMetadata", "responses": LIST}},
        "/files/{id}/metadata/{scope}": {"parameters": [*item["parameters"], {"name": "scope", "in": "path", "required": True,
                                                                               "schema": {"type": "string"}}],
                                         "get": {"operationId": "getMetadata", "responses": OK}},
        "/files/{id}/lock": {**item, "get": {"operationId": "getLock", "responses": OK}}}}
    section, _ = select(spec, Selection())
    assert section is not None
    api, diags = build(section)
    assert sorted(".".join((*op.resource, op.method_name)) for op in api.operations) == [
        "files.lock", "files.metadata.list", "files.metadata.retrieve"]


def test_a_query_string_in_the_path_key_is_a_fixed_query_parameter():
    op = {"responses": OK}
    result = name_operation("/responses/{response_id}?beta=true", "get", op, {"get": op}, {})
    assert (result.resource, result.method) == (("responses",), "retrieve")
    assert result.path == "/responses/{response_id}" and result.fixed_query == (("beta", "true"),)


def test_the_spec_python_example_names_the_method():
    example = {"x-oaiMeta": {"examples": {"request": {"python": textwrap.dedent("""\
        from openai import OpenAI
        client = OpenAI()
        page = client.chat.completions.list()
        print(client.chat.completions.retrieve(completion_id=page[0].id))
        """)}}}}
    assert named("/chat/completions/{completion_id}", "get", op=example) == "chat.completions.retrieve"
    generate = {"x-oaiMeta": {"examples": [{"request": {"python": "client.images.generate(prompt='x')"}}]}}
    assert named("/images/generations", "post", op=generate) == "images.generate"


def test_the_names_table_comes_first(tmp_path: Path):
    (tmp_path / "names.toml").write_text(textwrap.dedent("""\
        [groups]
        administration = "admin"
        [resources]
        "/projects" = "organization.projects"
        [operations]
        downloadFile = ["files.content", "files.retrieve_content"]
        "POST /audio/speech" = "audio.speech.create"
        """))
    table, diags = load_names(tmp_path / "names.toml")
    assert diags == [] and table is not None
    admin = {"x-oaiMeta": {"group": "administration"}}
    assert named("/organization/users/{user_id}", "get", op=admin, table=table) == "admin.organization.users.retrieve"
    roles = named("/projects/{project_id}/roles", "post", ("get",), LIST, op=admin, table=table)
    assert roles == "admin.organization.projects.roles.create"
    assert named("/audio/speech", "post", table=table) == "audio.speech.create"
    op = {"operationId": "downloadFile", "responses": OK}
    result = name_operation("/files/{file_id}/content", "get", op, {"get": op}, {}, table)
    assert (result.method, result.aliases, result.source) == ("content", ("retrieve_content",), "table")


def test_validate_and_diff_read_the_names_table(tmp_path: Path):
    (tmp_path / "things.yaml").write_text(yaml.safe_dump(SPEC))
    (tmp_path / "convgen.toml").write_text('names = "names.toml"\n')
    (tmp_path / "names.toml").write_text('[operations]\ngetBetaThing = "things.retrieve"\n')
    result = run_convgen("validate", tmp_path / "things.yaml", cwd=tmp_path)
    assert "W360" in result.stderr and "things.get_thing()" in result.stderr  # the table's name wins
    (tmp_path / "names.toml").write_text('[operations]\ngetBetaThing = "retrieve"\n')
    for command in (["validate", "things.yaml"], ["diff", "things.yaml", "things.yaml"]):
        result = run_convgen(*command, cwd=tmp_path)
        assert result.returncode == 2 and "names.toml:2:1: error E401: 'getBetaThing' must map to" in result.stderr


def test_bad_names_table_entries_are_located(tmp_path: Path):
    (tmp_path / "names.toml").write_text('[operations]\nx = "one"\ny = ["a.b", 3]\n[colours]\nred = 1\n')
    _, diags = load_names(tmp_path / "names.toml")
    assert [(d.code, d.line) for d in diags] == [("E401", 2), ("E401", 3), ("W402", 4)]


SPEC = {
    "openapi": "3.1.0", "info": {"title": "Things", "version": "1"}, "servers": [{"url": "https://example.invalid/v1"}],
    "paths": {
        "/v1/things": {"get": {"operationId": "listThings", "responses": LIST}},
        "/v1/things/{thing_id}": {"get": {"operationId": "getThing", "parameters": [
            {"name": "thing_id", "in": "path", "required": True, "schema": {"type": "string"}}], "responses": OK}},
        "/v1/things/{thing_id}?beta=true": {"get": {"operationId": "getBetaThing", "parameters": [
            {"name": "thing_id", "in": "path", "required": True, "schema": {"type": "string"}},
            {"name": "include", "in": "query", "schema": {"type": "string"}}], "responses": OK}},
        "/v1/things/{thing_id}/cancel": {"post": {"operationId": "cancelThing", "parameters": [
            {"name": "thing_id", "in": "path", "required": True, "schema": {"type": "string"}}], "responses": OK}},
    },
}


def test_collisions_keep_the_plain_path_name_and_say_so():
    section, _ = select(SPEC, Selection())
    assert section is not None
    api, diags = build(section)
    names = {(op.http_method, op.path, op.fixed_query): ".".join((*op.resource, op.method_name)) for op in api.operations}
    assert names[("GET", "/v1/things/{thing_id}", ())] == "things.retrieve"
    assert names[("GET", "/v1/things/{thing_id}", (("beta", "true"),))] == "things.get_beta_thing"
    assert [d.code for d in diags if d.code.startswith("W36")] == ["W360"]
    assert "GET /v1/things/{thing_id}?beta=true is things.get_beta_thing()" in diags[-1].message


def test_operation_ids_that_a_long_name_s_cut_would_make_one_keep_all_their_words():
    """Kubernetes' `DELETE /.../policies` and `DELETE /.../policies/{name}` are both `delete()` by
    the rules; their operationIds, cut to the length limit, would both lose the word between them."""
    ids = ("deleteAdmissionregistrationV1alpha1CollectionValidatingAdmissionPolicyBindingCustom",
           "deleteAdmissionregistrationV1alpha1ValidatingAdmissionPolicyBindingCustom")
    name = {"name": "name", "in": "path", "required": True, "schema": {"type": "string"}}
    spec = {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {
        "/policies": {"delete": {"operationId": ids[0], "responses": OK}},
        "/policies/{name}": {"delete": {"operationId": ids[1], "parameters": [name], "responses": OK}},
    }}
    section, _ = select(spec, Selection())
    assert section is not None
    api, diags = build(section)
    assert [d.code for d in diags if d.code.startswith("E")] == []
    methods = sorted(op.method_name for op in api.operations)
    assert methods == [
        "delete_admissionregistration_v1alpha1_collection_validating_admission_policy_binding_custom",
        "delete_admissionregistration_v1alpha1_validating_admission_policy_binding_custom",
    ]
    said = [d.message for d in diags if d.code == "W360"]
    assert len(said) == 2 and all(f"is policies.{m}()" in " ".join(said) for m in methods)


def test_generated_client_sends_the_fixed_query_and_offers_aliases(tmp_path: Path, fake_server: Any):
    (tmp_path / "things.yaml").write_text(yaml.safe_dump(SPEC))
    (tmp_path / "convgen.toml").write_text('names = "names.toml"\n')
    (tmp_path / "names.toml").write_text('[operations]\ngetBetaThing = ["beta.things.retrieve", "beta.things.get"]\n')
    result = run_convgen("build", tmp_path / "things.yaml", "--package", "things_names", "-o", tmp_path / "out", "--no-cache")
    assert result.returncode == 0, result.stderr
    sys.path.insert(0, str(tmp_path / "out"))
    try:
        things = importlib.import_module("things_names")
        fake_server.inject(path=r"/things", times=4, status=200, json={"id": "t_1"})
        with things.Client(base_url=fake_server.base_url.removesuffix("/v1"), max_retries=0) as client:
            client.beta.things.retrieve("t_1", include="x")
            client.beta.things.get("t/2")
            client.things.retrieve("t_1")
            client.things.cancel("t_1")
        assert [r.path for r in fake_server.requests] == [
            "/v1/things/t_1?beta=true&include=x", "/v1/things/t%2F2?beta=true", "/v1/things/t_1", "/v1/things/t_1/cancel"]
    finally:
        sys.path.remove(str(tmp_path / "out"))
        for name in [m for m in sys.modules if m == "things_names" or m.startswith("things_names.")]:
            del sys.modules[name]


def test_a_resource_named_like_the_client_s_own_attribute_gets_a_suffix_and_both_work(tmp_path: Path,
                                                                                       fake_server: Any):
    """openSUSE's build service has `/request`: `client.request` is what every call sends with."""
    one = {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
    spec = {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "servers": [{"url": "https://x.test/v1"}],
            "paths": {"/request/{id}": {"get": {"operationId": "getRequest", "parameters": [one], "responses": OK}},
                      "/close": {"post": {"operationId": "closeAll", "responses": OK}},
                      "/things/{id}": {"get": {"operationId": "getThing", "parameters": [one], "responses": OK}}}}
    (tmp_path / "spec.yaml").write_text(yaml.safe_dump(spec))
    result = run_convgen("build", tmp_path / "spec.yaml", "--no-config", "--package", "beside", "-o", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    said = [line for line in result.stderr.splitlines() if " W365: " in line]
    assert len(said) == 2 and "resource 'request' is client.request_" in said[1] and "client.close_" in said[0]
    sys.path.insert(0, str(tmp_path / "out"))
    try:
        beside = importlib.import_module("beside")
        fake_server.inject(path=r"/request/r1|/close|/things/t1", times=3, status=200, json={"id": "x"})
        with beside.Client(base_url=fake_server.base_url, max_retries=0) as client:
            assert client.request_.retrieve("r1") == {"id": "x"}  # (an object schema: a dict)
            client.close_.create()
            client.things.retrieve("t1")  # sent through the client's own `request`, not hidden
        assert [r.path for r in fake_server.requests] == ["/v1/request/r1", "/v1/close", "/v1/things/t1"]
    finally:
        sys.path.remove(str(tmp_path / "out"))
        for name in [m for m in sys.modules if m == "beside" or m.startswith("beside.")]:
            del sys.modules[name]
