"""Helpers for the bad-spec, hostile-content, atomic-write and fuzz tests (issue 5).

* `instance(schema, doc)`: a JSON document that fits a schema of an OpenAPI document,
  read the way convgen reads it (`$ref`, `allOf` merged, the first arm of a union, every
  property present), optionally varied by a `random.Random`.
* `models_of(spec_path)`: each model convgen generates for a spec, with the schema it came
  from, found through convgen's own IR.
* `check_package(out, package, samples)`: in a fresh interpreter, import every module of a
  generated package and round-trip each sample through its model (`from_dict` / `to_dict`).
* `tree(folder)`: a folder's files and their bytes, to compare a folder before and after.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

from convgen import ir
from convgen.build import build
from convgen.load import load
from convgen.select import Selection, resolve_pointer, select

ROOT = Path(__file__).resolve().parent.parent


class NoInstance(Exception):
    """The schema has no finite instance convgen can read back (e.g. a required cycle)."""


def instance(schema: Any, doc: dict[str, Any], rng: random.Random | None = None, depth: int = 0) -> Any:
    if depth > 12:
        raise NoInstance("too deep")
    if schema is True or schema == {} or schema is None:
        return "any"
    if not isinstance(schema, dict):
        raise NoInstance(f"schema {schema!r}")
    ref = schema.get("$ref")
    if isinstance(ref, str):
        return instance(resolve_pointer(doc, ref), doc, rng, depth + 1)
    if "const" in schema:
        return schema["const"]
    for key in ("oneOf", "anyOf"):
        arms = [a for a in schema.get(key) or [] if not (isinstance(a, dict) and a.get("type") == "null")]
        if arms and rng is not None and len(arms) < len(schema[key]) and rng.random() < 0.3:
            return None
        if arms:
            arm = rng.choice(arms) if rng is not None and not schema.get("discriminator") else arms[0]
            return instance(arm, doc, rng, depth + 1)
    if isinstance(schema.get("allOf"), list):
        merged: dict[str, Any] = {}
        for member in schema["allOf"]:
            value = instance(member, doc, rng, depth + 1)
            if isinstance(value, dict):
                merged.update(value)
        own = {k: v for k, v in schema.items() if k != "allOf"}
        if own.get("properties"):
            merged.update(instance({**own, "type": "object"}, doc, rng, depth + 1))
        return merged
    enum = schema.get("enum")
    if isinstance(enum, list) and [v for v in enum if v is not None]:
        values = [v for v in enum if v is not None]
        return rng.choice(values) if rng is not None else values[0]
    kind = schema.get("type")
    if isinstance(kind, list):
        if "null" in kind and rng is not None and rng.random() < 0.3:
            return None
        kinds = [k for k in kind if k != "null"]
        kind = kinds[0] if kinds else "null"
    if kind is None:
        kind = "object" if "properties" in schema or "additionalProperties" in schema else "string"
    if kind == "object":
        out: dict[str, Any] = {}
        props = schema.get("properties") if isinstance(schema.get("properties"), dict) else {}
        required = {r for r in schema.get("required") or [] if isinstance(r, str)}
        for name, prop in props.items():
            if name not in required and rng is not None and rng.random() < 0.25:
                continue  # an optional property left out
            try:
                out[name] = instance(prop, doc, rng, depth + 1)
            except NoInstance:
                if name in required:
                    raise
        extra = schema.get("additionalProperties")
        if not props and extra is not False:
            value_schema = extra if isinstance(extra, dict) else True
            out = {"k1": instance(value_schema, doc, rng, depth + 1), "k 2": instance(value_schema, doc, rng, depth + 1)}
        for name in required - set(out):
            out[name] = "described nowhere"
        return out
    if kind == "array":
        items = schema.get("items", True)
        count = rng.randint(0, 3) if rng is not None else 2
        return [instance(items, doc, rng, depth + 1) for _ in range(count)]
    if kind == "integer":
        return rng.randint(-5, 5) if rng is not None else 7
    if kind == "number":
        return rng.choice([0.5, -2.25, 1e3]) if rng is not None else 1.5
    if kind == "boolean":
        return True
    if kind == "null":
        return None
    return rng.choice(["", "x", "ünï\u0000\"'\\{{x}}", "\n"]) if rng is not None else "text"


def models_of(spec_path: Path, tags: tuple[str, ...] = ()) -> list[tuple[str, str, Any]]:
    """(class name, its module, the schema it was made from) for each model convgen generates."""
    spec, diags = load(spec_path, tags)
    assert spec is not None, diags
    section, diags = select(spec.doc, Selection(tags))
    assert section is not None, diags
    api, _ = build(section)
    out = []
    for d in api.definitions:
        if isinstance(d, ir.Model) and d.pointer.startswith("/"):
            out.append((d.name, d.module, resolve_pointer(spec.doc, "#" + d.pointer)))
    return out


def samples_for(spec_path: Path, rng: random.Random | None = None) -> list[tuple[str, str, Any]]:
    """(module, class, document) for every model of the spec that has a finite instance."""
    spec, _ = load(spec_path)
    assert spec is not None
    out = []
    for name, module, schema in models_of(spec_path):
        try:
            out.append((module, name, instance(schema, spec.doc, rng)))
        except NoInstance:
            continue
    return out


_CHECKER = r"""
import importlib, json, pkgutil, sys
report = {}
for out, package, samples in json.loads(sys.stdin.read()):
    sys.path.insert(0, out)
    pkg = importlib.import_module(package)
    for info in pkgutil.walk_packages(pkg.__path__, package + "."):
        importlib.import_module(info.name)
    import inspect
    key = {"api_key": "k"} if "api_key" in inspect.signature(pkg.Client).parameters else {}  # only where the spec has security
    client = pkg.Client(**key, base_url="http://127.0.0.1:9")
    client.close()
    failures = []
    for module, name, doc in samples:
        cls = getattr(importlib.import_module(package + ".types"), name)  # the public path (files hold many modules)
        back = cls.from_dict(doc).to_dict()
        if back != doc or json.dumps(back, sort_keys=True) != json.dumps(doc, sort_keys=True):
            failures.append((name, doc, back))
    report[package] = {"checked": len(samples), "failures": failures}
    sys.path.remove(out)
print(json.dumps(report, default=repr))
"""


def check_packages(packages: list[tuple[Path, str, list[tuple[str, str, Any]]]], timeout: float = 120) -> dict[str, Any]:
    """In one fresh interpreter, for each (output folder, package, samples): import every module
    of the package, make a client, and round-trip each sample through its model."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    payload = json.dumps([[str(out), package, samples] for out, package, samples in packages])
    result = subprocess.run([sys.executable, "-c", _CHECKER], input=payload, capture_output=True, text=True,
                            timeout=timeout, env=env, cwd=packages[0][0] if packages else None)
    assert result.returncode == 0, result.stderr
    report: dict[str, Any] = json.loads(result.stdout.splitlines()[-1])
    return report


def check_package(out: Path, package: str, samples: list[tuple[str, str, Any]], timeout: float = 60) -> dict[str, Any]:
    return check_packages([(out, package, samples)], timeout)[package]  # type: ignore[no-any-return]


def compile_all(out: Path) -> int:
    """Compile every generated .py file; returns how many there were."""
    count = 0
    for path in sorted(out.rglob("*.py")):
        compile(path.read_text(encoding="utf-8"), str(path), "exec", dont_inherit=True)
        count += 1
    return count


def tree(folder: Path) -> dict[str, bytes]:
    """Every file (and empty folder) under `folder`, with its bytes; {} when it does not exist."""
    if not folder.exists():
        return {}
    out: dict[str, bytes] = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if path.is_file():
            out[rel] = path.read_bytes()
        elif path.is_dir() and not any(path.iterdir()):
            out[rel + "/"] = b""
    return out
