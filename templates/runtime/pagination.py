"""Pages of list operations: one class per way an API links its pages (README: Pagination).

Hand-written and copied verbatim into every generated package. A list method returns the
first page (`SyncCursorPage[Item]`, ...); iterating a page walks every item of every page,
asking for each next page with the first request's arguments, changed as the shape says:

- `Page`: one page, no next one.
- `CursorPage`: the next page's query parameter (`after`) is a key (`id`) of the last item.
- `ConversationCursorPage`, `NextCursorPage`: it is a response field (`last_id`, `next`).
- `OffsetPage`: the offset parameter moves on by the number of items received.
- `PageNumberPage`: the page-number parameter counts up.
- `NextURLPage`: a response field holds the next page's URL; `LinkHeaderPage`: the
  response's `Link` header does (RFC 8288, `rel="next"`).

A page stops at an empty page, a false `has_more` flag, a missing cursor or link, a cursor
that does not move, or the reported total, so that a server cannot send it into a loop.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Awaitable, Callable, Generator, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, Self, TypeVar

import httpx

from .auth import origin_of
from .http import decode_json
from .models import UNSET

if TYPE_CHECKING:
    from .http import AsyncAPIClient, SyncAPIClient

T = TypeVar("T")


@dataclass(frozen=True)
class Paging:
    """Where an operation keeps its paging facts: generated per paginated method."""

    items: str = "data"  # JSON key of the items in the response; "" when the response is the list
    attr: str = ""  # the decoded response's attribute holding them, when not named as the key
    param: str = ""  # query parameter taking the next cursor, offset or page number
    field: str = ""  # JSON path (dots) of the cursor or next URL; of a CursorPage item: its key
    has_more: str = ""  # JSON path of the flag saying more pages follow ("" when there is none)
    total: str = ""  # JSON path of the total: of items (OffsetPage) or of pages (PageNumberPage)
    start: int = 1  # the number of the first page (PageNumberPage)


@dataclass(frozen=True)
class _Call:
    """One page's request: the list method's arguments, kept to ask for the next page."""

    client: Any
    method: str
    url: str
    decode: Callable[[Any], Any]
    kwargs: Mapping[str, Any]

    def query(self) -> Mapping[str, object]:
        query: Mapping[str, object] | None = self.kwargs.get("query")
        return query or {}

    def with_query(self, changes: Mapping[str, object]) -> _Call:
        return _Call(
            self.client,
            self.method,
            self.url,
            self.decode,
            {**self.kwargs, "query": {**self.query(), **changes}},
        )

    def with_url(self, url: str) -> _Call:
        """A link to follow: its query is its own; credentials go only to the client's origin."""
        kwargs = {**self.kwargs, "query": None}
        if origin_of(url) != origin_of(self.client.base_url):
            kwargs["security"] = ()
        return _Call(self.client, "GET", url, self.decode, kwargs)


def _lookup(data: Any, path: str) -> Any:
    for key in path.split(".") if path else ():
        data = data.get(key) if isinstance(data, dict) else None
    return data


_LINK = re.compile(r"<([^>]*)>((?:\s*;\s*[^;,]+)*)")


def next_link(header: str) -> str | None:
    """The `rel="next"` target of a Link header (RFC 8288): a header may list several links."""
    for target, params in _LINK.findall(header):
        for param in params.split(";"):
            name, _, value = param.partition("=")
            if name.strip().lower() == "rel" and "next" in value.strip().strip('"').lower().split():
                return str(target)
    return None


class _Page(Generic[T]):
    """A page of items; the subclasses say how the next page is asked for (`_next`)."""

    def __init__(
        self, response: Any, raw: Any, http_response: httpx.Response, paging: Paging, call: _Call
    ) -> None:
        self.response = response  # the decoded list object (or list) as the spec describes it
        self.http_response = http_response
        self._raw = raw
        self._paging = paging
        self._call = call

    @classmethod
    def _decoder(cls, paging: Paging, call: _Call) -> Callable[[httpx.Response], Self]:
        def decode(http_response: httpx.Response) -> Any:
            raw, response = decode_json(http_response, lambda data: (data, call.decode(data)))
            return cls(response, raw, http_response, paging, call)

        return decode

    @property
    def data(self) -> list[T]:
        paging = self._paging
        items: list[T] | None = (
            getattr(self.response, paging.attr or paging.items) if paging.items else self.response
        )
        return items if isinstance(items, list) else []

    @property
    def has_more(self) -> bool:
        """The response's own flag when it has one, else whether a next page can be asked for."""
        if self._paging.has_more:
            return bool(_lookup(self._raw, self._paging.has_more))
        return self.has_next_page()

    def _more(self) -> bool:
        """Whether the response allows a next page at all: items, and no false `has_more`."""
        if not self.data:
            return False
        return not self._paging.has_more or _lookup(self._raw, self._paging.has_more) is not False

    def _next(self) -> _Call | None:
        return None

    def has_next_page(self) -> bool:
        return self._next() is not None

    def __getattr__(self, name: str) -> Any:
        """The list object's other fields (`page.first_id`, `page.object`)."""
        if name.startswith("_") or name == "response":
            raise AttributeError(name)
        return getattr(self.response, name)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} items={len(self.data)} has_more={self.has_more}>"


class _Cursor(_Page[T]):
    """The next cursor goes in `param`; `_cursor` finds it."""

    def _cursor(self) -> object:
        return _lookup(self._raw, self._paging.field)

    def _next(self) -> _Call | None:
        if not self._more():
            return None
        cursor = self._cursor()
        if cursor is None or cursor == "" or cursor == self._call.query().get(self._paging.param):
            return None
        return self._call.with_query({self._paging.param: cursor})


class _ItemCursor(_Cursor[T]):
    def _cursor(self) -> object:
        items = _lookup(self._raw, self._paging.items) if self._paging.items else self._raw
        last = items[-1] if isinstance(items, list) and items else None
        return _lookup(last, self._paging.field or "id")


class _Offset(_Page[T]):
    def _next(self) -> _Call | None:
        if not self._more():
            return None
        offset = self._call.query().get(self._paging.param, UNSET)
        moved = (offset if isinstance(offset, int) else 0) + len(self.data)
        total = _lookup(self._raw, self._paging.total) if self._paging.total else None
        if isinstance(total, int) and moved >= total:
            return None
        return self._call.with_query({self._paging.param: moved})


class _PageNumber(_Page[T]):
    def _next(self) -> _Call | None:
        if not self._more():
            return None
        number = self._call.query().get(self._paging.param, UNSET)
        current = number if isinstance(number, int) else self._paging.start
        total = _lookup(self._raw, self._paging.total) if self._paging.total else None
        if isinstance(total, int) and current >= total + self._paging.start - 1:
            return None
        return self._call.with_query({self._paging.param: current + 1})


class _Link(_Page[T]):
    def _link(self) -> object:
        return _lookup(self._raw, self._paging.field)

    def _next(self) -> _Call | None:
        link = self._link()
        if not isinstance(link, str) or not link or not self._more():
            return None
        url = str(
            self.http_response.request.url.join(link)
        )  # a relative link is relative to this page
        return None if url == str(self.http_response.request.url) else self._call.with_url(url)


class _LinkHeader(_Link[T]):
    def _link(self) -> object:
        header = self.http_response.headers.get("link")
        return next_link(header) if header else None


# ---- the two flavours: how the next page is fetched and iterated --------------------------------
class _Sync(_Page[T]):
    @classmethod
    def first(
        cls,
        client: SyncAPIClient,
        paging: Paging,
        method: str,
        url: str,
        *,
        decode: Callable[[Any], Any],
        **kwargs: Any,
    ) -> Self:
        """The first page of a list call: the client's request arguments, as any other method passes them."""
        return cls._fetch(_Call(client, method, url, decode, kwargs), paging)

    @classmethod
    def _fetch(cls, call: _Call, paging: Paging) -> Self:
        page: Self = call.client.request(
            call.method,
            call.url,
            decode=cls._decoder(paging, call),
            decode_from="response",
            **call.kwargs,
        )
        return page

    def get_next_page(self) -> Self:
        call = self._next()
        if call is None:
            raise RuntimeError("no next page: check has_next_page() first")
        return self._fetch(call, self._paging)

    def iter_pages(self) -> Iterator[Self]:
        page = self
        while True:
            yield page
            if not page.has_next_page():
                return
            page = page.get_next_page()

    def __iter__(self) -> Iterator[T]:
        for page in self.iter_pages():
            yield from page.data


class _Async(_Page[T]):
    @classmethod
    async def first(
        cls,
        client: AsyncAPIClient,
        paging: Paging,
        method: str,
        url: str,
        *,
        decode: Callable[[Any], Any],
        **kwargs: Any,
    ) -> Self:
        return await cls._fetch(_Call(client, method, url, decode, kwargs), paging)

    @classmethod
    async def _fetch(cls, call: _Call, paging: Paging) -> Self:
        page: Self = await call.client.request(
            call.method,
            call.url,
            decode=cls._decoder(paging, call),
            decode_from="response",
            **call.kwargs,
        )
        return page

    async def get_next_page(self) -> Self:
        call = self._next()
        if call is None:
            raise RuntimeError("no next page: check has_next_page() first")
        return await self._fetch(call, self._paging)

    async def iter_pages(self) -> AsyncIterator[Self]:
        page = self
        while True:
            yield page
            if not page.has_next_page():
                return
            page = await page.get_next_page()

    async def __aiter__(self) -> AsyncIterator[T]:
        async for page in self.iter_pages():
            for item in page.data:
                yield item


class SyncPage(_Sync[T]):
    """All items in one page: `data`, and no next page."""


class AsyncPage(_Async[T]):
    """All items in one page: `data`, and no next page."""


class SyncCursorPage(_ItemCursor[T], _Sync[T]):
    """The next page is asked for with the key (`id`) of this page's last item (`after=`)."""


class AsyncCursorPage(_ItemCursor[T], _Async[T]):
    """The next page is asked for with the key (`id`) of this page's last item (`after=`)."""


class SyncConversationCursorPage(_Cursor[T], _Sync[T]):
    """The next page is asked for with the last item's id as the response gives it (`last_id`)."""


class AsyncConversationCursorPage(_Cursor[T], _Async[T]):
    """The next page is asked for with the last item's id as the response gives it (`last_id`)."""


class SyncNextCursorPage(_Cursor[T], _Sync[T]):
    """The next page is asked for with a token of the response (`next`)."""


class AsyncNextCursorPage(_Cursor[T], _Async[T]):
    """The next page is asked for with a token of the response (`next`)."""


class SyncOffsetPage(_Offset[T], _Sync[T]):
    """The next page starts where this one ends (`offset=` + the items received)."""


class AsyncOffsetPage(_Offset[T], _Async[T]):
    """The next page starts where this one ends (`offset=` + the items received)."""


class SyncPageNumberPage(_PageNumber[T], _Sync[T]):
    """Pages are numbered (`page=1, 2, ...`)."""


class AsyncPageNumberPage(_PageNumber[T], _Async[T]):
    """Pages are numbered (`page=1, 2, ...`)."""


class SyncNextURLPage(_Link[T], _Sync[T]):
    """The response gives the next page's URL."""


class AsyncNextURLPage(_Link[T], _Async[T]):
    """The response gives the next page's URL."""


class SyncLinkHeaderPage(_LinkHeader[T], _Sync[T]):
    """The `Link` header gives the next page's URL (`rel="next"`)."""


class AsyncLinkHeaderPage(_LinkHeader[T], _Async[T]):
    """The `Link` header gives the next page's URL (`rel="next"`)."""


AP = TypeVar("AP", bound=_Async[Any])


class AsyncPager(Generic[T, AP]):
    """What an async list call returns: `await` it for the first page, or `async for` over it
    to walk every item of every page (as the official SDK allows)."""

    def __init__(self, fetch: Callable[[], Awaitable[AP]]) -> None:
        self._fetch = fetch

    def __await__(self) -> Generator[Any, None, AP]:
        return self._fetch().__await__()

    async def __aiter__(self) -> AsyncIterator[T]:
        page = await self._fetch()
        async for item in page:
            yield item
