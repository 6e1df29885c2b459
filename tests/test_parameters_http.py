"""Parameters over real HTTP: the `parameters` feature client (tests/features/parameters.yaml)
against a server on 127.0.0.1 that echoes what it received, sync and async.

Covers header and cookie parameters, path parameters of every scalar type and the label and
matrix styles, every query style, `Accept` from the response media types, the `array_format`
override, server variables, and a Retry-After beyond what a client should wait.
"""

from __future__ import annotations

import asyncio
import dataclasses
import email.utils
import importlib
import inspect
import sys
import time
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest
from conftest import run_convgen
from echo_server import EchoServer
from goldens import assembled_features


def package() -> ModuleType:
    path = str(assembled_features() / "parameters")
    if path not in sys.path:
        sys.path.insert(0, path)
    return importlib.import_module("parameters")


pm = package()
t = importlib.import_module("parameters.types")
rt = importlib.import_module("parameters._runtime.http")


class Side:
    """One client flavour: `client(...)` makes a Client or AsyncClient, `run(x)` gives a call's result."""

    def __init__(self, is_async: bool) -> None:
        self.is_async = is_async
        self.loop = asyncio.new_event_loop() if is_async else None
        self.clients: list[Any] = []

    def client(self, server: EchoServer | None = None, **settings: Any) -> Any:
        settings.setdefault("max_retries", 0)
        if server is not None and "server_variables" not in settings:
            settings.setdefault("base_url", server.base_url)
        client = (pm.AsyncClient if self.is_async else pm.Client)(**settings)
        self.clients.append(client)
        return client

    def run(self, value: Any) -> Any:
        if self.is_async:
            assert inspect.isawaitable(value) and self.loop is not None
            return self.loop.run_until_complete(value)
        assert not inspect.isawaitable(value)
        return value

    def close(self) -> None:
        for client in self.clients:
            self.run(client.close())
        if self.loop is not None:
            self.loop.close()


@pytest.fixture(params=["sync", "async"])
def side(request: pytest.FixtureRequest) -> Iterator[Side]:
    s = Side(request.param == "async")
    yield s
    s.close()


@pytest.fixture
def server() -> Iterator[EchoServer]:
    with EchoServer() as s:
        yield s


def test_header_cookie_and_integer_path_parameters(side: Side, server: EchoServer) -> None:
    client = side.client(server)
    echo = side.run(client.droplets.retrieve(42, from_="me@example.com", x_trace_ids=[1, 2], x_flags={"a": "1", "b": "2"},
                                             x_verbose=True, session="abc def", prefs=["x", "y"]))
    assert echo.path == "/api/droplets/42"
    assert echo.headers["from"] == "me@example.com" and echo.headers["x-trace-ids"] == "1,2"
    assert echo.headers["x-flags"] == "a=1,b=2" and echo.headers["x-verbose"] == "true"
    assert echo.headers["cookie"] == "session=abc%20def; prefs=x,y"
    assert echo.headers["accept"] == "application/json"
    echo = side.run(client.droplets.retrieve(7, from_="me@example.com", extra_headers={"From": "override@example.com"}))
    assert echo.headers["from"] == "override@example.com"  # extra_headers have the last word
    assert not {"x-trace-ids", "x-flags", "x-verbose", "cookie"} & set(echo.headers)  # omitted: not sent
    with pytest.raises(TypeError, match="from_"):
        client.droplets.retrieve(7)  # a required header is a required argument


def test_path_parameters_of_every_scalar_type(side: Side, server: EchoServer) -> None:
    client = side.client(server)
    assert side.run(client.scales.retrieve(t.Color.DARK_BLUE, ratio=0.5, enabled=False)).path == "/api/scales/0.5/false/dark%20blue"
    assert side.run(client.scales.retrieve("a/..", ratio=2, enabled=True)).path == "/api/scales/2/true/a%2F.."
    for bad in ("", ".", ".."):
        with pytest.raises(ValueError, match="color must be a non-empty id"):
            side.run(client.scales.retrieve(bad, ratio=1, enabled=True))
    assert len(server.requests) == 2  # refused before anything is sent


def test_label_and_matrix_path_styles(side: Side, server: EchoServer) -> None:
    client = side.client(server)
    echo = side.run(client.shapes.retrieve(["x", "y,z"], ids=[3, 4, 5], point=t.Point(x=1, y=2)))
    assert echo.path == "/api/shapes/.3.4.5/;x=1;y=2/;tags=x,y%2Cz"
    assert side.run(client.shapes.retrieve(["x"], ids=[3], point={"x": 0, "y": -1})).path == "/api/shapes/.3/;x=0;y=-1/;tags=x"


def test_every_query_style_and_accept_from_the_response_media(side: Side, server: EchoServer) -> None:
    client = side.client(server)
    echo = side.run(client.search.retrieve(
        ids=[1, 2], csv=["a", "b"], words=["a b", "c"], pipes=["a", "b"], metadata={"foo": "bar", "n": "1"},
        point=t.Point(x=1, y=2), team_ids=["t1", "t2"], where={"a": 1}, raw="x,y", file="a/b?c", sort="s",
        color=t.Color.DARK_BLUE))
    assert echo.path == (
        "/api/search?ids=1&ids=2&csv=a,b&words=a+b%20c&pipes=a%7Cb&metadata%5Bfoo%5D=bar&metadata%5Bn%5D=1"
        "&x=1&y=2&team_ids%5B%5D=t1&team_ids%5B%5D=t2&where=%7B%22a%22%3A1%7D&raw=x%2Cy&file=a/b?c&sort=s"
        "&color=dark+blue")
    assert echo.headers["accept"] == "application/vnd.echo+json"
    assert side.run(client.search.retrieve()).path == "/api/search"


@pytest.mark.parametrize(("array_format", "query"), [
    # a name ending in [] gets no second one; objects as the Rails/qs convention: point[x]=1
    ("brackets", "ids%5B%5D=1&ids%5B%5D=2&csv=a,b&point%5Bx%5D=1&point%5By%5D=2&team_ids%5B%5D=t"),
    ("comma", "ids=1,2&csv=a,b&x=1&y=2&team_ids%5B%5D=t"),
])
def test_array_format_overrides_default_style_arrays(side: Side, server: EchoServer, array_format: str, query: str) -> None:
    client = side.client(server)
    client._config = dataclasses.replace(client._config, array_format=array_format)
    echo = side.run(client.search.retrieve(ids=[1, 2], csv=["a", "b"], point=t.Point(x=1, y=2), team_ids=["t"]))
    assert echo.path == "/api/search?" + query


def test_server_variables(side: Side, server: EchoServer) -> None:
    assert side.client().base_url == "https://params.example.com:443/api"  # the defaults
    local = {"scheme": "http", "host": "127.0.0.1", "port": str(server.port)}
    client = side.client(server, server_variables=local)
    assert client.base_url == server.base_url
    assert side.run(client.droplets.retrieve(1, from_="a")).path == "/api/droplets/1"
    assert side.client(server_variables={"host": "h"}).base_url == "https://h:443/api"
    assert client.with_options(server_variables={"host": "other"}).base_url == "https://other:443/api"
    assert client.with_options(max_retries=1).base_url == server.base_url
    with pytest.raises(ValueError, match="server variable scheme must be one of http, https, got 'ftp'"):
        side.client(server_variables={"scheme": "ftp"})
    with pytest.raises(ValueError, match="unknown server variable 'region'; known: scheme, host, port"):
        side.client(server_variables={"region": "eu"})


@pytest.mark.parametrize("headers", [
    {"Retry-After": "121"},
    {"Retry-After": "3600"},
    {"retry-after-ms": "120500"},
    {"Retry-After": "HTTP-DATE"},  # an hour from now
])
def test_retry_after_beyond_120_seconds_raises_at_once(side: Side, server: EchoServer, headers: dict[str, str]) -> None:
    if headers.get("Retry-After") == "HTTP-DATE":
        headers = {"Retry-After": email.utils.formatdate(time.time() + 3600, usegmt=True)}
    client = side.client(server, max_retries=3)
    server.inject(429, headers)
    started = time.monotonic()
    with pytest.raises(pm.RateLimitError) as caught:
        side.run(client.droplets.retrieve(1, from_="a"))
    assert len(server.requests) == 1 and time.monotonic() - started < 5
    assert caught.value.status_code == 429


def test_retry_after_up_to_the_limit_is_honoured(side: Side, server: EchoServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rt, "MAX_RETRY_AFTER", 0.3)  # the same rule, at a limit a test can wait for
    client = side.client(server, max_retries=2)
    server.inject(503, {"Retry-After": "0.3"})  # at the limit: waited for
    server.inject(503, {"Retry-After": "0.4"})  # beyond it: raised
    with pytest.raises(pm.InternalServerError):
        side.run(client.droplets.retrieve(1, from_="a"))
    assert len(server.requests) == 2 and server.requests[1].at - server.requests[0].at >= 0.3


def test_openai_deep_object_metadata(tmp_path: Any, server: EchoServer) -> None:
    """The whole OpenAI spec's `chat.completions.list(metadata=...)` sends metadata[foo]=bar: its spec
    gives no style (so form: foo=bar) but documents metadata[k]=v, which `array_format = "brackets"`
    (the official SDK's convention, and the committed configuration) gives."""
    result = run_convgen("build", "spec/openai.yaml", "--no-config", "--array-format", "brackets", "--path-prefix", "/chat/completions",
                         "--package", "chat_only", "-o", tmp_path / "out", "-q")
    assert result.returncode == 0, result.stderr
    sys.path.insert(0, str(tmp_path / "out"))
    try:
        chat = importlib.import_module("chat_only")
        client = chat.Client(api_key="k", base_url=server.base_url, max_retries=0, strict=True)
        with client, pytest.raises(chat.APIResponseValidationError):  # the echo is not a completion list
            client.chat.completions.list(metadata={"foo": "bar"}, limit=2)
    finally:
        sys.path.remove(str(tmp_path / "out"))
    assert server.requests[-1].path == "/api/chat/completions?metadata%5Bfoo%5D=bar&limit=2"
