"""Local `$ref`s that point outside #/components, as specs converted from Swagger 2 often have
(`$ref: '#/paths/~1users/get/responses/200'`), or that spell their pointer percent-encoded as
URI fragments may (`~1users~1%7Bid%7D`).

The later stages know shared objects only under #/components, so the loader bundles such a spec
(bundle.py): an object that other places refer to, where OpenAPI allows a component of its kind
(a schema, parameter, response, request body, header, example, link or callback), moves under
#/components/<kind>/<name>, and the place it was, like every place that refers to it, refers to
it there. Its name says where it was: the operation's id (or method and path) and the keys
below it that carry meaning (`listUsers_200`, `register_data_faction`). Anything else a local
`$ref` names (a path item, an operation) is copied where the reference stands.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import unquote

# a local `$ref` whose pointer does not start with /components/, or names a component with a `%`
# in it (a quick test on the text: most specs have neither)
ELSEWHERE = re.compile(r"""\$ref["']?\s*:\s*["']?#(?:(?!/components/)[^"'\s,}]|/components/[^"'\s,}]*%)""")
_METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})
# keys of a location that say nothing of what is there (a name made of them would be noise)
_STRUCTURE = frozenset(
    {
        "paths",
        "webhooks",
        "responses",
        "content",
        "schema",
        "properties",
        "items",
        "parameters",
        "requestBody",
        "headers",
        "allOf",
        "oneOf",
        "anyOf",
        "additionalProperties",
        "examples",
        "callbacks",
        "links",
    }
)


def is_elsewhere(ref: str) -> bool:
    """A local `$ref` that the later stages would not find as written."""
    return ref.startswith("#") and (not ref.startswith("#/components/") or "%" in ref)


def pointer_of(ref: str) -> str:
    """The JSON pointer a local `$ref` names, its URI percent-encoding undone."""
    return unquote(ref[1:])


def tokens_of(pointer: str) -> list[str]:
    return [t.replace("~1", "/").replace("~0", "~") for t in pointer.split("/")[1:]]


def context_at(tokens: list[str], child: Callable[[str, str], str]) -> str:
    """What the object at a location of the document is (bundle.py's contexts: "schema",
    "response", "pathitem", ...), by the keys that lead there; "other" for data."""
    ctx = "doc"
    for token in tokens:
        if ctx.startswith(("map:", "list:")):
            ctx = ctx.split(":", 1)[1]
        elif ctx in ("value", "other"):
            return "other"
        else:
            ctx = child(ctx, token)
    return ctx


def plan_moves(
    doc: dict[str, Any], child: Callable[[str, str], str], kinds: dict[str, str], taken: dict[str, set[str]]
) -> dict[str, tuple[str, str]]:
    """The objects to move under #/components: their pointer -> (component kind, name), in the
    order the document first refers to them. `taken` (kind -> names) gets the new names."""
    moves: dict[str, tuple[str, str]] = {}
    for ref in _local_refs(doc):
        pointer = pointer_of(ref)
        if pointer in moves or not is_elsewhere(ref) or pointer.startswith("/components/") or not pointer:
            continue
        tokens = tokens_of(pointer)
        kind = kinds.get(context_at(tokens, child))
        if kind is None:
            continue
        names = taken.setdefault(kind, set())
        name = _free(_name(doc, tokens), names)
        names.add(name)
        moves[pointer] = (kind, name)
    return moves


def _local_refs(node: Any) -> Iterator[str]:
    stack = [node]
    while stack:
        cur = stack.pop()
        if isinstance(cur, dict):
            ref = cur.get("$ref")
            if isinstance(ref, str) and ref.startswith("#"):
                yield ref
            stack.extend(reversed(list(cur.values())))
        elif isinstance(cur, list):
            stack.extend(reversed(cur))


def _name(doc: dict[str, Any], tokens: list[str]) -> str:
    words: list[str] = []
    rest = tokens
    if len(tokens) >= 3 and tokens[0] in ("paths", "webhooks") and tokens[2] in _METHODS:
        operation = _get(doc, tokens[:3])
        op_id = operation.get("operationId") if isinstance(operation, dict) else None
        words = [op_id] if isinstance(op_id, str) and op_id else [tokens[2], tokens[1]]
        rest = tokens[3:]
    elif len(tokens) >= 2 and tokens[0] in ("paths", "webhooks"):
        words, rest = [tokens[1]], tokens[2:]
    for i, token in enumerate(rest):
        before = rest[i - 1] if i else ""
        if before == "responses":  # as the generator names what an operation returns
            words.append("response" if token == "default" or token.startswith("2") else f"{token}_response")
        elif token == "requestBody":
            words.append("body")
        elif token == "items" and i == len(rest) - 1:
            words.append("item")
        elif token.isdigit() and before in ("parameters", "allOf", "oneOf", "anyOf"):  # an index in a list
            named = _get(doc, tokens[: len(tokens) - len(rest) + i + 1])
            if before == "parameters" and isinstance(named, dict) and isinstance(named.get("name"), str):
                words.append(named["name"])
        elif token not in _STRUCTURE and "/" not in token:  # (a media type)
            words.append(token)
    return _clean("_".join(words)) or "part"


def _get(doc: Any, tokens: list[str]) -> Any:
    node = doc
    for token in tokens:
        if isinstance(node, dict):
            node = node.get(token)
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            return None
    return node


def _clean(name: str) -> str:
    """A component name OpenAPI accepts: ^[a-zA-Z0-9._-]+$."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("_")


def _free(name: str, taken: set[str]) -> str:
    if name not in taken:
        return name
    number = 2
    while f"{name}_{number}" in taken:
        number += 1
    return f"{name}_{number}"
