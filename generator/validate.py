"""Stage 3, validate: openapi-spec-validator on the selected section, plus convgen's own rules.

The standard validator's findings are warnings (real specs break it and still deserve a
client); convgen's own structural rules are errors where generation cannot be right.
The standard validator runs in standardcheck.py (what it sees: standardsafe.py; its meta-schema
checks: standardmeta.py), its results cached by the section's content hash: it is the slowest stage.
"""

from __future__ import annotations

import json
import marshal
import re
from collections.abc import Callable, Iterator
from typing import Any

from . import standardcheck
from .background import Child, ChildFailed
from .diagnostics import Diagnostic, escape_token, pointer
from .select import Section, resolve_pointer
from .specread import MAX_REF_CHAIN, deref
from .walkmemo import WalkMemo

_PARAM = re.compile(r"{([^}/]+)}")


Pending = Callable[[], list[Diagnostic]]


def validate(
    section: Section, *, use_cache: bool = True, standard: bool = True, background: Child | None = None
) -> tuple[list[Diagnostic], Pending]:
    """Findings of convgen's own rules and of the standard validator (unless `standard` is
    false: the selection is broken, e.g. refs point at nothing).

    The standard validator takes about a second and a half on a cold cache. Given a
    `background` child (see `start_background`), it runs there while the caller builds,
    renders and formats; the returned callable waits for its findings (call it exactly once,
    before acting on the output). Otherwise that callable returns [].
    """
    diags: list[Diagnostic] = []
    pending: Pending = list
    doc = section.standalone() if standard else None
    blob = standardcheck.marshalled(doc) if doc is not None else None  # hashed, and sent to the child
    file = standardcheck.cache_file(doc, blob) if doc is not None and use_cache else None
    hit = standardcheck.cached(doc, file) if doc is not None and use_cache else None
    if hit is not None:
        diags.extend(hit)
    elif doc is not None and background is not None:
        # marshal writes the section in a third of pickle's time: a plain bytes payload then
        job: tuple[Callable[[Any], list[dict[str, str]]], Any] = (
            (_marshalled_job, marshal.dumps((blob, use_cache, file)))
            if blob is not None
            else (_standard_job, (doc, use_cache, file))
        )
        pending = _collector(background.submit(*job), doc, use_cache)
        background = None
    elif doc is not None:
        diags.extend(standardcheck.standard(doc, use_cache, file))
    if background is not None:
        background.cancel()  # its job is done already (cached) or not wanted
    diags.extend(_path_parameters(section))
    diags.extend(_duplicate_parameters(section))
    diags.extend(_operation_ids(section))
    diags.extend(_enum_duplicates(section, use_cache))
    return diags, pending


def start_background() -> Child | None:
    """A child process that imports the standard validator now, to run it later (or None)."""
    return Child.start(("openapi_spec_validator", "jsonschema"))


def _standard_job(job: tuple[dict[str, Any], bool, str | None]) -> list[dict[str, str]]:
    return [standardcheck.as_dict(d) for d in standardcheck.standard(*job)]


def _marshalled_job(payload: bytes) -> list[dict[str, str]]:
    blob, use_cache, file = marshal.loads(payload)
    return _standard_job((marshal.loads(blob), use_cache, file))


def _collector(result: Callable[[], Any], doc: dict[str, Any], use_cache: bool) -> Pending:
    def collect() -> list[Diagnostic]:
        try:
            return [Diagnostic(**d) for d in result()]
        except (ChildFailed, TypeError):  # the child died (killed, out of memory): do it here
            return standardcheck.standard(doc, use_cache)

    return collect


def _path_parameters(section: Section) -> Iterator[Diagnostic]:
    for op in section.operations:
        in_template = _PARAM.findall(op.path)
        declared: dict[str, str] = {}
        for where, params in (("path_item", op.path_item.get("parameters")), ("op", op.operation.get("parameters"))):
            for i, param in enumerate(params or []):
                param = deref(section.doc, param)
                if isinstance(param, dict) and param.get("in") == "path" and isinstance(param.get("name"), str):
                    at = pointer("paths", op.path, *(() if where == "path_item" else (op.method,)), "parameters", i)
                    declared[param["name"]] = at
        for name in in_template:
            if name not in declared:
                yield Diagnostic(
                    "E202", f"path parameter {{{name}}} of {op.method.upper()} {op.path} is not declared", op.pointer
                )
        for name, at in declared.items():
            if name not in in_template:
                yield Diagnostic("E203", f"path parameter {name!r} is not in the path {op.path}", at)


def _duplicate_parameters(section: Section) -> Iterator[Diagnostic]:
    for op in section.operations:
        for where, params in (
            (pointer("paths", op.path, "parameters"), op.path_item.get("parameters")),
            (op.pointer + "/parameters", op.operation.get("parameters")),
        ):
            if not isinstance(params, list):
                continue
            seen: set[tuple[str, str]] = set()
            for i, param in enumerate(params):
                param = deref(section.doc, param)
                if not (isinstance(param, dict) and isinstance(param.get("name"), str)):
                    continue
                key = (param["name"], str(param.get("in")))
                if key in seen:
                    yield Diagnostic(
                        "W207", f"{key[1]} parameter {key[0]!r} is declared twice: the last one is used", f"{where}/{i}"
                    )
                seen.add(key)


def _operation_ids(section: Section) -> Iterator[Diagnostic]:
    seen: dict[str, str] = {}
    for op in section.operations:
        op_id = op.operation.get("operationId")
        if not isinstance(op_id, str):
            continue
        if op_id in seen:
            yield Diagnostic("E204", f"operationId {op_id!r} is used by {seen[op_id]} too", op.pointer + "/operationId")
        else:
            seen[op_id] = f"{op.method.upper()} {op.path}"


def _enum_duplicates(section: Section, use_cache: bool = False) -> Iterator[Diagnostic]:
    roots: list[tuple[Any, str, tuple[Any, str] | None]] = [
        (deref(section.doc, {"$ref": ref}), ref.lstrip("#"), None) for ref in section.refs
    ]
    for op in section.operations:
        roots.append((op.operation, op.pointer, (op.path_item, op.method)))
        if isinstance(op.path_item.get("parameters"), list):
            roots.append(
                (op.path_item["parameters"], pointer("paths", op.path, "parameters"), (op.path_item, "parameters"))
            )
    # The findings of an unchanged subtree are remembered (walkmemo) only where the parse cache
    # read the spec block by block (such a document holds no YAML anchors: no object sits in two
    # places) and each component's `$ref` chain ends at a whole component: then two roots are
    # one object or apart, and a root's findings do not depend on what was walked before it.
    disjoint = use_cache and bool(section.subtrees) and all(_whole(section.doc, ref) for ref in section.refs)
    memo = WalkMemo("enums", ("validate.py", "diagnostics.py"), True, section.subtrees) if disjoint else None
    done: set[int] = set()
    for root, at, within in roots:
        if memo is None or id(root) in done:
            found: Any = list(_enum_walk(root, at, done))
        else:
            done.add(id(root))
            digest = memo.digest(at, root, within)
            found = memo.get(b"e", digest)
            if not (isinstance(found, tuple) and all(isinstance(f, tuple) and len(f) == 2 for f in found)):
                found = tuple((where[len(at) :], message) for where, message in _enum_walk(root, at, set()))
                memo.put(b"e", digest, found)
            found = [(at + str(suffix), str(message)) for suffix, message in found]
        for where, message in found:
            yield Diagnostic("W206", message, where)
    if memo is not None:
        memo.save()


def _whole(doc: dict[str, Any], ref: str) -> bool:
    """Whether the chain of local `$ref`s from the component `ref` (which `deref` follows) names
    whole components only, not a part of one."""
    try:
        node = resolve_pointer(doc, ref)
        for _ in range(MAX_REF_CHAIN):
            target = node.get("$ref") if isinstance(node, dict) else None
            if not (isinstance(target, str) and target.startswith("#/")):
                return True
            parts = target.split("/")
            if len(parts) != 4 or parts[1] != "components":
                return False
            node = resolve_pointer(doc, target)
    except KeyError:
        return True  # deref gives None: no object at all
    return True  # a loop: deref gives None


def _enum_walk(root: Any, at: str, done: set[int]) -> Iterator[tuple[str, str]]:
    """The pointer and message of each repeated enum value in `root` (at `at`), but in the
    objects in `done` (to which the objects walked are added)."""
    # where a node is: its parent's place and its key (the pointer is spelt out only for a finding)
    stack: list[tuple[Any, _Place]] = [(root, at)]
    while stack:
        node, where = stack.pop()
        if id(node) in done:
            continue
        done.add(id(node))
        if isinstance(node, dict):
            enum = node.get("enum")
            if isinstance(enum, list):
                for i in _repeated(enum):
                    yield f"{_spelt(where)}/enum/{i}", f"enum value {_short(enum[i])} is listed twice"
            stack.extend(
                (v, (where, k))
                for k, v in node.items()
                if isinstance(v, (dict, list)) and k not in _NOT_SCHEMAS and not str(k).startswith("x-")
            )
        elif isinstance(node, list):
            stack.extend((v, (where, i)) for i, v in enumerate(node) if isinstance(v, (dict, list)))


_Place = str | tuple[Any, Any]  # a pointer, or (the parent's place, a key or index)
_NOT_SCHEMAS = frozenset({"enum", "example", "examples", "default", "const", "$ref"})


def _spelt(where: _Place) -> str:
    tokens: list[str] = []
    while isinstance(where, tuple):
        where, token = where
        tokens.append(escape_token(token))
    return where + "".join("/" + t for t in reversed(tokens))


def _repeated(values: list[Any]) -> Iterator[int]:
    """The index of each value equal to (and of the same type as) an earlier one."""
    hashed: set[tuple[type, Any]] = set()
    others: list[Any] = []
    for i, value in enumerate(values):
        if isinstance(value, float) and value != value:
            continue  # NaN equals nothing, itself included
        try:
            key = (type(value), value)
            if key in hashed:
                yield i
            hashed.add(key)
        except TypeError:  # a list or a mapping: compared with the others of its kind
            if any(value == s and type(value) is type(s) for s in others):
                yield i
            others.append(value)


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 60 else text[:57] + "..."
