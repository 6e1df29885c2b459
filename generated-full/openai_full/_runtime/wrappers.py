"""`with_raw_response` and `with_streaming_response`: thin wrappers over the plain methods.

Hand-written and copied verbatim into every generated package. A wrapper calls the plain
method with RESPONSE_MODE set, which makes the request (http.py) answer its RawResponse
instead of the decoded value; `parse()` then decodes it as the method would have. The
wrappers keep the method's parameters and overloads for type checkers (ParamSpec).
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any, ParamSpec, TypeVar, cast

from .binary import AsyncResponseContextManager, ResponseContextManager
from .http import RESPONSE_MODE, RawResponse

P = ParamSpec("P")
R = TypeVar("R")


def _call(mode: str, method: Callable[..., Any], args: Any, kwargs: Any) -> RawResponse[Any]:
    token = RESPONSE_MODE.set(mode)
    try:
        return cast(RawResponse[Any], method(*args, **kwargs))
    finally:
        RESPONSE_MODE.reset(token)


async def _acall(
    mode: str, method: Callable[..., Awaitable[Any]], args: Any, kwargs: Any
) -> RawResponse[Any]:
    # set in this task while the method's request runs (an async list call's pager included)
    token = RESPONSE_MODE.set(mode)
    try:
        return cast(RawResponse[Any], await method(*args, **kwargs))
    finally:
        RESPONSE_MODE.reset(token)


def to_raw_response_wrapper(method: Callable[P, R]) -> Callable[P, RawResponse[R]]:
    """The method, answering the HTTP response (body read) rather than what it decodes."""

    @functools.wraps(method)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> RawResponse[R]:
        return _call("raw", method, args, kwargs)

    return wrapped


def async_to_raw_response_wrapper(
    method: Callable[P, Awaitable[R]],
) -> Callable[P, Awaitable[RawResponse[R]]]:
    @functools.wraps(method)
    async def wrapped(*args: P.args, **kwargs: P.kwargs) -> RawResponse[R]:
        return await _acall("raw", method, args, kwargs)

    return wrapped


def to_streamed_response_wrapper(method: Callable[P, R]) -> Callable[P, ResponseContextManager[R]]:
    """The method as a context manager: the request is sent on entry, its body read only when asked."""

    @functools.wraps(method)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> ResponseContextManager[R]:
        return ResponseContextManager(lambda: _call("stream", method, args, kwargs))

    return wrapped


def async_to_streamed_response_wrapper(
    method: Callable[P, Awaitable[R]],
) -> Callable[P, AsyncResponseContextManager[R]]:
    @functools.wraps(method)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> AsyncResponseContextManager[R]:
        return AsyncResponseContextManager(lambda: _acall("stream", method, args, kwargs))

    return wrapped
