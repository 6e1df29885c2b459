"""What the client sends: every operation's method, path, headers, query and JSON body.

See client_http_support for the `api` fixture (both flavours, sync and async, per test).
"""

from __future__ import annotations

import re

import openai_conversations as oc
import pytest
from client_http_support import api, fast_backoff, message, raw_path, server  # noqa: F401 - fixtures are found by name
from conftest import API_KEY
from fakeapi import FakeConversationsServer
from flavours import Flavour
from openai_conversations import types as t


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
