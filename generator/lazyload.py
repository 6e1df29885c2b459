"""Parse only the part of a large block-style YAML spec that a selection needs.

The OpenAI spec is 3 MB of YAML; the Conversations section is a tenth of it. Block YAML
shows its structure in the indentation, so the text is cut into top-level keys, path items
(indent 2) and components (indent 4); only the path items that can match the selection are
parsed, then the components their `$ref`s name, transitively. A superset is fine (the
select stage filters exactly); anything unusual (flow style at those levels, an alias to an
anchor in another part, a parse error) returns None and the caller parses the whole document.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import yaml

if TYPE_CHECKING:
    from .parsecache import BlockCache

_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_KEY0 = re.compile(r"""^(?:"[^"]*"|'[^']*'|[A-Za-z_$/][^:#]*?):(?:\s|$)""")
_REF = re.compile(r"#/components/([A-Za-z]+)/([^/]+)")


def load_section(
    text: str, tags: tuple[str, ...], prefixes: tuple[str, ...], cache: BlockCache | None = None
) -> dict[str, Any] | None:
    """The selection's part of the spec; its blocks come from `cache` when one is given."""
    if not tags and not prefixes:
        return None
    lines = text.splitlines(keepends=True)
    top = _blocks(lines, 0, len(lines), 0)
    if top is None or "paths" not in top:
        return None
    for key in ("paths", "components"):
        if key in top and lines[top[key][0]].split("#", 1)[0].strip() != f"{key}:":
            return None  # a flow-style value on the key's own line
    try:
        head_lines = [
            ln for key, (a, b) in top.items() if key not in ("paths", "components", "webhooks") for ln in lines[a:b]
        ]
        doc = yaml.load("".join(head_lines), Loader=_SafeLoader) or {}
        if not isinstance(doc, dict):
            return None
        paths = _blocks(lines, top["paths"][0] + 1, top["paths"][1], 2) or {}
        wanted_paths: dict[str, Any] = {}
        for name, (a, b) in paths.items():
            if any(name.startswith(p) for p in prefixes) or any(t in "".join(lines[a:b]) for t in tags):
                wanted_paths.update(_parse(lines[a:b], 2, cache))
        if paths and not wanted_paths:
            return None  # nothing can match: the whole spec is parsed, for a message that shows its tags
        doc["paths"] = wanted_paths
        doc["components"] = _components(lines, top.get("components"), [wanted_paths], cache)
    except (yaml.YAMLError, ValueError, RecursionError):
        return None
    return doc


def _components(
    lines: list[str], span: tuple[int, int] | None, pending: list[Any], cache: BlockCache | None
) -> dict[str, Any]:
    if span is None:
        return {}
    kinds = _blocks(lines, span[0] + 1, span[1], 2) or {}
    index: dict[tuple[str, str], tuple[int, int]] = {}
    out: dict[str, dict[str, Any]] = {}
    for kind, (a, b) in kinds.items():
        if kind == "securitySchemes":
            out[kind] = _parse(lines[a + 1 : b], 4, cache)
            continue
        for name, entry in (_blocks(lines, a + 1, b, 4) or {}).items():
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
            parsed = _parse(lines[a:b], 4, cache)
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


def _blocks(lines: list[str], start: int, end: int, indent: int) -> dict[str, tuple[int, int]] | None:
    """Keys at exactly `indent` spaces between start and end, each with its line span."""
    out: dict[str, tuple[int, int]] = {}
    current: str | None = None
    pad = " " * indent
    for i in range(start, end):
        line = lines[i]
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if line.startswith(pad) and not line.startswith(pad + " "):
            body = line[indent:]
            match = _KEY0.match(body)
            if match is None or body.startswith(("- ", "{", "[")):
                return None
            if current is not None:
                out[current] = (out[current][0], i)
            current = key_text(body[: match.end()].rstrip().rstrip(":"))
            if current in out:
                return None  # a duplicate key: let the full parser decide
            out[current] = (i, end)
        elif current is None or not line.startswith(pad):
            return None  # content outside any key at this level: not the shape we expect
    return out


def key_text(raw: str) -> str:
    """A key as written (quoted or plain), to tell keys apart; YAML's own reading is the parse's."""
    if raw[:1] in "\"'":
        value = yaml.load(raw, Loader=_SafeLoader)
        return str(value)
    return raw


def _parse(chunk: list[str], indent: int, cache: BlockCache | None = None) -> dict[str, Any]:
    if cache is not None:
        return cache.parse("".join(chunk), indent)
    pad = " " * indent
    text = "".join(ln[indent:] if ln.startswith(pad) else ln.lstrip(" ") for ln in chunk)
    value = yaml.load(text, Loader=_SafeLoader)
    if not isinstance(value, dict):
        raise ValueError("not a mapping")
    return value
