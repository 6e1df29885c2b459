"""Retries: which statuses and failures are retried, how often, backoff, Retry-After and x-should-retry.

See client_http_support for the `api` fixture (both flavours, sync and async, per test).
"""

from __future__ import annotations

import email.utils
import math
import socket
import time
import types

import httpx
import openai_conversations as oc
import pytest
from client_http_support import SLACK, api, fast_backoff, gaps, message, server  # noqa: F401 - fixtures are found by name
from fakeapi import FakeConversationsServer
from flavours import Flavour
from openai_conversations._runtime import http as rt


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
