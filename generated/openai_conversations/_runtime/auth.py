"""Credentials: the security schemes of the spec, sent on the operations that declare them.

Hand-written and copied verbatim into every generated package. A credential goes only to
the client's base URL: requests carry the origin they were authorized for, and a redirect
to another origin (or scheme) loses the credential headers and query parameters again.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .errors import APIError
from .lazy import lazy_module

if TYPE_CHECKING:
    import httpx
else:
    httpx = lazy_module("httpx", globals())  # imported by the first request (see lazy.py)

# Request extensions (httpx carries them across redirects): the authorized origin, the
# names the credentials went under, and their values (so that errors can mask them).
ORIGIN = "convgen.origin"
SENT = "convgen.credentials"
SECRETS = "convgen.secrets"


@dataclass(frozen=True)
class Scheme:
    """One way to authenticate, as the generator read it from the spec."""

    name: str
    # "bearer" or "basic" (Authorization header); "header", "query" or "cookie" under `wire`
    kind: str
    wire: str
    args: tuple[str, ...]  # constructor arguments: the token, or username and password
    envs: tuple[str, ...]  # the environment variable read for each argument not given
    provider: str = ""  # argument of a callable returning a fresh token ("" when none)

    def describe(self) -> str:
        """How a user configures it, e.g. `api_key=... (or $PETS_API_KEY)`."""
        given = " and ".join(f"{arg}=..." for arg in self.args)
        envs = ", ".join(f"${env}" for env in self.envs)
        return given + (f" or {self.provider}=..." if self.provider else "") + f" (or set {envs})"


class Credentials:
    """The credential values a client was configured with, and their use on requests."""

    def __init__(self, schemes: Sequence[Scheme], given: Mapping[str, Any]) -> None:
        self._schemes = {scheme.name: scheme for scheme in schemes}
        self.values: dict[str, Any] = {}
        for scheme in schemes:
            for arg, env in zip(scheme.args, scheme.envs, strict=True):
                value = given.get(arg)
                self.values[arg] = value if value is not None else os.environ.get(env) or None
            if scheme.provider:
                self.values[scheme.provider] = given.get(scheme.provider)

    def configured(self, name: str) -> bool:
        scheme = self._schemes[name]
        if scheme.provider and self.values[scheme.provider] is not None:
            return True
        return all(self.values[arg] for arg in scheme.args)

    def require(self, name: str) -> None:
        """At construction: a client whose every operation needs this scheme fails early without it."""
        if not self.configured(name):
            scheme = self._schemes[name]
            what = "API key" if scheme.kind != "basic" and not scheme.provider else "credentials"
            if scheme.provider:
                what = "access token"
            if len(scheme.args) == 1 and not scheme.provider:
                raise APIError(
                    f"no {what}: pass {scheme.args[0]}=... or set the {scheme.envs[0]} environment variable"
                )
            raise APIError(f"no {what}: pass {scheme.describe()}")

    def apply(self, request: httpx.Request, security: Sequence[Sequence[str]], origin: str) -> None:
        """Add the credentials of the first alternative that is configured; raise when none is.

        A header, query parameter or cookie the request already has (from default_headers,
        extra_headers, extra_query, ...) is left as it is: the caller's value wins."""
        chosen = next(
            (
                alt
                for alt in security
                if alt
                and all(self.configured(n) or _present(self._schemes[n], request) for n in alt)
            ),
            None,
        )
        if chosen is None:
            if any(not alt for alt in security):
                return  # the operation also accepts no credentials
            ways = "; or ".join(
                " and ".join(self._schemes[n].describe() for n in alt) for alt in security
            )
            raise APIError(f"{request.method} {request.url.path} needs credentials: pass {ways}")
        sent: list[str] = []
        secrets: list[str] = []
        for name in chosen:
            scheme = self._schemes[name]
            if _present(scheme, request):
                continue
            value, secret = self._value(scheme)
            secrets += secret
            if scheme.kind == "query":
                request.url = request.url.copy_add_param(scheme.wire, value)
                sent.append("?" + scheme.wire)
            elif scheme.kind == "cookie":
                cookie = request.headers.get("Cookie")
                pair = f"{scheme.wire}={value}"
                request.headers["Cookie"] = pair if cookie is None else f"{cookie}; {pair}"
            else:
                request.headers[scheme.wire] = value
                sent.append(scheme.wire)
        request.extensions[ORIGIN] = origin
        request.extensions[SENT] = tuple(sent)
        request.extensions[SECRETS] = tuple(s for s in secrets if s)

    def _value(self, scheme: Scheme) -> tuple[str, list[str]]:
        """What is sent, and the secrets in it."""
        if scheme.kind == "basic":
            user, password = (str(self.values[arg]) for arg in scheme.args)
            import base64  # here: only HTTP basic credentials need it

            encoded = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
            return "Basic " + encoded, [password, encoded]
        token: str
        if scheme.provider and self.values[scheme.provider] is not None:
            provider: Callable[[], str] = self.values[scheme.provider]
            token = provider()  # called for every request: it may refresh or cache the token
        else:
            token = str(self.values[scheme.args[0]])
        return (f"Bearer {token}" if scheme.kind == "bearer" else token), [token]


def _present(scheme: Scheme, request: httpx.Request) -> bool:
    """Whether the caller already set this credential's header, query parameter or cookie."""
    if scheme.kind == "query":
        return scheme.wire in request.url.params
    if scheme.kind == "cookie":
        cookie = request.headers.get("Cookie", "")
        return any(part.strip().startswith(scheme.wire + "=") for part in cookie.split(";"))
    return scheme.wire in request.headers


def origin_of(url: str | httpx.URL) -> str:
    parsed = httpx.URL(url)
    return f"{parsed.scheme}://{parsed.netloc.decode('ascii')}"


def strip_foreign(request: httpx.Request) -> None:
    """An httpx request hook: a request (a redirect) that leaves the authorized origin loses the credentials."""
    origin = request.extensions.get(ORIGIN)
    if origin is None or origin_of(request.url) == origin:
        return
    for name in request.extensions.get(SENT, ()):
        if name.startswith("?"):
            request.url = request.url.copy_remove_param(name[1:])
        else:
            request.headers.pop(name, None)
    request.headers.pop("Cookie", None)


async def astrip_foreign(request: httpx.Request) -> None:
    strip_foreign(request)


def guard(http: httpx.Client | httpx.AsyncClient) -> None:
    """Install the hook on an httpx client (the user's too: it affects only our requests)."""
    hook = astrip_foreign if isinstance(http, httpx.AsyncClient) else strip_foreign
    hooks = http.event_hooks
    if hook not in hooks.get("request", []):
        http.event_hooks = {**hooks, "request": [*hooks.get("request", []), hook]}
