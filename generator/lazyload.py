"""Parse only the part of a large block-style YAML spec that a selection needs.

The OpenAI spec is 3 MB of YAML; the Conversations section is a tenth of it. Block YAML
shows its structure in the indentation, so the text is cut into top-level keys, path items
(indent 2) and components (indent 4); only the path items that can match the selection are
parsed, then the components their `$ref`s name, transitively. The blocks are found by
blockload's regular expressions over the text (a line-by-line scan cost 0.2-0.4 s on OpenAI's). A superset is fine (the
select stage filters exactly); anything unusual (flow style at those levels, an alias to an
anchor in another part, a parse error) returns None and the caller parses the whole document.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import yaml

from .blockload import keyed_spans
from .parsecache import may_nest_past, other_breaks

if TYPE_CHECKING:
    from .parsecache import BlockCache

_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_REF = re.compile(r"#/components/([A-Za-z]+)/([^/]+)")
Span = tuple[int, int]  # character offsets: a key's line start to the next key's


def load_section(
    text: str, tags: tuple[str, ...], prefixes: tuple[str, ...], cache: BlockCache | None = None
) -> dict[str, Any] | None:
    """The selection's part of the spec; its blocks come from `cache` when one is given."""
    if not tags and not prefixes or other_breaks(text):
        return None
    top = keyed_spans(text, 0, len(text), 0)
    if top is None or "paths" not in top:
        return None
    for key in ("paths", "components"):
        if key in top and _key_line(text, top[key][0]).split("#", 1)[0].strip() != f"{key}:":
            return None  # a flow-style value on the key's own line
    try:
        head = "".join(text[a:b] for key, (a, b) in top.items() if key not in ("paths", "components", "webhooks"))
        if may_nest_past(head):
            return None  # the whole parse finds where
        doc = yaml.load(head, Loader=_SafeLoader) or {}
        if not isinstance(doc, dict):
            return None
        paths = _children(text, top["paths"], 2)
        wanted_paths: dict[str, Any] = {}
        for name, (a, b) in paths.items():
            if any(name.startswith(p) for p in prefixes) or any(text.find(t, a, b) >= 0 for t in tags):
                wanted_paths.update(_parse(text[a:b], 2, cache))
        if paths and not wanted_paths:
            return None  # nothing can match: the whole spec is parsed, for a message that shows its tags
        doc["paths"] = wanted_paths
        doc["components"] = _components(text, top.get("components"), [wanted_paths], cache)
    except (yaml.YAMLError, ValueError, RecursionError):
        return None
    return doc


def _key_line(text: str, at: int) -> str:
    end = text.find("\n", at)
    return text[at : end if end >= 0 else len(text)]


def _children(text: str, span: Span, indent: int) -> dict[str, Span]:
    """The keys at `indent` under the key whose block is `span` (its key line left out)."""
    body = text.find("\n", span[0], span[1]) + 1
    return (keyed_spans(text, body, span[1], indent) or {}) if body else {}


def _components(text: str, span: Span | None, pending: list[Any], cache: BlockCache | None) -> dict[str, Any]:
    if span is None:
        return {}
    index: dict[tuple[str, str], Span] = {}
    out: dict[str, dict[str, Any]] = {}
    for kind, (a, b) in _children(text, span, 2).items():
        if kind == "securitySchemes":
            body = text.find("\n", a, b) + 1
            out[kind] = _parse(text[body:b], 4, cache) if body else {}
            continue
        for name, entry in _children(text, (a, b), 4).items():
            index[(kind, name)] = entry
    seen: set[tuple[str, str]] = set()
    while pending:
        for ref in _refs(pending.pop()):
            match = _REF.fullmatch(ref)
            key = (match.group(1), match.group(2).replace("~1", "/").replace("~0", "~")) if match else None
            if key is None or key in seen or key not in index:
                continue
            seen.add(key)
            a, b = index[key]
            parsed = _parse(text[a:b], 4, cache)
            out.setdefault(key[0], {}).update(parsed)
            pending.append(parsed)
    return out


def _refs(node: Any) -> list[str]:
    found: list[str] = []
    stack = [node]
    while stack:
        cur = stack.pop()
        if isinstance(cur, dict):
            ref = cur.get("$ref")
            if isinstance(ref, str):
                found.append(ref)
            stack.extend(v for v in cur.values() if isinstance(v, (dict, list)))
        elif isinstance(cur, list):
            stack.extend(v for v in cur if isinstance(v, (dict, list)))
    return found


def _parse(chunk: str, indent: int, cache: BlockCache | None = None) -> dict[str, Any]:
    if cache is not None:
        return cache.parse(chunk, indent)
    pad = " " * indent
    lines = chunk.splitlines(keepends=True)  # \n and \r\n only (other_breaks)
    plain = "".join(ln[indent:] if ln.startswith(pad) else ln.lstrip(" ") for ln in lines)
    if may_nest_past(plain):
        raise ValueError("may nest too deep")  # the whole parse finds where
    value = yaml.load(plain, Loader=_SafeLoader)
    if not isinstance(value, dict):
        raise ValueError("not a mapping")
    return value
