"""Specs split over files: relative `$ref`s are loaded (YAML or JSON, any depth, cycles across
files), confined to a root folder; URLs are never fetched; diagnostics name the right file."""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path

from conftest import ROOT, run_convgen
from convgen.load import load
from goldens import assembled_features
from openapi_spec_validator import validate

FEATURES = ROOT / "tests" / "features"
EXPECTED = FEATURES / "expected"


def write(folder: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")


ROOT_SPEC = """\
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /a:
    get:
      operationId: getA
      responses:
        "200":
          description: OK
          content:
            application/json:
              schema: {$ref: "REF"}
"""


def test_cross_file_recursion_round_trips() -> None:
    path = str(assembled_features() / "multifile")
    if path not in sys.path:
        sys.path.insert(0, path)
    t = importlib.import_module("multifile.types")
    tree = {"name": "oak1", "kind": "oak", "branches": [{"length": 1.5, "subtree": {"name": "t2", "branches": [{"length": 2}]}}]}
    decoded = t.Tree.from_dict(tree)
    assert type(decoded.branches[0].subtree) is t.Tree and decoded.kind == t.Kind.OAK
    assert decoded.to_dict() == tree
    problem = {"message": "a", "cause": {"message": "b"}}
    assert t.Problem.from_dict(problem).to_dict() == problem
    assert t.Forest.from_dict({"trees": [tree]}).to_dict() == {"trees": [tree]}


def test_bundled_section_is_a_valid_standalone_spec(tmp_path: Path) -> None:
    out = tmp_path / "section.json"
    result = run_convgen("select", FEATURES / "multifile.yaml", "--no-config", "-o", out)
    assert result.returncode == 0, result.stderr
    doc = json.loads(out.read_text(encoding="utf-8"))
    validate(doc)
    assert sorted(doc["components"]["schemas"]) == ["Forest", "Kind", "Problem", "branch", "tree"]
    assert "$ref" not in json.dumps(doc["paths"]["/trees"]).replace('"$ref": "#/', "")  # every reference is local


def test_json_parts_any_depth_and_a_component_reused_from_two_places(tmp_path: Path) -> None:
    write(tmp_path, {
        "spec.yaml": ROOT_SPEC.replace("REF", "a/b/c/deep.json#/Deep"),
        "a/b/c/deep.json": json.dumps({"Deep": {"type": "object", "properties": {
            "x": {"$ref": "../../x.yaml"}, "y": {"$ref": "../../x.yaml"}}}}),
        "a/x.yaml": "type: integer\n",
    })
    spec, diags = load(tmp_path / "spec.yaml")
    assert diags == [] and spec is not None
    assert spec.doc["components"]["schemas"] == {
        "Deep": {"type": "object", "properties": {"x": {"$ref": "#/components/schemas/x"}, "y": {"$ref": "#/components/schemas/x"}}},
        "x": {"type": "integer"},
    }


def test_names_taken_get_their_folder_as_prefix(tmp_path: Path) -> None:
    write(tmp_path, {
        "spec.yaml": ROOT_SPEC.replace("REF", "one/item.yaml") + "components:\n  schemas:\n    item: {type: string}\n"
                     + "    Pair: {type: object, properties: {a: {$ref: 'two/item.yaml'}}}\n",
        "one/item.yaml": "type: integer\n",
        "two/item.yaml": "type: boolean\n",
    })
    spec, diags = load(tmp_path / "spec.yaml")
    assert diags == [] and spec is not None
    schemas = spec.doc["components"]["schemas"]
    assert schemas["one_item"] == {"type": "integer"} and schemas["two_item"] == {"type": "boolean"}
    assert schemas["item"] == {"type": "string"}


def test_errors_name_the_file_and_line_where_the_reference_stands(tmp_path: Path) -> None:
    write(tmp_path, {
        "api/spec.yaml": ROOT_SPEC.replace("REF", "parts/op.yaml"),
        "api/parts/op.yaml": "type: object\nproperties:\n  a: {$ref: 'http://example.com/a.yaml'}\n"
                             "  b: {$ref: '../../outside.yaml'}\n  c: {$ref: 'missing.yaml'}\n"
                             "  d: {$ref: 'broken.yaml'}\n  e: {$ref: 'ok.yaml#/nothing/here'}\n",
        "api/parts/broken.yaml": "a: [1, 2\n",
        "api/parts/ok.yaml": "x: 1\n",
        "outside.yaml": "type: string\n",
    })
    result = run_convgen("build", "spec.yaml", "--no-config", "-o", "out", cwd=tmp_path / "api")
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    expected = [
        ("parts/op.yaml:3:", "E110", "'http://example.com/a.yaml' is a URL"),
        ("parts/op.yaml:4:", "E111", "'../../outside.yaml' leaves the folder tree of ."),
        ("parts/op.yaml:5:", "E112", "cannot read parts/missing.yaml"),
        ("parts/op.yaml:6:", "E112", "parts/broken.yaml"),
        ("parts/broken.yaml:2:", "E002", "invalid YAML"),
        ("parts/op.yaml:7:", "E103", "'ok.yaml#/nothing/here' points at nothing"),
    ]
    for where, code, text in expected:
        assert any(line.startswith(where) and f"error {code}:" in line and text in line for line in lines), (where, code, result.stderr)
    assert not (tmp_path / "api" / "out").exists()


def test_ref_root_flag_and_config_widen_the_tree(tmp_path: Path) -> None:
    write(tmp_path, {
        "api/spec.yaml": ROOT_SPEC.replace("REF", "../shared/thing.yaml"),
        "shared/thing.yaml": "type: object\nproperties:\n  id: {type: string}\n",
    })
    refused = run_convgen("build", "api/spec.yaml", "--no-config", "-o", "out", cwd=tmp_path)
    assert refused.returncode == 2 and "E111" in refused.stderr
    flag = run_convgen("build", "api/spec.yaml", "--no-config", "--ref-root", ".", "--package", "p", "-o", "out", cwd=tmp_path)
    assert flag.returncode == 0, flag.stderr
    assert "class Thing" in _types_text(tmp_path / "out" / "p")
    (tmp_path / "api" / "convgen.toml").write_text('ref_root = ".."\npackage = "q"\noutput = "../out2"\n', encoding="utf-8")
    config = run_convgen("build", "api/spec.yaml", cwd=tmp_path)
    assert config.returncode == 0, config.stderr
    assert "class Thing" in _types_text(tmp_path / "out2" / "q")


def test_inlining_loop_is_an_error_and_schema_cycles_are_not(tmp_path: Path) -> None:
    write(tmp_path, {
        "spec.yaml": ROOT_SPEC.replace("REF", "a.yaml") + "    post:\n      $ref: 'op1.yaml'\n",
        "a.yaml": "type: object\nproperties:\n  b: {$ref: 'b.yaml'}\n",
        "b.yaml": "type: object\nproperties:\n  a: {$ref: 'a.yaml'}\n",
        "op1.yaml": "operationId: loop\nresponses:\n  '204': {description: none}\nx-more: {$ref: 'op2.yaml'}\n",
        "op2.yaml": "again: {$ref: 'op1.yaml'}\n",
    })
    spec, diags = load(tmp_path / "spec.yaml")
    assert spec is None
    assert [(d.code, Path(d.file).name, d.line) for d in diags] == [("E113", "op2.yaml", 1)]


def test_a_diagnostic_inside_a_part_points_into_that_file(tmp_path: Path) -> None:
    write(tmp_path, {
        "spec.yaml": ROOT_SPEC.replace("REF", "models/thing.yaml"),
        "models/thing.yaml": "type: object\nrequired: [ghost]\nproperties:\n  id: {type: string}\n",
    })
    result = run_convgen("build", "spec.yaml", "--no-config", "-o", "out", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "models/thing.yaml:2:1: warning W311:" in result.stderr


def test_a_changed_part_is_not_served_from_the_cache(tmp_path: Path) -> None:
    write(tmp_path, {"spec.yaml": ROOT_SPEC.replace("REF", "thing.yaml"),
                     "thing.yaml": "type: object\nproperties:\n  old_name: {type: string}\n"})
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache")}
    first = run_convgen("build", "spec.yaml", "--no-config", "--package", "p", "-o", "out", cwd=tmp_path, env=env)
    assert first.returncode == 0, first.stderr
    (tmp_path / "thing.yaml").write_text("type: object\nproperties:\n  new_name: {type: string}\n", encoding="utf-8")
    second = run_convgen("build", "spec.yaml", "--no-config", "--package", "p", "-o", "out", cwd=tmp_path, env=env)
    assert second.returncode == 0, second.stderr
    assert "new_name" in _types_text(tmp_path / "out" / "p")


def test_selection_of_a_large_spec_is_still_parsed_lazily_and_bundled(tmp_path: Path) -> None:
    filler = "".join(f"  /filler{i}:\n    get:\n      operationId: filler{i}\n      tags: [Filler]\n"
                     f"      responses:\n        '204': {{description: nothing to see here, padding the spec past the lazy bound}}\n"
                     for i in range(1500))
    write(tmp_path, {"spec.yaml": ROOT_SPEC.replace("REF", "thing.yaml").replace("      operationId: getA\n", "      operationId: getA\n      tags: [A]\n") + filler,
                     "thing.yaml": "type: object\nproperties:\n  id: {type: string}\n"})
    assert (tmp_path / "spec.yaml").stat().st_size > 200_000
    spec, diags = load(tmp_path / "spec.yaml", tags=("A",))
    assert diags == [] and spec is not None
    assert list(spec.doc["paths"]) == ["/a"]  # only the selected path item was parsed
    assert spec.doc["components"]["schemas"]["thing"] == {"type": "object", "properties": {"id": {"type": "string"}}}


def _types_text(package: Path) -> str:
    """The package's types files, together (which file holds a schema follows who uses it: typelayout.py)."""
    return "".join(p.read_text(encoding="utf-8") for p in sorted((package / "types").glob("*.py")))
