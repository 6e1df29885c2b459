"""Server-sent events: the wire parser and the `Stream` of decoded events a call returns.

Hand-written and copied verbatim into every generated package. The parser follows the
WHATWG event-stream rules (lines end in CRLF, LF or CR; `data:` lines join with "\\n";
`:` starts a comment; a blank line ends an event) and takes the bytes in chunks of any size.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from typing import Any, Generic, Self, TypeVar

import httpx

from .errors import APIConnectionError, APIError, APIResponseValidationError
from .http import decode_data, decode_json, is_event_stream

E = TypeVar("E")
T = TypeVar("T")
DONE = b"[DONE]"  # the sentinel some APIs send as the last event's data


class ServerSentEvent:
    """One event as sent: `event` name, `data` (its lines joined), `id` and `retry` fields."""

    __slots__ = ("data", "event", "id", "retry")

    def __init__(self, event: str | None, data: bytes, id: str | None, retry: int | None) -> None:
        self.event = event
        self.data = data
        self.id = id
        self.retry = retry

    def json(self) -> Any:
        return json.loads(self.data)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ServerSentEvent):
            return NotImplemented
        return (self.event, self.data, self.id, self.retry) == (
            other.event,
            other.data,
            other.id,
            other.retry,
        )

    def __repr__(self) -> str:
        return f"ServerSentEvent(event={self.event!r}, data={self.data!r}, id={self.id!r}, retry={self.retry!r})"


class SSEDecoder:
    """Bytes in (`feed`, any chunking), events out; `end()` when the bytes stop."""

    def __init__(self) -> None:
        self._rest = b""  # an unfinished line (and a CR that may be half of a CRLF)
        self._event: str | None = None
        self._data: list[bytes] = []
        self._id: str | None = None
        self._retry: int | None = None

    def feed(self, chunk: bytes) -> list[ServerSentEvent]:
        text = self._rest + chunk if self._rest else chunk
        # a CR at the very end may be the first half of a CRLF: keep it for the next chunk
        held = text.endswith(b"\r")
        if held:
            text = text[:-1]
        if b"\r" in text:
            text = text.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        lines = text.split(b"\n")
        self._rest = lines.pop() + (b"\r" if held else b"")
        return self._lines(lines) if lines else []

    def end(self) -> list[ServerSentEvent]:
        """The bytes stopped: an event without its closing blank line is dropped (as browsers do)."""
        rest, self._rest = self._rest, b""
        # a held CR was a line end after all
        events = self._lines([rest[:-1]]) if rest.endswith(b"\r") else []
        self._event, self._data, self._id, self._retry = None, [], None, None
        return events

    def _lines(self, lines: list[bytes]) -> list[ServerSentEvent]:
        out: list[ServerSentEvent] = []
        for line in lines:
            if not line:
                if self._data:
                    out.append(
                        ServerSentEvent(self._event, b"\n".join(self._data), self._id, self._retry)
                    )
                self._event, self._data, self._retry = None, [], None
                continue
            if line[0] == 58:  # ":" a comment (keep-alive)
                continue
            name, colon, value = line.partition(b":")
            if colon and value[:1] == b" ":
                value = value[1:]
            if name == b"data":
                self._data.append(value)
            elif name == b"event":
                self._event = value.decode("utf-8", "replace")
            elif name == b"id":
                if b"\0" not in value:
                    self._id = value.decode("utf-8", "replace")
            elif name == b"retry" and value.isdigit():
                self._retry = int(value)
        return out


def iter_events(chunks: Iterable[bytes]) -> Iterator[ServerSentEvent]:
    decoder = SSEDecoder()
    for chunk in chunks:
        yield from decoder.feed(chunk)
    yield from decoder.end()


def _check(sse: ServerSentEvent, response: httpx.Response) -> Any:
    """The event's JSON, or raise: an `error` event (or `{"error": {...}}` data) is an APIError."""
    try:
        data = json.loads(sse.data.decode())  # str: json's encoding detection of bytes costs more
    except ValueError as exc:  # UnicodeDecodeError included
        raise APIResponseValidationError(
            f"event data is not valid JSON: {exc}", response=response
        ) from exc
    error = data.get("error") if isinstance(data, dict) else None
    if sse.event == "error" or isinstance(error, dict):
        body = error if isinstance(error, dict) else data
        message = body.get("message") if isinstance(body, dict) else None
        raise APIError(
            str(message or sse.data.decode("utf-8", "replace")), request=response.request, body=body
        )
    return data


def _decode(decode: Callable[[Any], E], data: Any, response: httpx.Response) -> E:
    return decode_data(response, decode, data, "event")


class Stream(Generic[E]):
    """The decoded events of a `text/event-stream` response; iterate it once.

    Use it as a context manager (or call `close()`) to release the connection early;
    `.response` is the HTTP response. The request is not retried once it is returned.
    """

    def __init__(self, response: httpx.Response, decode: Callable[[Any], E]) -> None:
        self.response = response
        self._decode = decode
        self._iterator = self._events()

    def __iter__(self) -> Iterator[E]:
        return self._iterator

    def __next__(self) -> E:
        return next(self._iterator)

    def _events(self) -> Iterator[E]:
        response, decode = self.response, self._decode
        try:
            for sse in iter_events(response.iter_bytes()):
                if sse.data == DONE:
                    break
                yield _decode(decode, _check(sse, response), response)
        except httpx.TransportError as exc:  # the connection broke mid-stream
            raise APIConnectionError(
                f"the event stream broke off: {exc}", request=response.request
            ) from exc
        finally:
            response.close()

    def close(self) -> None:
        self.response.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AsyncStream(Generic[E]):
    """`Stream` for the async client: `async for event in stream`, `async with`, `await close()`."""

    def __init__(self, response: httpx.Response, decode: Callable[[Any], E]) -> None:
        self.response = response
        self._decode = decode
        self._iterator = self._events()

    def __aiter__(self) -> AsyncIterator[E]:
        return self._iterator

    async def __anext__(self) -> E:
        return await self._iterator.__anext__()

    async def _events(self) -> AsyncIterator[E]:
        response, decode = self.response, self._decode
        decoder = SSEDecoder()
        try:
            async for chunk in response.aiter_bytes():
                for sse in decoder.feed(chunk):
                    if sse.data == DONE:
                        return
                    yield _decode(decode, _check(sse, response), response)
            for sse in decoder.end():
                if sse.data == DONE:
                    return
                yield _decode(decode, _check(sse, response), response)
        except httpx.TransportError as exc:
            raise APIConnectionError(
                f"the event stream broke off: {exc}", request=response.request
            ) from exc
        finally:
            await response.aclose()

    async def close(self) -> None:
        await self.response.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()


def events(decode: Callable[[Any], E]) -> Callable[[httpx.Response], Stream[E]]:
    """The response decoder of a method that always returns an event stream."""

    def read(response: httpx.Response) -> Stream[E]:
        _not_json(response)
        return Stream(response, decode)

    return read


def async_events(decode: Callable[[Any], E]) -> Callable[[httpx.Response], AsyncStream[E]]:
    def read(response: httpx.Response) -> AsyncStream[E]:
        _not_json(response)
        return AsyncStream(response, decode)

    return read


def _not_json(response: httpx.Response) -> None:
    """A JSON answer where only events are documented is not read as an (empty) event stream."""
    media: str = response.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media == "application/json" or media.endswith("+json"):
        raise APIResponseValidationError(
            f"expected text/event-stream, got {media}: {response.text[:200]}",
            response=response,
            body=response.text,
        )


def json_or_events(
    decode: Callable[[Any], T], event: Callable[[Any], E]
) -> Callable[[httpx.Response], T | Stream[E]]:
    """The response decoder of a method whose `stream=True` asks for events: the
    Content-Type the server answers with decides, so that nothing is decoded as what it is not."""

    def read(response: httpx.Response) -> T | Stream[E]:
        if is_event_stream(response):
            return Stream(response, event)
        return decode_json(response, decode)

    return read


def async_json_or_events(
    decode: Callable[[Any], T], event: Callable[[Any], E]
) -> Callable[[httpx.Response], T | AsyncStream[E]]:
    def read(response: httpx.Response) -> T | AsyncStream[E]:
        if is_event_stream(response):
            return AsyncStream(response, event)
        return decode_json(response, decode)

    return read


def response_or_events(
    decode: Callable[[httpx.Response], T], event: Callable[[Any], E]
) -> Callable[[httpx.Response], T | Stream[E]]:
    """`json_or_events` for a method whose other response is not JSON (bytes, text)."""
    return lambda response: (
        Stream(response, event) if is_event_stream(response) else decode(response)
    )


def async_response_or_events(
    decode: Callable[[httpx.Response], T], event: Callable[[Any], E]
) -> Callable[[httpx.Response], T | AsyncStream[E]]:
    return lambda response: (
        AsyncStream(response, event) if is_event_stream(response) else decode(response)
    )
