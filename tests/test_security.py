"""Credentials from the spec's security schemes, over real HTTP on 127.0.0.1, sync and async.

The clients are the feature goldens (tests/features/security_*.yaml); `PetsServer` records
what each request carried, so every assertion is about what went over the wire.
"""

from __future__ import annotations

import asyncio
import base64
import importlib
import inspect
import sys
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from credentials_server import PetsServer
from goldens import assembled_features

EXPECTED = assembled_features()  # the feature goldens with their _runtime/
ENV_NAMES = ("API_KEY", "USERNAME", "PASSWORD", "ACCESS_TOKEN", "TENANT", "HEADER_KEY", "QUERY_KEY", "SESSION_COOKIE")


def package(name: str) -> Any:
    path = str(EXPECTED / name)
    if path not in sys.path:
        sys.path.insert(0, path)
    return importlib.import_module(name)


class Api:
    """One feature package in one flavour: `client(...)` makes a Client or an AsyncClient, `run` gives results."""

    def __init__(self, name: str, is_async: bool) -> None:
        self.pkg = package(name)
        self.is_async = is_async
        self.loop = asyncio.new_event_loop() if is_async else None
        self.clients: list[Any] = []

    def client(self, server: PetsServer | None = None, **settings: Any) -> Any:
        if server is not None:
            settings.setdefault("base_url", server.base_url)
        settings.setdefault("max_retries", 0)
        client = (self.pkg.AsyncClient if self.is_async else self.pkg.Client)(**settings)
        self.clients.append(client)
        return client

    def run(self, value: Any) -> Any:
        if self.is_async:
            assert inspect.isawaitable(value) and self.loop is not None
            return self.loop.run_until_complete(value)
        return value

    def close(self) -> None:
        for client in self.clients:
            self.run(client.close())
        if self.loop is not None:
            self.loop.close()


@pytest.fixture(params=["sync", "async"])
def flavour(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[bool]:
    for feature in ("SECURITY_BEARER", "SECURITY_BASIC", "SECURITY_API_KEY", "SECURITY_OAUTH2", "SECURITY_MIXED"):
        for name in ENV_NAMES + ("BASE_URL",):
            monkeypatch.delenv(f"{feature}_{name}", raising=False)
    yield request.param == "async"


@pytest.fixture
def server() -> Iterator[PetsServer]:
    with PetsServer() as s:
        yield s


def api(name: str, is_async: bool, request: pytest.FixtureRequest) -> Api:
    made = Api(name, is_async)
    request.addfinalizer(made.close)
    return made


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


# ---------------------------------------------------------------------------------------------- HTTP bearer


def test_bearer_is_sent_only_where_declared(flavour: bool, server: PetsServer, request: pytest.FixtureRequest) -> None:
    a = api("security_bearer", flavour, request)
    client = a.client(server, api_key="tok-1")
    assert client.api_key == "tok-1"
    assert [p.name for p in a.run(client.pets.list())] == ["Rex"]
    assert a.run(client.health.retrieve()).ok is True  # `security: []`: public
    assert [r.header("Authorization") for r in server.requests] == ["Bearer tok-1", None]


def test_missing_credentials_fail_before_sending(flavour: bool, server: PetsServer, request: pytest.FixtureRequest,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    a = api("security_bearer", flavour, request)
    client = a.client(server)  # no key, and one operation needs none: the client is made
    with pytest.raises(a.pkg.APIError, match=r"^GET /pets needs credentials: pass api_key=\.\.\. "
                                            r"\(or set \$SECURITY_BEARER_API_KEY\)$"):
        a.run(client.pets.list())
    assert server.requests == []
    assert a.run(client.health.retrieve()).ok is True
    monkeypatch.setenv("SECURITY_BEARER_API_KEY", "from-env")
    a.run(a.client(server).pets.retrieve("p1"))
    assert server.requests[-1].header("Authorization") == "Bearer from-env"
    assert server.requests[-1].path == "/pets/p1"


def test_headers_the_caller_sets_override_the_credential(flavour: bool, server: PetsServer,
                                                         request: pytest.FixtureRequest) -> None:
    a = api("security_bearer", flavour, request)
    client = a.client(server, api_key="tok-1", default_headers={"authorization": "Bearer team"})
    a.run(client.pets.list())
    a.run(client.pets.list(extra_headers={"Authorization": "Token per-call"}))
    plain = a.client(server, api_key="tok-1")
    a.run(plain.pets.list(extra_headers={"AUTHORIZATION": "Token per-call"}))
    assert [r.header("Authorization") for r in server.requests] == ["Bearer team", "Token per-call", "Token per-call"]
    # a client without any key: the caller's own header is enough
    a.run(a.client(server, default_headers={"Authorization": "Bearer mine"}).pets.list())
    assert server.requests[-1].header("Authorization") == "Bearer mine"


def test_with_options_changes_the_key(flavour: bool, server: PetsServer, request: pytest.FixtureRequest) -> None:
    a = api("security_bearer", flavour, request)
    client = a.client(server, api_key="tok-1")
    other = client.with_options(api_key="tok-2")
    a.run(other.pets.list())
    a.run(client.with_options(max_retries=1).pets.list())
    assert [r.header("Authorization") for r in server.requests] == ["Bearer tok-2", "Bearer tok-1"]
    assert "tok" not in repr(client) + repr(other)


# ---------------------------------------------------------------------------------------------- HTTP basic


def test_basic_auth(flavour: bool, server: PetsServer, request: pytest.FixtureRequest,
                    monkeypatch: pytest.MonkeyPatch) -> None:
    a = api("security_basic", flavour, request)
    server.checks["/pets"] = lambda r: r.header("Authorization") == basic("ann", "s3cret:x")
    client = a.client(server, username="ann", password="s3cret:x")
    assert a.run(client.pets.list())[0].id == "p1"
    assert a.run(client.pets.create(id="p2", name="Tom")).id == "p1"
    assert [r.method for r in server.requests] == ["GET", "POST"]
    # every operation needs it: a client without it fails at once, naming both variables
    with pytest.raises(a.pkg.APIError, match=r"^no credentials: pass username=\.\.\. and password=\.\.\. "
                                            r"\(or set \$SECURITY_BASIC_USERNAME, \$SECURITY_BASIC_PASSWORD\)$"):
        a.client(server, username="ann")
    monkeypatch.setenv("SECURITY_BASIC_PASSWORD", "s3cret:x")
    a.run(a.client(server, username="ann").pets.list())
    assert server.requests[-1].header("Authorization") == basic("ann", "s3cret:x")
    with pytest.raises(a.pkg.AuthenticationError):
        a.run(a.client(server, username="bob").pets.list())


# ---------------------------------------------------------------------------------------------- API keys


def test_api_keys_in_header_query_and_cookie(flavour: bool, server: PetsServer, request: pytest.FixtureRequest) -> None:
    a = api("security_api_key", flavour, request)
    client = a.client(server, header_key="hk", query_key="qk", session_cookie="ck")
    a.run(client.pets.list())
    a.run(client.search.list(q="rex"))
    a.run(client.session.retrieve())
    pets, search, session = server.requests
    assert pets.header("X-API-Key") == "hk" and pets.query == {} and pets.header("Cookie") is None
    assert search.query == {"q": ["rex"], "key": ["qk"]} and search.header("X-API-Key") is None
    assert session.header("Cookie") == "session=ck" and session.query == {} and session.header("X-API-Key") is None
    # the caller's own values win
    a.run(client.search.list(extra_query={"key": "mine"}))
    a.run(client.session.retrieve(extra_headers={"Cookie": "theme=dark; session=mine"}))
    a.run(client.session.retrieve(extra_headers={"Cookie": "theme=dark"}))
    assert server.requests[3].query == {"key": ["mine"]}
    assert [r.header("Cookie") for r in server.requests[4:]] == ["theme=dark; session=mine", "theme=dark; session=ck"]


def test_secrets_are_masked_in_errors(flavour: bool, server: PetsServer, request: pytest.FixtureRequest) -> None:
    a = api("security_api_key", flavour, request)
    server.checks["/pets"] = lambda r: False  # answers 401, echoing the X-API-Key it got
    with pytest.raises(a.pkg.AuthenticationError) as caught:
        a.run(a.client(server, header_key="hk-secret-123").pets.list())
    assert caught.value.body["echo"] == "***" and "hk-secret-123" not in str(caught.value)


# ---------------------------------------------------------------------------------------------- OAuth 2 / OpenID


def test_oauth2_token_and_token_provider(flavour: bool, server: PetsServer, request: pytest.FixtureRequest) -> None:
    a = api("security_oauth2", flavour, request)
    a.run(a.client(server, access_token="at-1").pets.list())
    tokens = iter(["fresh-1", "fresh-2"])
    client = a.client(server, access_token="stale", token_provider=lambda: next(tokens))
    a.run(client.pets.list())
    a.run(client.pets.list())
    assert [r.header("Authorization") for r in server.requests] == ["Bearer at-1", "Bearer fresh-1", "Bearer fresh-2"]
    with pytest.raises(a.pkg.APIError, match=r"^no access token: pass access_token=\.\.\. or token_provider=\.\.\. "
                                            r"\(or set \$SECURITY_OAUTH2_ACCESS_TOKEN\)$"):
        a.client(server)


# ---------------------------------------------------------------------------------------------- alternatives


def test_first_configured_alternative_wins(flavour: bool, server: PetsServer, request: pytest.FixtureRequest) -> None:
    a = api("security_mixed", flavour, request)
    a.run(a.client(server, username="u", password="p").pets.list())  # apiKey | basic: only basic configured
    both = a.client(server, api_key="Token token=k1", username="u", password="p")
    a.run(both.pets.list())
    assert [r.header("Authorization") for r in server.requests] == [basic("u", "p"), "Token token=k1"]
    with pytest.raises(a.pkg.APIError, match=r"^GET /pets needs credentials: pass api_key=\.\.\. \(or set "
                                            r"\$SECURITY_MIXED_API_KEY\); or username=\.\.\. and password=\.\.\."):
        a.run(a.client(server).pets.list())


def test_optional_and_combined_requirements(flavour: bool, server: PetsServer, request: pytest.FixtureRequest) -> None:
    a = api("security_mixed", flavour, request)
    anonymous = a.client(server)
    a.run(anonymous.pets.retrieve("p1"))  # apiKey or nothing
    a.run(anonymous.me.retrieve())  # oidc, or mutual TLS (which the client cannot send: not required)
    a.run(anonymous.certs.list())  # mutual TLS only: nothing to send
    keyed = a.client(server, api_key="k1", token_provider=lambda: "id-token")
    a.run(keyed.pets.retrieve("p1"))
    a.run(keyed.me.retrieve())
    assert [r.header("Authorization") for r in server.requests] == [None, None, None, "k1", "Bearer id-token"]
    with pytest.raises(a.pkg.APIError, match=r"^DELETE /pets/p1 needs credentials: pass api_key=\.\.\. "
                                            r"\(or set \$SECURITY_MIXED_API_KEY\) and tenant=\.\.\."):
        a.run(keyed.pets.delete("p1"))  # apiKey AND tenant
    a.run(keyed.with_options(tenant="t1").pets.delete("p1"))
    assert server.requests[-1].header("Authorization") == "k1" and server.requests[-1].header("X-Tenant") == "t1"


# ---------------------------------------------------------------------------------------------- origins


@pytest.mark.parametrize("own_http_client", [False, True])
def test_credentials_do_not_follow_a_redirect_to_another_origin(flavour: bool, request: pytest.FixtureRequest,
                                                                own_http_client: bool) -> None:
    a = api("security_api_key", flavour, request)
    with PetsServer() as there, PetsServer() as here:
        here.redirect_to = there.base_url  # another port: another origin
        settings: dict[str, Any] = {"header_key": "hk", "query_key": "qk", "session_cookie": "ck"}
        if own_http_client:
            http = httpx.AsyncClient(follow_redirects=True) if flavour else httpx.Client(follow_redirects=True)
            request.addfinalizer(lambda: a.run(http.aclose() if flavour else http.close()))
            settings["http_client"] = http
        client = a.client(here, **settings)
        assert a.run(client.pets.list())[0].name == "Rex"
        a.run(client.search.list(q="x"))
        a.run(client.session.retrieve())
        assert [r.header("X-API-Key") for r in here.requests] == ["hk", None, None]
        assert here.requests[1].query == {"q": ["x"], "key": ["qk"]} and here.requests[2].header("Cookie") == "session=ck"
        assert [r.path for r in there.requests] == ["/pets", "/search", "/session"]
        for seen in there.requests:
            assert seen.header("X-API-Key") is None and seen.header("Cookie") is None and "key" not in seen.query
        assert there.requests[1].query == {"q": ["x"], "moved": ["1"]}  # the rest of the redirect is intact


def test_credentials_follow_a_redirect_within_the_origin(flavour: bool, server: PetsServer,
                                                          request: pytest.FixtureRequest) -> None:
    a = api("security_api_key", flavour, request)
    server.redirect_to = server.base_url
    client = a.client(server, header_key="hk")
    assert a.run(client.pets.list())[0].name == "Rex"
    assert [(r.query, r.header("X-API-Key")) for r in server.requests] == [({}, "hk"), ({"moved": ["1"]}, "hk")]


# ---------------------------------------------------------------------------------------------- error models


def test_documented_error_responses_decode_into_their_models(flavour: bool, server: PetsServer,
                                                             request: pytest.FixtureRequest) -> None:
    a = api("security_mixed", flavour, request)
    t = importlib.import_module("security_mixed.types")
    client = a.client(server, api_key="k1")
    server.answers["/pets/p9"] = (404, {"title": "no such pet", "status": 404, "extra": 1})
    with pytest.raises(a.pkg.NotFoundError) as caught:
        a.run(client.pets.retrieve("p9"))
    model = caught.value.model
    assert isinstance(model, t.Problem) and model.title == "no such pet" and model.status == 404
    assert caught.value.body == {"title": "no such pet", "status": 404, "extra": 1}  # as received
    server.answers["/pets/p9"] = (404, {"unexpected": True})  # does not fit: no model, the data stays
    with pytest.raises(a.pkg.NotFoundError) as caught:
        a.run(client.pets.retrieve("p9"))
    assert caught.value.model is None and caught.value.body == {"unexpected": True}
    server.answers["/pets/p9"] = (500, "oops")  # documented as text: no model
    with pytest.raises(a.pkg.InternalServerError) as caught:
        a.run(client.pets.retrieve("p9"))
    assert caught.value.model is None and caught.value.body == "oops"
    server.answers["/pets"] = (422, {"title": "bad", "status": 422})  # 4XX
    with pytest.raises(a.pkg.UnprocessableEntityError) as caught:
        a.run(client.pets.list())
    assert isinstance(caught.value.model, t.Problem) and caught.value.model.status == 422
    server.answers["/pets"] = (503, {"message": "later"})  # default
    with pytest.raises(a.pkg.InternalServerError) as caught:
        a.run(client.pets.list())
    assert isinstance(caught.value.model, t.Error) and caught.value.model.message == "later"
    assert caught.value.message == "Error code: 503 - later"
