"""What the standard validator sees of a section (validate.py): a copy in which nothing can reach
out or hang, and the resolver handlers that refuse every URI."""

from __future__ import annotations

from typing import Any

# Keywords whose values are data or names, not schemas: never rewritten before validation.
_DATA = frozenset({"example", "examples", "default", "enum", "const"})
_NAMED = frozenset(
    {
        "properties",
        "patternProperties",
        "$defs",
        "definitions",
        "dependentSchemas",
        "schemas",
        "responses",
        "parameters",
        "requestBodies",
        "headers",
        "securitySchemes",
        "links",
        "callbacks",
        "pathItems",
        "paths",
        "content",
        "encoding",
        "variables",
        "mapping",
    }
)


def for_validator(doc: Any) -> Any:
    """The copy of the section the standard validator sees: nothing in it can reach out or hang.

    - `pattern` / `patternProperties` are left out of schemas: the validator checks every
      `default` against its schema, and a hostile `pattern` such as `^(a+)+$` with a default
      of thirty `a`s and a `!` backtracks for hours (convgen does not use patterns);
    - `$id` is left out of schemas, so that no `$ref` resolves against a remote base;
    - in data (`default`, `example`, `enum`, `x-...`), a `$ref` key is renamed: the validator
      would otherwise follow it, and fetch a URL or read a file the spec names.
    The validator also gets resolver handlers that refuse every URI (see `Refuse`).
    """
    root: dict[str, Any] = {}
    stack: list[tuple[Any, Any, str]] = [(doc, root, "schema")]  # (source, copy, what the source is)
    push = stack.append
    while stack:
        src, dst, what = stack.pop()
        # Most values are text or numbers: copied all at once (in C), then each object or array
        # among them copied in turn; the keys dropped or renamed in the few places they are.
        if isinstance(src, list) and isinstance(dst, list):
            dst[:] = src
            for i, value in enumerate(src):
                if isinstance(value, (dict, list)):
                    dst[i] = copy = {} if isinstance(value, dict) else [None] * len(value)
                    push((value, copy, what))
        elif isinstance(src, dict) and isinstance(dst, dict) and (what != "data" or "$ref" not in src):
            dropped = what == "schema" and ("pattern" in src or "patternProperties" in src or "$id" in src)
            dst.update((k, v) for k, v in src.items() if k not in _DROPPED) if dropped else dst.update(src)
            for key, value in src.items():
                if isinstance(value, (dict, list)) and not (dropped and key in _DROPPED):
                    dst[key] = copy = {} if isinstance(value, dict) else [None] * len(value)
                    push(
                        (
                            value,
                            copy,
                            what if what == "data" else _context(key, value) if what == "schema" else "schema",
                        )
                    )
        else:
            _copy_items(src, dst, what, stack)
    return root


_DROPPED = frozenset({"pattern", "patternProperties", "$id"})


def _context(key: Any, value: Any) -> str:
    """What the value at `key` of a schema is."""
    if key == "examples" and isinstance(value, dict):
        return "names"  # a map of Example Objects (their `value` is data, below)
    if key in _DATA or key == "value" or str(key).startswith("x-"):
        return "data"
    return "names" if key in _NAMED else "schema"


def _copy_items(src: Any, dst: Any, what: str, stack: list[tuple[Any, Any, str]]) -> None:
    """`for_validator`'s copy of one node, item by item (data holding a `$ref` key; the root
    when it is not an object)."""
    items = src.items() if isinstance(src, dict) else enumerate(src)
    for key, value in items:
        child = what
        if isinstance(src, dict):
            if what == "data":
                key = "$ref (data)" if key == "$ref" else key
            elif what == "schema" and key in ("pattern", "patternProperties", "$id"):
                continue
            else:
                child = _context(key, value) if what == "schema" else "schema"
        if isinstance(value, (dict, list)):
            copy: Any = {} if isinstance(value, dict) else [None] * len(value)
            stack.append((value, copy, child))
            value = copy
        dst[key] = value


def as_validated(value: Any) -> Any:
    """A data value as `for_validator` shows it to the validator."""
    if isinstance(value, dict):
        return {("$ref (data)" if k == "$ref" else k): as_validated(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_validated(v) for v in value]
    return value


class Refuse(dict):  # type: ignore[type-arg]
    """Resolver handlers for every URI scheme, each refusing: the validator reads nothing outside."""

    def __contains__(self, scheme: object) -> bool:
        return True

    def __getitem__(self, scheme: object) -> Any:
        return _refuse


def _refuse(uri: str) -> Any:
    raise ValueError(f"$ref {uri!r} is not followed: convgen reads nothing outside the spec")
