"""Client configuration: API key and base URL from arguments or the environment, with_options, closing, proxies.

See client_http_support for the `api` fixture (both flavours, sync and async, per test).
"""

from __future__ import annotations

from typing import Any

import httpx
import openai_conversations as oc
import pytest
from client_http_support import api, fast_backoff, server  # noqa: F401 - fixtures are found by name
from conftest import API_KEY
from fakeapi import FakeConversationsServer
from flavours import Flavour


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
