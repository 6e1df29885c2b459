"""Stage 2, select: the operations the user asked for and the `$ref` closure they use.

Only local refs (`#/...`) are followed; nothing is ever fetched or read from disk.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .diagnostics import Diagnostic, escape_token, pointer
from .walkmemo import WalkMemo

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
    # the parse cache's digests of the document's unchanged blocks (load.Spec.subtrees)
    subtrees: dict[int, tuple[Any, bytes]] = field(default_factory=dict, compare=False, repr=False)

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
        schemes = (
            self.doc.get("components", {}).get("securitySchemes")
            if isinstance(self.doc.get("components"), dict)
            else None
        )
        if schemes:
            components.setdefault("securitySchemes", schemes)
        out["components"] = {k: dict(sorted(v.items())) for k, v in sorted(components.items())}
        return out


_MISSING = object()


def resolve_pointer(doc: Any, ref: str) -> Any:
    node = doc
    escaped = "~" in ref  # most pointers have no escapes: their tokens are used as they are
    for raw in ref.lstrip("#").lstrip("/").split("/"):
        token = raw.replace("~1", "/").replace("~0", "~") if escaped else raw
        if isinstance(node, dict):
            node = node.get(token, _MISSING)
            if node is _MISSING:
                raise KeyError(ref)
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            raise KeyError(ref)
    return node


def select(
    doc: dict[str, Any],
    selection: Selection,
    *,
    use_cache: bool = False,
    subtrees: dict[int, tuple[Any, bytes]] | None = None,
) -> tuple[Section | None, list[Diagnostic]]:
    """The selected operations and their `$ref` closure. With `use_cache`, the walks of the
    subtrees whose content is unchanged since an earlier run are read back (walkmemo), which
    knows the unchanged blocks of the spec's text by `subtrees` (load.Spec.subtrees)."""
    diags: list[Diagnostic] = []
    paths = doc.get("paths")
    hooks = _webhooks(doc, selection)
    if "paths" not in doc and hooks:  # 3.1: a document of webhooks only gives their types
        paths = {}
    elif "paths" not in doc:
        return None, [Diagnostic("E101", "the spec has no `paths`", "")]
    if not isinstance(paths, dict):
        return None, [
            Diagnostic("E101", f"`paths` is a {_kind(paths)}, not a mapping of paths to operations", "/paths")
        ]
    if not paths and not hooks:
        return None, [Diagnostic("E101", "`paths` is empty", "/paths")]
    ops: list[SelectedOperation] = []
    for path, item in paths.items():
        if not isinstance(item, dict):
            diags.append(
                Diagnostic(
                    "W201",
                    f"path item {str(path)!r} is a {_kind(item)}, not a mapping: ignored",
                    pointer("paths", path),
                )
            )
            continue
        for method in HTTP_METHODS:
            op = item.get(method)
            if op is not None and not isinstance(op, dict):
                diags.append(
                    Diagnostic(
                        "W201",
                        f"operation {method.upper()} {path} is a {_kind(op)}, not a mapping: ignored",
                        pointer("paths", path, method),
                    )
                )
            if isinstance(op, dict) and _wanted(path, op, selection):
                ops.append(SelectedOperation(str(path), method, op, item))
    if not ops and not hooks:
        return None, diags + [_nothing_matches(doc, paths, selection)]
    refs: set[str] = set()
    memo = WalkMemo("select", ("select.py", "schemadepth.py", "diagnostics.py"), use_cache, subtrees)
    for name, method, op in hooks:
        at = pointer("webhooks", name, method)
        diags.append(
            Diagnostic(
                "W210",
                f"webhook {name!r} ({method.upper()}) is a request the API sends, not a client method:"
                " only its types are generated",
                at,
            )
        )
        _collect(doc, op, at, refs, diags, memo)
    for op in ops:
        _collect(doc, op.path_item.get("parameters", []), pointer("paths", op.path, "parameters"), refs, diags, memo)
        _collect(doc, op.operation, op.pointer, refs, diags, memo, (op.path_item, op.method))
    _check_ref_loops(doc, refs, diags)
    if not any(d.code.startswith("E") for d in diags):
        from .schemadepth import depth_problems  # (it reads this module's walk helpers)

        diags += depth_problems(doc, ops, refs, memo)
    memo.save()
    section = Section(doc=doc, operations=tuple(ops), refs=tuple(sorted(refs)), subtrees=subtrees or {})
    return section, diags


def _nothing_matches(doc: dict[str, Any], paths: dict[Any, Any], selection: Selection) -> Diagnostic:
    """E102 with what the user probably meant. (Paths in other files never get here: load
    bundles them, and reports E112 for one it cannot read.)"""
    known = _spec_tags(doc, paths)
    message = f"no operation matches {selection.describe()}"
    guesses = [g for t in selection.tags if t not in known for g in _close_tags(t, known)]
    if guesses:
        message += f": did you mean {' or '.join(f'`{g}`' for g in dict.fromkeys(guesses))}?"
    if selection.tags:
        shown = ", ".join(known[:_TAGS_SHOWN]) + (
            f" and {len(known) - _TAGS_SHOWN} more" if len(known) > _TAGS_SHOWN else ""
        )
        message += f" (the spec's tags: {shown})" if known else " (no operation of the spec has a tag)"
    return Diagnostic("E102", message, "/paths")


_TAGS_SHOWN = 12


def _spec_tags(doc: dict[str, Any], paths: dict[Any, Any]) -> list[str]:
    """The top-level `tags` list, then the operations' other tags as met. (With a selection a
    large spec may be parsed only in part, so the operations alone may not show every tag.)"""
    used: dict[str, None] = {}
    for item in paths.values():
        for method in HTTP_METHODS:
            op = item.get(method) if isinstance(item, dict) else None
            tags = op.get("tags") if isinstance(op, dict) else None
            for tag in tags if isinstance(tags, list) else []:
                if isinstance(tag, str):
                    used[tag] = None
    top: list[Any] = doc["tags"] if isinstance(doc.get("tags"), list) else []
    names = (t.get("name") for t in top if isinstance(t, dict))
    declared: list[str] = list(dict.fromkeys(n for n in names if isinstance(n, str)))
    return declared + [t for t in used if t not in declared]


def _close_tags(wanted: str, known: list[str]) -> list[str]:
    import difflib  # (imported here: only a misspelt tag needs it)

    same_case = [t for t in known if t.casefold() == wanted.casefold()]
    return same_case or difflib.get_close_matches(wanted, known, n=2, cutoff=0.75)


def _webhooks(doc: dict[str, Any], selection: Selection) -> list[tuple[str, str, dict[str, Any]]]:
    hooks = doc.get("webhooks")
    if not isinstance(hooks, dict):
        return []
    return [
        (str(name), method, item[method])
        for name, item in hooks.items()
        if isinstance(item, dict)
        for method in HTTP_METHODS
        if isinstance(item.get(method), dict) and _wanted(str(name), item[method], selection)
    ]


def _wanted(path: str, op: dict[str, Any], selection: Selection) -> bool:
    if not selection.tags and not selection.path_prefixes:
        return True
    tags = op.get("tags") or []
    return any(t in tags for t in selection.tags) or any(path.startswith(p) for p in selection.path_prefixes)


# Where a node is, built only when a diagnostic needs it: (parent, token), the root (None, pointer).
# The walks below visit every node of a 3 MB spec; a pointer string for each cost half their time.
Where = tuple[Any, Any]


def _pointer_of(where: Where) -> str:
    tokens = []
    while where[0] is not None:
        tokens.append(escape_token(where[1]))
        where = where[0]
    return str(where[1]) + "".join("/" + t for t in reversed(tokens))


def _last_tokens(where: Where) -> tuple[str | None, str | None]:
    """The pointer's last two tokens, escaped (None where the pointer has fewer)."""
    if where[0] is None:
        parts = str(where[1]).rsplit("/", 2)
        return (parts[-2] if len(parts) > 1 else None), parts[-1]
    parent = where[0]
    before = str(parent[1]).rsplit("/", 1)[-1] if parent[0] is None else escape_token(parent[1])
    return before, escape_token(where[1])


def _collect(
    doc: dict[str, Any],
    root: Any,
    at: str,
    refs: set[str],
    diags: list[Diagnostic],
    memo: WalkMemo | None = None,
    within: tuple[Any, str] | None = None,
) -> None:
    """Add every component ref reachable from `root` (`within`: the value of this key of that
    container) to `refs` (iteratively: specs can be deep)."""
    todo = [(root, at, within)]
    while todo:
        node, node_at, holder = todo.pop()
        for target in _targets(doc, node, node_at, diags, memo, holder):
            if target not in refs:
                refs.add(target)
                todo.append((resolve_pointer(doc, target), target.lstrip("#"), None))


def _targets(
    doc: dict[str, Any],
    node: Any,
    at: str,
    diags: list[Diagnostic],
    memo: WalkMemo | None,
    within: tuple[Any, str] | None = None,
) -> list[str]:
    """The components the `$ref`s in `node` (at `at`, not following them) name; a ref that names
    none is reported. The refs of an unchanged subtree come from the memo: when one of them
    names no component, the subtree is walked again to say where it is."""
    digest = memo.digest(at, node, within) if memo is not None else None
    known = memo.get(b"r", digest) if memo is not None else None
    if isinstance(known, tuple) and all(isinstance(ref, str) for ref in known):
        found = [_target_of(doc, ref) for ref in known]
        if all(problem is None for _, problem in found):
            return [target for target, _ in found if target is not None]
    local = _local_refs(node, at)
    if memo is not None:
        memo.put(b"r", digest, tuple(dict.fromkeys(ref for ref, _ in local)))
    targets = [_follow(doc, ref, where, diags) for ref, where in local]
    return [t for t in targets if t is not None]


def _local_refs(root: Any, at: str) -> list[tuple[str, Where]]:
    """Each `$ref` in `root` and the object holding it, in walk order."""
    # (node, where, is_map): in a map of names (`properties`, `responses`, ...) every key is
    # a name, so `default`, `enum` or `example` there is a response or a property, not data
    found: list[tuple[str, Where]] = []
    stack: list[tuple[Any, Where, bool]] = [(root, (None, at), False)]
    while stack:
        node, where, is_map = stack.pop()
        if isinstance(node, dict):
            ref = node.get("$ref") if not is_map else None
            if isinstance(ref, str):
                found.append((ref, where))
            for key, value in node.items():
                if not isinstance(value, (dict, list)):
                    continue
                if is_map:
                    if not (str(key).startswith("x-") and _last_tokens(where)[1] in _EXTENSIBLE_MAPS):
                        stack.append((value, (where, key), False))
                    continue
                if key in ("example", "$ref", "const", "default", "enum") or str(key).startswith("x-"):
                    continue
                if key == "examples" and isinstance(value, list):
                    continue  # JSON Schema `examples`: data
                if key == "value" and _last_tokens(where)[0] == "examples":
                    continue  # an Example Object's value is data, even when it holds a "$ref" key
                stack.append((value, (where, key), key in NAME_MAPS and isinstance(value, dict)))
        elif isinstance(node, list):
            stack.extend((v, (where, i), False) for i, v in enumerate(node) if isinstance(v, (dict, list)))
    return found


# Keywords whose value maps names to objects (schemas, responses, media types, ...).
NAME_MAPS = frozenset(
    {
        "properties",
        "patternProperties",
        "$defs",
        "definitions",
        "dependentSchemas",
        "responses",
        "callbacks",
        "content",
        "headers",
        "links",
        "encoding",
        "examples",
        "schemas",
        "parameters",
        "requestBodies",
        "securitySchemes",
        "pathItems",
        "webhooks",
    }
)
# Maps whose `x-` keys are extensions (data), not names.
_EXTENSIBLE_MAPS = frozenset({"responses", "callbacks"})


def _follow(doc: dict[str, Any], ref: str, holder: Where, diags: list[Diagnostic]) -> str | None:
    """The component a `$ref` (in the object at `holder`) names; None after reporting why not."""
    target, problem = _target_of(doc, ref)
    if problem is not None:
        diags.append(Diagnostic(problem[0], problem[1], _pointer_of(holder) + "/$ref"))
    return target


def _target_of(doc: dict[str, Any], ref: str) -> tuple[str | None, tuple[str, str] | None]:
    """The component a `$ref` names, or the code and message of why it names none."""
    if not ref.startswith("#/"):
        return None, ("E104", f"external $ref {ref!r} is not followed")
    try:
        resolve_pointer(doc, ref)
    except KeyError:
        return None, ("E103", f"$ref {ref!r} points at nothing")
    parts = ref.split("/")
    if len(parts) < 4 or parts[1] != "components":
        return None, ("E106", f"$ref {ref!r} points outside #/components, at no object of the kind its place needs")
    return "/".join(parts[:4]), None


def _kind(value: Any) -> str:
    names = {dict: "mapping", list: "sequence", str: "string", int: "number", float: "number", bool: "boolean"}
    return "null" if value is None else names.get(type(value), type(value).__name__)


# Keywords that only annotate: a schema with a `$ref` and only these is the referenced type.
_ANNOTATIONS = frozenset(
    {
        "$ref",
        "description",
        "title",
        "nullable",
        "deprecated",
        "readOnly",
        "writeOnly",
        "example",
        "examples",
        "default",
        "$comment",
        "externalDocs",
    }
)


def _alias_of(node: Any) -> str | None:
    """The ref a schema merely renames: `{$ref}`, or a one-member `allOf`/`oneOf`/`anyOf` of one."""
    if not isinstance(node, dict):
        return None
    keys = {k for k in node if not str(k).startswith("x-")}
    ref = node.get("$ref")
    if isinstance(ref, str):
        return ref if keys <= _ANNOTATIONS else None
    for key in ("allOf", "oneOf", "anyOf"):
        members = node.get(key)
        if isinstance(members, list) and keys - {key, "type"} <= _ANNOTATIONS:
            real = [
                m for m in members if not (isinstance(m, dict) and (m.get("type") == "null" or m.get("enum") == [None]))
            ]
            if len(real) == 1 and node.get("type") in (None, "null", ["null"]):
                return _alias_of(real[0]) if isinstance(real[0], dict) and "$ref" in real[0] else None
    return None


def _check_ref_loops(doc: dict[str, Any], refs: set[str], diags: list[Diagnostic]) -> None:
    """A -> B -> A where each only renames the next: no schema is ever defined."""
    reported: set[str] = set()
    for start in sorted(refs):
        chain = [start]
        nxt = _alias_of(resolve_pointer(doc, start))
        while nxt is not None and nxt.startswith("#/"):
            if nxt in chain:
                if not reported & set(chain):
                    loop = " -> ".join(c.rsplit("/", 1)[-1] for c in chain + [nxt])
                    diags.append(Diagnostic("E105", f"$ref loop defines no type: {loop}", start.lstrip("#")))
                reported.update(chain)
                break
            chain.append(nxt)
            try:
                nxt = _alias_of(resolve_pointer(doc, nxt))
            except KeyError:
                break
