"""Stage 2, select: the operations the user asked for and the `$ref` closure they use.

Only local refs (`#/...`) are followed; nothing is ever fetched or read from disk.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .diagnostics import Diagnostic, pointer

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


@dataclass(frozen=True)
class Selection:
    tags: tuple[str, ...] = ()
    path_prefixes: tuple[str, ...] = ()

    def describe(self) -> str:
        parts = [f"tag {t!r}" for t in self.tags] + [f"path prefix {p!r}" for p in self.path_prefixes]
        return " or ".join(parts) or "everything"


@dataclass(frozen=True)
class SelectedOperation:
    path: str
    method: str
    operation: dict[str, Any]
    path_item: dict[str, Any]

    @property
    def pointer(self) -> str:
        return pointer("paths", self.path, self.method)


@dataclass(frozen=True)
class Section:
    doc: dict[str, Any]
    operations: tuple[SelectedOperation, ...]
    refs: tuple[str, ...]  # every component pointer in the closure, sorted

    def standalone(self) -> dict[str, Any]:
        """A self-contained OpenAPI document of just this section."""
        paths: dict[str, dict[str, Any]] = {}
        for op in self.operations:
            item = paths.setdefault(op.path, {k: v for k, v in op.path_item.items() if k not in HTTP_METHODS})
            item[op.method] = op.operation
        components: dict[str, dict[str, Any]] = {}
        for ref in self.refs:
            _, _, kind, name = ref.split("/", 3)
            components.setdefault(kind, {})[name] = resolve_pointer(self.doc, ref)
        out: dict[str, Any] = {"openapi": self.doc.get("openapi"), "info": self.doc.get("info", {})}
        for key in ("servers", "security"):
            if key in self.doc:
                out[key] = self.doc[key]
        out["paths"] = paths
        schemes = self.doc.get("components", {}).get("securitySchemes") if isinstance(self.doc.get("components"), dict) else None
        if schemes:
            components.setdefault("securitySchemes", schemes)
        out["components"] = {k: dict(sorted(v.items())) for k, v in sorted(components.items())}
        return out


def resolve_pointer(doc: Any, ref: str) -> Any:
    node = doc
    for raw in ref.lstrip("#").lstrip("/").split("/"):
        token = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            raise KeyError(ref)
    return node


def select(doc: dict[str, Any], selection: Selection) -> tuple[Section | None, list[Diagnostic]]:
    diags: list[Diagnostic] = []
    paths = doc.get("paths")
    if not isinstance(paths, dict) or not paths:
        return None, [Diagnostic("E101", "the spec has no `paths`", "/paths" if "paths" in doc else "")]
    ops: list[SelectedOperation] = []
    for path, item in paths.items():
        if not isinstance(item, dict):
            continue
        for method in HTTP_METHODS:
            op = item.get(method)
            if isinstance(op, dict) and _wanted(path, op, selection):
                ops.append(SelectedOperation(str(path), method, op, item))
    if not ops:
        return None, [Diagnostic("E102", f"no operation matches {selection.describe()}", "/paths")]
    refs: set[str] = set()
    for op in ops:
        _collect(doc, op.path_item.get("parameters", []), pointer("paths", op.path, "parameters"), refs, diags)
        _collect(doc, op.operation, op.pointer, refs, diags)
    _check_ref_loops(doc, refs, diags)
    section = Section(doc=doc, operations=tuple(ops), refs=tuple(sorted(refs)))
    return section, diags


def _wanted(path: str, op: dict[str, Any], selection: Selection) -> bool:
    if not selection.tags and not selection.path_prefixes:
        return True
    tags = op.get("tags") or []
    return any(t in tags for t in selection.tags) or any(path.startswith(p) for p in selection.path_prefixes)


def _collect(doc: dict[str, Any], root: Any, at: str, refs: set[str], diags: list[Diagnostic]) -> None:
    """Add every component ref reachable from `root` to `refs` (iteratively: specs can be deep)."""
    stack: list[tuple[Any, str]] = [(root, at)]
    while stack:
        node, where = stack.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str):
                target = _follow(doc, ref, where + "/$ref", diags)
                if target is not None and target not in refs:
                    refs.add(target)
                    stack.append((resolve_pointer(doc, target), target.lstrip("#")))
            for key, value in node.items():
                if key in ("example", "$ref", "const", "default", "enum") or str(key).startswith("x-"):
                    continue
                if key == "examples" and isinstance(value, list):
                    continue
                if isinstance(value, (dict, list)):
                    stack.append((value, f"{where}/{_esc(key)}"))
        elif isinstance(node, list):
            stack.extend((v, f"{where}/{i}") for i, v in enumerate(node) if isinstance(v, (dict, list)))


def _esc(key: object) -> str:
    return str(key).replace("~", "~0").replace("/", "~1")


def _follow(doc: dict[str, Any], ref: str, where: str, diags: list[Diagnostic]) -> str | None:
    if not ref.startswith("#/"):
        diags.append(Diagnostic("E104", f"external $ref {ref!r} is not followed", where))
        return None
    try:
        resolve_pointer(doc, ref)
    except KeyError:
        diags.append(Diagnostic("E103", f"$ref {ref!r} points at nothing", where))
        return None
    parts = ref.split("/")
    if len(parts) < 4 or parts[1] != "components":
        # a ref into paths or elsewhere: keep the component it lives under when there is one
        diags.append(Diagnostic("E103", f"$ref {ref!r} must point at an entry under #/components", where))
        return None
    return "/".join(parts[:4])


def _check_ref_loops(doc: dict[str, Any], refs: set[str], diags: list[Diagnostic]) -> None:
    """A -> B -> A where each is only a `$ref`: no schema is ever defined."""
    reported: set[str] = set()
    for start in sorted(refs):
        chain = [start]
        node = resolve_pointer(doc, start)
        while isinstance(node, dict) and set(node) <= {"$ref", "description", "title"} and isinstance(node.get("$ref"), str):
            nxt = node["$ref"]
            if not nxt.startswith("#/"):
                break
            if nxt in chain:
                if not reported & set(chain):
                    loop = " -> ".join(c.rsplit("/", 1)[-1] for c in chain + [nxt])
                    diags.append(Diagnostic("E105", f"$ref loop defines no type: {loop}", start.lstrip("#")))
                reported.update(chain)
                break
            chain.append(nxt)
            try:
                node = resolve_pointer(doc, nxt)
            except KeyError:
                break
