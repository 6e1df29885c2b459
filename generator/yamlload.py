"""The YAML half of the load stage: PyYAML under the limits the load stage sets.

Imported by load.py for YAML specs only (PyYAML and the block parsers cost a JSON spec's
build about 30 ms of imports). A large block-style spec is parsed a block at a time (through
the parse cache, or only as far as a selection needs); anything else, plainly; anchors are
composed first, so that an alias bomb is measured before it is expanded.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from . import leanyaml
from .blockload import load_blocks
from .jsondata import MAX_DEPTH, normalize
from .lazyload import load_section
from .load import LARGE, Refused, position
from .parsecache import BlockCache, may_nest_past

_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# An anchor (&name) is the only way YAML shares nodes; without one no alias can expand.
_ANCHOR = re.compile(r"(?:^|[\s\[{,:?-])&[^\s,\]}]")
_AMPERSAND = re.compile(r"&[^\s,\]}]")  # where _ANCHOR can match: a literal start, so the search is fast
MAX_EXPANDED_NODES = 2_000_000
_STRING_WEIGHT = 64  # a string counts as one node per this many characters when measuring expansion


def parse_yaml(text: str, tags: tuple[str, ...], prefixes: tuple[str, ...], cache: BlockCache | None) -> Any:
    # (each text the C parser is given is first bounded in depth (may_nest_past): here the whole
    # text, where it is parsed whole; a block of it, where blocks are parsed one by one)
    try:
        if _has_anchor(text):
            _refuse_too_deep(text)
            doc = _load_shared(text)
        else:
            doc = load_section(text, tags, prefixes, cache) if len(text) >= LARGE else None
            if doc is None and cache is not None:
                blocks = load_blocks(text, cache) if len(text) >= LARGE else _one_block(text, cache)
                if blocks is not None:  # JSON data already, block by block: only the depth is left to check
                    doc, depth = blocks
                    if depth > MAX_DEPTH:
                        raise Refused("E006", f"nesting deeper than {MAX_DEPTH} levels", *_too_deep_at(text))
                    return doc
            if doc is None:
                _refuse_too_deep(text)
                doc = leanyaml.load(text)  # plain data straight from the parser's events
            if doc is leanyaml.DECLINED:
                doc = yaml.load(text, Loader=_SafeLoader)  # tags, aliases, errors: PyYAML's rules and messages
    except yaml.MarkedYAMLError as exc:
        where = _yaml_too_deep_at(text)  # a parser refusing deep nesting is not a syntax error
        if where is not None:
            raise Refused("E006", f"nesting deeper than {MAX_DEPTH} levels", *where) from None
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        what = (exc.problem or exc.context or "syntax error").strip()
        context = exc.context_mark
        if (
            exc.problem
            and exc.context
            and context is not None
            and (context.line, context.column) != (line - 1, col - 1)
        ):
            what += f" ({exc.context.strip()} at line {context.line + 1}, column {context.column + 1})"
        raise Refused("E002", f"invalid YAML: {what}", line, col) from None
    except yaml.reader.ReaderError as exc:
        char = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or "?")
        where = (
            position(text, exc.position) if isinstance(exc.position, int) and 0 <= exc.position <= len(text) else (1, 1)
        )
        raise Refused("E002", f"invalid YAML: character U+{char:04X} is not allowed: {exc.reason}", *where) from None
    except yaml.YAMLError as exc:
        raise Refused("E002", f"invalid YAML: {(str(exc).splitlines() or ['syntax error'])[0]}") from None
    except RecursionError:
        raise Refused("E006", f"nesting deeper than {MAX_DEPTH} levels") from None
    if doc is not None and not normalize(doc):
        raise Refused("E006", f"nesting deeper than {MAX_DEPTH} levels", *_too_deep_at(text))
    if cache is not None:
        cache.save()
    return doc


def _one_block(text: str, cache: BlockCache) -> tuple[dict[str, Any], int] | None:
    """A small file (a part of a split spec) as one block of the cache; None when it is not a
    mapping or does not parse (the usual path then reports it)."""
    try:
        return cache.parse_with_depth(text, 0)
    except (yaml.YAMLError, ValueError, RecursionError):
        return None


def _too_deep_at(text: str) -> tuple[int, int]:
    return _yaml_too_deep_at(text) or (1, 1)


def _refuse_too_deep(text: str) -> None:
    """Refused (E006, located) when the text nests deeper than MAX_DEPTH where its depth may be
    past what the C parser survives."""
    if may_nest_past(text):
        where = _yaml_too_deep_at(text)
        if where is not None:
            raise Refused("E006", f"nesting deeper than {MAX_DEPTH} levels", *where)


def _has_anchor(text: str) -> bool:
    """Whether an anchor (&name) may be in the text: _ANCHOR's test, at each `&` only."""
    return any(m.start() == 0 or _ANCHOR.match(text, m.start() - 1) for m in _AMPERSAND.finditer(text))


def _yaml_too_deep_at(text: str) -> tuple[int, int] | None:
    """Where the parser's events first nest deeper than MAX_DEPTH (libyaml keeps its own stack).

    libyaml may refuse nesting past a limit of its own (1,000 levels in the wheels of PyYAML
    6.0.4) while it scans ahead, before any event is that deep. The text before the point of
    refusal still nests past MAX_DEPTH (the limit is far above it), so it is scanned again.
    """
    try:
        return _first_too_deep(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        index = getattr(mark, "index", None)
        if not isinstance(index, int) or not 0 < index < len(text):
            return None  # the real parse reports the syntax error
        refused = _nesting_refused(exc)
    try:
        found = _first_too_deep(text[:index])
    except yaml.YAMLError:
        found = None
    if found is None and refused and mark is not None:
        return (mark.line + 1, mark.column + 1)
    return found


def _first_too_deep(text: str) -> tuple[int, int] | None:
    depth = 0
    starts = (yaml.MappingStartEvent, yaml.SequenceStartEvent)
    ends = (yaml.MappingEndEvent, yaml.SequenceEndEvent)
    for event in yaml.parse(text, Loader=_SafeLoader):
        if isinstance(event, starts):
            depth += 1
            if depth > MAX_DEPTH:
                mark = event.start_mark
                return (mark.line + 1, mark.column + 1) if mark else (1, 1)
        elif isinstance(event, ends):
            depth -= 1
    return None


def _nesting_refused(exc: yaml.YAMLError) -> bool:
    """The parser's own depth limit, in the words PyYAML/libyaml use for it."""
    problem = str(getattr(exc, "problem", "") or "")
    return "nesting" in problem or "depth" in problem


def _load_shared(text: str) -> Any:
    """Compose (aliases stay shared), measure the expansion, then construct."""
    loader = _SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_expansion(node)
        return loader.construct_document(node)
    finally:
        loader.dispose()


def _check_expansion(root: yaml.Node) -> None:
    """Size of the tree with every alias (and merge) counted as a copy, memoized per node."""
    sizes: dict[int, int] = {}
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        if isinstance(node, yaml.ScalarNode):
            sizes[id(node)] = 1 + len(node.value) // _STRING_WEIGHT
            continue
        children: list[yaml.Node] = (
            [c for pair in node.value for c in pair] if isinstance(node, yaml.MappingNode) else list(node.value)
        )
        if not done:
            if id(node) in sizes:
                continue
            sizes[id(node)] = 1  # provisional: a (recursive) alias to a node being measured
            stack.append((node, True))
            stack.extend((c, False) for c in children if id(c) not in sizes)
            continue
        total = 1 + sum(sizes.get(id(c), 1) for c in children)
        if total > MAX_EXPANDED_NODES:
            mark = node.start_mark
            raise Refused(
                "E007",
                f"aliases expand this node to more than {MAX_EXPANDED_NODES:,} nodes",
                mark.line + 1 if mark else 1,
                mark.column + 1 if mark else 1,
            )
        sizes[id(node)] = total
