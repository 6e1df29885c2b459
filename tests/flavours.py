"""One test body for both clients: `Flavour("sync")` and `Flavour("async")` (used by the test_client_*.py files, test_prism).

`flavour.client(...)` makes a `Client` or an `AsyncClient` (closed with the flavour), and `flavour.run(x)` gives a
call's result: for the sync flavour `x` already is the result (and must not be awaitable); for the async flavour it
must be awaitable and is run on the flavour's own event loop. `collect(page)` iterates a page (`for` / `async for`)
across every page, `pages(page)` walks `iter_pages()`.
"""

from __future__ import annotations

import asyncio
import inspect
from typing import Any, Self

import openai_conversations as oc
from conftest import API_KEY


class Flavour:
    def __init__(self, name: str) -> None:
        self.name = name
        self.is_async = name == "async"
        self.loop = asyncio.new_event_loop() if self.is_async else None
        self._clients: list[Any] = []

    @property
    def cls(self) -> Any:
        return oc.AsyncClient if self.is_async else oc.Client

    def client(self, server: Any = None, **settings: Any) -> Any:
        """A client (closed after the test): the test key, `server`'s URL and no retries unless told otherwise."""
        settings.setdefault("api_key", API_KEY)
        if server is not None:
            settings.setdefault("base_url", server.base_url)
        settings.setdefault("max_retries", 0)
        if settings["max_retries"] is None:  # the client's own default
            del settings["max_retries"]
        client = self.cls(**settings)
        self._clients.append(client)
        return client

    def run(self, value: Any) -> Any:
        if self.is_async:
            assert inspect.isawaitable(value), f"async flavour returned a non-awaitable {value!r}"
            assert self.loop is not None
            return self.loop.run_until_complete(value)
        assert not inspect.isawaitable(value), f"sync flavour returned an awaitable {value!r}"
        return value

    def collect(self, page: Any) -> list[Any]:
        """Every item of every page, by iterating the page (`for` / `async for`)."""
        if self.is_async:
            async def walk() -> list[Any]:
                return [item async for item in page]
            return self.run(walk())  # type: ignore[no-any-return]
        return list(page)

    def pages(self, page: Any) -> list[Any]:
        if self.is_async:
            async def walk() -> list[Any]:
                return [p async for p in page.iter_pages()]
            return self.run(walk())  # type: ignore[no-any-return]
        return list(page.iter_pages())

    def close(self) -> None:
        for client in self._clients:
            result = client.close()
            if self.is_async:
                self.run(result)
        if self.loop is not None:
            self.loop.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
