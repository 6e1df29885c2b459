"""Shared by the test_client_*.py files: the generated client over real HTTP against the fake Conversations API,
every scenario run for both flavours.

Each test takes the `api` fixture, parametrized as "sync" and "async". `api.client(...)` makes a `Client` or an
`AsyncClient`, and `api.run(x)` gives a call's result: for the sync flavour `x` already is the result (and must
not be awaitable); for the async flavour it must be awaitable and is run on the test's own event loop. So one
test body exercises both clients with the same calls and the same assertions.

Retry backoff is shrunk to a millisecond in every test module importing `fast_backoff` (`INITIAL_RETRY_DELAY`); the tests about timing set
their own small values and check the gaps the server saw between attempts.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import pytest
from fakeapi import FakeConversationsServer
from fakeapi import server as fakeapi_server
from flavours import Flavour
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
