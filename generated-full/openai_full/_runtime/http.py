"""The HTTP layer under the generated client: requests, retries, errors, raw responses.

Hand-written and copied verbatim into every generated package. The sync and async
clients share everything but the lines that send, read and sleep.
"""

from __future__ import annotations

import _thread
import functools
import os
import re
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, replace
from typing import (
    TYPE_CHECKING,
    Any,
    ForwardRef,
    Generic,
    Self,
    TypeAlias,
    TypeVar,
    Union,
    cast,
)

from .auth import Credentials, Scheme, guard, origin_of
from .errors import (
    APIConnectionError,
    APIResponseValidationError,
    APITimeoutError,
    status_error,
)
from .lazy import lazy_module
from .models import UNSET, DecodeError, Unset, decode_with, encode

if TYPE_CHECKING:
    import datetime
    import json
    import random
    import ssl

    import httpx

    from . import params, uploads
    from .params import path as path  # the resources import it from here (see __getattr__)
    from .uploads import BodyStream
else:
    # imported by the first request, not with the client (see lazy.py)
    datetime = lazy_module("datetime", globals())
    json = lazy_module("json", globals())
    random = lazy_module("random", globals())
    httpx = lazy_module("httpx", globals())
    params = lazy_module(".params", globals())
    uploads = lazy_module(".uploads", globals())


def __getattr__(name: str) -> Any:
    if name == "path":  # `from ..._runtime.http import path` (the resources): params.path
        return params.path
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class DefaultTimeout:
    """The client's default timeout, `httpx.Timeout(600.0, connect=5.0)`: 600 s, and 5 s to
    connect. A marker until httpx is needed, so that constructing a client does not import it."""

    def resolve(self) -> httpx.Timeout:
        return httpx.Timeout(600.0, connect=5.0)

    def __repr__(self) -> str:
        return "DEFAULT_TIMEOUT"


T = TypeVar("T")
DEFAULT_TIMEOUT = DefaultTimeout()
RETRY_STATUSES = frozenset({408, 409, 429})
INITIAL_RETRY_DELAY = 0.5  # seconds before the first retry; doubled for each further one
MAX_RETRY_DELAY = 8.0
MAX_RETRY_AFTER = 120.0  # a server asking to wait longer than this gets its error raised at once
RETRY_COUNT_HEADER = "X-Retry-Count"
ERROR_MODELS = "convgen.errors"  # request extension: status ("404", "4XX", "default") -> decoder
STRICT = "convgen.strict"  # request extension, set by `Client(strict=True)`: decode errors raise
if TYPE_CHECKING:
    Timeout: TypeAlias = float | httpx.Timeout | DefaultTimeout | None
else:
    # the same, with httpx.Timeout a reference that typing.get_type_hints resolves in this
    # module (importing httpx then); `X | Y` does not take such a reference
    _HTTPX_TIMEOUT = ForwardRef("httpx.Timeout", module=__name__)
    Timeout = Union[float, _HTTPX_TIMEOUT, DefaultTimeout, None]  # noqa: UP007
_PYTHON_VERSION = ".".join(map(str, sys.version_info[:3]))


@dataclass(frozen=True)
class ClientConfig:
    """What the generator knows about this API; fixed per generated package."""

    package: str
    version: str
    default_base_url: str
    base_url_env: str
    # plain query arrays and objects (the spec's default style): "brackets" (a[]=1, o[k]=v),
    # "repeat" (a=1&a=2), "comma" (a=1,2), or "" as the spec says (a=1&a=2, k=v)
    array_format: str = ""
    # the spec's server URL with `{variables}`, and each variable's (name, default, allowed values)
    server_url: str = ""
    server_variables: tuple[tuple[str, str, tuple[str, ...]], ...] = ()
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


# What a request answers: "" the decoded value; set by with_raw_response ("raw": the
# RawResponse, body read) and with_streaming_response ("stream": body left unread) around
# a call of the plain method (see wrappers.py), so that those are thin wrappers over it.
RESPONSE_MODE: ContextVar[str] = ContextVar("convgen_response_mode", default="")


class RawResponse(Generic[T]):
    """The HTTP response of a call made through `with_raw_response`; `parse()` gives what the
    method itself returns."""

    def __init__(
        self, response: httpx.Response, decode: Callable[[Any], T], decode_from: str = "json"
    ) -> None:
        self.http_response = response
        self._decode = decode
        self._decode_from = decode_from

    @property
    def http_request(self) -> httpx.Request:
        return self.http_response.request

    @property
    def status_code(self) -> int:
        return self.http_response.status_code

    @property
    def headers(self) -> httpx.Headers:
        return self.http_response.headers

    @property
    def url(self) -> httpx.URL:
        return self.http_response.url

    @property
    def method(self) -> str:
        return self.http_response.request.method

    @property
    def http_version(self) -> str:
        return self.http_response.http_version

    @property
    def elapsed(self) -> datetime.timedelta:
        """From sending the request to reading the response headers."""
        return self.http_response.elapsed

    @property
    def is_closed(self) -> bool:
        return self.http_response.is_closed

    @property
    def retries_taken(self) -> int:
        """How many times the request was sent again before this response (0: the first try)."""
        return int(self.http_response.request.headers.get(RETRY_COUNT_HEADER, "0"))

    @property
    def request_id(self) -> str | None:
        value: str | None = self.http_response.headers.get("x-request-id")
        return value

    @property
    def content(self) -> bytes:
        return self.http_response.content

    @property
    def text(self) -> str:
        return self.http_response.text

    def json(self) -> Any:
        return self.http_response.json()

    def read(self) -> bytes:
        return self.http_response.read()

    def parse(self) -> T:
        if self._decode_from == "response":
            return self._decode(self.http_response)
        return _decode(self.http_response, self._decode)

    def __repr__(self) -> str:
        return f"<RawResponse [{self.status_code}] {self.http_response.request.method} {self.http_response.request.url}>"


def _decode(response: httpx.Response, decode: Callable[[Any], T]) -> T:
    try:
        data = json.loads(response.content) if response.content else None
    except ValueError as exc:
        raise APIResponseValidationError(
            f"response is not valid JSON: {exc}", response=response
        ) from exc
    return decode_data(response, decode, data, "response")


def decode_data(response: httpx.Response, decode: Callable[[Any], T], data: Any, what: str) -> T:
    """`decode(data)`, leniently unless the client is strict: a value that does not fit its
    schema is kept as received (the whole `data`, if it is not even of the right JSON kind)."""
    strict = response.request.extensions.get(STRICT, False)
    try:
        return decode_with(decode, data, not strict)
    except DecodeError as exc:  # it locates the problem: "... at data[2].content[0].text, got ..."
        if not strict:
            return data  # type: ignore[no-any-return]  # as received: a 2xx answer is never lost
        raise APIResponseValidationError(
            f"{what} does not have the documented shape: {exc}", response=response, body=data
        ) from exc


decode_json = _decode  # for the other runtime modules (event streams)


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


# Held while a client makes its own httpx client (`_http`): a plain lock from the interpreter's
# built-in `_thread`, as `threading` is not imported until something else needs it.
_OPENING = _thread.allocate_lock()


def _concrete(timeout: Timeout) -> float | httpx.Timeout | None:
    return timeout.resolve() if isinstance(timeout, DefaultTimeout) else timeout


class _Base:
    _config: ClientConfig
    _owns_http: bool
    # The transport under our own httpx client, called directly on the hot path (see
    # `_direct_transport`); None for a client the user passed in: it gets `send`.
    _direct_transport: httpx.BaseTransport | httpx.AsyncBaseTransport | None = None
    _timeout: Timeout
    _timeouts: dict[str, float | None] | None  # the default timeout as httpx's request extension

    def __init__(
        self,
        *,
        credentials: Mapping[str, Any],
        base_url: str | httpx.URL | None,
        timeout: Timeout,
        max_retries: int,
        default_headers: Mapping[str, str] | None,
        default_query: Mapping[str, object] | None,
        server_variables: Mapping[str, str] | None = None,
        strict: bool = False,
    ) -> None:
        config = self._config
        # strict: a response that does not fit its schema raises; else it is kept as received
        self.strict = strict
        self._credentials = Credentials(config.security, credentials)
        if config.required:
            self._credentials.require(config.required)
        if (
            server_variables is not None
        ):  # chosen explicitly: wins over base_url (with_options passes both)
            base: str | httpx.URL = server_url(config, server_variables)
        elif base_url is not None:
            base = base_url
        else:
            base = os.environ.get(config.base_url_env) or config.default_base_url
        if max_retries < 0:
            raise ValueError("max_retries must be >= 0")
        self.base_url = str(base).rstrip("/")
        self.timeout = timeout
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

    @property
    def timeout(self) -> Timeout:
        """The requests' default timeout: seconds, an `httpx.Timeout`, or None for none."""
        return _concrete(self._timeout)

    @timeout.setter
    def timeout(self, value: Timeout) -> None:
        self._timeout = value
        self._timeouts = None  # computed by the first request that uses it

    @functools.cached_property
    def _origin(self) -> str:
        """Where credentials may go (auth.py); computed by the first request, with httpx."""
        return origin_of(self.base_url)

    @property
    def _direct(self) -> httpx.BaseTransport | httpx.AsyncBaseTransport | None:
        _ = self._http  # our own httpx client is made on first use, and its transport with it
        return self._direct_transport

    @property
    def _http(self) -> httpx.Client | httpx.AsyncClient:
        raise NotImplementedError

    def _sharing(self, source: _Base) -> Self:
        """This copy of `source` (`with_options`) sends as `source` does when it shares its httpx client."""
        if not self._owns_http and self._http is source._http:
            self._direct_transport = source._direct
        return self

    def _settings(self) -> dict[str, Any]:
        return {
            **self._credentials.values,
            "base_url": self.base_url,
            "timeout": self._timeout,  # DEFAULT_TIMEOUT stays a marker: the copy imports nothing either
            "max_retries": self.max_retries,
            "default_headers": self._default_headers,
            "default_query": self._default_query,
            "strict": self.strict,
        }

    def _build(
        self,
        method: str,
        url_path: str,
        query: Mapping[str, object] | None,
        body: Any,
        options: RequestOptions,
        headers_in: Mapping[str, object] | None = None,
        cookies: Mapping[str, object] | None = None,
    ) -> httpx.Request:
        merged = {**self._default_query, **(query or {}), **(options.extra_query or {})}
        url = self.base_url + url_path
        if url_path.startswith(("https://", "http://")):
            # a next page's link (pagination.py): its own query wins over what would be added again
            url, present = url_path, set(httpx.URL(url_path).params)
            merged = {key: value for key, value in merged.items() if key not in present}
        qs = params.encode_query(merged, self._config.array_format) if merged else ""
        if qs:
            url += ("&" if "?" in url else "?") + qs
        headers = self._headers
        if headers_in or cookies:
            headers = {**headers, **_parameter_headers(headers_in or {}, cookies or {})}
        content = None
        stream: BodyStream | None = None
        if isinstance(body, (uploads.Multipart, uploads.Urlencoded, uploads.Raw)):
            # an upload, form or raw body (uploads.py): streamed, and sent again whole on a retry
            stream = body.encode(self._config.array_format, options.extra_body)
            headers = {**headers, **stream.headers()} if stream is not None else headers
            body, options = UNSET, replace(options, extra_body=None)
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
        timeout = _concrete(self._timeout if options.timeout is UNSET else options.timeout)
        if not self._owns_http:
            # the user's httpx client builds it, so that its own settings (headers, cookies, auth) apply
            request = self._http.build_request(
                method, url, headers=headers, content=content, timeout=timeout
            )
        else:
            # our own httpx client has no settings to merge: build the request directly (the hot path)
            if options.timeout is not UNSET:
                timeouts = httpx.Timeout(timeout).as_dict()
            elif self._timeouts is not None:
                timeouts = self._timeouts
            else:  # the default's, computed once
                timeouts = self._timeouts = httpx.Timeout(timeout).as_dict()
            request = httpx.Request(
                method, url, headers=headers, content=content, extensions={"timeout": timeouts}
            )
        if stream is not None:
            # built without content (its length headers are set above), then given the stream,
            # which httpx would otherwise read whole or send only once
            request.stream = stream
        return request

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
        if self.strict:
            request.extensions[STRICT] = True
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
            if hinted is not None and hinted > MAX_RETRY_AFTER:
                return None  # longer than a client should block: the caller decides
            if hinted is not None and hinted >= 0:
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


def server_url(config: ClientConfig, variables: Mapping[str, str]) -> str:
    """The spec's server URL with its variables: the given values, else their defaults."""
    known = {name: (default, allowed) for name, default, allowed in config.server_variables}
    for name, value in variables.items():
        if name not in known:
            raise ValueError(
                f"unknown server variable {name!r}; known: {', '.join(known) or 'none'}"
            )
        if known[name][1] and value not in known[name][1]:
            raise ValueError(
                f"server variable {name} must be one of {', '.join(known[name][1])}, got {value!r}"
            )
    values = {name: str(variables.get(name, default)) for name, (default, _) in known.items()}
    return re.sub(r"{([^{}]+)}", lambda m: values.get(m.group(1), m.group(0)), config.server_url)


def _parameter_headers(
    headers: Mapping[str, object], cookies: Mapping[str, object]
) -> dict[str, str]:
    """The header and cookie parameters of an operation that are set, as headers."""
    out = {}
    for name, value in headers.items():
        text = params.header(name, value)
        if text is not None:
            out[name] = text
    cookie = params.cookie_header(cookies)
    if cookie:
        out["Cookie"] = cookie
    return out


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
    import email.utils  # here: only a Retry-After date needs it

    parsed = email.utils.parsedate_tz(value)  # an HTTP date; None when it is not one
    return None if parsed is None else email.utils.mktime_tz(parsed) - time.time()


def is_event_stream(response: httpx.Response) -> bool:
    """Whether the body is server-sent events (left unread by a `stream=True` request)."""
    media: str = response.headers.get("content-type", "").split(";", 1)[0]
    return media.strip().lower() == "text/event-stream"


def _read(response: httpx.Response, wrap: bool = True) -> None:
    """Read a body left unread; a broken connection is an APIConnectionError (with `wrap`)."""
    try:
        response.read()
    except BaseException as exc:
        response.close()
        if wrap and isinstance(exc, httpx.TransportError):
            raise APIConnectionError(f"Connection error: {exc}", request=response.request) from exc
        raise


async def _aread(response: httpx.Response, wrap: bool = True) -> None:
    try:
        await response.aread()
    except BaseException as exc:
        await response.aclose()
        if wrap and isinstance(exc, httpx.TransportError):
            raise APIConnectionError(f"Connection error: {exc}", request=response.request) from exc
        raise


class SyncAPIClient(_Base):
    def __init__(self, *, http_client: httpx.Client | None = None, **settings: Any) -> None:
        super().__init__(**settings)
        self._owns_http = http_client is None
        self._http_client = http_client
        if http_client is not None:
            guard(http_client)

    @property
    def _http(self) -> httpx.Client:
        """The caller's httpx client, or our own: made when first needed (a request), not by the
        constructor, so that constructing a client does not import httpx."""
        http = self._http_client
        if http is None:
            with _OPENING:  # threads sharing a client make one httpx client between them
                http = self._http_client
                if http is None:
                    transport = httpx.HTTPTransport(verify=_ssl_context())
                    http = httpx.Client(transport=transport, follow_redirects=True)
                    guard(http)  # before other threads can see it
                    self._direct_transport = transport if _direct_transport() else None
                    self._http_client = http
        return http

    def request(
        self,
        method: str,
        url_path: str,
        *,
        query: Mapping[str, object] | None = None,
        body: Any = UNSET,
        decode: Callable[[Any], T],
        options: RequestOptions,
        headers: Mapping[str, object] | None = None,
        cookies: Mapping[str, object] | None = None,
        decode_from: str = "json",
        stream: bool = False,
        security: Sequence[Sequence[str]] = (),
        errors: Mapping[str, Callable[[Any], Any]] | None = None,
    ) -> T:
        """`decode` takes the JSON, or with `decode_from="response"` the httpx.Response; with
        `stream=True` an event-stream body is left unread for `decode` to iterate. Under
        with_raw_response or with_streaming_response: the RawResponse (see RESPONSE_MODE)."""
        mode = RESPONSE_MODE.get()
        response = self._send(
            self._authorize(
                self._build(method, url_path, query, body, options, headers, cookies),
                security,
                errors,
            ),
            mode == "stream" if mode else stream,
        )
        if mode:
            return cast(T, RawResponse(response, decode, decode_from))
        if decode_from == "json":
            return _decode(response, decode)
        if stream and not is_event_stream(response):
            _read(response)
        return decode(response)

    def _send(self, request: httpx.Request, stream: bool = False) -> httpx.Response:
        attempt = 0
        while True:
            self._with_retry_count(request, attempt)
            attempt += 1
            try:
                response = self._send_once(request, stream)
                if stream and response.status_code >= 400:
                    _read(response, wrap=False)  # the error body, for the exception (or a retry)
            except httpx.TransportError as exc:  # connection refused or dropped, timeouts
                delay = self._retry_or_raise(request, attempt, exc)
            else:
                if response.status_code < 400:
                    return response
                delay = self._retry_or_raise(request, attempt, response)
                response.close()
            time.sleep(delay)

    def _send_once(self, request: httpx.Request, stream: bool = False) -> httpx.Response:
        http = self._http
        transport = self._direct_transport
        if not isinstance(transport, httpx.BaseTransport) or http.is_closed:
            return http.send(request, stream=stream)
        _prepared(http, request)
        started = time.perf_counter()
        response = transport.handle_request(request)
        if not stream or response.has_redirect_location:
            try:
                response.read()
            except BaseException:
                response.close()
                raise
        _received(http, request, response, started)
        if response.has_redirect_location:
            return http.send(_redirected(http, request, response), stream=stream)
        return response

    def close(self) -> None:
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AsyncAPIClient(_Base):
    def __init__(self, *, http_client: httpx.AsyncClient | None = None, **settings: Any) -> None:
        super().__init__(**settings)
        self._owns_http = http_client is None
        self._http_client = http_client
        if http_client is not None:
            guard(http_client)

    @property
    def _http(self) -> httpx.AsyncClient:
        """As SyncAPIClient._http: our own httpx client is made when first needed."""
        http = self._http_client
        if http is None:
            with _OPENING:  # event loops in several threads may share a client too
                http = self._http_client
                if http is None:
                    transport = httpx.AsyncHTTPTransport(verify=_ssl_context())
                    http = httpx.AsyncClient(transport=transport, follow_redirects=True)
                    guard(http)  # before other threads can see it
                    self._direct_transport = transport if _direct_transport() else None
                    self._http_client = http
        return http

    async def request(
        self,
        method: str,
        url_path: str,
        *,
        query: Mapping[str, object] | None = None,
        body: Any = UNSET,
        decode: Callable[[Any], T],
        options: RequestOptions,
        headers: Mapping[str, object] | None = None,
        cookies: Mapping[str, object] | None = None,
        decode_from: str = "json",
        stream: bool = False,
        security: Sequence[Sequence[str]] = (),
        errors: Mapping[str, Callable[[Any], Any]] | None = None,
    ) -> T:
        mode = RESPONSE_MODE.get()
        response = await self._send(
            self._authorize(
                self._build(method, url_path, query, body, options, headers, cookies),
                security,
                errors,
            ),
            mode == "stream" if mode else stream,
        )
        if mode:
            return cast(T, RawResponse(response, decode, decode_from))
        if decode_from == "json":
            return _decode(response, decode)
        if stream and not is_event_stream(response):
            await _aread(response)
        return decode(response)

    async def _send(self, request: httpx.Request, stream: bool = False) -> httpx.Response:
        attempt = 0
        while True:
            self._with_retry_count(request, attempt)
            attempt += 1
            try:
                response = await self._send_once(request, stream)
                if stream and response.status_code >= 400:
                    await _aread(response, wrap=False)  # the error body, for the exception
            except httpx.TransportError as exc:  # connection refused or dropped, timeouts
                delay = self._retry_or_raise(request, attempt, exc)
            else:
                if response.status_code < 400:
                    return response
                delay = self._retry_or_raise(request, attempt, response)
                await response.aclose()
            import asyncio  # here, not at import: sync users never pay for it

            await asyncio.sleep(delay)

    async def _send_once(self, request: httpx.Request, stream: bool = False) -> httpx.Response:
        http = self._http
        transport = self._direct_transport
        if not isinstance(transport, httpx.AsyncBaseTransport) or http.is_closed:
            return await http.send(request, stream=stream)
        _prepared(http, request)
        started = time.perf_counter()
        response = await transport.handle_async_request(request)
        if not stream or response.has_redirect_location:
            try:
                await response.aread()
            except BaseException:
                await response.aclose()
                raise
        _received(http, request, response, started)
        if response.has_redirect_location:
            return await http.send(_redirected(http, request, response), stream=stream)
        return response

    async def close(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()
