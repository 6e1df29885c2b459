"""The HTTP layer under the generated client: requests, retries, errors, raw responses.

Hand-written and copied verbatim into every generated package. The sync and async
clients share everything but the lines that send, read and sleep.
"""

from __future__ import annotations

import datetime
import email.utils
import enum
import functools
import json
import os
import random
import re
import ssl
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Self, TypeVar
from urllib.parse import quote, urlencode

import httpx

from .auth import Credentials, Scheme, guard, origin_of
from .errors import (
    APIConnectionError,
    APIResponseValidationError,
    APITimeoutError,
    status_error,
)
from .models import UNSET, DecodeError, Unset, encode

T = TypeVar("T")
DEFAULT_TIMEOUT = httpx.Timeout(600.0, connect=5.0)
RETRY_STATUSES = frozenset({408, 409, 429})
INITIAL_RETRY_DELAY = 0.5  # seconds before the first retry; doubled for each further one
MAX_RETRY_DELAY = 8.0
MAX_RETRY_AFTER = 60.0  # a server's Retry-After longer than this is ignored (backoff instead)
RETRY_COUNT_HEADER = "X-Retry-Count"
ERROR_MODELS = "convgen.errors"  # request extension: status ("404", "4XX", "default") -> decoder
Timeout = float | httpx.Timeout | None
_PLACEHOLDER = re.compile(r"{([^{}]+)}")
_PYTHON_VERSION = ".".join(map(str, sys.version_info[:3]))


@dataclass(frozen=True)
class ClientConfig:
    """What the generator knows about this API; fixed per generated package."""

    package: str
    version: str
    default_base_url: str
    base_url_env: str
    # "brackets" (a[]=1&a[]=2), "repeat" (a=1&a=2) or "comma" (a=1,2)
    array_format: str = "brackets"
    security: tuple[Scheme, ...] = ()  # the credentials the client takes
    required: str = (
        ""  # a scheme every operation needs: the client fails at construction without it
    )


@dataclass(frozen=True)
class RequestOptions:
    extra_headers: Mapping[str, str] | None = None
    extra_query: Mapping[str, object] | None = None
    extra_body: Mapping[str, object] | None = None
    timeout: Timeout | Unset = UNSET


class RawResponse(Generic[T]):
    """The HTTP response of a call made through `with_raw_response`; `parse()` gives the model."""

    def __init__(self, response: httpx.Response, decode: Callable[[Any], T]) -> None:
        self.http_response = response
        self._decode = decode

    @property
    def status_code(self) -> int:
        return self.http_response.status_code

    @property
    def headers(self) -> httpx.Headers:
        return self.http_response.headers

    @property
    def request_id(self) -> str | None:
        value: str | None = self.http_response.headers.get("x-request-id")
        return value

    def parse(self) -> T:
        return _decode(self.http_response, self._decode)

    def __repr__(self) -> str:
        return f"<RawResponse [{self.status_code}] {self.http_response.request.method} {self.http_response.request.url}>"


def path(template: str, params: Mapping[str, str]) -> str:
    """Fill a path template; ids are percent-encoded so that no value can change the path."""
    values = {}
    for name, value in params.items():
        if not isinstance(value, str):
            raise TypeError(f"{name} must be a string, got {type(value).__name__}")
        if value in ("", ".", ".."):
            raise ValueError(f"{name} must be a non-empty id, got {value!r}")
        values[name] = quote(value, safe="")
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], template)


def encode_query(query: Mapping[str, object], array_format: str) -> str:
    pairs: list[tuple[str, str]] = []
    for key, value in query.items():
        if value is UNSET or value is None:
            continue
        if isinstance(value, (list, tuple)):
            items = [_scalar(v) for v in value if v is not None]
            if array_format == "comma":
                pairs.append((key, ",".join(items)))
            else:
                name = key + "[]" if array_format == "brackets" else key
                pairs.extend((name, v) for v in items)
        else:
            pairs.append((key, _scalar(value)))
    return urlencode(pairs)


def _scalar(value: object) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, enum.Enum):
        return str(value.value)
    return str(value)


def _decode(response: httpx.Response, decode: Callable[[Any], T]) -> T:
    try:
        data = json.loads(response.content) if response.content else None
    except ValueError as exc:
        raise APIResponseValidationError(
            f"response is not valid JSON: {exc}", response=response
        ) from exc
    try:
        return decode(data)
    except DecodeError as exc:  # it locates the problem: "... at data[2].content[0].text, got ..."
        raise APIResponseValidationError(
            f"response does not have the documented shape: {exc}", response=response, body=data
        ) from exc


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    """One TLS context for the clients this module creates: loading the CA bundle takes ~80 ms each time."""
    return httpx.create_ssl_context()


def _direct_transport() -> bool:
    """Whether requests may go straight to our own client's transport.

    `httpx.Client.send` wraps the transport in auth, redirect, cookie and event-hook handling
    that our own client does not configure; skipping it makes a request about 1.4x cheaper.
    What it would still do is done around the call (cookies, `elapsed`, `request`), a
    redirect is handed to `send`, and with proxy variables set (which the client mounts as
    other transports) every request goes through `send`."""
    return not any(key.lower() in _PROXY_VARIABLES for key in os.environ)


_PROXY_VARIABLES = frozenset({"http_proxy", "https_proxy", "all_proxy"})


def _prepared(http: httpx.Client | httpx.AsyncClient, request: httpx.Request) -> None:
    if http.cookies:
        http.cookies.set_cookie_header(request)


def _received(
    http: httpx.Client | httpx.AsyncClient,
    request: httpx.Request,
    response: httpx.Response,
    started: float,
) -> None:
    response.request = request
    response.elapsed = datetime.timedelta(seconds=time.perf_counter() - started)
    if "set-cookie" in response.headers:
        http.cookies.extract_cookies(response)


def _redirected(
    http: httpx.Client | httpx.AsyncClient, request: httpx.Request, response: httpx.Response
) -> httpx.Request:
    """The request a redirect asks for, built by httpx's own rules (method, headers, body);
    `send` then follows any further redirects. Without that (private) helper, the original
    request again, which `send` follows itself."""
    build = getattr(http, "_build_redirect_request", None)
    if build is None:
        return request
    redirected: httpx.Request = build(request, response)
    return redirected


def _error_body(response: httpx.Response) -> Any:
    try:
        return json.loads(response.content) if response.content else None
    except ValueError:
        return response.text or None


class _Base:
    _config: ClientConfig
    _http: httpx.Client | httpx.AsyncClient
    _owns_http: bool
    # The transport under our own httpx client, called directly on the hot path (see
    # `_direct_transport`); None for a client the user passed in: it gets `send`.
    _direct: httpx.BaseTransport | httpx.AsyncBaseTransport | None = None

    def __init__(
        self,
        *,
        credentials: Mapping[str, Any],
        base_url: str | httpx.URL | None,
        timeout: Timeout,
        max_retries: int,
        default_headers: Mapping[str, str] | None,
        default_query: Mapping[str, object] | None,
    ) -> None:
        config = self._config
        self._credentials = Credentials(config.security, credentials)
        if config.required:
            self._credentials.require(config.required)
        base = (
            base_url
            if base_url is not None
            else os.environ.get(config.base_url_env) or config.default_base_url
        )
        if max_retries < 0:
            raise ValueError("max_retries must be >= 0")
        self.base_url = str(base).rstrip("/")
        self._origin = origin_of(self.base_url)
        self.timeout = timeout
        self._timeouts = httpx.Timeout(timeout).as_dict()  # the default, computed once
        self.max_retries = max_retries
        self._default_headers = dict(default_headers or {})
        self._default_query = dict(default_query or {})
        self._headers = {
            "Accept": "application/json",
            "User-Agent": f"{config.package}/{config.version} python/{_PYTHON_VERSION}",
            **self._default_headers,
        }

    def __repr__(self) -> str:  # credentials never appear in a repr
        return f"<{type(self).__name__} base_url={self.base_url!r} max_retries={self.max_retries}>"

    def _settings(self) -> dict[str, Any]:
        return {
            **self._credentials.values,
            "base_url": self.base_url,
            "timeout": self.timeout,
            "max_retries": self.max_retries,
            "default_headers": self._default_headers,
            "default_query": self._default_query,
        }

    def _build(
        self,
        method: str,
        url_path: str,
        query: Mapping[str, object] | None,
        body: Any,
        options: RequestOptions,
    ) -> httpx.Request:
        merged = {**self._default_query, **(query or {}), **(options.extra_query or {})}
        url = self.base_url + url_path
        qs = encode_query(merged, self._config.array_format) if merged else ""
        if qs:
            url += "?" + qs
        headers = self._headers
        content = None
        if isinstance(body, dict):
            # the generated methods pass their body fields: omitted ones are not sent
            body = {key: value for key, value in body.items() if value is not UNSET}
        if body is not UNSET or options.extra_body:
            payload = encode(body) if body is not UNSET else {}
            if options.extra_body:
                payload = {**payload, **encode(options.extra_body)}
            content = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
            headers = {**headers, "Content-Type": "application/json"}
        if options.extra_headers:
            # header names are case-insensitive: `authorization` replaces `Authorization`
            replaced = {name.lower() for name in options.extra_headers}
            kept = {k: v for k, v in headers.items() if k.lower() not in replaced}
            headers = {**kept, **options.extra_headers}
        timeout = self.timeout if options.timeout is UNSET else options.timeout
        if not self._owns_http:
            # the user's httpx client builds it, so that its own settings (headers, cookies, auth) apply
            return self._http.build_request(
                method, url, headers=headers, content=content, timeout=timeout
            )
        # our own httpx client has no settings to merge: build the request directly (the hot path)
        timeouts = self._timeouts if options.timeout is UNSET else httpx.Timeout(timeout).as_dict()
        return httpx.Request(
            method, url, headers=headers, content=content, extensions={"timeout": timeouts}
        )

    def _authorize(
        self,
        request: httpx.Request,
        security: Sequence[Sequence[str]],
        errors: Mapping[str, Callable[[Any], Any]] | None,
    ) -> httpx.Request:
        """Credentials of the operation's `security` alternatives; its documented error models."""
        if security:
            self._credentials.apply(request, security, self._origin)
        if errors:
            request.extensions[ERROR_MODELS] = errors
        return request

    def _retry_delay(self, attempt: int, response: httpx.Response | None) -> float | None:
        """Seconds to wait before retry number `attempt`, or None when it must not be retried."""
        if attempt > self.max_retries:
            return None
        if response is not None:
            verdict = response.headers.get("x-should-retry")
            if verdict == "false":
                return None
            if verdict != "true" and not (
                response.status_code in RETRY_STATUSES or response.status_code >= 500
            ):
                return None
            hinted = _retry_after(response.headers)
            if hinted is not None and 0 <= hinted <= MAX_RETRY_AFTER:
                return hinted
        base = min(INITIAL_RETRY_DELAY * 2.0 ** (attempt - 1), MAX_RETRY_DELAY)
        return base * (1 - 0.25 * random.random())

    def _retry_or_raise(
        self, request: httpx.Request, attempt: int, outcome: httpx.Response | httpx.TransportError
    ) -> float:
        """After failed attempt number `attempt`: seconds to wait before the next one, or raise its error."""
        response = outcome if isinstance(outcome, httpx.Response) else None
        delay = self._retry_delay(attempt, response)
        if delay is not None:
            return delay
        if isinstance(outcome, httpx.Response):
            raise status_error(outcome, _error_body(outcome), request.extensions.get(ERROR_MODELS))
        if isinstance(outcome, httpx.TimeoutException):
            raise APITimeoutError(request=request) from outcome
        raise APIConnectionError(f"Connection error: {outcome}", request=request) from outcome

    @staticmethod
    def _with_retry_count(request: httpx.Request, attempt: int) -> httpx.Request:
        if attempt:
            request.headers[RETRY_COUNT_HEADER] = str(attempt)
        return request


def _retry_after(headers: httpx.Headers) -> float | None:
    ms = headers.get("retry-after-ms")
    if ms is not None:
        try:
            return float(ms) / 1000
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        pass
    parsed = email.utils.parsedate_tz(value)  # an HTTP date; None when it is not one
    return None if parsed is None else email.utils.mktime_tz(parsed) - time.time()


class SyncAPIClient(_Base):
    _http: httpx.Client

    def __init__(self, *, http_client: httpx.Client | None = None, **settings: Any) -> None:
        super().__init__(**settings)
        self._owns_http = http_client is None
        if http_client is not None:
            self._http = http_client
        else:
            transport = httpx.HTTPTransport(verify=_ssl_context())
            self._http = httpx.Client(transport=transport, follow_redirects=True)
            self._direct = transport if _direct_transport() else None
        guard(self._http)

    def request(
        self,
        method: str,
        url_path: str,
        *,
        query: Mapping[str, object] | None = None,
        body: Any = UNSET,
        decode: Callable[[Any], T],
        options: RequestOptions,
        security: Sequence[Sequence[str]] = (),
        errors: Mapping[str, Callable[[Any], Any]] | None = None,
    ) -> T:
        request = self._build(method, url_path, query, body, options)
        return _decode(self._send(self._authorize(request, security, errors)), decode)

    def request_raw(
        self,
        method: str,
        url_path: str,
        *,
        query: Mapping[str, object] | None = None,
        body: Any = UNSET,
        decode: Callable[[Any], T],
        options: RequestOptions,
        security: Sequence[Sequence[str]] = (),
        errors: Mapping[str, Callable[[Any], Any]] | None = None,
    ) -> RawResponse[T]:
        request = self._build(method, url_path, query, body, options)
        return RawResponse(self._send(self._authorize(request, security, errors)), decode)

    def _send(self, request: httpx.Request) -> httpx.Response:
        attempt = 0
        while True:
            self._with_retry_count(request, attempt)
            attempt += 1
            try:
                response = self._send_once(request)
            except httpx.TransportError as exc:  # connection refused or dropped, timeouts
                delay = self._retry_or_raise(request, attempt, exc)
            else:
                if response.status_code < 400:
                    return response
                delay = self._retry_or_raise(request, attempt, response)
                response.close()
            time.sleep(delay)

    def _send_once(self, request: httpx.Request) -> httpx.Response:
        transport = self._direct
        if not isinstance(transport, httpx.BaseTransport) or self._http.is_closed:
            return self._http.send(request)
        _prepared(self._http, request)
        started = time.perf_counter()
        response = transport.handle_request(request)
        try:
            response.read()
        except BaseException:
            response.close()
            raise
        _received(self._http, request, response, started)
        if response.has_redirect_location:
            return self._http.send(_redirected(self._http, request, response))
        return response

    def close(self) -> None:
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AsyncAPIClient(_Base):
    _http: httpx.AsyncClient

    def __init__(self, *, http_client: httpx.AsyncClient | None = None, **settings: Any) -> None:
        super().__init__(**settings)
        self._owns_http = http_client is None
        if http_client is not None:
            self._http = http_client
        else:
            transport = httpx.AsyncHTTPTransport(verify=_ssl_context())
            self._http = httpx.AsyncClient(transport=transport, follow_redirects=True)
            self._direct = transport if _direct_transport() else None
        guard(self._http)

    async def request(
        self,
        method: str,
        url_path: str,
        *,
        query: Mapping[str, object] | None = None,
        body: Any = UNSET,
        decode: Callable[[Any], T],
        options: RequestOptions,
        security: Sequence[Sequence[str]] = (),
        errors: Mapping[str, Callable[[Any], Any]] | None = None,
    ) -> T:
        request = self._build(method, url_path, query, body, options)
        return _decode(await self._send(self._authorize(request, security, errors)), decode)

    async def request_raw(
        self,
        method: str,
        url_path: str,
        *,
        query: Mapping[str, object] | None = None,
        body: Any = UNSET,
        decode: Callable[[Any], T],
        options: RequestOptions,
        security: Sequence[Sequence[str]] = (),
        errors: Mapping[str, Callable[[Any], Any]] | None = None,
    ) -> RawResponse[T]:
        request = self._build(method, url_path, query, body, options)
        return RawResponse(await self._send(self._authorize(request, security, errors)), decode)

    async def _send(self, request: httpx.Request) -> httpx.Response:
        attempt = 0
        while True:
            self._with_retry_count(request, attempt)
            attempt += 1
            try:
                response = await self._send_once(request)
            except httpx.TransportError as exc:  # connection refused or dropped, timeouts
                delay = self._retry_or_raise(request, attempt, exc)
            else:
                if response.status_code < 400:
                    return response
                delay = self._retry_or_raise(request, attempt, response)
                await response.aclose()
            import asyncio  # here, not at import: sync users never pay for it

            await asyncio.sleep(delay)

    async def _send_once(self, request: httpx.Request) -> httpx.Response:
        transport = self._direct
        if not isinstance(transport, httpx.AsyncBaseTransport) or self._http.is_closed:
            return await self._http.send(request)
        _prepared(self._http, request)
        started = time.perf_counter()
        response = await transport.handle_async_request(request)
        try:
            await response.aread()
        except BaseException:
            await response.aclose()
            raise
        _received(self._http, request, response, started)
        if response.has_redirect_location:
            return await self._http.send(_redirected(self._http, request, response))
        return response

    async def close(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()
