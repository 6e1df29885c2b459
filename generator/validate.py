"""Stage 3, validate: openapi-spec-validator on the selected section, plus convgen's own rules.

The standard validator's findings are warnings (real specs break it and still deserve a
client); convgen's own structural rules are errors where generation cannot be right.
Validator results are cached by the section's content hash: it is the slowest stage.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path
from typing import Any, Iterator

from .diagnostics import Diagnostic, pointer
from .select import Section

_PARAM = re.compile(r"{([^}/]+)}")


def validate(section: Section, *, use_cache: bool = True) -> list[Diagnostic]:
    diags = list(_standard(section.standalone(), use_cache))
    diags.extend(_path_parameters(section))
    diags.extend(_operation_ids(section))
    diags.extend(_enum_duplicates(section))
    return diags


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "convgen" / "validate"


def _standard(doc: dict[str, Any], use_cache: bool) -> list[Diagnostic]:
    blob = json.dumps(doc, sort_keys=True, default=str).encode()
    key = hashlib.sha256(blob).hexdigest()
    cached = _cache_dir() / f"{key}.json"
    if use_cache:
        try:
            return [Diagnostic(**d) for d in json.loads(cached.read_text())]
        except (OSError, ValueError, TypeError):
            pass
    from openapi_spec_validator import OpenAPIV30SpecValidator, OpenAPIV31SpecValidator

    version = str(doc.get("openapi", ""))
    validator_cls = OpenAPIV30SpecValidator if version.startswith("3.0") else OpenAPIV31SpecValidator
    found: list[Diagnostic] = []
    try:
        for error in validator_cls(doc).iter_errors():
            path = [str(p) for p in getattr(error, "absolute_path", [])]
            where = _find_suffix(doc, path, getattr(error, "instance", None))
            message = str(getattr(error, "message", error)).splitlines()[0][:300]
            found.append(Diagnostic("W201", f"OpenAPI schema violation: {message}", where))
    except RecursionError:
        found.append(Diagnostic("W201", "OpenAPI validation gave up: the document nests too deeply", ""))
    except Exception as exc:  # the validator's own failures must not stop generation
        found.append(Diagnostic("W201", f"OpenAPI validation could not finish: {type(exc).__name__}: {exc}"[:300], ""))
    if use_cache:
        try:
            cached.parent.mkdir(parents=True, exist_ok=True)
            tmp = cached.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(json.dumps([{"code": d.code, "message": d.message, "pointer": d.pointer} for d in found]))
            os.replace(tmp, cached)
        except OSError:
            pass
    return found


def _find_suffix(doc: Any, path: list[str], instance: Any) -> str:
    """The validator reports paths relative to the schema it checked: find where they occur."""
    if not path:
        return ""
    hits = sorted(p for p in _walk_pointers(doc, path, instance))
    return hits[0] if hits else pointer(*path)


def _walk_pointers(doc: Any, path: list[str], instance: Any) -> Iterator[str]:
    stack: list[tuple[Any, tuple[str, ...]]] = [(doc, ())]
    while stack:
        node, at = stack.pop()
        if _match(node, path, instance):
            yield pointer(*at, *path)
        if isinstance(node, dict):
            stack.extend((v, at + (str(k),)) for k, v in node.items() if isinstance(v, (dict, list)))
        elif isinstance(node, list):
            stack.extend((v, at + (str(i),)) for i, v in enumerate(node) if isinstance(v, (dict, list)))


def _match(node: Any, path: list[str], instance: Any) -> bool:
    for token in path:
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            return False
    return instance is None or node == instance


def _path_parameters(section: Section) -> Iterator[Diagnostic]:
    for op in section.operations:
        in_template = _PARAM.findall(op.path)
        declared: dict[str, str] = {}
        for where, params in (("path_item", op.path_item.get("parameters")), ("op", op.operation.get("parameters"))):
            for i, param in enumerate(params or []):
                param = _deref(section.doc, param)
                if isinstance(param, dict) and param.get("in") == "path" and isinstance(param.get("name"), str):
                    at = pointer("paths", op.path, *(() if where == "path_item" else (op.method,)), "parameters", i)
                    declared[param["name"]] = at
        for name in in_template:
            if name not in declared:
                yield Diagnostic("E202", f"path parameter {{{name}}} of {op.method.upper()} {op.path} is not declared", op.pointer)
        for name, at in declared.items():
            if name not in in_template:
                yield Diagnostic("E203", f"path parameter {name!r} is not in the path {op.path}", at)


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


def _enum_duplicates(section: Section) -> Iterator[Diagnostic]:
    for ref in section.refs:
        stack: list[tuple[Any, str]] = [(_deref(section.doc, {"$ref": ref}), ref.lstrip("#"))]
        while stack:
            node, at = stack.pop()
            if isinstance(node, dict):
                enum = node.get("enum")
                if isinstance(enum, list):
                    seen: list[Any] = []
                    for value in enum:
                        if any(value == s and type(value) is type(s) for s in seen):
                            yield Diagnostic("W206", f"enum value {value!r} is listed twice", at + "/enum")
                        seen.append(value)
                stack.extend((v, f"{at}/{k}") for k, v in node.items() if isinstance(v, (dict, list)) and k not in ("enum", "example", "examples", "default", "const"))
            elif isinstance(node, list):
                stack.extend((v, f"{at}/{i}") for i, v in enumerate(node) if isinstance(v, (dict, list)))


def _deref(doc: dict[str, Any], node: Any) -> Any:
    from .select import resolve_pointer

    seen = 0
    while isinstance(node, dict) and isinstance(node.get("$ref"), str) and node["$ref"].startswith("#/") and seen < 50:
        try:
            node = resolve_pointer(doc, node["$ref"])
        except KeyError:
            return None
        seen += 1
    return node
