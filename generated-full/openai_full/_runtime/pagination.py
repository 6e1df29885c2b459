"""Cursor pages: `data` + `has_more`, the next page asked for with `after=<last id>`.

Hand-written and copied verbatim into every generated package. Generated subclasses name
the fields and add typed accessors for the rest of the list object.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Generator, Iterator
from typing import Any, Generic, Self, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class _Page(Generic[T, R]):
    items_field = "data"
    has_more_field = "has_more"
    cursor_field = "last_id"

    def __init__(self, response: R, fetch: Callable[[str], Any]) -> None:
        self.response = response
        self._fetch = fetch

    @property
    def data(self) -> list[T]:
        items: list[T] = getattr(self.response, self.items_field)
        return items

    @property
    def has_more(self) -> bool:
        return bool(getattr(self.response, self.has_more_field))

    def next_cursor(self) -> str | None:
        cursor = getattr(self.response, self.cursor_field, None)
        if not self.has_more or not self.data or not isinstance(cursor, str) or not cursor:
            return None
        return cursor

    def has_next_page(self) -> bool:
        return self.next_cursor() is not None

    def __repr__(self) -> str:
        return f"<{type(self).__name__} items={len(self.data)} has_more={self.has_more}>"


class SyncCursorPage(_Page[T, R]):
    def get_next_page(self) -> Self:
        cursor = self.next_cursor()
        if cursor is None:
            raise RuntimeError("no next page: check has_next_page() first")
        page: Self = self._fetch(cursor)
        return page

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


class AsyncCursorPage(_Page[T, R]):
    async def get_next_page(self) -> Self:
        cursor = self.next_cursor()
        if cursor is None:
            raise RuntimeError("no next page: check has_next_page() first")
        fetched: Awaitable[Self] = self._fetch(cursor)
        return await fetched

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


AP = TypeVar("AP", bound=AsyncCursorPage[Any, Any])


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
