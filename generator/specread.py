"""Small readers of raw spec data shared by the stages that walk it (validate, schemas, build).

Each is the one place its rule lives: how a `$ref` chain is followed, how free text is
taken, which media type of a `content` map is the JSON one, which keywords hold subschemas.
"""

from __future__ import annotations

from typing import Any

from .select import resolve_pointer

MAX_REF_CHAIN = 50  # a longer chain of `$ref`s to `$ref`s is treated as a loop

# JSON Schema's keywords whose value is a subschema, a list of them, or a map of names to them
SUBSCHEMA_VALUES = frozenset(
    {
        "items",
        "additionalProperties",
        "not",
        "contains",
        "propertyNames",
        "if",
        "then",
        "else",
        "unevaluatedItems",
        "unevaluatedProperties",
        "additionalItems",
    }
)
SUBSCHEMA_LISTS = frozenset({"allOf", "oneOf", "anyOf", "prefixItems"})
SUBSCHEMA_MAPS = frozenset({"properties", "patternProperties", "$defs", "definitions", "dependentSchemas"})


def deref(doc: dict[str, Any], node: Any) -> Any:
    """What a chain of local `$ref`s leads to; None when one is broken or the chain loops.

    A non-local `$ref` is returned as it is: select has already reported it (E104).
    """
    for _ in range(MAX_REF_CHAIN):
        if not (isinstance(node, dict) and isinstance(node.get("$ref"), str) and node["$ref"].startswith("#/")):
            return node
        try:
            node = resolve_pointer(doc, node["$ref"])
        except KeyError:
            return None
    return None


def text(value: Any) -> str:
    """A description, summary or title: stripped, or "" when it is not a string."""
    return value.strip() if isinstance(value, str) else ""


def mapping(value: Any) -> dict[str, Any]:
    """`value` when it is a JSON object, else an empty one (a malformed spec is reported elsewhere)."""
    return value if isinstance(value, dict) else {}


def json_media(content: Any) -> str | None:
    """The JSON media type of a `content` map (`application/json` or `*+json`) holding an object, if any."""
    for media, entry in mapping(content).items():
        if (media == "application/json" or str(media).endswith("+json")) and isinstance(entry, dict):
            return str(media)
    return None
