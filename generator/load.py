"""Stage 1, load: read the spec file (YAML or JSON) into plain Python data.

Refuses what cannot be an OpenAPI 3.x document and bounds the cost of hostile input before
any later stage walks the tree:

- a file larger than MAX_BYTES is not read;
- nesting deeper than MAX_DEPTH is refused *before* PyYAML's C composer (which recurses in C
  and would crash the process on a few ten thousand `[`) sees it: a cheap bound on the depth
  decides whether a scan of the parser's events is needed;
- YAML aliases and merge keys (`<<: *a`) are measured as if expanded, on the composed node
  graph before anything is constructed, so a "billion laughs" costs milliseconds.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from . import leanyaml
from .blockload import load_blocks
from .bundle import EXTERNAL_REF, LoadError, Source, bundle
from .diagnostics import Diagnostic
from .jsondata import MAX_DEPTH, json_key, normalize
from .lazyload import load_section
from .locate import Locator
from .parsecache import BlockCache, for_spec

_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# An anchor (&name) is the only way YAML shares nodes; without one no alias can expand.
_ANCHOR = re.compile(r"(?:^|[\s\[{,:?-])&[^\s,\]}]")
_AMPERSAND = re.compile(r"&[^\s,\]}]")  # where _ANCHOR can match: a literal start, so the search is fast
_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')
MAX_BYTES = 64 * 1024 * 1024
MAX_EXPANDED_NODES = 2_000_000
# Below this bound on the nesting depth PyYAML's C composer is known to be safe (it crashes
# somewhere past 20,000 levels on an 8 MB stack); above it the parser's events are scanned.
_SAFE_C_DEPTH = 10_000
_STRING_WEIGHT = 64  # a string counts as one node per this many characters when measuring expansion
_LARGE = 200_000  # characters from which a spec is parsed in blocks (a selection's, or each through the cache)


@dataclass
class Spec:
    """The loaded document plus what diagnostics need to point into its source.

    A spec split over files is bundled into `doc` (see bundle.py): `origins` maps a pointer
    in `doc` to the file and pointer its subtree came from, `sources` are those files.
    """

    path: Path
    doc: dict[str, Any]
    text: str
    origins: dict[str, tuple[Source, str]] = field(default_factory=dict, repr=False)
    sources: tuple[Source, ...] = ()
    _locators: dict[Path, Locator] = field(default_factory=dict, repr=False)

    def locate(self, diag: Diagnostic) -> Diagnostic:
        path, text, ptr = self.path, self.text, diag.pointer
        if self.origins:
            head, rest = ptr, ""
            while head and head not in self.origins:
                head, _, last = head.rpartition("/")
                rest = f"/{last}{rest}"
            if head:
                source, start = self.origins[head]
                path, text, ptr = source.path, source.text, start + rest
        locator = self._locators.get(path)
        if locator is None:
            locator = self._locators[path] = Locator(text, is_json=path.suffix.lower() == ".json")
        line, col = locator.locate(ptr)
        return diag.located(str(path), line, col)


class _Refused(Exception):
    """Input refused while loading: carries its diagnostic's code, message and position."""

    def __init__(self, code: str, message: str, line: int = 1, column: int = 1) -> None:
        super().__init__(message)
        self.code, self.message, self.line, self.column = code, message, line, column


def load(
    path: Path,
    tags: tuple[str, ...] = (),
    prefixes: tuple[str, ...] = (),
    ref_root: Path | None = None,
    *,
    use_cache: bool = False,
) -> tuple[Spec | None, list[Diagnostic]]:
    """Read and parse SPEC; on failure return no spec and located error diagnostics.

    With a selection (tags / path prefixes), a large block-style YAML spec is parsed only as
    far as the selection needs (see lazyload); otherwise, or when that declines, whole.
    With `use_cache`, a large YAML spec's blocks, and the YAML files of a split spec, come from
    the parse cache (parsecache) when their text is unchanged. Files named by relative `$ref`s
    are bundled in, from within `ref_root` (default: the spec's folder).
    """
    name = str(path)
    try:
        doc, text = _read_and_parse(path, tags, prefixes, use_cache=use_cache)
    except _Refused as exc:
        return None, [Diagnostic(exc.code, exc.message, file=name, line=exc.line, column=exc.column)]
    spec = Spec(path=path, doc=doc, text=text)
    version = doc.get("openapi")
    if version is None and "swagger" in doc:
        return None, [spec.locate(Diagnostic("E004", f"Swagger {_show(doc['swagger'])} is not OpenAPI 3", "/swagger"))]
    if not isinstance(version, str) or not re.fullmatch(r"3\.[01]\.\d+(-.+)?", version):
        if version is None:
            return None, [
                spec.locate(Diagnostic("E003", "the document has no `openapi` key: it is not an OpenAPI document", ""))
            ]
        return None, [spec.locate(Diagnostic("E004", f"`openapi` version is {_show(version)}", "/openapi"))]
    if EXTERNAL_REF.search(text):
        return _bundled(spec, ref_root if ref_root is not None else path.parent, use_cache)
    return spec, []


def _bundled(spec: Spec, ref_root: Path, use_cache: bool) -> tuple[Spec | None, list[Diagnostic]]:
    root = Source(spec.path, spec.doc, spec.text)
    cache = for_spec(spec.path) if use_cache else None  # each part file one block of the spec's cache
    result = bundle(root, ref_root, lambda part: _read_part(part, cache))
    if cache is not None:
        cache.save()
    bundled = Spec(spec.path, result.doc, spec.text, result.origins, tuple(result.sources))
    diags = [d if d.file else bundled.locate(d) for d in result.diags]
    return (None if any(d.code.startswith("E") for d in diags) else bundled), diags


def _read_part(path: Path, cache: BlockCache | None = None) -> tuple[Any, str]:
    """A file a `$ref` names: any JSON value, under the same limits as the spec."""
    try:
        return _read_and_parse(path, (), (), mapping=False, part_cache=cache)
    except _Refused as exc:
        raise LoadError(exc.code, exc.message, exc.line, exc.column) from None


def _show(value: Any) -> str:
    text = repr(value) if isinstance(value, str) else json.dumps(value, default=str)
    return text if len(text) <= 40 else text[:37] + "..."


def _read_and_parse(
    path: Path,
    tags: tuple[str, ...],
    prefixes: tuple[str, ...],
    mapping: bool = True,
    use_cache: bool = False,
    part_cache: BlockCache | None = None,
) -> tuple[Any, str]:
    try:
        with open(path, "rb") as fh:  # at most one byte past the limit: /dev/zero is a path too
            raw = fh.read(MAX_BYTES + 1)
    except OSError as exc:
        raise _Refused("E001", f"cannot read spec: {exc.strerror or exc}") from None
    if len(raw) > MAX_BYTES:
        raise _Refused("E006", f"spec is larger than the limit of {MAX_BYTES:,} bytes")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise _Refused(
            "E002", f"spec is not UTF-8 text: byte 0x{raw[exc.start]:02x} at offset {exc.start}", line, column
        ) from None
    if not text.strip():
        raise _Refused("E005", "spec file is empty")
    if path.suffix.lower() == ".json":
        doc = _parse_json(text)
    else:
        own = for_spec(path) if use_cache and len(text) >= _LARGE else None
        doc = _parse_yaml(text, tags, prefixes, own or part_cache)
        if own is not None:
            own.save()
    if doc is None:
        raise _Refused("E005", "spec file has no content (only comments or an empty document)")
    if not mapping:
        return doc, text
    if type(doc) is dict and any(type(k) is not str for k in doc):
        doc = {json_key(k): v for k, v in doc.items()}
    if not isinstance(doc, dict):
        kind = {"list": "sequence", "str": "string", "int": "number", "float": "number", "bool": "boolean"}.get(
            type(doc).__name__, type(doc).__name__
        )
        raise _Refused("E003", f"spec is a {kind}, not a mapping")
    return doc, text


# ---- JSON ------------------------------------------------------------------------------------
def _parse_json(text: str) -> Any:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _Refused("E002", f"invalid JSON: {exc.msg}", exc.lineno, exc.colno) from None
    except RecursionError:
        doc = None
    else:
        if doc is None or normalize(doc):
            return doc
    line, column = _json_too_deep_at(text)
    raise _Refused("E006", f"nesting deeper than {MAX_DEPTH} levels", line, column)


def _json_too_deep_at(text: str) -> tuple[int, int]:
    depth = 0
    for match in _JSON_TOKEN.finditer(text):
        char = match.group()
        if char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return _position(text, match.start())
        elif char in "]}":
            depth -= 1
    return (1, 1)


def _position(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


# ---- YAML ------------------------------------------------------------------------------------
def _parse_yaml(text: str, tags: tuple[str, ...], prefixes: tuple[str, ...], cache: BlockCache | None) -> Any:
    if _may_nest_past(text, _SAFE_C_DEPTH):
        where = _yaml_too_deep_at(text)
        if where is not None:
            raise _Refused("E006", f"nesting deeper than {MAX_DEPTH} levels", *where)
    try:
        if _has_anchor(text):
            doc = _load_shared(text)
        else:
            doc = load_section(text, tags, prefixes, cache) if len(text) >= _LARGE else None
            if doc is None and cache is not None:
                blocks = load_blocks(text, cache) if len(text) >= _LARGE else _one_block(text, cache)
                if blocks is not None:  # JSON data already, block by block: only the depth is left to check
                    doc, depth = blocks
                    if depth > MAX_DEPTH:
                        raise _Refused("E006", f"nesting deeper than {MAX_DEPTH} levels", *_too_deep_at(text))
                    return doc
            if doc is None:
                doc = leanyaml.load(text)  # plain data straight from the parser's events
            if doc is leanyaml.DECLINED:
                doc = yaml.load(text, Loader=_SafeLoader)  # tags, aliases, errors: PyYAML's rules and messages
    except yaml.MarkedYAMLError as exc:
        where = _yaml_too_deep_at(text)  # a parser refusing deep nesting is not a syntax error
        if where is not None:
            raise _Refused("E006", f"nesting deeper than {MAX_DEPTH} levels", *where) from None
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
        raise _Refused("E002", f"invalid YAML: {what}", line, col) from None
    except yaml.reader.ReaderError as exc:
        char = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or "?")
        where = (
            _position(text, exc.position)
            if isinstance(exc.position, int) and 0 <= exc.position <= len(text)
            else (1, 1)
        )
        raise _Refused("E002", f"invalid YAML: character U+{char:04X} is not allowed: {exc.reason}", *where) from None
    except yaml.YAMLError as exc:
        raise _Refused("E002", f"invalid YAML: {(str(exc).splitlines() or ['syntax error'])[0]}") from None
    except RecursionError:
        raise _Refused("E006", f"nesting deeper than {MAX_DEPTH} levels") from None
    if doc is not None and not normalize(doc):
        raise _Refused("E006", f"nesting deeper than {MAX_DEPTH} levels", *_too_deep_at(text))
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


def _may_nest_past(text: str, limit: int) -> bool:
    """Whether an upper bound on the nesting depth, found without parsing, exceeds `limit`.

    Every `[` / `{` can open at most one level. A block collection nested in another starts
    further right, except a sequence under a mapping key, which may share its column: so
    block depth is at most twice the widest run of indentation and indicators plus one. The
    bound exceeds the limit when some line starts with a run of `(limit - flow) // 2` or more:
    one search for such a line, not a measure of every line.
    """
    flow = text.count("[") + text.count("{")
    if flow > limit:
        return True
    run = (limit - flow) // 2
    wide = rf"[ \t?:-]{{{run},}}"
    return re.match(wide, text) is not None or re.search("\n" + wide, text) is not None


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
            raise _Refused(
                "E007",
                f"aliases expand this node to more than {MAX_EXPANDED_NODES:,} nodes",
                mark.line + 1 if mark else 1,
                mark.column + 1 if mark else 1,
            )
        sizes[id(node)] = total
