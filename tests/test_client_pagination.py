"""Pagination: iterating pages and items, manual paging, empty pages, retried pages.

See client_http_support for the `api` fixture (both flavours, sync and async, per test).
"""

from __future__ import annotations

from typing import Any

import pytest
from client_http_support import api, fast_backoff, message, server  # noqa: F401 - fixtures are found by name
from fakeapi import FakeConversationsServer
from flavours import Flavour


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
