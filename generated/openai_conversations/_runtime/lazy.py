"""Modules imported on first use, so that importing the package and constructing a client
cost nothing of what only a request needs (httpx alone takes about 0.1 s to import).

Hand-written and copied verbatim into every generated package. A module using one writes

    if TYPE_CHECKING:
        import httpx
    else:
        httpx = lazy_module("httpx", globals())

and uses `httpx.X` as usual: the first such use imports httpx and puts the module itself
under that global name, so later uses are plain module attribute lookups.
"""

from __future__ import annotations

import importlib
from typing import Any


class LazyModule:
    """Stands in for a module under a global name until an attribute of it is first read."""

    def __init__(self, name: str, namespace: dict[str, Any], alias: str) -> None:
        self._name = name
        self._namespace = namespace
        self._alias = alias

    def __getattr__(self, attribute: str) -> Any:
        module = importlib.import_module(self._name, self._namespace.get("__package__"))
        self._namespace[self._alias] = module
        return getattr(module, attribute)

    def __repr__(self) -> str:
        return f"<module {self._name!r}, imported on first use>"


def lazy_module(name: str, namespace: dict[str, Any], alias: str = "") -> Any:
    """A stand-in for module `name` (relative names: to the caller's package) under the global
    `alias` (default: the name's last part) of `namespace`, the caller's `globals()`."""
    return LazyModule(name, namespace, alias or name.rpartition(".")[2])
