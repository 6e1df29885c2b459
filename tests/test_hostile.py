"""Spec text never becomes code (issue 5, hostile content).

A spec whose every string a client can show (titles, descriptions, examples, defaults, enum
values and consts, schema, property and parameter names, paths, the server URL, info fields,
the discriminator) is made of `\"\"\"`, `'''`, backslashes, NUL, Jinja syntax, newlines,
terminal escapes and `__import__('os').system('touch MARKER')` must give a package that

- compiles, file by file;
- imports, every module, without running anything: MARKER never appears;
- shows the hostile text only inside string literals and comments (checked with `tokenize`);
- keeps that text exactly: the client's base URL, enum values, consts, JSON keys and docstrings
  are the spec's strings, and documents with hostile keys round-trip.
"""

from __future__ import annotations

import ast
import io
import json
import os
import subprocess
import sys
import tokenize
from pathlib import Path
from typing import Any

import pytest
from convgen.pytypes import docstring, literal
from hypothesis import example, given, settings
from hypothesis import strategies as st
from spec_support import check_package, compile_all, samples_for

# Text that must never become code; each is looked for in the generated files.
NEEDLES = ("__import__(", ".system(", "touch ", "{{ 7*7 }}", "{% if 1 %}", "{# c #}", "\x00", "\x1b")


def hostile(tag: str, marker: Path) -> str:
    run = f"__import__('os').system('touch {marker}')"
    return (f'{tag} """ \'\'\' \\ \\n \x00 {{{{ 7*7 }}}} {{% if 1 %}}J{{% endif %}} {{# c #}}\n'
            f'"); {run} #\r\n\'\'\'); {run}; x = """ \u2028 \x1b[31m \t end\\')


def hostile_spec(marker: Path) -> dict[str, Any]:
    run = f"__import__('os').system('touch {marker}')"
    schema_name = run.replace("/", "_")
    h = lambda tag: hostile(tag, marker)
    return {
        "openapi": "3.1.0",
        "info": {"title": h("title") + " \U0001F680 \x7f", "version": h("version"), "description": h("description"),
                 "contact": {"name": h("contact")}, "license": {"name": h("license")}},
        "servers": [{"url": 'https://example.com/"+' + run + '+"/{{ x }}/\\', "description": h("server")}],
        "tags": [{"name": "t", "description": h("tag")}],
        "paths": {
            "/things/{thing\"id}/x'y\"z\\w/{% x %}": {
                "summary": h("path summary"),
                "post": {
                    "operationId": h("operation"),
                    "tags": ["t"],
                    "summary": h("summary"),
                    "description": h("operation description"),
                    "parameters": [
                        {"name": 'thing"id', "in": "path", "required": True, "schema": {"type": "string"}, "description": h("p1")},
                        {"name": "% x %", "in": "path", "required": True, "schema": {"type": "string"}},
                        {"name": run, "in": "query", "description": h("p2"),
                         "schema": {"type": "string", "default": h("default"), "enum": [h("default"), run, '"""', "{{ x }}"]}},
                        {"name": "q\"'\\", "in": "query", "schema": {"type": "integer", "default": 3}, "example": h("example")},
                    ],
                    "requestBody": {"content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema_name}"}}}},
                    "responses": {"200": {"description": h("response"),
                                          "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Union"}}}}},
                    "x-oaiMeta": {"examples": {"request": {"python": run + "\nimport os\nos.system('touch " + str(marker) + "')"}}},
                },
            }
        },
        "components": {"schemas": {
            schema_name: {
                "type": "object", "title": h("title"), "description": h("schema description"),
                "required": [run],
                "properties": {
                    run: {"type": "string", "description": h("property"), "default": h("property default"), "example": h("ex")},
                    '"""': {"type": "string", "const": h("const")},
                    "'''": {"type": "string", "enum": [run, "\x00", "\\", "{{ x }}", "{% x %}", '"""', "'''", "\n", "\x1b[2J"]},
                    "\\": {"type": "number", "default": 1.5, "examples": [h("examples")]},
                    "{{ x }}": {"type": "boolean", "title": h("bool title")},
                    "{% x %}": {"type": "array", "items": {"type": "string", "enum": ["a\nb", 'c"d']}},
                    "\x00": {"type": "object", "additionalProperties": {"type": "string"}},
                    "line\nbreak": {"type": "integer", "description": "ends with a backslash \\"},
                    "quote": {"type": "string", "description": 'ends with a quote"'},
                    "x" * 300: {"type": "string", "description": "a very long name"},
                },
            },
            "Union": {
                "description": h("union"),
                "oneOf": [{"$ref": "#/components/schemas/A"}, {"$ref": "#/components/schemas/B"}],
                "discriminator": {"propertyName": run},
            },
            "A": {"type": "object", "required": [run], "description": h("A"),
                  "properties": {run: {"const": run}, "v": {"type": "string"}}},
            "B": {"type": "object", "required": [run],
                  "properties": {run: {"const": '"""\\' + "{{ x }}"}, "w": {"type": "integer"}}},
        }},
    }


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, Any], subprocess.CompletedProcess[str]]:
    tmp = tmp_path_factory.mktemp("hostile")
    marker = tmp / "PWNED"
    spec = hostile_spec(marker)
    path = tmp / "hostile.json"
    path.write_text(json.dumps(spec, indent=1), encoding="utf-8")  # NUL and ESC travel as JSON escapes
    result = subprocess.run([sys.executable, "-m", "convgen", "build", str(path), "--no-config", "--package", "hostile",
                             "-o", str(tmp / "out")], cwd=tmp, capture_output=True, text=True,
                            env={**os.environ, "NO_COLOR": "1", "XDG_CACHE_HOME": str(tmp / "cache")}, timeout=300)
    return tmp, marker, spec, result


def test_the_build_succeeds_and_runs_nothing(built: tuple[Path, Path, dict[str, Any], subprocess.CompletedProcess[str]]) -> None:
    _, marker, _, result = built
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert not marker.exists()
    # diagnostics quote spec text, but cannot break their line or drive the terminal
    for line in result.stderr.splitlines():
        assert "\x1b" not in line and "\x00" not in line and "\u2028" not in line


def test_every_file_compiles_and_hostile_text_is_only_in_strings_and_comments(
        built: tuple[Path, Path, dict[str, Any], subprocess.CompletedProcess[str]]) -> None:
    tmp, marker, _, _ = built
    out = tmp / "out"
    assert compile_all(out) >= 10
    seen = 0
    for path in sorted(out.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        spans = _literal_spans(text)
        for needle in (*NEEDLES, str(marker)):
            start = text.find(needle)
            while start != -1:
                seen += 1
                assert any(a <= start and start + len(needle) <= b for a, b in spans), \
                    f"{path.relative_to(out)}: {needle!r} outside a string or comment at offset {start}"
                start = text.find(needle, start + 1)
    assert seen >= 20  # the hostile text did reach the code, as strings


def test_the_package_imports_without_side_effects_and_round_trips(
        built: tuple[Path, Path, dict[str, Any], subprocess.CompletedProcess[str]]) -> None:
    tmp, marker, _, _ = built
    samples = samples_for(tmp / "hostile.json")
    assert len(samples) >= 3
    report = check_package(tmp / "out", "hostile", samples)
    assert report["failures"] == [] and report["checked"] == len(samples)
    assert not marker.exists()


def test_spec_strings_arrive_exactly(built: tuple[Path, Path, dict[str, Any], subprocess.CompletedProcess[str]]) -> None:
    tmp, marker, spec, _ = built
    run = f"__import__('os').system('touch {marker}')"
    schemas = spec["components"]["schemas"]
    main = schemas[run.replace("/", "_")]
    script = r"""
import importlib, inspect, json, pkgutil, sys
sys.path.insert(0, sys.argv[1])
import hostile
from hostile import _client
out = {"base_url": _client.CONFIG.default_base_url, "enums": [], "docs": [], "consts": [], "keys": []}
for info in pkgutil.walk_packages(hostile.types.__path__, "hostile.types."):
    module = importlib.import_module(info.name)
    for name, obj in vars(module).items():
        if inspect.isclass(obj) and obj.__module__ == module.__name__:
            if hasattr(obj, "_value2member_map_"):
                out["enums"].append(sorted(obj._value2member_map_))
            if obj.__doc__:
                out["docs"].append(inspect.cleandoc(obj.__doc__.replace("\t", "<TAB>")))
    for name, value in vars(module).items():
        if name.startswith("_KEYS_"):
            out["keys"].append(sorted(value))
print(json.dumps(out))
"""
    result = subprocess.run([sys.executable, "-c", script, str(tmp / "out")], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    assert found["base_url"] == spec["servers"][0]["url"]
    assert sorted(main["properties"]["'''"]["enum"]) in found["enums"]
    assert sorted(main["properties"]) in found["keys"]
    assert _docstring(main["description"]) in found["docs"]
    assert not marker.exists()


def test_generated_metadata_files_stay_valid(built: tuple[Path, Path, dict[str, Any], subprocess.CompletedProcess[str]]) -> None:
    import tomllib

    tmp, _, _, _ = built
    project = tomllib.loads((tmp / "out" / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["name"] == "hostile" and "\U0001F680" in project["project"]["description"]
    for name in ("README.md", "api.md"):
        text = (tmp / "out" / name).read_text(encoding="utf-8")
        assert "\x00" not in text and "\x1b" not in text


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(st.text(alphabet=st.characters(codec=None, categories=None), max_size=40)
       | st.lists(st.sampled_from(['"', "'", "\\", "\n", "\r", " ", "\t", "\x00", "\ud800", "x", "\U0001F680"]), max_size=12).map("".join))
@example("\ud800#\U0001F680")  # found by test_fuzz: the emoji must stay one character
def test_literal_and_docstring_escape_any_text(text: str) -> None:
    """The only two doors by which spec text enters generated code (convgen.pytypes)."""
    source = literal(text)
    assert "\n" not in source and "\r" not in source
    source.encode("utf-8")  # a file can hold it
    assert ast.literal_eval(source) == text
    body = docstring(text)
    body.encode("utf-8")
    namespace: dict[str, Any] = {}
    exec(compile(f'class A:\n    """{body}"""\n', "<docstring>", "exec"), namespace)  # a class can carry it
    # all of the text is kept, in order; only line ends and blanks at the ends of lines may change
    shown = "".join(f"\\u{ord(c):04x}" if 0xD800 <= ord(c) <= 0xDFFF else c for c in text.replace("\r", "\n"))
    assert "".join(namespace["A"].__doc__.split()) == "".join(shown.split())


def _docstring(text: str) -> str:
    """What convgen's `docstring()` keeps of spec prose, as `inspect.cleandoc` reads it back
    (tabs kept apart: cleandoc expands them by column, and the docstring is indented)."""
    import inspect

    lines = text.replace("\r\n", "\n").replace("\r", "\n").strip().split("\n")
    return inspect.cleandoc("\n".join(line.rstrip() for line in lines).replace("\t", "<TAB>"))


def _literal_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of every string literal and comment token."""
    starts = [0]
    for line in text.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))
    spans = []
    for tok in tokenize.generate_tokens(io.StringIO(text).readline):
        if tok.type in (tokenize.STRING, tokenize.COMMENT):
            spans.append((starts[tok.start[0] - 1] + tok.start[1], starts[tok.end[0] - 1] + tok.end[1]))
    return spans
