"""Fuzzing convgen with random small specs (issue 5).

Hypothesis draws specs of a few components: objects (required and optional properties,
nullable ones), unions with and without a discriminator (object variants told apart by a
constant tag, and by-kind unions of strings, integers, booleans, arrays and maps), enums
(with duplicates and values that collide as Python names), arrays, maps, `$ref`s (to earlier
components, and recursion through an optional property), `allOf`, and odd names and strings
everywhere: Python keywords and builtins, names starting with a digit or made of `-`, `.`,
spaces, non-ASCII, names that collide once normalized, quotes, backslashes, NUL, Jinja syntax.
A document fitting the root schema is drawn with it.

For every spec, convgen either exits 0 with a package that imports and round-trips the
document (`Root.from_dict(doc).to_dict() == doc`), or exits 2 with located error diagnostics;
never a traceback or an internal error, never generated code that black or Python reject,
and every generated file exactly as black would write it.
Most examples run the CLI in-process (`convgen.cli.main`), every fifth one as a subprocess.

Budget: `CONVGEN_FUZZ_EXAMPLES` examples (default 25, a fixed reproducible sample for CI);
setting it explores at random, e.g.

    CONVGEN_FUZZ_EXAMPLES=1000 python -m pytest tests/test_fuzz.py
"""

from __future__ import annotations

import hashlib
import importlib
import json
import keyword
import os
import pkgutil
import random
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from convgen import cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from spec_support import check_package, instance

EXAMPLES = int(os.environ.get("CONVGEN_FUZZ_EXAMPLES", "25"))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, database=None,
                    derandomize="CONVGEN_FUZZ_EXAMPLES" not in os.environ,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.function_scoped_fixture])
LINE = re.compile(r"^[^\n]*:\d+:\d+: (error|warning|info) ([EWI]\d{3}): ", re.MULTILINE)
OUR_BUGS = {"E403", "E405"}  # a template error or generated code that is not Python: never the spec's fault

ODD_NAMES = [
    "class", "def", "import", "None", "True", "async", "await", "match", "case", "type", "_",
    "list", "dict", "str", "id", "print", "self", "cls", "data", "key", "extra", "to_dict", "from_dict",
    "Any", "Mapping", "UNSET", "Unset", "Model", "Client", "__init__", "__class__",
    "2fa", "1024x1024", "3d", "a-b", "a_b", "a.b", "a b", "A-B", "aB", "AB",
    "café", "名前", "naïve", "🚀", "", " ", "-", "x" * 80,
    '"""', "'''", "\\", "{{ x }}", "{% x %}", "a\nb", "nul\x00", "__import__('os').system('true')",
]
ODD_TEXT = ['"""', "'''", "\\", "\\x00", "\x00", "{{ 7*7 }}", "{% if %}", "\n", "\r\n", "\t", "\x1b[2J", "\u2028",
            "é", "名", "🚀", "\ud800", "end\\", 'end"', "#", "__import__('os')"]

names = st.one_of(st.sampled_from(ODD_NAMES), st.text(min_size=1, max_size=10))
texts = st.one_of(st.sampled_from(ODD_TEXT), st.text(max_size=12),
                  st.lists(st.sampled_from(ODD_TEXT), min_size=1, max_size=4).map("".join))


@st.composite
def schemas(draw: st.DrawFn, refs: list[str], depth: int = 0) -> dict[str, Any]:
    """One schema; `refs` are the components it may point at."""
    kinds = ["string", "integer", "number", "boolean", "enum", "const"]
    if depth < 3:
        kinds += ["array", "map", "object", "object", "tagged", "by_kind", "all_of"]
    if refs:
        kinds += ["ref", "ref"]
    kind = draw(st.sampled_from(kinds))
    schema: dict[str, Any]
    if kind in ("string", "integer", "number", "boolean"):
        schema = {"type": kind}
        nullable = draw(st.integers(0, 2))
        if nullable == 1:
            schema["type"] = [kind, "null"]
        elif nullable == 2:
            schema["nullable"] = True  # the 3.0 spelling
    elif kind == "enum":
        if draw(st.integers(0, 3)) == 0:
            schema = {"type": "integer", "enum": draw(st.lists(st.integers(-3, 3), min_size=1, max_size=4))}
        else:
            values = draw(st.lists(texts, min_size=1, max_size=5))
            schema = {"type": "string", "enum": values + ([values[0]] if draw(st.booleans()) else [])}
    elif kind == "const":
        schema = {"const": draw(texts)}
    elif kind == "array":
        schema = {"type": "array", "items": draw(schemas(refs, depth + 1))}
    elif kind == "map":
        schema = {"type": "object", "additionalProperties": draw(schemas(refs, depth + 1))}
    elif kind == "object":
        schema = draw(objects(refs, depth + 1))
    elif kind == "tagged":
        tag = draw(names)
        values = draw(st.lists(texts, min_size=2, max_size=3, unique=True))
        variants = []
        for value in values:
            variant = draw(objects(refs, depth + 1))
            variant["properties"] = {tag: {"type": "string", "const": value}, **{k: v for k, v in variant["properties"].items() if k != tag}}
            variant["required"] = [tag] + [r for r in variant.get("required", []) if r != tag]
            variants.append(variant)
        schema = {"oneOf": variants}
        if draw(st.booleans()):
            schema["discriminator"] = {"propertyName": tag}
    elif kind == "by_kind":
        arms = draw(st.lists(st.sampled_from(["string", "integer", "boolean", "array", "map"]), min_size=2, max_size=4, unique=True))
        schema = {"oneOf": [{"type": "array", "items": {"type": "string"}} if a == "array" else
                            {"type": "object", "additionalProperties": {"type": "integer"}} if a == "map" else {"type": a} for a in arms]}
        if draw(st.booleans()):
            schema["oneOf"].append({"type": "null"})
    elif kind == "all_of":
        first = {"$ref": draw(st.sampled_from(refs))} if refs and draw(st.booleans()) else draw(objects(refs, depth + 1))
        schema = {"allOf": [first, draw(objects(refs, depth + 1))]}
    else:
        schema = {"$ref": draw(st.sampled_from(refs))}
    if draw(st.integers(0, 3)) == 0 and "$ref" not in schema:
        schema["description"] = draw(texts)
    return schema


@st.composite
def objects(draw: st.DrawFn, refs: list[str], depth: int) -> dict[str, Any]:
    props = draw(st.dictionaries(names, schemas(refs, depth), min_size=1, max_size=4))
    required = [n for n in props if draw(st.booleans())]
    schema: dict[str, Any] = {"type": "object", "properties": props}
    if required:
        schema["required"] = required
    if draw(st.integers(0, 4)) == 0:
        schema["additionalProperties"] = False
    if draw(st.integers(0, 3)) == 0:
        schema["title"] = draw(texts)
    return schema


@st.composite
def specs(draw: st.DrawFn) -> tuple[dict[str, Any], str]:
    """(spec, name of the root component)."""
    component_names = draw(st.lists(names, min_size=1, max_size=4, unique_by=lambda n: n.replace("/", "_")))
    components: dict[str, Any] = {}
    for name in component_names:
        refs = [f"#/components/schemas/{n.replace('~', '~0').replace('/', '~1')}" for n in components]
        components[name] = draw(schemas(refs))
    if draw(st.booleans()):
        _add_union_of_components(draw, components)
    root_name = draw(st.sampled_from(["Root", "root", "class", "Root-Name", "名前"]).filter(lambda n: n not in components))
    refs = [f"#/components/schemas/{n.replace('~', '~0').replace('/', '~1')}" for n in components]
    root = draw(objects(refs, 1))
    if draw(st.booleans()):  # recursion: the root refers to itself through an optional property
        root["properties"][draw(names)] = {"type": "array", "items": {"$ref": f"#/components/schemas/{root_name}"}}
        root["required"] = [r for r in root.get("required", []) if root["properties"].get(r, {}).get("type") != "array"]
    components[root_name] = root
    path_param = draw(names.filter(lambda n: n and not set(n) & set("{}/")))
    query = draw(st.dictionaries(names, st.sampled_from([{"type": "string"}, {"type": "integer"}, {"type": "array", "items": {"type": "string"}},
                                                         {"type": "string", "enum": ["a-b", "a_b", "class"]}]), max_size=3))
    parameters = [{"name": path_param, "in": "path", "required": True, "schema": {"type": "string"}, "description": draw(texts)}]
    parameters += [{"name": n, "in": "query", "schema": q} for n, q in query.items()]
    spec = {
        "openapi": draw(st.sampled_from(["3.1.0", "3.0.3"])),
        "info": {"title": draw(texts), "version": "1", "description": draw(texts)},
        "paths": {"/things/{" + path_param + "}": {"post": {
            "operationId": "makeThing",
            "summary": draw(texts),
            "parameters": parameters,
            "requestBody": {"content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{root_name}"}}}},
            "responses": {"200": {"description": draw(texts),
                                  "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{root_name}"}}}}},
        }}},
        "components": {"schemas": components},
    }
    return spec, root_name


def _ref(name: str) -> str:
    return f"#/components/schemas/{name.replace('~', '~0').replace('/', '~1')}"


def _add_union_of_components(draw: st.DrawFn, components: dict[str, Any]) -> None:
    """Variants that are components, told apart by a constant tag (the common real-world shape):
    with or without discriminator and mapping, and a second union that nests the first."""
    tag = draw(names)
    values = draw(st.lists(texts, min_size=2, max_size=4, unique=True))
    variant_names = []
    for i, value in enumerate(values):
        name = f"Variant-{i}" if draw(st.booleans()) else draw(names.filter(lambda n, taken=tuple(components): n not in taken and n != "Union"))
        if name in components:
            continue
        variant = draw(objects([], 3))
        variant["properties"] = {tag: {"type": "string", "enum": [value]}, **{k: v for k, v in variant["properties"].items() if k != tag}}
        variant["required"] = [tag] + [r for r in variant.get("required", []) if r != tag]
        components[name] = variant
        variant_names.append((name, value))
    if len(variant_names) < 2:
        return
    union: dict[str, Any] = {"oneOf": [{"$ref": _ref(n)} for n, _ in variant_names]}
    style = draw(st.integers(0, 2))
    if style >= 1:
        union["discriminator"] = {"propertyName": tag}
    if style == 2:
        union["discriminator"]["mapping"] = {value: _ref(n) for n, value in variant_names}
    components.setdefault("Union", union)
    if "Union" in components and components["Union"] is union and draw(st.booleans()):
        extra = draw(objects([], 3))
        extra["properties"][tag] = {"const": "extra-" + values[0]}
        extra["required"] = [tag]
        components.setdefault("ExtraVariant", extra)
        components.setdefault("Nested", {"oneOf": [{"$ref": _ref("Union")}, {"$ref": _ref("ExtraVariant")}],
                                         **({"discriminator": {"propertyName": tag}} if style else {})})


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("fuzz")
    return path


@SETTINGS
@given(drawn=specs(), seed=st.integers(0, 2**32 - 1))
def test_random_specs_build_and_round_trip_or_fail_with_diagnostics(
        drawn: tuple[dict[str, Any], str], seed: int, workdir: Path,
        capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    spec, root_name = drawn
    digest = hashlib.sha256(json.dumps(spec, sort_keys=True).encode("utf-8", "surrogatepass")).hexdigest()
    n = int(digest[:8], 16)  # the same spec gets the same name and path when hypothesis replays it
    package = f"fuzz_{digest[:12]}"
    spec_path = workdir / f"{package}.json"
    spec_path.write_text(json.dumps(spec, indent=1), encoding="utf-8")
    out = workdir / f"{package}_out"
    argv = ["build", str(spec_path), "--no-config", "--package", package, "-o", str(out)]
    in_process = n % 5 != 0
    if in_process:
        monkeypatch.setenv("XDG_CACHE_HOME", str(workdir / "cache"))
        capfd.readouterr()
        code = cli.main(argv)
        captured = capfd.readouterr()
        output = captured.out + captured.err
    else:
        result = subprocess.run([sys.executable, "-m", "convgen", *argv], capture_output=True, text=True, timeout=300,
                                env={**os.environ, "NO_COLOR": "1", "XDG_CACHE_HOME": str(workdir / "cache")})
        code, output = result.returncode, result.stdout + result.stderr
    assert "Traceback" not in output and "internal error" not in output, output
    codes = {m.group(2) for m in LINE.finditer(output)}
    assert not codes & OUR_BUGS, output
    if code != 0:
        assert code == 2 and any(c.startswith("E") for c in codes), output
        return
    _assert_black_stable(out)
    document = _document(spec, root_name, seed)
    name, module = _root_class(spec_path, root_name)
    if in_process:
        _round_trip_in_process(out, package, module, name, document)
    else:
        report = check_package(out, package, [(module, name, document)])
        assert report["failures"] == [], report


def _assert_black_stable(out: Path) -> None:
    """The build runs black only on what its templates cannot write in black's style (long
    statements): odd names and texts must not leave anything else for black to change."""
    import black
    from convgen.format import _mode

    for path in sorted(out.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        assert black.format_str(text, mode=_mode()) == text, f"{path} is not as black writes it"


def _document(spec: dict[str, Any], root_name: str, seed: int) -> Any:
    rng = random.Random(seed)
    return instance(spec["components"]["schemas"][root_name], spec, rng)


def _root_class(spec_path: Path, root_name: str) -> tuple[str, str]:
    """The class convgen made of /components/schemas/<root>, found through its IR."""
    from convgen.build import build
    from convgen.load import load
    from convgen.select import Selection, select

    loaded, _ = load(spec_path)
    assert loaded is not None
    section, _ = select(loaded.doc, Selection())
    assert section is not None
    api, _ = build(section)
    pointer = "/components/schemas/" + root_name.replace("~", "~0").replace("/", "~1")
    model = next(d for d in api.definitions if d.pointer == pointer)
    return model.name, model.module


def _round_trip_in_process(out: Path, package: str, module: str, name: str, document: Any) -> None:
    sys.path.insert(0, str(out))
    try:
        pkg = importlib.import_module(package)
        for info in pkgutil.walk_packages(pkg.__path__, package + "."):
            importlib.import_module(info.name)
        cls = getattr(importlib.import_module(f"{package}.types"), name)  # its public path, whichever file holds it
        back = cls.from_dict(document).to_dict()
        assert back == document
        assert json.dumps(back, sort_keys=True, default=str) == json.dumps(document, sort_keys=True, default=str)
    finally:
        sys.path.remove(str(out))
        for loaded in [m for m in sys.modules if m == package or m.startswith(package + ".")]:
            del sys.modules[loaded]


def test_the_name_lists_hold_what_the_issue_asks_for() -> None:
    assert any(keyword.iskeyword(n) for n in ODD_NAMES) and any(n[:1].isdigit() for n in ODD_NAMES)
    assert {"-", ".", " "} <= {c for n in ODD_NAMES for c in n} and any(not n.isascii() for n in ODD_NAMES)
