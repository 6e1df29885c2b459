"""Raw responses: with_raw_response gives the status, headers and request id, and parses on demand.

See client_http_support for the `api` fixture (both flavours, sync and async, per test).
"""

from __future__ import annotations

from typing import Any

import openai_conversations as oc
import pytest
from client_http_support import api, fast_backoff, server  # noqa: F401 - fixtures are found by name
from fakeapi import FakeConversationsServer
from flavours import Flavour
from openai_conversations import types as t


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
    raw = api.run(client.with_options(strict=True).conversations.with_raw_response.retrieve(conv_id))
    assert raw.status_code == 200  # getting the raw response does not decode it...
    with pytest.raises(oc.APIResponseValidationError):
        raw.parse()  # ...parse() does (strictly: this client says so)
    server.inject(json={"id": 3})
    kept = api.run(client.conversations.with_raw_response.retrieve(conv_id)).parse()
    assert isinstance(kept, t.ConversationResource) and kept.id == 3 and kept.to_dict() == {"id": 3}
