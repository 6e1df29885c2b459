"""Select's check that no schema nests deeper than the later stages can convert (E006).

Later stages convert schemas recursively, like the document is written; a chain of a thousand
refs would exhaust Python's stack. The walk follows the same order as the build stage
(components in sorted order, then the operations; a component already seen is not entered
again) and counts how deep each schema sits. After an edit most subtrees are unchanged: each
one's own walk is remembered by content (walkmemo) and replayed, and only when that replay
finds a schema that may be too deep does the full walk run, to say where.
"""

from __future__ import annotations

from typing import Any

from .diagnostics import Diagnostic
from .select import NAME_MAPS, SelectedOperation, Where, _pointer_of, resolve_pointer
from .specread import SUBSCHEMA_LISTS, SUBSCHEMA_MAPS, SUBSCHEMA_VALUES
from .walkmemo import WalkMemo

MAX_SCHEMA_DEPTH = 100
# a parameter's or media type's `schema`, and a `content` map of them, nest a level too
_SCHEMA_VALUES = SUBSCHEMA_VALUES | {"schema"}
_SCHEMA_MAPS = SUBSCHEMA_MAPS | {"content"}
_DATA = ("example", "examples", "default", "enum", "const")  # values, never schemas

# One depth event of a subtree's own walk (not entering `$ref`s), in the order the full walk
# meets it: (target, depth, -1) a `$ref` to `target` met at `depth` below the subtree's root, or
# (target, depth, i) where that walk would go on into the target of event i, `depth` below the root.
_DepthEvent = tuple[str, int, int]


def depth_problems(
    doc: dict[str, Any], ops: list[SelectedOperation], refs: set[str], memo: WalkMemo
) -> list[Diagnostic]:
    """E006 at the first schema nested more than MAX_SCHEMA_DEPTH deep, if one is."""
    if _depth_within(doc, ops, refs, memo):
        return []
    return _full_walk(doc, ops, refs)


def _children(node: dict[Any, Any]) -> list[tuple[Any, tuple[Any, ...], int]]:
    """(child, its keys below `node`, how many levels deeper it sits) in document order; a map of
    names (`responses: {default: ...}`) holds no data and adds no level."""
    out: list[tuple[Any, tuple[Any, ...], int]] = []
    for key, value in node.items():
        if not isinstance(value, (dict, list)) or key in _DATA or str(key).startswith("x-"):
            continue
        if key in _SCHEMA_MAPS and isinstance(value, dict):
            out.extend((v, (key, k), 1) for k, v in value.items())
        elif key in NAME_MAPS and isinstance(value, dict):
            out.extend((v, (key, k), 0) for k, v in value.items() if isinstance(v, (dict, list)))
        else:
            out.append((value, (key,), 1 if key in _SCHEMA_VALUES or key in SUBSCHEMA_LISTS else 0))
    return out


def _full_walk(doc: dict[str, Any], ops: list[SelectedOperation], refs: set[str]) -> list[Diagnostic]:
    entered: set[str] = set()
    roots: list[tuple[Any, str]] = [(None, r) for r in sorted(refs) if r.startswith("#/components/schemas/")]
    roots += [(op.operation, op.pointer) for op in ops]
    for root, at in roots:
        if root is None:
            if at in entered:
                continue
            entered.add(at)
            root, at = resolve_pointer(doc, at), at.lstrip("#")
        # depth-first, children in document order: (node, where, depth)
        stack: list[tuple[Any, Where, int]] = [(root, (None, at), 0)]
        while stack:
            node, where, depth = stack.pop()
            if depth > MAX_SCHEMA_DEPTH:
                message = f"schemas nest more than {MAX_SCHEMA_DEPTH} levels deep (inline and through $refs)"
                return [Diagnostic("E006", message, _pointer_of(where))]
            if isinstance(node, list):
                stack.extend(
                    (v, (where, i), depth) for i, v in reversed(list(enumerate(node))) if isinstance(v, (dict, list))
                )
                continue
            if not isinstance(node, dict):
                continue
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
                target = "/".join(ref.split("/")[:4])
                if target not in entered:
                    entered.add(target)
                    try:
                        stack.append((resolve_pointer(doc, target), (None, target.lstrip("#")), depth + 1))
                    except KeyError:
                        pass
            children = []
            for child, keys, deeper in _children(node):
                at_key = where
                for key in keys:
                    at_key = (at_key, key)
                children.append((child, at_key, depth + deeper))
            stack.extend(reversed(children))
    return []


def _depth_within(doc: dict[str, Any], ops: list[SelectedOperation], refs: set[str], memo: WalkMemo) -> bool:
    """True when no schema nests more than MAX_SCHEMA_DEPTH deep; False when one may (then
    `_full_walk` says where).

    The same walk as `_full_walk`, made of each subtree's own events (remembered by content, see
    walkmemo), replayed in its order: a target is entered by the first `$ref` met to it, and
    walked where the walk goes on into it, one level deeper than that `$ref`.
    """
    entered: set[str] = set()
    for ref in sorted(refs):
        if ref.startswith("#/components/schemas/") and ref not in entered:
            entered.add(ref)
            if not _replay(doc, resolve_pointer(doc, ref), ref.lstrip("#"), 0, memo, entered):
                return False
    return all(_replay(doc, op.operation, op.pointer, 0, memo, entered, (op.path_item, op.method)) for op in ops)


def _replay(
    doc: dict[str, Any],
    node: Any,
    at: str,
    base: int,
    memo: WalkMemo,
    entered: set[str],
    within: tuple[Any, str] | None = None,
) -> bool:
    """`_depth_within` for one subtree whose root sits `base` levels deep."""
    events, deepest = _depth_events(node, at, memo, within)
    if base + deepest > MAX_SCHEMA_DEPTH:
        return False
    won: set[int] = set()
    for i, (target, depth, met) in enumerate(events):
        if met < 0:
            if target not in entered:
                entered.add(target)
                won.add(i)
        elif met in won:
            try:
                child = resolve_pointer(doc, target)
            except KeyError:
                continue
            if not _replay(doc, child, target.lstrip("#"), base + depth, memo, entered):
                return False
    return True


def _depth_events(
    root: Any, at: str, memo: WalkMemo, within: tuple[Any, str] | None = None
) -> tuple[list[_DepthEvent], int]:
    """The depth events of `root`'s own walk and the deepest level in it (its root is 0)."""
    digest = memo.digest(at, root, within)
    known = memo.get(b"d", digest)
    if isinstance(known, tuple) and len(known) == 2 and isinstance(known[0], list) and type(known[1]) is int:
        return known[0], known[1]
    events: list[_DepthEvent] = []
    deepest = 0
    # (node, depth, -1), or (target, depth, i): the walk goes on into the target of event i
    stack: list[tuple[Any, int, int]] = [(root, 0, -1)]
    while stack:
        node, depth, met = stack.pop()
        if met >= 0:
            events.append((node, depth, met))
            continue
        deepest = max(deepest, depth)
        if isinstance(node, list):
            stack.extend((v, depth, -1) for v in reversed(node) if isinstance(v, (dict, list)))
            continue
        if not isinstance(node, dict):
            continue
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
            events.append(("/".join(ref.split("/")[:4]), depth, -1))
            stack.append((events[-1][0], depth + 1, len(events) - 1))
        stack.extend((child, depth + deeper, -1) for child, _, deeper in reversed(_children(node)))
    memo.put(b"d", digest, (events, deepest))
    return events, deepest
