"""Tests of the fake Conversations API server (tests/fakeapi) and of the fixture payloads, over real HTTP."""

from __future__ import annotations

import importlib.util
import json
import threading
import time
from pathlib import Path

import httpx
import pytest

try:  # pytest's default "prepend" import mode puts tests/ (no __init__.py) on sys.path
    from fakeapi import FakeConversationsServer
except ImportError:  # tests/ became a package, or the repository root is on sys.path
    from tests.fakeapi import FakeConversationsServer

KEY = "sk-test-0123456789"
AUTH = {"Authorization": f"Bearer {KEY}"}
FIXTURES = Path(__file__).parent / "fixtures"


def _load_make_payloads():
    spec = importlib.util.spec_from_file_location("make_payloads", FIXTURES / "make_payloads.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def payloads():
    return _load_make_payloads()


@pytest.fixture(scope="session")
def valid(payloads):
    """valid(obj, "SchemaName") asserts obj validates against #/components/schemas/SchemaName."""

    def check(obj, schema_name):
        errors = payloads.validation_errors(obj, schema_name)
        assert not errors, "\n".join(errors)
        return obj

    return check


def _handler_threads():
    return [t for t in threading.enumerate() if t.name.startswith("fake-conversations")]


@pytest.fixture
def server():
    with FakeConversationsServer(api_key=KEY) as srv:
        yield srv
    assert not _handler_threads(), "the fake server left threads behind"


@pytest.fixture
def client(server):
    with httpx.Client(base_url=server.base_url, headers=AUTH, timeout=5) as c:
        yield c


def _list(client, conv_id, **params):
    response = client.get(f"/conversations/{conv_id}/items", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def _error(response, status, valid):
    assert response.status_code == status, response.text
    body = valid(response.json(), "ErrorResponse")
    assert body["error"]["type"] == "invalid_request_error"
    return body["error"]


# --------------------------------------------------------------------------- CRUD


def test_conversation_crud(server, client, valid):
    created = client.post("/conversations", json={
        "metadata": {"topic": "demo"},
        "items": [{"type": "message", "role": "user", "content": "Hello!"}]})
    assert created.status_code == 200
    conv = valid(created.json(), "ConversationResource")
    assert conv["id"].startswith("conv_") and conv["object"] == "conversation"
    assert conv["metadata"] == {"topic": "demo"} and abs(conv["created_at"] - time.time()) < 60

    assert client.get(f"/conversations/{conv['id']}").json() == conv
    (item,) = _list(client, conv["id"])["data"]
    assert item["id"].startswith("msg_")
    assert item == {"type": "message", "id": item["id"], "status": "completed", "role": "user",
                    "content": [{"type": "input_text", "text": "Hello!"}]}

    updated = valid(client.post(f"/conversations/{conv['id']}", json={"metadata": {"a": "1"}}).json(),
                    "ConversationResource")
    assert updated == {**conv, "metadata": {"a": "1"}}

    deleted = valid(client.delete(f"/conversations/{conv['id']}").json(), "DeletedConversationResource")
    assert deleted == {"id": conv["id"], "object": "conversation.deleted", "deleted": True}
    error = _error(client.get(f"/conversations/{conv['id']}"), 404, valid)
    assert conv["id"] in error["message"] and error["param"] is None and error["code"] is None


def test_create_without_body_or_with_nulls(client, valid):
    for kwargs in ({}, {"json": {}}, {"json": {"metadata": None, "items": None}}):
        conv = valid(client.post("/conversations", **kwargs).json(), "ConversationResource")
        assert conv["metadata"] == {}
        assert _list(client, conv["id"])["data"] == []


def test_items_create_retrieve_delete(server, client, valid):
    conv_id = client.post("/conversations").json()["id"]
    response = client.post(f"/conversations/{conv_id}/items", json={"items": [
        {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "Weather in Oslo?"}]},
        {"role": "assistant", "content": "Checking."},  # EasyInputMessage: type is optional
        {"type": "function_call", "call_id": "call_1", "name": "get_weather", "arguments": "{\"city\":\"Oslo\"}"},
        {"type": "function_call_output", "call_id": "call_1", "output": "{\"temp\":-2}"},
        {"type": "reasoning", "id": "rs_given", "summary": []},
    ]})
    page = valid(response.json(), "ConversationItemList")
    data = page["data"]
    assert [i["type"] for i in data] == ["message", "message", "function_call", "function_call_output", "reasoning"]
    assert page["first_id"] == data[0]["id"] and page["last_id"] == data[-1]["id"] and page["has_more"] is False
    assert data[1]["content"] == [{"type": "output_text", "text": "Checking.", "annotations": [], "logprobs": []}]
    assert data[2]["id"].startswith("fc_") and data[2]["status"] == "completed"
    assert data[3]["id"].startswith("fco_") and data[4]["id"] == "rs_given"
    assert server.items(conv_id) == data

    fetched = client.get(f"/conversations/{conv_id}/items/{data[2]['id']}")
    assert valid(fetched.json(), "ConversationItem") == data[2]
    after_delete = client.delete(f"/conversations/{conv_id}/items/{data[2]['id']}")
    assert valid(after_delete.json(), "ConversationResource")["id"] == conv_id
    _error(client.get(f"/conversations/{conv_id}/items/{data[2]['id']}"), 404, valid)
    _error(client.delete(f"/conversations/{conv_id}/items/{data[2]['id']}"), 404, valid)
    assert len(_list(client, conv_id)["data"]) == 4


def test_at_most_20_items(client, valid):
    items = [{"type": "message", "role": "user", "content": f"m{i}"} for i in range(21)]
    assert _error(client.post("/conversations", json={"items": items}), 400, valid)["param"] == "items"
    conv_id = client.post("/conversations", json={"items": items[:20]}).json()["id"]
    assert len(_list(client, conv_id, limit=100)["data"]) == 20
    _error(client.post(f"/conversations/{conv_id}/items", json={"items": items}), 400, valid)
    _error(client.post(f"/conversations/{conv_id}/items", json={}), 400, valid)


def test_all_variants_round_trip(payloads, client, valid):
    variants = json.loads(payloads.ALL_VARIANTS_FILE.read_text())
    conv_id = client.post("/conversations", json={"items": variants[:20]}).json()["id"]
    client.post(f"/conversations/{conv_id}/items", json={"items": variants[20:]}).raise_for_status()
    page = valid(_list(client, conv_id, order="asc", limit=100), "ConversationItemList")
    assert page["data"] == variants
    for variant in variants:
        got = client.get(f"/conversations/{conv_id}/items/{variant['id']}").json()
        assert valid(got, "ConversationItem") == variant


# --------------------------------------------------------------------------- pagination & query parameters


@pytest.mark.parametrize("order", ["asc", "desc"])
def test_pagination_with_after(payloads, server, client, valid, order):
    stored = json.loads(payloads.ITEM_LIST_FILE.read_text())["data"]
    conv_id = server.seed_conversation(stored, metadata={"seeded": "yes"})
    expected = [i["id"] for i in (stored if order == "asc" else stored[::-1])]
    seen, after, pages = [], None, 0
    while True:
        params = {"order": order, "limit": 30, **({"after": after} if after else {})}
        page = valid(_list(client, conv_id, **params), "ConversationItemList")
        ids = [i["id"] for i in page["data"]]
        assert (page["first_id"], page["last_id"]) == (ids[0], ids[-1])
        seen += ids
        pages += 1
        if not page["has_more"]:
            break
        after = page["last_id"]
    assert seen == expected and pages == 4
    assert [r.query for r in server.requests][1] == [("order", order), ("limit", "30"), ("after", expected[29])]


def test_list_defaults_and_empty_page(payloads, server, client, valid):
    stored = json.loads(payloads.ITEM_LIST_FILE.read_text())["data"]
    conv_id = server.seed_conversation(stored)
    page = _list(client, conv_id)
    assert len(page["data"]) == 20 and page["has_more"] is True
    assert page["first_id"] == stored[-1]["id"]  # default order is desc
    last = _list(client, conv_id, order="asc", after=stored[-2]["id"])
    assert [i["id"] for i in last["data"]] == [stored[-1]["id"]] and last["has_more"] is False
    empty = valid(_list(client, conv_id, order="asc", after=stored[-1]["id"]), "ConversationItemList")
    assert empty == {"object": "list", "data": [], "first_id": "", "last_id": "", "has_more": False}


def test_empty_page_ids_can_be_null():
    with FakeConversationsServer(api_key=None, empty_page_id=None) as srv:
        conv_id = srv.seed_conversation()
        page = httpx.get(f"{srv.base_url}/conversations/{conv_id}/items", headers={"Authorization": "Bearer x"}).json()
        assert page["first_id"] is None and page["last_id"] is None


def test_include_arrays(server, client, valid):
    conv_id = client.post("/conversations", json={"items": [{"role": "user", "content": "hi"}]}).json()["id"]
    item_id = _list(client, conv_id)["data"][0]["id"]
    raw = (f"/conversations/{conv_id}/items?include%5B%5D=reasoning.encrypted_content"
           "&include%5B%5D=message.output_text.logprobs&limit=5")
    assert client.get(raw).status_code == 200
    assert server.requests[-1].path == "/v1" + raw  # recorded exactly as sent
    assert server.requests[-1].query[:2] == [("include[]", "reasoning.encrypted_content"),
                                             ("include[]", "message.output_text.logprobs")]
    params = [("include", "file_search_call.results"), ("include", "web_search_call.action.sources")]
    assert client.get(f"/conversations/{conv_id}/items", params=params).status_code == 200
    assert server.requests[-1].path.endswith("?include=file_search_call.results&include=web_search_call.action.sources")
    assert client.get(f"/conversations/{conv_id}/items/{item_id}", params=params).status_code == 200
    response = client.post(f"/conversations/{conv_id}/items", params=params, json={"items": []})
    assert valid(response.json(), "ConversationItemList")["data"] == []
    bogus = client.get(f"/conversations/{conv_id}/items", params={"include[]": "bogus"})
    assert _error(bogus, 400, valid)["param"] == "include"


@pytest.mark.parametrize("params, param", [
    ({"limit": 0}, "limit"), ({"limit": 101}, "limit"), ({"limit": "ten"}, "limit"),
    ({"order": "sideways"}, "order"), ({"after": "msg_missing"}, "after"),
])
def test_bad_list_parameters(client, valid, params, param):
    conv_id = client.post("/conversations").json()["id"]
    assert _error(client.get(f"/conversations/{conv_id}/items", params=params), 400, valid)["param"] == param


# --------------------------------------------------------------------------- errors


def test_auth(server, valid):
    url = f"{server.base_url}/conversations"
    missing = _error(httpx.post(url), 401, valid)
    assert "didn't provide an API key" in missing["message"]
    for header in ("Basic abc", "Bearer", f"Token {KEY}"):
        _error(httpx.post(url, headers={"Authorization": header}), 401, valid)
    wrong = _error(httpx.post(url, headers={"Authorization": "Bearer sk-wrong-key-123"}), 401, valid)
    assert wrong["code"] == "invalid_api_key" and "sk-wrong-key-123" not in wrong["message"]
    assert httpx.post(url, headers={"authorization": f"bearer {KEY}"}).status_code == 200
    assert len(server.requests) == 6 and server.requests[0].status == 401


def test_bad_bodies(client, valid):
    conv_id = client.post("/conversations").json()["id"]
    for content in (b"{not json", b"\xff\xfe", b'["a list"]', b"null"):
        error = _error(client.post("/conversations", content=content), 400, valid)
        assert error["message"].startswith(("We could not parse the JSON body", "Invalid body"))
    _error(client.post(f"/conversations/{conv_id}/items", content=b""), 400, valid)
    _error(client.post(f"/conversations/{conv_id}", json={}), 400, valid)
    for metadata in ({"k": 1}, {str(i): "v" for i in range(17)}, {"k" * 65: "v"}, ["x"]):
        response = client.post(f"/conversations/{conv_id}", json={"metadata": metadata})
        assert _error(response, 400, valid)["param"] == "metadata"
    for item in ("text", {"content": "no role or type"}, {"type": "message", "role": "robot", "content": "x"}):
        _error(client.post(f"/conversations/{conv_id}/items", json={"items": [item]}), 400, valid)


def test_not_found(client, valid):
    for method, path in [("GET", "/conversations/conv_nope"), ("POST", "/conversations/conv_nope/items"),
                         ("GET", "/conversations/conv_nope/items/msg_x"), ("GET", "/nothing/here"),
                         ("PUT", "/conversations"), ("GET", "/conversations")]:
        _error(client.request(method, path, json={"items": []}), 404, valid)
    conv_id = client.post("/conversations").json()["id"]
    assert "msg_x" in _error(client.get(f"/conversations/{conv_id}/items/msg_x"), 404, valid)["message"]


def test_request_ids_and_recording(server, client):
    r1 = client.post("/conversations", json={"metadata": {"x": "y"}}, headers={"X-Custom": "1"})
    r2 = client.get("/conversations/conv_missing")
    r3 = httpx.get(f"{server.base_url}/conversations/conv_missing")
    assert [r.headers["x-request-id"] for r in (r1, r2, r3)] == ["req_1", "req_2", "req_3"]
    first, second, third = server.requests
    assert (first.method, first.path, first.status, first.request_id) == ("POST", "/v1/conversations", 200, "req_1")
    assert first.json() == {"metadata": {"x": "y"}} and first.body == b'{"metadata":{"x":"y"}}'
    assert first.headers["authorization"] == f"Bearer {KEY}" and first.headers.get("x-custom") == "1"
    assert (second.method, second.body, second.status) == ("GET", b"", 404)
    assert third.headers.get("Authorization") is None and third.status == 401
    assert first.received_at <= second.received_at <= third.received_at


# --------------------------------------------------------------------------- faults


def test_fault_status_body_and_headers(server, client, valid):
    fault = server.inject(status=429, headers={"Retry-After": "2", "retry-after-ms": "1500"})
    limited = client.post("/conversations")
    assert limited.status_code == 429 and limited.headers["retry-after"] == "2"
    assert limited.headers["retry-after-ms"] == "1500" and limited.headers["x-request-id"] == "req_1"
    error = valid(limited.json(), "ErrorResponse")["error"]
    assert (error["type"], error["code"]) == ("requests", "rate_limit_exceeded")
    assert fault.hits == 1 and client.post("/conversations").status_code == 200

    server.inject(status=503, json={"error": {"message": "overloaded", "type": "server_error", "param": None,
                                              "code": None}}, headers={"x-should-retry": "false"})
    overloaded = client.get("/conversations/whatever")
    assert overloaded.status_code == 503 and overloaded.json()["error"]["message"] == "overloaded"
    assert overloaded.headers["x-should-retry"] == "false"
    server.inject(status=500)
    assert client.get("/conversations/x").json()["error"]["type"] == "server_error"


def test_fault_matching_and_times(server, client):
    conv_id = client.post("/conversations").json()["id"]
    fault = server.inject(method="GET", path=r"/items$", times=2, status=502)
    assert client.get(f"/conversations/{conv_id}").status_code == 200  # path does not match
    assert client.post(f"/conversations/{conv_id}/items", json={"items": []}).status_code == 200  # method does not
    statuses = [client.get(f"/conversations/{conv_id}/items").status_code for _ in range(3)]
    assert statuses == [502, 502, 200] and fault.hits == 2
    server.inject(status=500, times=5)
    server.clear_faults()
    assert client.get(f"/conversations/{conv_id}").status_code == 200


def test_fault_skips_auth_and_adds_headers_to_normal_responses(server, client):
    server.inject(status=503)
    assert httpx.get(f"{server.base_url}/conversations/x").status_code == 503  # no API key needed
    server.inject(headers={"x-should-retry": "true"})
    response = client.post("/conversations")
    assert response.status_code == 200 and response.headers["x-should-retry"] == "true"
    assert response.json()["object"] == "conversation"


def test_fault_delay(server, client):
    server.inject(delay=0.3)
    started = time.monotonic()
    response = client.post("/conversations")
    assert response.status_code == 200 and time.monotonic() - started >= 0.3
    server.inject(delay=2)
    with pytest.raises(httpx.ReadTimeout):
        client.post("/conversations", timeout=0.2)


def test_fault_drop(server, client):
    server.inject(drop=True)
    with pytest.raises(httpx.TransportError):  # RemoteProtocolError: disconnected without a response
        client.post("/conversations")
    assert server.requests[-1].status is None
    assert client.post("/conversations").status_code == 200  # the client recovers with a new connection


def test_fault_handle_then_drop(server, client):
    conv_id = client.post("/conversations").json()["id"]
    server.inject(path="/items$", handle=True, drop=True)
    with pytest.raises(httpx.TransportError):
        client.post(f"/conversations/{conv_id}/items", json={"items": [{"role": "user", "content": "once"}]})
    assert [i["content"][0]["text"] for i in server.items(conv_id)] == ["once"]  # processed, reply lost


def test_fault_non_json_and_wrong_shape(server, client, payloads):
    server.inject(status=502, body="<html><body>502 Bad Gateway</body></html>", headers={"Content-Type": "text/html"})
    response = client.get("/conversations/x")
    assert response.status_code == 502 and response.headers["content-type"] == "text/html"
    with pytest.raises(json.JSONDecodeError):
        response.json()
    server.inject(body=b"not json at all")
    response = client.post("/conversations")
    assert response.status_code == 200 and response.text == "not json at all"
    assert response.headers["content-type"].startswith("text/plain")
    server.inject(json={"id": 42, "object": "not-a-conversation"})
    wrong = client.post("/conversations").json()
    assert payloads.validation_errors(wrong, "ConversationResource")  # the fake sent what it was told to
    server.inject(json=[1, 2, 3])
    assert client.post("/conversations").json() == [1, 2, 3]


# --------------------------------------------------------------------------- lifecycle


def test_stop_is_quick_with_open_connections_and_delays():
    srv = FakeConversationsServer(api_key=None).start()
    client = httpx.Client(base_url=srv.base_url, headers={"Authorization": "Bearer x"}, timeout=10)
    assert client.post("/conversations").status_code == 200  # leaves an idle keep-alive connection
    srv.inject(delay=30)
    outcome = []
    worker = threading.Thread(target=lambda: outcome.append(_try(client.post, "/conversations")))
    worker.start()
    while len(srv.requests) < 2:
        time.sleep(0.01)
    started = time.monotonic()
    srv.stop()
    assert time.monotonic() - started < 1.5
    worker.join(timeout=5)
    assert isinstance(outcome[0], httpx.TransportError)
    srv.stop()  # idempotent
    client.close()
    assert not _handler_threads()


def _try(fn, *args):
    try:
        return fn(*args)
    except Exception as exc:  # noqa: BLE001 - returned for the assertion
        return exc


def test_many_servers_in_one_process():
    for _ in range(15):
        with FakeConversationsServer() as srv:
            response = httpx.post(f"{srv.base_url}/conversations", headers={"Authorization": "Bearer sk-test"})
            assert response.status_code == 200
    assert not _handler_threads()
    with pytest.raises(RuntimeError):
        _ = FakeConversationsServer().base_url


def test_ids_are_reproducible_with_a_seed():
    def first_id(seed):
        with FakeConversationsServer(seed=seed) as srv:
            return httpx.post(f"{srv.base_url}/conversations", headers={"Authorization": "Bearer sk-test"}).json()["id"]

    assert first_id(7) == first_id(7) != first_id(8)


# --------------------------------------------------------------------------- fixtures


def test_fixture_files_validate_against_the_spec(payloads):
    payloads.validate_fixture_files()  # re-validates the JSON on disk against the spec's schemas
    variants = json.loads(payloads.ALL_VARIANTS_FILE.read_text())
    assert [v["type"] for v in variants] == [payloads.variant_type(n) for n in payloads.variant_schema_names()]
    assert len(variants) == 28
    page = json.loads(payloads.ITEM_LIST_FILE.read_text())
    assert len(page["data"]) == 100


def test_fixture_files_are_up_to_date(payloads):
    assert json.loads(payloads.ALL_VARIANTS_FILE.read_text()) == payloads.build_all_variants()
    assert json.loads(payloads.ITEM_LIST_FILE.read_text()) == payloads.build_item_list_100()


def test_validator_rejects_invalid_payloads(payloads):
    variants = json.loads(payloads.ALL_VARIANTS_FILE.read_text())
    approval = dict(variants[24], request_id=None)
    del approval["request_id"]  # required by the schema although it is not among its properties
    assert payloads.validation_errors(approval, "ConversationItem")
    tools = json.loads(json.dumps(variants[10]))
    nested = tools["tools"][1]["filters"]["filters"][1]["filters"]
    nested.append({"type": "bogus", "key": "k", "value": 1})  # only caught thanks to the $recursiveRef workaround
    assert payloads.validation_errors(tools, "ConversationItem")
    with pytest.raises(payloads.PayloadInvalid):
        payloads.check({"object": "list", "data": [], "first_id": None, "last_id": None, "has_more": False},
                       "ConversationItemList")
