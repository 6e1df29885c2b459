"""Stage 1, load: read the spec file (YAML or JSON) into plain Python data.

Refuses what cannot be an OpenAPI 3.x document and bounds the cost of hostile input
(alias bombs, absurd nesting) before any later stage walks the tree.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .diagnostics import Diagnostic
from .lazyload import load_section
from .locate import Locator

_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# An anchor (&name) is the only way YAML shares nodes; without one no alias can expand.
_ANCHOR = re.compile(r"(?:^|[\s\[{,:-])&[^\s,\]}]")
MAX_DEPTH = 200
MAX_EXPANDED_NODES = 2_000_000


@dataclass
class Spec:
    """The loaded document plus what diagnostics need to point into its source."""

    path: Path
    doc: dict[str, Any]
    text: str
    _locator: Locator | None = field(default=None, repr=False)

    def locate(self, diag: Diagnostic) -> Diagnostic:
        if self._locator is None:
            self._locator = Locator(self.text)
        line, col = self._locator.locate(diag.pointer)
        return diag.located(str(self.path), line, col)


def load(path: Path, tags: tuple[str, ...] = (), prefixes: tuple[str, ...] = ()) -> tuple[Spec | None, list[Diagnostic]]:
    """Read and parse SPEC; on failure return no spec and located error diagnostics.

    With a selection (tags / path prefixes), a large block-style YAML spec is parsed only as
    far as the selection needs (see lazyload); otherwise, or when that declines, whole.
    """
    name = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return None, [Diagnostic("E001", f"cannot read spec: {exc.strerror or exc}", file=name, line=1, column=1)]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return None, [Diagnostic("E002", f"spec is not UTF-8 text (byte {exc.start})", file=name, line=1, column=1)]
    if not text.strip():
        return None, [Diagnostic("E005", "spec file is empty", file=name, line=1, column=1)]
    is_json = path.suffix.lower() == ".json"
    section = None if is_json or len(text) < 200_000 else load_section(text, tags, prefixes)
    doc, diag = (section, None) if section is not None else _parse(text, name, is_json)
    if diag is not None:
        return None, [diag]
    if not isinstance(doc, dict):
        kind = type(doc).__name__ if doc is not None else "null"
        return None, [Diagnostic("E003", f"spec is a {kind}, not a mapping", file=name, line=1, column=1)]
    problem = _measure(doc) if _ANCHOR.search(text) else _depth_only(doc)
    if problem is not None:
        return None, [Diagnostic(problem[0], problem[1], file=name, line=1, column=1)]
    spec = Spec(path=path, doc=doc, text=text)
    version = doc.get("openapi")
    if version is None and "swagger" in doc:
        return None, [spec.locate(Diagnostic("E004", f"Swagger {doc['swagger']} is not OpenAPI 3", "/swagger"))]
    if not isinstance(version, str) or not re.fullmatch(r"3\.[01]\.\d+(-.+)?", version):
        where = "/openapi" if "openapi" in doc else ""
        shown = "missing" if version is None else repr(version)
        return None, [spec.locate(Diagnostic("E004" if version is not None else "E003", f"`openapi` version is {shown}", where))]
    return spec, []


def _parse(text: str, name: str, is_json: bool) -> tuple[Any, Diagnostic | None]:
    try:
        if is_json:
            return json.loads(text), None
        return yaml.load(text, Loader=_SafeLoader), None
    except json.JSONDecodeError as exc:
        return None, Diagnostic("E002", f"invalid JSON: {exc.msg}", file=name, line=exc.lineno, column=exc.colno)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        what = (exc.problem or exc.context or "syntax error").strip()
        return None, Diagnostic("E002", f"invalid YAML: {what}", file=name, line=line, column=col)
    except yaml.YAMLError as exc:
        return None, Diagnostic("E002", f"invalid YAML: {str(exc).splitlines()[0]}", file=name, line=1, column=1)
    except RecursionError:
        return None, Diagnostic("E006", "nesting is too deep to parse", file=name, line=1, column=1)


def _depth_only(doc: Any) -> tuple[str, str] | None:
    stack: list[tuple[Any, int]] = [(doc, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            return ("E006", f"nesting deeper than {MAX_DEPTH} levels")
        if isinstance(node, dict):
            stack.extend((v, depth + 1) for v in node.values() if isinstance(v, (dict, list)))
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node if isinstance(v, (dict, list)))
    return None


def _measure(doc: Any) -> tuple[str, str] | None:
    """Expanded size with aliases counted as copies, memoized per shared node."""
    sizes: dict[int, int] = {}
    # iterative post-order walk; `depth` guards nesting, `sizes` makes shared nodes cheap
    stack: list[tuple[Any, int, bool]] = [(doc, 0, False)]
    while stack:
        node, depth, done = stack.pop()
        if depth > MAX_DEPTH:
            return ("E006", f"nesting deeper than {MAX_DEPTH} levels")
        children = list(node.values()) if isinstance(node, dict) else node
        if not done:
            if id(node) in sizes:
                continue
            stack.append((node, depth, True))
            stack.extend((c, depth + 1, False) for c in children if isinstance(c, (dict, list)) and id(c) not in sizes)
            continue
        total = 1 + sum(sizes.get(id(c), 1) for c in children)
        if total > MAX_EXPANDED_NODES:
            return ("E007", f"aliases expand to more than {MAX_EXPANDED_NODES:,} nodes")
        sizes[id(node)] = total
    return None
