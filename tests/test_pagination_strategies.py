"""Every pagination strategy over real HTTP on 127.0.0.1, sync and async: iterating walks every
item of every page and stops at the last one; manual paging; the ambiguous operation is plain.

The client is the feature golden of tests/features/pagination.yaml; `PagingServer` pages seven
things three at a time and records each request's query, so the assertions are about the wire.
"""

from __future__ import annotations

import asyncio
import importlib
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from goldens import assembled_features
from paging_server import THINGS, PagingServer

IDS = [t["id"] for t in THINGS]


@pytest.fixture(scope="module")
def pkg() -> Any:
    path = str(assembled_features() / "pagination")
    if path not in sys.path:
        sys.path.insert(0, path)
    return importlib.import_module("pagination")


@pytest.fixture
def server() -> Iterator[PagingServer]:
    with PagingServer() as s:
        yield s


# resource, page class, the queries the walk sends
WALKS = {
    "events": ("NextCursorPage", [{}, {"cursor": "c3"}, {"cursor": "c6"}]),
    "pets": ("CursorPage", [{}, {"after": "t3"}, {"after": "t6"}]),
    "orders": ("OffsetPage", [{}, {"offset": "3"}, {"offset": "6"}]),  # the total stops it
    "books": ("PageNumberPage", [{}, {"page": "2"}, {"page": "3"}, {"page": "4"}]),  # the empty page stops it
    "songs": ("NextURLPage", [{}, {"start": "3", "limit": "3"}, {"start": "6", "limit": "3"}]),
    "repos": ("LinkHeaderPage", [{}, {"page": "2", "per_page": "3"}, {"page": "3", "per_page": "3"}]),
    "tags": ("Page", [{}]),
}


@pytest.mark.parametrize("name", sorted(WALKS))
def test_iterating_a_page_walks_every_item_of_every_page(pkg: Any, server: PagingServer, name: str) -> None:
    cls, queries = WALKS[name]
    client = pkg.Client(base_url=server.base_url, max_retries=0)
    page = getattr(client, name).list()
    assert type(page).__name__ == "Sync" + cls
    assert [t.id for t in page] == IDS
    assert server.queries(f"/v1/{name}") == queries
    assert [len(p.data) for p in page.iter_pages()] == ([7] if name == "tags" else [3, 3, 1] + ([0] if name == "books" else []))


@pytest.mark.parametrize("name", sorted(WALKS))
def test_async_for_walks_every_item_of_every_page(pkg: Any, server: PagingServer, name: str) -> None:
    cls, queries = WALKS[name]

    async def walk() -> tuple[list[str], list[str], str]:
        async with pkg.AsyncClient(base_url=server.base_url, max_retries=0) as client:
            direct = [t.id async for t in getattr(client, name).list()]  # without an await, as in the SDK
            page = await getattr(client, name).list()
            return direct, [t.id async for t in page], type(page).__name__

    direct, walked, kind = asyncio.run(walk())
    assert direct == walked == IDS and kind == "Async" + cls
    assert server.queries(f"/v1/{name}") == queries + queries


def test_manual_paging_keeps_the_first_call_s_arguments(pkg: Any, server: PagingServer) -> None:
    client = pkg.Client(base_url=server.base_url, max_retries=0)
    first = client.orders.list(limit=2)
    assert first.has_next_page() and first.total == 7  # the list object's other fields
    second = first.get_next_page()
    assert [t.id for t in second.data] == ["t3", "t4"] and type(second) is type(first)
    last = first
    for last in first.iter_pages():
        pass
    assert [t.id for t in last.data] == ["t7"] and not last.has_next_page()
    with pytest.raises(RuntimeError, match="no next page"):
        last.get_next_page()
    assert [q for q in server.queries("/v1/orders")] == [
        {"limit": "2"}, {"limit": "2", "offset": "2"}, {"limit": "2", "offset": "2"},
        {"limit": "2", "offset": "4"}, {"limit": "2", "offset": "6"}]


def test_a_cursor_that_does_not_move_or_an_empty_page_stops_the_walk(pkg: Any, server: PagingServer) -> None:
    client = pkg.Client(base_url=server.base_url, max_retries=0)
    server.things = []
    assert list(client.events.list()) == [] and list(client.pets.list()) == [] and list(client.repos.list()) == []
    assert len(server.requests) == 3


def test_the_raw_response_parses_to_a_page_that_walks_on(pkg: Any, server: PagingServer) -> None:
    client = pkg.Client(base_url=server.base_url, max_retries=0)
    raw = client.repos.with_raw_response.list(per_page=3)
    assert "rel=\"next\"" in raw.headers["link"]
    assert [t.id for t in raw.parse()] == IDS


def test_the_ambiguous_operation_returns_its_response(pkg: Any, server: PagingServer) -> None:
    client = pkg.Client(base_url=server.base_url, max_retries=0)
    response = client.logs.list()
    assert type(response).__name__ == "ListLogsResponse" and [t.id for t in response.entries] == IDS


def test_a_next_url_on_another_origin_gets_no_credentials(pkg: Any, server: PagingServer) -> None:
    with PagingServer() as elsewhere:
        server.next_base = elsewhere.base_url
        client = pkg.Client(base_url=server.base_url, api_key="sk-secret", max_retries=0)
        assert [t.id for t in client.songs.list()] == IDS
        assert [h.get("authorization") for h in server.headers] == ["Bearer sk-secret"]
        assert len(elsewhere.headers) == 2 and not any("authorization" in h for h in elsewhere.headers)
