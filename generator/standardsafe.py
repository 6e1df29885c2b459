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


# A node's place in a document: None for the root, else (its parent's place, its key or index).
Place = tuple[Any, Any] | None
# Every object, and every array, of a document, each with its place.
Nodes = tuple[list[tuple[Any, Place]], list[tuple[Any, Place]]]


def for_validator(doc: Any, nodes: Nodes | None = None) -> Any:
    """The copy of the section the standard validator sees: nothing in it can reach out or hang.

    - `pattern` / `patternProperties` are left out of schemas: the validator checks every
      `default` against its schema, and a hostile `pattern` such as `^(a+)+$` with a default
      of thirty `a`s and a `!` backtracks for hours (convgen does not use patterns);
    - `$id` is left out of schemas, so that no `$ref` resolves against a remote base;
    - in data (`default`, `example`, `enum`, `x-...`), a `$ref` key is renamed: the validator
      would otherwise follow it, and fetch a URL or read a file the spec names.
    The validator also gets resolver handlers that refuse every URI (see `Refuse`).
    Given `nodes`, the objects and arrays of `doc` (not of the copy) are added to it, as
    `containers` would: the findings are located in them (standardcheck.py), one walk for both.
    """
    objects, arrays = nodes if nodes is not None else ([], [])
    root: dict[str, Any] = {}
    # (source, copy, what the source is, the source's place)
    stack: list[tuple[Any, Any, str, Place]] = [(doc, root, "schema", None)]
    push = stack.append
    while stack:
        src, dst, what, where = stack.pop()
        # Most values are text or numbers: copied all at once (in C), then each object or array
        # among them copied in turn; the keys dropped or renamed in the few places they are.
        if isinstance(src, list) and isinstance(dst, list):
            arrays.append((src, where))
            dst[:] = src
            for i, value in enumerate(src):
                if isinstance(value, (dict, list)):
                    dst[i] = copy = {} if isinstance(value, dict) else [None] * len(value)
                    push((value, copy, what, (where, i)))
        elif isinstance(src, dict) and isinstance(dst, dict) and (what != "data" or "$ref" not in src):
            objects.append((src, where))
            dropped = what == "schema" and ("pattern" in src or "patternProperties" in src or "$id" in src)
            dst.update((k, v) for k, v in src.items() if k not in _DROPPED) if dropped else dst.update(src)
            for key, value in src.items():
                if not isinstance(value, (dict, list)):
                    continue
                if dropped and key in _DROPPED:
                    containers(value, (where, key), (objects, arrays))
                    continue
                dst[key] = copy = {} if isinstance(value, dict) else [None] * len(value)
                child = what if what == "data" else _context(key, value) if what == "schema" else "schema"
                push((value, copy, child, (where, key)))
        else:
            _copy_items(src, dst, what, where, stack, (objects, arrays))
    return root


_DROPPED = frozenset({"pattern", "patternProperties", "$id"})


def _context(key: Any, value: Any) -> str:
    """What the value at `key` of a schema is."""
    if key == "examples" and isinstance(value, dict):
        return "names"  # a map of Example Objects (their `value` is data, below)
    if key in _DATA or key == "value" or str(key).startswith("x-"):
        return "data"
    return "names" if key in _NAMED else "schema"


def _copy_items(src: Any, dst: Any, what: str, where: Place, stack: list[Any], nodes: Nodes) -> None:
    """`for_validator`'s copy of one node, item by item (data holding a `$ref` key; the root
    when it is not an object)."""
    if isinstance(src, (dict, list)):
        nodes[0 if isinstance(src, dict) else 1].append((src, where))
    items = src.items() if isinstance(src, dict) else enumerate(src)
    for key, value in items:
        child = what
        at = (where, key)  # (the source's key: findings are shown in the source)
        if isinstance(src, dict):
            if what == "data":
                key = "$ref (data)" if key == "$ref" else key
            elif what == "schema" and key in _DROPPED:
                if isinstance(value, (dict, list)):
                    containers(value, at, nodes)
                continue
            else:
                child = _context(key, value) if what == "schema" else "schema"
        if isinstance(value, (dict, list)):
            copy: Any = {} if isinstance(value, dict) else [None] * len(value)
            stack.append((value, copy, child, at))
            value = copy
        dst[key] = value


def containers(value: Any, where: Place, nodes: Nodes) -> None:
    """Add every object and every array in `value` (at `where`) to `nodes`, with its place."""
    objects, arrays = nodes
    stack: list[tuple[Any, Place]] = [(value, where)] if isinstance(value, (dict, list)) else []
    pop, push = stack.pop, stack.append
    while stack:  # (plain loops: a third of the time of generator expressions here)
        node, at = pop()
        if isinstance(node, dict):
            objects.append((node, at))
            for k, v in node.items():
                if isinstance(v, (dict, list)):
                    push((v, (at, k)))
        else:
            arrays.append((node, at))
            for i, v in enumerate(node):
                if isinstance(v, (dict, list)):
                    push((v, (at, i)))


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
