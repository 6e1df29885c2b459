"""Readable names for component schemas whose spec names are no Python identifiers.

Specs merged from several sources number their copies: `MessagePhase-2` beside `MessagePhase`,
`Error-2` beside `Error`. Pascal-casing gives `MessagePhase2`, a number the reader cannot
explain. Instead (each a W364/W363 diagnostic naming both names):
- a numbered copy that is the same schema as its original, but for annotations, is that
  original's type (`copy_of`);
- otherwise its `title` (the schema builder's rule), with the words its name has before the
  title's first word when another schema has the same title (`titled`: `BetaConversationParam-2`,
  title "Conversation object" -> `BetaConversationObject`);
- otherwise the name an inline schema at its first use would have (`used_by`: `Error-2` under
  `VideoResource.error` -> `VideoResourceError`; `MessagePhase-2` under `Message.phase` ->
  `MessagePhase`, where a section of the spec does not hold `MessagePhase` itself).
"""

from __future__ import annotations

import marshal
import re
from typing import Any

from .naming import pascal, words
from .select import resolve_pointer
from .specread import SUBSCHEMA_MAPS

_NUMBERED = re.compile(r"^(.+?)[-. ]+(\d+)$")
# Keywords that describe a schema without changing which data it accepts or how it decodes.
_ANNOTATIONS = frozenset({"description", "title", "example", "examples", "$comment", "externalDocs", "deprecated"})
_SCHEMAS = "#/components/schemas/"


def unnumbered(raw_name: str) -> str | None:
    """`MessagePhase-2` -> `MessagePhase`; None for a name without a separated number."""
    m = _NUMBERED.match(raw_name)
    return m.group(1) if m else None


def copy_of(doc: dict[str, Any], raw_name: str) -> str | None:
    """The `$ref` of the schema that `raw_name` (`MessagePhase-2`) numbers a copy of, when the
    two accept the same data with the same structure (only annotations differ)."""
    base = unnumbered(raw_name)
    if base is None or raw_name.replace("_", "").isalnum():
        return None
    schemas = _schemas(doc)
    if base not in schemas or not isinstance(schemas.get(raw_name), dict):
        return None
    return _SCHEMAS + _escape(base) if _bare(schemas[raw_name]) == _bare(schemas[base]) else None


def titled(raw_name: str, title: str) -> str:
    """The title, after the words the schema's own name has before the title's first word."""
    title_words = [w.lower() for w in words(title)]
    own = words(unnumbered(raw_name) or raw_name)
    lead = next((i for i, w in enumerate(own) if title_words and w.lower() == title_words[0]), 0)
    return pascal("".join(own[:lead]) + " " + title)


def used_by(doc: dict[str, Any], ref: str, dumped: dict[str, bytes | None] | None = None) -> list[str]:
    """Names from the schema's first use, best first: the first component schema (in document
    order) naming `ref`, then the property it sits under (`Message.phase` -> `MessagePhase`:
    the name an inline schema there would have), or then the unnumbered name. `dumped`: each
    schema's marshal bytes, kept between calls (see `_may_name`)."""
    raw_name = ref.rsplit("/", 1)[-1].replace("~1", "/").replace("~0", "~")
    needle = ref.encode("utf-8", "surrogatepass")
    dumped = {} if dumped is None else dumped
    for name, schema in _schemas(doc).items():
        if name == raw_name or not _may_name(name, schema, needle, dumped):
            continue
        trail = _trail(schema, ref, [])
        if trail is None:
            continue
        at = max((i + 1 for i in range(len(trail) - 1) if trail[i] == "properties"), default=0)
        own = pascal(pascal(name) + " " + (unnumbered(raw_name) or raw_name))
        if not at or _is_union(_walk(schema, trail[: at + 1])):  # the union there takes the property's name
            return [own]
        return [pascal(pascal(name) + " " + trail[at]), own]
    return []


def _may_name(name: str, schema: Any, needle: bytes, dumped: dict[str, bytes | None]) -> bool:
    """False when `schema` holds no string `needle` anywhere, so no `$ref` to it: read from its
    marshal bytes, where every string it holds is written out whole at least once, in C, and
    not walked in Python (a walk of every schema costs some 15 ms on a 3 MB spec)."""
    if name not in dumped:
        try:
            dumped[name] = marshal.dumps(schema)
        except ValueError:  # a value marshal cannot write (a YAML timestamp): walked
            dumped[name] = None
    blob = dumped[name]
    return blob is None or needle in blob


def _schemas(doc: dict[str, Any]) -> dict[str, Any]:
    try:
        found = resolve_pointer(doc, _SCHEMAS.rstrip("/"))
    except KeyError:
        return {}
    return found if isinstance(found, dict) else {}


def _escape(name: str) -> str:
    return name.replace("~", "~0").replace("/", "~1")


def _bare(node: Any) -> Any:
    """The schema without its annotations (and with `required: []` as no `required`)."""
    if isinstance(node, list):
        return [_bare(v) for v in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in _ANNOTATIONS or (key == "required" and value == []):
            continue
        if key in SUBSCHEMA_MAPS and isinstance(value, dict):
            out[key] = {k: _bare(v) for k, v in value.items()}
        elif key in ("enum", "const", "default"):
            out[key] = value  # data, not schemas: compared as they are
        else:
            out[key] = _bare(value)
    return out


def _walk(node: Any, keys: list[str]) -> Any:
    for key in keys:
        node = node[int(key)] if isinstance(node, list) else node.get(key) if isinstance(node, dict) else None
    return node


def _is_union(node: Any) -> bool:
    """A oneOf/anyOf of several kinds besides null: a type of its own at that place."""
    members = [m for k in ("oneOf", "anyOf") if isinstance(node, dict) for m in node.get(k) or []]
    return len([m for m in members if not (isinstance(m, dict) and m.get("type") == "null")]) > 1


def _trail(node: Any, ref: str, keys: list[str]) -> list[str] | None:
    """The keys from `node` down to a `$ref` to `ref`, or None (`keys`, the path to `node`, is
    extended and restored in place: a walk of every schema, so no copy per node)."""
    if len(keys) > 64:  # far deeper than any real schema; a guard, not a rule
        return None
    if isinstance(node, dict):
        if node.get("$ref") == ref:
            return list(keys)
        items: Any = node.items()
    elif isinstance(node, list):
        items = enumerate(node)
    else:
        return None
    for key, value in items:
        if isinstance(value, (dict, list)):
            keys.append(str(key))
            found = _trail(value, ref, keys)
            keys.pop()
            if found is not None:
                return found
    return None
