"""Responses that are not JSON: downloaded bytes, text, and bodies streamed on demand.

Hand-written and copied verbatim into every generated package. A download method returns a
`BinaryResponse` (the body already read); `with_streaming_response` gives a context manager
whose `StreamedResponse` reads nothing until asked, so a large file can go to disk in chunks.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any, Generic, TypeVar

import httpx

from .errors import APIConnectionError
from .http import RawResponse, is_event_stream

T = TypeVar("T")


class BinaryResponse:
    """The bytes of a response (audio, an image, a file...) and the response they came in."""

    def __init__(self, response: httpx.Response) -> None:
        self.response = response

    @property
    def content(self) -> bytes:
        return self.response.content

    @property
    def text(self) -> str:
        return self.response.text

    @property
    def encoding(self) -> str | None:
        return self.response.encoding

    @property
    def charset_encoding(self) -> str | None:
        return self.response.charset_encoding

    def json(self, **kwargs: Any) -> Any:
        return self.response.json(**kwargs)

    def read(self) -> bytes:
        return self.response.read()

    def iter_bytes(self, chunk_size: int | None = None) -> Iterator[bytes]:
        return self.response.iter_bytes(chunk_size)

    def iter_text(self, chunk_size: int | None = None) -> Iterator[str]:
        return self.response.iter_text(chunk_size)

    def iter_lines(self) -> Iterator[str]:
        return self.response.iter_lines()

    def write_to_file(self, file: str | os.PathLike[str]) -> None:
        with open(file, mode="wb") as f:
            for data in self.response.iter_bytes():
                f.write(data)

    def close(self) -> None:
        self.response.close()

    async def aread(self) -> bytes:
        return await self.response.aread()

    async def aiter_bytes(self, chunk_size: int | None = None) -> AsyncIterator[bytes]:
        async for data in self.response.aiter_bytes(chunk_size):
            yield data

    async def awrite_to_file(self, file: str | os.PathLike[str]) -> None:
        with open(file, mode="wb") as f:
            async for data in self.response.aiter_bytes():
                f.write(data)

    async def aclose(self) -> None:
        await self.response.aclose()

    def __repr__(self) -> str:
        return f"<BinaryResponse [{self.response.status_code}] {self.response.headers.get('content-type', '')}>"


def binary(response: httpx.Response) -> BinaryResponse:
    return BinaryResponse(response)


def text(response: httpx.Response) -> str:
    return response.text


def nothing(response: httpx.Response) -> None:
    """A response whose body the spec does not describe: there is nothing to decode."""
    return None


class _Unread(Generic[T]):
    """What the streamed responses know before their body is read (the same as RawResponse)."""

    def __init__(self, raw: RawResponse[T]) -> None:
        self._raw = raw
        self.http_response = raw.http_response

    @property
    def http_request(self) -> httpx.Request:
        return self._raw.http_request

    @property
    def status_code(self) -> int:
        return self.http_response.status_code

    @property
    def headers(self) -> httpx.Headers:
        return self.http_response.headers

    @property
    def url(self) -> httpx.URL:
        return self._raw.url

    @property
    def method(self) -> str:
        return self._raw.method

    @property
    def http_version(self) -> str:
        return self._raw.http_version

    @property
    def elapsed(self) -> datetime.timedelta:
        return self._raw.elapsed

    @property
    def is_closed(self) -> bool:
        return self._raw.is_closed

    @property
    def retries_taken(self) -> int:
        return self._raw.retries_taken

    @property
    def request_id(self) -> str | None:
        return self._raw.request_id


class StreamedResponse(_Unread[T]):
    """A response whose body has not been read: read it in chunks, whole, or `parse()` it."""

    def iter_bytes(self, chunk_size: int | None = None) -> Iterator[bytes]:
        try:
            yield from self.http_response.iter_bytes(chunk_size)
        except httpx.TransportError as exc:
            raise _broken(self.http_response, exc) from exc

    def iter_text(self, chunk_size: int | None = None) -> Iterator[str]:
        yield from self.http_response.iter_text(chunk_size)

    def iter_lines(self) -> Iterator[str]:
        yield from self.http_response.iter_lines()

    def read(self) -> bytes:
        try:
            return self.http_response.read()
        except httpx.TransportError as exc:
            raise _broken(self.http_response, exc) from exc

    def text(self) -> str:
        self.read()
        return self.http_response.text

    def json(self) -> Any:
        self.read()
        return self.http_response.json()

    def parse(self) -> T:
        """What the method itself returns (an event stream stays unread; anything else is read first)."""
        if not is_event_stream(self.http_response):
            self.read()
        return self._raw.parse()

    def close(self) -> None:
        self.http_response.close()


class AsyncStreamedResponse(_Unread[T]):
    """`StreamedResponse` for the async client: the reading methods are coroutines."""

    async def iter_bytes(self, chunk_size: int | None = None) -> AsyncIterator[bytes]:
        try:
            async for data in self.http_response.aiter_bytes(chunk_size):
                yield data
        except httpx.TransportError as exc:
            raise _broken(self.http_response, exc) from exc

    async def iter_text(self, chunk_size: int | None = None) -> AsyncIterator[str]:
        async for data in self.http_response.aiter_text(chunk_size):
            yield data

    async def iter_lines(self) -> AsyncIterator[str]:
        async for line in self.http_response.aiter_lines():
            yield line

    async def read(self) -> bytes:
        try:
            return await self.http_response.aread()
        except httpx.TransportError as exc:
            raise _broken(self.http_response, exc) from exc

    async def text(self) -> str:
        await self.read()
        return self.http_response.text

    async def json(self) -> Any:
        await self.read()
        return self.http_response.json()

    async def parse(self) -> T:
        if not is_event_stream(self.http_response):
            await self.read()
        return self._raw.parse()

    async def close(self) -> None:
        await self.http_response.aclose()


def _broken(response: httpx.Response, exc: Exception) -> APIConnectionError:
    return APIConnectionError(f"the response body broke off: {exc}", request=response.request)


class ResponseContextManager(Generic[T]):
    """`with client.x.with_streaming_response.method(...) as response:` sends the request on
    entry and closes the connection on exit, read or not."""

    def __init__(self, send: Callable[[], RawResponse[T]]) -> None:
        self._send = send
        self._response: StreamedResponse[T] | None = None

    def __enter__(self) -> StreamedResponse[T]:
        self._response = StreamedResponse(self._send())
        return self._response

    def __exit__(self, *exc: object) -> None:
        if self._response is not None:
            self._response.close()


class AsyncResponseContextManager(Generic[T]):
    """`async with client.x.with_streaming_response.method(...) as response:`."""

    def __init__(self, send: Callable[[], Awaitable[RawResponse[T]]]) -> None:
        self._send = send
        self._response: AsyncStreamedResponse[T] | None = None

    async def __aenter__(self) -> AsyncStreamedResponse[T]:
        self._response = AsyncStreamedResponse(await self._send())
        return self._response

    async def __aexit__(self, *exc: object) -> None:
        if self._response is not None:
            await self._response.close()
