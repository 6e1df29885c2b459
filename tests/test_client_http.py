"""The generated client over real HTTP against the fake Conversations API: every scenario runs for both flavours.

Each test takes the `api` fixture, parametrized as "sync" and "async". `api.client(...)` makes a `Client` or an
`AsyncClient`, and `api.run(x)` gives a call's result: for the sync flavour `x` already is the result (and must
not be awaitable); for the async flavour it must be awaitable and is run on the test's own event loop. So one
test body exercises both clients with the same calls and the same assertions.

Retry backoff is shrunk to a millisecond for the whole module (`INITIAL_RETRY_DELAY`); the tests about timing set
their own small values and check the gaps the server saw between attempts.
"""

from __future__ import annotations

import email.utils
import itertools
import json
import logging
import math
import re
import socket
import time
import types
from collections.abc import Iterator
from typing import Any

import httpx
import openai_conversations as oc
import pytest
from conftest import API_KEY
from fakeapi import FakeConversationsServer
from fakeapi import server as fakeapi_server
from flavours import Flavour
from openai_conversations import types as t
from openai_conversations._runtime import http as rt

SLACK = 1.0  # generous upper slack for timing bounds on a busy machine; lower bounds are exact


@pytest.fixture(params=["sync", "async"])
def api(request: pytest.FixtureRequest) -> Iterator[Flavour]:
    with Flavour(request.param) as flavour:
        yield flavour


@pytest.fixture(autouse=True)
def fast_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rt, "INITIAL_RETRY_DELAY", 0.001)
    # The fake server writes a response's head and body separately; with Nagle's algorithm on, each response
    # then waits ~40 ms for the client's delayed ACK. Only the speed changes, not what is sent.
    monkeypatch.setattr(fakeapi_server._Handler, "disable_nagle_algorithm", True)


@pytest.fixture
def server(fake_server: FakeConversationsServer) -> FakeConversationsServer:
    return fake_server


def raw_path(server: FakeConversationsServer, index: int = -1) -> str:
    return server.requests[index].path


def gaps(server: FakeConversationsServer) -> list[float]:
    times = [r.received_at for r in server.requests]
    return [b - a for a, b in itertools.pairwise(times)]


def message(text: str, role: str = "user") -> dict[str, Any]:
    return {"type": "message", "role": role, "content": text}


# --------------------------------------------------------------------------------------------- configuration


def test_missing_api_key_is_a_clear_error_at_construction(api: Flavour, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(oc.APIError, match=r"no API key: pass api_key=\.\.\. or set the OPENAI_API_KEY environment"):
        api.cls()
    monkeypatch.setenv("OPENAI_API_KEY", "")
    with pytest.raises(oc.APIError, match="OPENAI_API_KEY"):
        api.cls()
    with pytest.raises(ValueError, match="max_retries must be >= 0"):
        api.cls(api_key=API_KEY, max_retries=-1)


def test_env_var_fallbacks(api: Flavour, server: FakeConversationsServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", API_KEY)
    monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
    client = api.client(api_key=None, base_url=None)
    assert client.base_url == server.base_url and client.api_key == API_KEY
    conv = api.run(client.conversations.create())
    assert server.requests[-1].headers["Authorization"] == f"Bearer {API_KEY}"
    # Explicit arguments win over the environment.
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-env-is-wrong")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    explicit = api.client(server)
    assert api.run(explicit.conversations.retrieve(conv.id)) == conv
    # Without OPENAI_BASE_URL the spec's server is the default; a trailing slash is dropped.
    monkeypatch.delenv("OPENAI_BASE_URL")
    assert api.client().base_url == "https://api.openai.com/v1"
    assert api.client(base_url=server.base_url + "/").base_url == server.base_url


def test_with_options_returns_a_changed_copy_sharing_connections(api: Flavour, server: FakeConversationsServer) -> None:
    client = api.client(server, max_retries=0, default_headers={"X-Team": "a"})
    copy = client.with_options(max_retries=2, default_headers={"X-Team": "b"})
    assert type(copy) is type(client) and copy is not client
    assert (copy.max_retries, client.max_retries) == (2, 0)
    assert copy._http is client._http  # one connection pool
    server.inject(method="GET", status=503, times=2)
    conv_id = server.seed_conversation()
    assert api.run(copy.conversations.retrieve(conv_id)).id == conv_id
    assert [r.status for r in server.requests] == [503, 503, 200]
    assert server.requests[-1].headers["X-Team"] == "b"
    server.inject(method="GET", status=503)
    with pytest.raises(oc.InternalServerError):
        api.run(client.conversations.retrieve(conv_id))  # the original still does not retry
    assert server.requests[-1].headers["X-Team"] == "a"
    # Closing the copy leaves the shared pool open for the original.
    api.run(copy.close())
    assert api.run(client.conversations.retrieve(conv_id)).id == conv_id
    other = client.with_options(api_key="sk-other")
    with pytest.raises(oc.AuthenticationError):
        api.run(other.conversations.retrieve(conv_id))
    assert server.requests[-1].headers["Authorization"] == "Bearer sk-other"


def test_close_and_context_managers(api: Flavour, server: FakeConversationsServer) -> None:
    conv_id = server.seed_conversation()
    if api.is_async:
        async def scenario() -> Any:
            async with oc.AsyncClient(api_key=API_KEY, base_url=server.base_url) as client:
                assert (await client.conversations.retrieve(conv_id)).id == conv_id
            return client
        client = api.run(scenario())
    else:
        with oc.Client(api_key=API_KEY, base_url=server.base_url) as client:
            assert client.conversations.retrieve(conv_id).id == conv_id
    assert client._http.is_closed
    plain = api.client(server)
    api.run(plain.close())
    assert plain._http.is_closed
    # A caller's own httpx client is used (its settings apply) and is left open.
    own = (httpx.AsyncClient if api.is_async else httpx.Client)(headers={"X-Caller": "yes"})
    client = api.client(server, http_client=own)
    assert api.run(client.conversations.retrieve(conv_id)).id == conv_id
    assert server.requests[-1].headers["X-Caller"] == "yes"
    api.run(client.close())
    assert not own.is_closed
    api.run(own.aclose() if api.is_async else own.close())  # type: ignore[union-attr]


def test_requests_on_the_direct_path_keep_what_httpx_send_does(api: Flavour, server: FakeConversationsServer) -> None:
    """Our own client's requests skip `httpx.Client.send` (the hot path): cookies, redirects,
    `elapsed` and `request` must behave as they do through it."""
    client = api.client(server, max_retries=0)
    assert client._direct is not None  # else this test would prove nothing about that path
    first, second = server.seed_conversation(), server.seed_conversation()
    server.inject(method="GET", path=first, headers={"Set-Cookie": "session=s1; Path=/"}, json={
        "id": first, "object": "conversation", "created_at": 1, "metadata": {}})
    assert api.run(client.conversations.retrieve(first)).id == first
    assert api.run(client.conversations.retrieve(first)).id == first
    assert server.requests[-1].headers["Cookie"] == "session=s1"  # stored, then sent back
    # a 307 on a POST is followed once, with its body, to where it points
    server.inject(method="POST", path=f"{first}$", status=307, headers={"Location": f"/v1/conversations/{second}"})
    updated = api.run(client.conversations.update(first, metadata={"k": "v"}))
    assert updated.id == second and updated.metadata == {"k": "v"}
    assert [(r.method, r.path.rsplit("/", 1)[-1]) for r in server.requests[-2:]] == [("POST", first), ("POST", second)]
    # the raw response is complete: its request, its timing
    raw = api.run(client.conversations.with_raw_response.retrieve(second))
    assert raw.http_response.request.url.path == f"/v1/conversations/{second}"
    assert 0 <= raw.http_response.elapsed.total_seconds() < 60
    # a copy shares the path; a closed client refuses, as httpx does
    assert client.with_options(max_retries=1)._direct is client._direct
    api.run(client.close())
    with pytest.raises(RuntimeError, match="closed"):
        api.run(client.conversations.retrieve(second))


@pytest.mark.parametrize("variable", ["HTTPS_PROXY", "http_proxy", "ALL_PROXY"])
def test_proxy_variables_send_every_request_through_httpx(api: Flavour, server: FakeConversationsServer,
                                                        monkeypatch: pytest.MonkeyPatch, variable: str) -> None:
    monkeypatch.setenv(variable, "http://127.0.0.1:9")  # nothing listens there: a request through it fails
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")  # ...and this one excludes our server
    client = api.client(server, max_retries=0)
    assert client._direct is None
    conv_id = server.seed_conversation()
    assert api.run(client.conversations.retrieve(conv_id)).id == conv_id


# --------------------------------------------------------------------------------------------- on the wire


def test_every_operation_on_the_wire(api: Flavour, server: FakeConversationsServer) -> None:
    client = api.client(server)
    conv = api.run(client.conversations.create(metadata={"topic": "démo"}, items=[message("Hello!")]))
    assert isinstance(conv, t.ConversationResource) and conv.metadata == {"topic": "démo"}
    assert api.run(client.conversations.retrieve(conv.id)) == conv
    updated = api.run(client.conversations.update(conv.id, metadata={"topic": "x"}))
    assert updated.metadata == {"topic": "x"}
    created = api.run(client.conversations.items.create(
        conv.id, items=[t.EasyInputMessage(role="assistant", content="Hi there")],
        include=["message.output_text.logprobs"]))
    assert isinstance(created, t.ConversationItemList) and [type(i) for i in created.data] == [t.Message]
    page = api.run(client.conversations.items.list(conv.id, limit=1, order="asc",
                                                   include=["reasoning.encrypted_content"]))
    items = api.collect(page)
    assert [type(i) for i in items] == [t.Message, t.Message] and items[1] == created.data[0]
    got = api.run(client.conversations.items.retrieve(items[0].id, conversation_id=conv.id,
                                                      include=["message.input_image.image_url"]))
    assert got == items[0]
    assert api.run(client.conversations.items.delete(items[0].id, conversation_id=conv.id)).id == conv.id
    deleted = api.run(client.conversations.delete(conv.id))
    assert isinstance(deleted, t.DeletedConversationResource) and deleted.deleted is True and deleted.id == conv.id

    c, i0, i1 = conv.id, items[0].id, items[1].id
    assert [(r.method, r.path, r.body) for r in server.requests] == [
        ("POST", "/v1/conversations",
         '{"metadata":{"topic":"démo"},"items":[{"type":"message","role":"user","content":"Hello!"}]}'.encode()),
        ("GET", f"/v1/conversations/{c}", b""),
        ("POST", f"/v1/conversations/{c}", b'{"metadata":{"topic":"x"}}'),
        ("POST", f"/v1/conversations/{c}/items?include%5B%5D=message.output_text.logprobs",
         b'{"items":[{"role":"assistant","content":"Hi there"}]}'),
        ("GET", f"/v1/conversations/{c}/items?limit=1&order=asc&include%5B%5D=reasoning.encrypted_content", b""),
        ("GET", f"/v1/conversations/{c}/items?limit=1&order=asc&after={i0}&include%5B%5D=reasoning.encrypted_content",
         b""),
        ("GET", f"/v1/conversations/{c}/items/{i0}?include%5B%5D=message.input_image.image_url", b""),
        ("DELETE", f"/v1/conversations/{c}/items/{i0}", b""),
        ("DELETE", f"/v1/conversations/{c}", b""),
    ]
    assert i1 not in {r.path for r in server.requests}


def test_headers(api: Flavour, server: FakeConversationsServer) -> None:
    client = api.client(server, default_headers={"X-Default": "d", "X-Both": "default"})
    conv = api.run(client.conversations.create(metadata={"a": "b"}, extra_headers={"X-Both": "extra", "X-Extra": "e"}))
    post = server.requests[-1].headers
    assert post["Authorization"] == f"Bearer {API_KEY}"
    assert post["Accept"] == "application/json"
    assert post["Content-Type"] == "application/json"
    assert re.fullmatch(r"openai_conversations/0\.1\.0 python/3\.\d+\.\d+\S*", post["User-Agent"])
    assert (post["X-Default"], post["X-Both"], post["X-Extra"]) == ("d", "extra", "e")
    assert post["X-Retry-Count"] is None
    assert post["Content-Length"] == str(len(server.requests[-1].body))
    api.run(client.conversations.retrieve(conv.id))
    get = server.requests[-1].headers
    assert get["Content-Type"] is None and get["Accept"] == "application/json" and get["X-Both"] == "default"


def test_retry_count_header_on_retries(api: Flavour, server: FakeConversationsServer) -> None:
    client = api.client(server, max_retries=2)
    server.inject(method="POST", status=500, times=2)
    api.run(client.conversations.create())
    assert [r.headers["X-Retry-Count"] for r in server.requests] == [None, "1", "2"]
    assert len({r.body for r in server.requests}) == 1  # the same request each time


@pytest.mark.parametrize("bad", ["", ".", ".."])
def test_empty_dot_and_dotdot_ids_raise_before_any_request(api: Flavour, server: FakeConversationsServer,
                                                           bad: str) -> None:
    client = api.client(server)
    c, i = client.conversations, client.conversations.items
    calls = [
        lambda: c.retrieve(bad), lambda: c.update(bad, metadata={}), lambda: c.delete(bad),
        lambda: i.create(bad, items=[]), lambda: i.list(bad),
        lambda: i.retrieve(bad, conversation_id="conv_1"), lambda: i.retrieve("item_1", conversation_id=bad),
        lambda: i.delete(bad, conversation_id="conv_1"), lambda: i.delete("item_1", conversation_id=bad),
        lambda: c.with_raw_response.retrieve(bad),
    ]
    for call in calls:
        with pytest.raises(ValueError, match=r"must be a non-empty id, got '\.{0,2}'"):
            api.run(call())
    with pytest.raises(TypeError, match="conversation_id must be a string, number or boolean, got NoneType"):
        api.run(c.retrieve(None))
    assert server.requests == []


@pytest.mark.parametrize(("conv_id", "encoded"), [
    ("a/../b?x", "a%2F..%2Fb%3Fx"),
    ("../../v1/conversations", "..%2F..%2Fv1%2Fconversations"),
    ("x#frag y%2F", "x%23frag%20y%252F"),
    ("héllo", "h%C3%A9llo"),
    ("...", "..."),
])
def test_path_ids_are_percent_encoded_into_one_segment(api: Flavour, server: FakeConversationsServer, conv_id: str,
                                                       encoded: str) -> None:
    client = api.client(server)
    with pytest.raises(oc.NotFoundError) as caught:
        api.run(client.conversations.retrieve(conv_id))
    assert raw_path(server) == f"/v1/conversations/{encoded}"
    assert caught.value.message == f"Error code: 404 - Conversation with id '{conv_id}' not found."
    real = server.seed_conversation()
    with pytest.raises(oc.NotFoundError) as caught:
        api.run(client.conversations.items.retrieve(conv_id, conversation_id=real))
    assert raw_path(server) == f"/v1/conversations/{real}/items/{encoded}"
    assert caught.value.message == f"Error code: 404 - Item with id '{conv_id}' not found."


def test_query_encoding(api: Flavour, server: FakeConversationsServer) -> None:
    client = api.client(server, default_query={"team": "a b", "dropped": None})
    conv_id = server.seed_conversation()
    page = api.run(client.conversations.items.list(conv_id))
    assert api.collect(page) == []
    assert raw_path(server) == f"/v1/conversations/{conv_id}/items?team=a+b"
    api.run(client.conversations.items.list(
        conv_id, limit=5, order=t.ListConversationItemsOrder.DESC,
        include=[t.IncludeEnum.CODE_INTERPRETER_CALL_OUTPUTS, "file_search_call.results"],
        extra_query={"team": "b", "flag": True, "none": None, "tags": ["x", "y"]}))
    assert raw_path(server) == (
        f"/v1/conversations/{conv_id}/items?team=b&limit=5&order=desc"
        "&include%5B%5D=code_interpreter_call.outputs&include%5B%5D=file_search_call.results"
        "&flag=true&tags%5B%5D=x&tags%5B%5D=y")
    assert server.requests[-1].query == [
        ("team", "b"), ("limit", "5"), ("order", "desc"), ("include[]", "code_interpreter_call.outputs"),
        ("include[]", "file_search_call.results"), ("flag", "true"), ("tags[]", "x"), ("tags[]", "y")]
    api.run(client.conversations.retrieve(conv_id, extra_query={"a/b": "c&d=e"}))
    assert raw_path(server) == f"/v1/conversations/{conv_id}?team=a+b&a%2Fb=c%26d%3De"


def test_json_bodies(api: Flavour, server: FakeConversationsServer) -> None:
    client = api.client(server)
    api.run(client.conversations.create())
    assert server.requests[-1].body == b"{}"  # nothing omitted is sent
    api.run(client.conversations.create(metadata=None, items=None))
    assert server.requests[-1].body == b'{"metadata":null,"items":null}'  # None is sent as null
    conv = api.run(client.conversations.create(metadata={"emoji": "😀", "quote": 'a "b"\n'}))
    assert server.requests[-1].body == '{"metadata":{"emoji":"😀","quote":"a \\"b\\"\\n"}}'.encode()
    # Typed dataclasses and plain dicts encode to the same JSON.
    typed = [t.EasyInputMessage(role="user", content="hi"),
             t.FunctionCallOutputItemParam(call_id="call_1", output="42")]
    plain = [{"role": "user", "content": "hi"}, {"call_id": "call_1", "type": "function_call_output", "output": "42"}]
    api.run(client.conversations.items.create(conv.id, items=typed))
    api.run(client.conversations.items.create(conv.id, items=plain))
    assert server.requests[-2].json() == server.requests[-1].json() == {"items": plain}
    # extra_body adds (and overrides) top-level keys; DELETE carries a body only when asked to.
    api.run(client.conversations.update(conv.id, metadata={"a": "1"}, extra_body={"metadata": {"b": "2"}, "x": [1]}))
    assert server.requests[-1].body == b'{"metadata":{"b":"2"},"x":[1]}'
    api.run(client.conversations.items.list(conv.id, extra_body={"y": True}))
    assert server.requests[-1].body == b'{"y":true}'
    assert server.requests[-1].headers["Content-Type"] == "application/json"
    api.run(client.conversations.delete(conv.id))
    assert server.requests[-1].body == b"" and server.requests[-1].headers["Content-Length"] is None


# --------------------------------------------------------------------------------------------- pagination


@pytest.mark.parametrize("order", ["asc", "desc"])
def test_iteration_walks_every_page(api: Flavour, server: FakeConversationsServer, item_list_100: dict[str, Any],
                                    order: str) -> None:
    stored = item_list_100["data"]
    conv_id = server.seed_conversation(stored)
    client = api.client(server)
    page = api.run(client.conversations.items.list(conv_id, limit=30, order=order))
    assert len(page.data) == 30 and page.has_more and page.has_next_page()
    expected = [i["id"] for i in (stored if order == "asc" else stored[::-1])]
    assert (page.first_id, page.last_id) == (expected[0], expected[29])
    items = api.collect(page)
    assert [i.id for i in items] == expected
    assert [i.to_dict() for i in items] == (stored if order == "asc" else stored[::-1])
    queries = [dict(r.query) for r in server.requests]
    assert queries == [{"limit": "30", "order": order}] + [
        {"limit": "30", "order": order, "after": expected[n - 1]} for n in (30, 60, 90)]
    # Iterating again walks the same items (the first page is kept, later ones are fetched anew).
    assert [i.id for i in api.collect(page)] == expected and len(server.requests) == 7


def test_iterating_the_list_call_itself(api: Flavour, server: FakeConversationsServer, item_list_100: dict[str, Any]) -> None:
    """`for item in client...list(...)`, and on the async client `async for` without an `await`, as in the official SDK."""
    stored = item_list_100["data"][:7]
    conv_id = server.seed_conversation(stored)
    client = api.client(server)
    items = api.collect(client.conversations.items.list(conv_id, limit=3, order="asc"))
    assert [i.to_dict() for i in items] == stored and len(server.requests) == 3


def test_manual_paging(api: Flavour, server: FakeConversationsServer, item_list_100: dict[str, Any]) -> None:
    stored = item_list_100["data"][:5]
    conv_id = server.seed_conversation(stored)
    client = api.client(server)
    first = api.run(client.conversations.items.list(conv_id, limit=2, order="asc",
                                                    include=["message.output_text.logprobs"],
                                                    extra_headers={"X-Page": "p"}))
    second = api.run(first.get_next_page())
    assert type(second) is type(first) and [i.id for i in second.data] == [i["id"] for i in stored[2:4]]
    third = api.run(second.get_next_page())
    assert [i.id for i in third.data] == [stored[4]["id"]] and not third.has_more and not third.has_next_page()
    with pytest.raises(RuntimeError, match="no next page"):
        api.run(third.get_next_page())
    # Later pages keep every argument of the first call, only `after` changes.
    assert [dict(r.query) for r in server.requests][1:] == [
        {"limit": "2", "order": "asc", "include[]": "message.output_text.logprobs", "after": stored[n]["id"]}
        for n in (1, 3)]
    assert {r.headers["X-Page"] for r in server.requests} == {"p"}
    assert [len(p.data) for p in api.pages(first)] == [2, 2, 1]
    assert repr(first) == f"<{type(first).__name__} items=2 has_more=True>"


def test_empty_and_single_pages(api: Flavour, server: FakeConversationsServer) -> None:
    conv_id = server.seed_conversation()
    client = api.client(server)
    page = api.run(client.conversations.items.list(conv_id))
    assert page.data == [] and not page.has_more and not page.has_next_page() and api.collect(page) == []
    assert (page.first_id, page.last_id, page.object) == ("", "", "list")
    # A server claiming more items on an empty page does not send the client into a loop.
    server.inject(method="GET", json={"object": "list", "data": [], "first_id": "", "last_id": "", "has_more": True})
    page = api.run(client.conversations.items.list(conv_id))
    assert page.has_more and not page.has_next_page() and api.collect(page) == []
    assert len(server.requests) == 2


def test_a_failed_page_is_retried_during_iteration(api: Flavour, server: FakeConversationsServer,
                                                   item_list_100: dict[str, Any]) -> None:
    stored = item_list_100["data"][:6]
    conv_id = server.seed_conversation(stored)
    client = api.client(server, max_retries=1)
    page = api.run(client.conversations.items.list(conv_id, limit=3, order="asc"))
    server.inject(method="GET", status=503)
    assert [i.id for i in api.collect(page)] == [i["id"] for i in stored]
    assert [r.status for r in server.requests] == [200, 503, 200]


# --------------------------------------------------------------------------------------------- retries


@pytest.mark.parametrize("status", [408, 409, 429, 500, 502, 503, 504])
def test_retried_statuses(api: Flavour, server: FakeConversationsServer, status: int) -> None:
    conv_id = server.seed_conversation()
    client = api.client(server, max_retries=2)
    server.inject(method="GET", status=status, times=2)
    assert api.run(client.conversations.retrieve(conv_id)).id == conv_id
    assert [r.status for r in server.requests] == [status, status, 200]


@pytest.mark.parametrize(("status", "error"), [
    (400, oc.BadRequestError), (401, oc.AuthenticationError), (403, oc.PermissionDeniedError),
    (404, oc.NotFoundError), (405, oc.APIStatusError), (410, oc.APIStatusError), (413, oc.APIStatusError),
    (422, oc.UnprocessableEntityError),
])
def test_other_4xx_are_never_retried(api: Flavour, server: FakeConversationsServer, status: int,
                                     error: type[oc.APIStatusError]) -> None:
    client = api.client(server, max_retries=3)
    server.inject(status=status, times=5)
    with pytest.raises(error) as caught:
        api.run(client.conversations.create())
    assert type(caught.value) is error and caught.value.status_code == status
    assert len(server.requests) == 1


@pytest.mark.parametrize("max_retries", [0, 1, 3])
def test_max_retries_is_respected(api: Flavour, server: FakeConversationsServer, max_retries: int) -> None:
    client = api.client(server, max_retries=max_retries)
    server.inject(status=503, times=10)
    with pytest.raises(oc.InternalServerError) as caught:
        api.run(client.conversations.create())
    assert len(server.requests) == max_retries + 1
    assert caught.value.request_id == server.requests[-1].request_id  # the last attempt's error


def test_default_is_two_retries(api: Flavour, server: FakeConversationsServer) -> None:
    client = api.client(server, max_retries=None)
    assert client.max_retries == 2
    server.inject(status=429, times=10)
    with pytest.raises(oc.RateLimitError):
        api.run(client.conversations.create())
    assert len(server.requests) == 3


def test_connection_drops_are_retried(api: Flavour, server: FakeConversationsServer) -> None:
    conv_id = server.seed_conversation()
    client = api.client(server, max_retries=2)
    server.inject(method="GET", drop=True, times=2)
    assert api.run(client.conversations.retrieve(conv_id)).id == conv_id
    assert [r.status for r in server.requests] == [None, None, 200]
    server.inject(method="GET", drop=True, times=3)
    with pytest.raises(oc.APIConnectionError) as caught:
        api.run(client.conversations.retrieve(conv_id))
    assert type(caught.value) is oc.APIConnectionError and caught.value.message.startswith("Connection error: ")
    assert caught.value.request is not None and caught.value.request.url.path == f"/v1/conversations/{conv_id}"
    assert isinstance(caught.value.__cause__, httpx.TransportError)
    assert len(server.requests) == 6


def test_connection_refused(api: Flavour) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = api.client(base_url=f"http://127.0.0.1:{port}/v1", max_retries=1)
    with pytest.raises(oc.APIConnectionError, match="Connection error"):
        api.run(client.conversations.retrieve("conv_1"))


def test_timeouts_are_retried_then_raise(api: Flavour, server: FakeConversationsServer) -> None:
    conv_id = server.seed_conversation()
    client = api.client(server, max_retries=1, timeout=0.2)
    server.inject(method="GET", delay=1.0, times=1)
    started = time.monotonic()
    assert api.run(client.conversations.retrieve(conv_id)).id == conv_id
    assert 0.2 <= time.monotonic() - started < 0.2 + SLACK and len(server.requests) == 2
    server.inject(method="GET", delay=1.0, times=2)
    started = time.monotonic()
    with pytest.raises(oc.APITimeoutError) as caught:
        api.run(client.conversations.retrieve(conv_id))
    assert 0.4 <= time.monotonic() - started < 0.4 + SLACK and len(server.requests) == 4
    assert isinstance(caught.value, oc.APIConnectionError) and str(caught.value) == "Request timed out."


def test_timeout_per_call_and_with_options(api: Flavour, server: FakeConversationsServer) -> None:
    conv_id = server.seed_conversation()
    client = api.client(server)  # default timeout: 600 s
    assert client.timeout == httpx.Timeout(600.0, connect=5.0)
    server.inject(method="GET", delay=0.5, times=3)
    with pytest.raises(oc.APITimeoutError):
        api.run(client.conversations.retrieve(conv_id, timeout=0.1))
    with pytest.raises(oc.APITimeoutError):
        api.run(client.with_options(timeout=httpx.Timeout(0.1)).conversations.retrieve(conv_id))
    # A generous per-call timeout beats a short client-wide one.
    assert api.run(client.with_options(timeout=0.05).conversations.retrieve(conv_id, timeout=5.0)).id == conv_id
    assert len(server.requests) == 3


def test_backoff_is_exponential_with_jitter(api: Flavour, server: FakeConversationsServer,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rt, "INITIAL_RETRY_DELAY", 0.1)
    client = api.client(server, max_retries=3)
    server.inject(status=500, times=3)
    api.run(client.conversations.create())
    g = gaps(server)
    # Attempt n waits INITIAL * 2**(n-1), less up to 25% jitter.
    assert 0.075 <= g[0] < 0.1 + SLACK and 0.15 <= g[1] < 0.2 + SLACK and 0.3 <= g[2] < 0.4 + SLACK, g


def test_backoff_is_capped(api: Flavour, server: FakeConversationsServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rt, "INITIAL_RETRY_DELAY", 30.0)
    monkeypatch.setattr(rt, "MAX_RETRY_DELAY", 0.1)
    client = api.client(server, max_retries=2)
    server.inject(status=500, times=2)
    api.run(client.conversations.create())
    assert all(0.075 <= g < 0.1 + SLACK for g in gaps(server)), gaps(server)


@pytest.mark.parametrize(("headers", "least"), [
    ({"Retry-After": "0.3"}, 0.3),
    ({"Retry-After": "1"}, 1.0),
    ({"retry-after-ms": "250"}, 0.25),
    ({"retry-after-ms": "200", "Retry-After": "30"}, 0.2),  # the ms header wins
    ({"retry-after-ms": "soon", "Retry-After": "0.2"}, 0.2),  # an unreadable ms header is ignored
])
def test_retry_after_headers_are_honoured(api: Flavour, server: FakeConversationsServer, headers: dict[str, str],
                                          least: float) -> None:
    client = api.client(server, max_retries=1)
    server.inject(status=429, headers=headers)
    api.run(client.conversations.create())
    assert least <= gaps(server)[0] < least + SLACK, gaps(server)


def test_retry_after_http_date(api: Flavour, server: FakeConversationsServer, monkeypatch: pytest.MonkeyPatch) -> None:
    # HTTP dates have whole seconds: the runtime's clock is set 0.6 s before the date the server sends.
    date = math.ceil(time.time()) + 3600
    clock = types.SimpleNamespace(time=lambda: date - 0.6, sleep=time.sleep, monotonic=time.monotonic,
                                  perf_counter=time.perf_counter)
    monkeypatch.setattr(rt, "time", clock)
    client = api.client(server, max_retries=1)
    server.inject(status=503, headers={"Retry-After": email.utils.formatdate(date, usegmt=True)})
    api.run(client.conversations.create())
    assert 0.6 <= gaps(server)[0] < 0.6 + SLACK, gaps(server)


@pytest.mark.parametrize("value", [
    "-5",
    "soon",  # not a number nor a date
    "Wed, 21 Oct 2015 07:28:00 GMT",  # a date in the past
])
def test_unusable_retry_after_falls_back_to_backoff(api: Flavour, server: FakeConversationsServer, value: str) -> None:
    client = api.client(server, max_retries=1)
    server.inject(status=503, headers={"Retry-After": value})
    api.run(client.conversations.create())
    assert len(server.requests) == 2 and gaps(server)[0] < SLACK


def test_retry_after_cap(api: Flavour, server: FakeConversationsServer, monkeypatch: pytest.MonkeyPatch) -> None:
    # beyond the cap (120 s; 0.2 s here) the server asks for more than a client should wait: raised at once
    monkeypatch.setattr(rt, "MAX_RETRY_AFTER", 0.2)
    client = api.client(server, max_retries=2)
    server.inject(status=503, headers={"retry-after-ms": "150"})  # within the cap: honoured
    server.inject(status=503, headers={"Retry-After": "5"})
    with pytest.raises(oc.InternalServerError):
        api.run(client.conversations.create())
    assert len(server.requests) == 2 and 0.15 <= gaps(server)[0] < 0.15 + SLACK, gaps(server)


def test_x_should_retry(api: Flavour, server: FakeConversationsServer) -> None:
    client = api.client(server, max_retries=2)
    server.inject(status=400, headers={"x-should-retry": "true"})
    api.run(client.conversations.create())
    assert [r.status for r in server.requests] == [400, 200]
    for status in (429, 503):
        server.requests.clear()
        server.inject(status=status, headers={"x-should-retry": "false"})
        with pytest.raises(oc.APIStatusError) as caught:
            api.run(client.conversations.create())
        assert caught.value.status_code == status and len(server.requests) == 1


# --------------------------------------------------------------------------------------------- errors


@pytest.mark.parametrize(("status", "error"), [
    (400, oc.BadRequestError), (401, oc.AuthenticationError), (403, oc.PermissionDeniedError),
    (404, oc.NotFoundError), (409, oc.ConflictError), (422, oc.UnprocessableEntityError),
    (429, oc.RateLimitError), (500, oc.InternalServerError), (503, oc.InternalServerError),
    (418, oc.APIStatusError),
])
def test_error_classes(api: Flavour, server: FakeConversationsServer, status: int, error: type[Exception]) -> None:
    client = api.client(server)
    body = {"message": f"Problem {status}", "type": "some_error", "param": "metadata", "code": "bad_thing"}
    server.inject(status=status, json={"error": body}, headers={"X-Extra": "1"})
    with pytest.raises(error) as caught:
        api.run(client.conversations.update("conv_1", metadata={}))
    exc = caught.value
    assert type(exc) is error and isinstance(exc, oc.APIStatusError) and isinstance(exc, oc.APIError)
    assert exc.status_code == status and exc.response.status_code == status
    assert exc.body == body and (exc.type, exc.param, exc.code) == ("some_error", "metadata", "bad_thing")
    assert exc.request_id == "req_1" and exc.response.headers["X-Extra"] == "1"
    assert exc.message == str(exc) == f"Error code: {status} - Problem {status}"
    assert exc.request is not None and exc.request.method == "POST"


def test_errors_from_the_server(api: Flavour, server: FakeConversationsServer) -> None:
    client = api.client(server)
    with pytest.raises(oc.NotFoundError) as caught:
        api.run(client.conversations.retrieve("conv_missing"))
    assert caught.value.message == "Error code: 404 - Conversation with id 'conv_missing' not found."
    assert caught.value.type == "invalid_request_error" and caught.value.request_id == "req_1"
    conv_id = server.seed_conversation()
    with pytest.raises(oc.BadRequestError) as caught:
        api.run(client.conversations.items.list(conv_id, limit=0))
    assert caught.value.param == "limit" and "Invalid 'limit'" in caught.value.message
    with pytest.raises(oc.BadRequestError, match="Invalid value: 'nope'"):
        api.run(client.conversations.items.list(conv_id, include=["nope"]))
    wrong = api.client(server, api_key="sk-wrong-0123456789abcdef")
    with pytest.raises(oc.AuthenticationError) as caught:
        api.run(wrong.conversations.retrieve(conv_id))
    assert caught.value.code == "invalid_api_key" and caught.value.status_code == 401


def test_error_bodies_that_are_not_error_objects(api: Flavour, server: FakeConversationsServer) -> None:
    client = api.client(server)
    server.inject(status=502, body="<html>Bad gateway</html>")
    with pytest.raises(oc.InternalServerError) as caught:
        api.run(client.conversations.create())
    assert caught.value.body == "<html>Bad gateway</html>" and caught.value.code is None
    assert caught.value.message == "Error code: 502 - <html>Bad gateway</html>"
    server.inject(status=500, body="")
    with pytest.raises(oc.InternalServerError) as caught:
        api.run(client.conversations.create())
    assert caught.value.body is None and caught.value.message == "Error code: 500"
    server.inject(status=400, json={"detail": "flat"})
    with pytest.raises(oc.BadRequestError) as caught:
        api.run(client.conversations.create())
    assert caught.value.body == {"detail": "flat"} and caught.value.message == "Error code: 400 - {'detail': 'flat'}"


def test_invalid_json_response(api: Flavour, server: FakeConversationsServer) -> None:
    client = api.client(server)
    server.inject(status=200, body="<html>hello</html>")
    with pytest.raises(oc.APIResponseValidationError) as caught:
        api.run(client.conversations.create())
    exc = caught.value
    assert exc.message.startswith("response is not valid JSON: Expecting value: line 1 column 1")
    assert exc.status_code == 200 and exc.response.text == "<html>hello</html>" and exc.request_id == "req_1"
    server.inject(status=200, body="")
    with pytest.raises(oc.APIResponseValidationError, match="ConversationResource: expected an object, got null"):
        api.run(client.conversations.create())


@pytest.mark.parametrize(("payload", "expected"), [
    ([], "ConversationResource: expected an object, got array []"),
    ({"object": "conversation", "metadata": {}, "created_at": 1},
     "ConversationResource: expected required field 'id' at id, got nothing"),
    ({"id": 5, "object": "conversation", "metadata": {}, "created_at": 1},
     "ConversationResource: expected a string at id, got integer 5"),
    ({"id": "c", "object": "thread", "metadata": {}, "created_at": 1},
     "ConversationResource: expected 'conversation' at object, got string 'thread'"),
])
def test_wrong_shape_responses(api: Flavour, server: FakeConversationsServer, payload: Any, expected: str) -> None:
    client = api.client(server)
    server.inject(json=payload)
    with pytest.raises(oc.APIResponseValidationError) as caught:
        api.run(client.conversations.retrieve("conv_1"))
    assert caught.value.message == f"response does not have the documented shape: {expected}"
    assert caught.value.body == payload and isinstance(caught.value.__cause__, oc.DecodeError)


def test_wrong_shape_deep_in_a_list(api: Flavour, server: FakeConversationsServer, all_variants: list[Any]) -> None:
    client = api.client(server)
    bad = json.loads(json.dumps(all_variants[:3]))
    bad[1]["arguments"] = 7  # a function_call whose arguments are not a string
    server.inject(json={"object": "list", "data": bad, "first_id": "a", "last_id": "b", "has_more": False})
    with pytest.raises(oc.APIResponseValidationError) as caught:
        api.run(client.conversations.items.list("conv_1"))
    assert caught.value.message == ("response does not have the documented shape: ConversationItemList: "
                                    "expected a string at data[1].arguments, got integer 7")
    server.inject(json={"object": "list", "data": 5, "first_id": "a", "last_id": "b", "has_more": False})
    with pytest.raises(oc.APIResponseValidationError, match=r"expected an array at data, got integer 5"):
        api.run(client.conversations.items.list("conv_1"))


def test_api_key_never_leaks(api: Flavour, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    secret = "sk-secret-0123456789abcdef"
    with FakeConversationsServer(api_key=secret) as server:
        _check_no_leaks(api, server, secret, caplog)


def _check_no_leaks(api: Flavour, server: FakeConversationsServer, secret: str,
                    caplog: pytest.LogCaptureFixture) -> None:
    client = api.client(server, api_key=secret, max_retries=1)
    texts = [repr(client), str(client)]
    errors: list[BaseException] = []
    for inject in ({"status": 401}, {"status": 500, "times": 2}, {"drop": True, "times": 2}, {"json": {"id": 1}}):
        server.inject(**inject)  # type: ignore[arg-type]
        with pytest.raises(oc.APIError) as caught:
            api.run(client.conversations.create())
        errors.append(caught.value)
    raw = api.run(client.conversations.with_raw_response.create())
    page = api.run(client.conversations.items.list(raw.parse().id))
    texts += [repr(raw), repr(page), repr(client.with_options(max_retries=0))]
    # A server that echoes a (short, mistyped) key in full: the fake does that for keys of up to 8 characters.
    short = api.client(server, api_key="sk-oops")
    with pytest.raises(oc.AuthenticationError) as caught:
        api.run(short.conversations.create())
    assert "Incorrect API key provided: ***." in caught.value.message
    assert caught.value.body["message"].startswith("Incorrect API key provided: ***.")
    errors.append(caught.value)
    for exc in errors:
        texts += [str(exc), repr(exc), exc.message, repr(exc.args), str(exc.__cause__), repr(exc.__cause__),
                  repr(exc.body), repr(exc.request), repr(exc.request.headers if exc.request else None)]
    texts += [record.getMessage() for record in caplog.records] + [caplog.text]
    assert caplog.records  # httpx did log the requests
    for text in texts:
        assert secret not in text and "sk-oops" not in text, text


# --------------------------------------------------------------------------------------------- raw responses


def test_with_raw_response(api: Flavour, server: FakeConversationsServer, item_list_100: dict[str, Any]) -> None:
    client = api.client(server)
    raw = api.run(client.conversations.with_raw_response.create(metadata={"k": "v"}))
    assert isinstance(raw, oc.RawResponse)
    assert raw.status_code == 200 and raw.headers["content-type"] == "application/json"
    assert raw.request_id == raw.headers["x-request-id"] == "req_1"
    conv = raw.parse()
    assert isinstance(conv, t.ConversationResource) and conv.metadata == {"k": "v"}
    assert conv.to_dict() == raw.http_response.json()
    assert repr(raw) == f"<RawResponse [200] POST {server.base_url}/conversations>"
    conv_id = server.seed_conversation(item_list_100["data"][:3])
    raw_page = api.run(client.conversations.items.with_raw_response.list(conv_id, limit=2, order="asc"))
    assert raw_page.status_code == 200
    assert [i.id for i in api.collect(raw_page.parse())] == [i["id"] for i in item_list_100["data"][:3]]
    same = api.run(client.conversations.with_raw_response.items.retrieve(item_list_100["data"][0]["id"],
                                                                         conversation_id=conv_id))
    assert same.parse().to_dict() == item_list_100["data"][0]
    deleted = api.run(client.conversations.with_raw_response.delete(conv_id)).parse()
    assert isinstance(deleted, t.DeletedConversationResource) and deleted.deleted
    with pytest.raises(oc.NotFoundError):
        api.run(client.conversations.with_raw_response.retrieve(conv_id))
    server.inject(json={"id": 3})
    raw = api.run(client.conversations.with_raw_response.retrieve(conv_id))
    assert raw.status_code == 200  # getting the raw response does not decode it...
    with pytest.raises(oc.APIResponseValidationError):
        raw.parse()  # ...parse() does
