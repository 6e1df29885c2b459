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
from typing import TYPE_CHECKING, Any

from .bundle import EXTERNAL_REF, UNUSUAL_REF, LoadError, Source, bundle
from .diagnostics import Diagnostic
from .jsondata import MAX_DEPTH, json_key, normalize
from .localrefs import ELSEWHERE
from .locate import Locator

if TYPE_CHECKING:
    from .parsecache import BlockCache
    from .positions import Positions

_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')
MAX_BYTES = 64 * 1024 * 1024
LARGE = 200_000  # characters from which a spec is parsed in blocks (a selection's, or each through the cache)


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
    # the containers the parse cache read from unchanged blocks, by id, with the digest each is
    # known by (see parsecache; empty without the cache or for a spec bundled from several files)
    subtrees: dict[int, tuple[Any, bytes]] = field(default_factory=dict, repr=False)
    # pointer -> (digest, start, end) of the blocks the parse cache cut the text into: a position
    # found in an unchanged block is remembered relative to its start (positions.py)
    blocks: dict[str, tuple[bytes, int, int]] = field(default_factory=dict, repr=False)
    _locators: dict[Path, Locator] = field(default_factory=dict, repr=False)
    _positions: Positions | None = field(default=None, repr=False)

    def locate(self, diag: Diagnostic) -> Diagnostic:
        path, text, ptr = self.path, self.text, diag.pointer
        if self.blocks and not self.origins:
            if self._positions is None:
                from .positions import Positions

                self._positions = Positions(text, self.blocks)
            known = self._positions.get(ptr)
            if known is not None:
                return diag.located(str(path), *known)
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
        if self._positions is not None and path == self.path:
            self._positions.put(ptr, line, col)
        return diag.located(str(path), line, col)

    def save(self) -> None:
        """Keep the positions found in unchanged blocks for later runs."""
        if self._positions is not None:
            self._positions.save()


class Refused(Exception):
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
    subtrees: dict[int, tuple[Any, bytes]] = {}
    blocks: dict[str, tuple[bytes, int, int]] = {}
    try:
        doc, text = _read_and_parse(path, tags, prefixes, use_cache=use_cache, subtrees=subtrees, blocks=blocks)
    except Refused as exc:
        return None, [Diagnostic(exc.code, exc.message, file=name, line=exc.line, column=exc.column)]
    spec = Spec(path=path, doc=doc, text=text, subtrees=subtrees, blocks=blocks)
    version = doc.get("openapi")
    if version is None and "swagger" in doc:
        return None, [spec.locate(Diagnostic("E004", f"Swagger {_show(doc['swagger'])} is not OpenAPI 3", "/swagger"))]
    if not isinstance(version, str) or not re.fullmatch(r"3\.[01]\.\d+(-.+)?", version):
        if version is None:
            return None, [
                spec.locate(Diagnostic("E003", "the document has no `openapi` key: it is not an OpenAPI document", ""))
            ]
        return None, [spec.locate(Diagnostic("E004", f"`openapi` version is {_show(version)}", "/openapi"))]
    if UNUSUAL_REF.search(text):
        files = EXTERNAL_REF.search(text) is not None
        if files or ELSEWHERE.search(text):
            return _bundled(spec, ref_root if ref_root is not None else path.parent, use_cache, files)
    return spec, []


def _bundled(spec: Spec, ref_root: Path, use_cache: bool, files: bool) -> tuple[Spec | None, list[Diagnostic]]:
    root = Source(spec.path, spec.doc, spec.text)
    from .parsecache import for_spec  # (YAML's: not imported for a JSON spec)

    cache = for_spec(spec.path) if use_cache else None  # each part file one block of the spec's cache
    result = bundle(root, ref_root, lambda part: _read_part(part, cache), files)
    if cache is not None:
        cache.save()
    bundled = Spec(spec.path, result.doc, spec.text, result.origins, tuple(result.sources))
    diags = [d if d.file else bundled.locate(d) for d in result.diags]
    return (None if any(d.code.startswith("E") for d in diags) else bundled), diags


def _read_part(path: Path, cache: BlockCache | None = None) -> tuple[Any, str]:
    """A file a `$ref` names: any JSON value, under the same limits as the spec."""
    try:
        return _read_and_parse(path, (), (), mapping=False, part_cache=cache)
    except Refused as exc:
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
    subtrees: dict[int, tuple[Any, bytes]] | None = None,
    blocks: dict[str, tuple[bytes, int, int]] | None = None,
) -> tuple[Any, str]:
    try:
        with open(path, "rb") as fh:  # at most one byte past the limit: /dev/zero is a path too
            raw = fh.read(MAX_BYTES + 1)
    except OSError as exc:
        raise Refused("E001", f"cannot read spec: {exc.strerror or exc}") from None
    if len(raw) > MAX_BYTES:
        raise Refused("E006", f"spec is larger than the limit of {MAX_BYTES:,} bytes")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise Refused(
            "E002", f"spec is not UTF-8 text: byte 0x{raw[exc.start]:02x} at offset {exc.start}", line, column
        ) from None
    if not text.strip():
        raise Refused("E005", "spec file is empty")
    if path.suffix.lower() == ".json":
        doc = _parse_json(text)
    else:
        from .parsecache import for_spec
        from .yamlload import parse_yaml  # PyYAML and its helpers are imported for YAML specs only

        own = for_spec(path) if use_cache and len(text) >= LARGE else None
        if (tags or prefixes) and UNUSUAL_REF.search(text) and ELSEWHERE.search(text):  # (may name anything)
            tags, prefixes = (), ()
        doc = parse_yaml(text, tags, prefixes, own or part_cache)
        if own is not None:
            own.save()
            if subtrees is not None:
                subtrees.update(own.subtrees)
            if blocks is not None:
                blocks.update(own.spans)
    if doc is None:
        raise Refused("E005", "spec file has no content (only comments or an empty document)")
    if not mapping:
        return doc, text
    if type(doc) is dict and any(type(k) is not str for k in doc):
        doc = {json_key(k): v for k, v in doc.items()}
    if not isinstance(doc, dict):
        kind = {"list": "sequence", "str": "string", "int": "number", "float": "number", "bool": "boolean"}.get(
            type(doc).__name__, type(doc).__name__
        )
        raise Refused("E003", f"spec is a {kind}, not a mapping")
    return doc, text


# ---- JSON ------------------------------------------------------------------------------------
def _parse_json(text: str) -> Any:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise Refused("E002", f"invalid JSON: {exc.msg}", exc.lineno, exc.colno) from None
    except RecursionError:
        doc = None
    else:
        if doc is None or normalize(doc):
            return doc
    line, column = _json_too_deep_at(text)
    raise Refused("E006", f"nesting deeper than {MAX_DEPTH} levels", line, column)


def _json_too_deep_at(text: str) -> tuple[int, int]:
    depth = 0
    for match in _JSON_TOKEN.finditer(text):
        char = match.group()
        if char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return position(text, match.start())
        elif char in "]}":
            depth -= 1
    return (1, 1)


def position(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1
