"""What convgen says when something is off (issue 11 "Messages", issue 14 internal errors).

Each message names what the user needs: the tag they probably meant, the file the operations
are in, the template line that wrote invalid code, the verdict after the diagnostics, the
stage and spec location of an internal error. (Snapshots of whole runs: tests/bad_specs/
tag_wrong_case, paths_in_other_files (E112 at the path's `$ref`), errors_after_warnings.)
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from conftest import ROOT, run_convgen
from convgen import cli
from convgen.build import build
from convgen.diagnostics import Diagnostic
from convgen.load import load
from convgen.origin import relocate
from convgen.plan import plan
from convgen.views import Options, ResourceModuleView
from convgen.render import BUILTIN, render
from convgen.select import Selection, select

FEATURE = ROOT / "tests" / "features" / "tagged_union.yaml"


def _doc(tags: list[str]) -> dict[str, object]:
    paths = {f"/p{i}": {"get": {"operationId": f"op{i}", "tags": [t], "responses": {"200": {"description": "OK"}}}}
             for i, t in enumerate(tags)}
    return {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": paths}


def _e102(doc: dict[str, object], *tags: str) -> str:
    section, diags = select(doc, Selection(tags=tags))
    assert section is None and [d.code for d in diags] == ["E102"]
    return diags[0].message


def test_a_tag_in_the_wrong_case_or_misspelt_gets_a_suggestion_and_the_spec_s_tags() -> None:
    doc = _doc(["Conversations", "Responses"])
    assert _e102(doc, "conversations") == ("no operation matches tag 'conversations': did you mean `Conversations`? "
                                           "(the spec's tags: Conversations, Responses)")
    assert "did you mean `Responses`?" in _e102(doc, "Responsess")
    assert "did you mean" not in _e102(doc, "Billing")


def test_the_list_of_tags_stays_short() -> None:
    message = _e102(_doc([f"Tag{i:02}" for i in range(30)]), "Nothing")
    assert message.endswith("(the spec's tags: Tag00, Tag01, Tag02, Tag03, Tag04, Tag05, Tag06, Tag07, Tag08, Tag09, "
                            "Tag10, Tag11 and 18 more)")


def test_strict_failure_ends_with_a_verdict(tmp_path: Path) -> None:
    spec = tmp_path / "warn.yaml"
    spec.write_text(FEATURE.read_text() + "    Order:\n      type: string\n      enum: [asc, asc]\n")
    doc = yaml.safe_load(spec.read_text())
    doc["paths"]["/pets"]["get"]["parameters"] = [{"name": "order", "in": "query", "schema": {"$ref": "#/components/schemas/Order"}}]
    spec.write_text(yaml.safe_dump(doc))
    result = run_convgen("build", spec, "--no-config", "--package", "pets", "-o", tmp_path / "out", "--strict", cwd=tmp_path)
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert " warning W206: " in lines[0]
    assert lines[-1] == "convgen: build failed: 0 errors, 1 warning (--strict: warnings fail the run)"
    assert not (tmp_path / "out").exists()


def test_invalid_python_from_a_custom_template_points_at_the_template_line(tmp_path: Path) -> None:
    custom = tmp_path / "templates"
    custom.mkdir()
    original = (BUILTIN / "client.py.jinja").read_text().split("\n")
    at = next(i for i, line in enumerate(original) if line.startswith("class "))
    broken = original[:at] + ['{% include "client_part.jinja" %}'] + original[at:]
    (custom / "client.py.jinja").write_text("\n".join(broken))
    (custom / "client_part.jinja").write_text("# a part\n\n# its third line is not Python:\nx = = 1\n")
    result = run_convgen("build", FEATURE, "--no-config", "--package", "pets", "-o", tmp_path / "out", "--templates", custom)
    assert result.returncode == 2, result.stderr
    error = next(line for line in result.stderr.splitlines() if " error " in line)
    assert error.startswith(f"{custom / 'client_part.jinja'}:4:1: error E407: pets/_client.py:")
    assert "generated code is not valid Python" in error and "report this" not in error
    assert error.endswith("; hint: this template line writes code that is not valid Python: fix the template")


def test_invalid_python_from_a_built_in_template_points_at_it_and_asks_for_a_report() -> None:
    spec, _ = load(FEATURE)
    assert spec is not None
    section, _ = select(spec.doc, Selection())
    assert section is not None
    api, _ = build(section)
    jobs = plan(api, Options(package="pets"))
    files, _ = render(jobs)
    client = files["pets/_client.py"].split("\n")
    template = (BUILTIN / "client.py.jinja").read_text().split("\n")
    for wanted, template_text in (("from collections.abc import Mapping", "from collections.abc import {{"),
                                  ("class Client(", "class {{ flavor.prefix }}Client(")):
        line = next(i for i, text in enumerate(client, 1) if text.startswith(wanted))
        [moved] = relocate([Diagnostic("E405", "x", file="pets/_client.py", line=line, column=1)], jobs, None)
        assert (moved.code, Path(moved.file)) == ("E405", BUILTIN / "client.py.jinja")
        assert template[moved.line - 1].startswith(template_text), template[moved.line - 1]
        assert moved.hint.endswith("report this with the spec")
    # in every file, each line that is a unique line of its template, verbatim, is traced to it
    checked = 0
    for job in jobs:
        if not job.template or not job.path.endswith(".py"):
            continue
        source = (BUILTIN / job.template).read_text().split("\n")
        unique = {text: i for i, text in enumerate(source, 1) if text.strip() and source.count(text) == 1 and "{" not in text}
        output = files[job.path].split("\n")
        lines = [(n, text) for n, text in enumerate(output, 1) if text in unique and output.count(text) == 1]
        for number, text in lines[:: max(1, len(lines) // 6)]:  # a sample spread over the file
            [moved] = relocate([Diagnostic("E405", "x", file=job.path, line=number, column=1)], jobs, None)
            assert (Path(moved.file).name, moved.line) == (job.template, unique[text]), text
            checked += 1
    assert checked >= 30


def test_diff_a_field_that_becomes_required_breaks_request_types_only(tmp_path: Path) -> None:
    old = yaml.safe_load(FEATURE.read_text())
    new = yaml.safe_load(FEATURE.read_text())
    schemas = new["components"]["schemas"]
    schemas["Cat"]["required"].append("lives")  # Cat is sent in the request body (through the union Pet)
    old["components"]["schemas"]["Stats"] = {"type": "object", "properties": {"count": {"type": "integer"}}}
    schemas["Stats"] = {"type": "object", "properties": {"count": {"type": "integer"}}, "required": ["count"]}
    for doc in (old, new):  # a response-only type
        doc["paths"]["/stats"] = {"get": {"operationId": "getStats", "tags": ["Pets"], "responses": {"200": {
            "description": "OK", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Stats"}}}}}}}
    (tmp_path / "old.yaml").write_text(yaml.safe_dump(old))
    (tmp_path / "new.yaml").write_text(yaml.safe_dump(new))
    result = run_convgen("diff", tmp_path / "old.yaml", tmp_path / "new.yaml", "--no-config")
    assert result.returncode == 1, result.stderr
    assert result.stdout.splitlines() == [
        "BREAKING type Cat: field lives is now required",
        "type Stats: field count is now required",
        "2 changes, 1 breaking",
    ]


def test_http_method_is_documented_as_the_literal_it_is() -> None:
    spec, _ = load(FEATURE)
    assert spec is not None
    section, _ = select(spec.doc, Selection())
    assert section is not None
    api, _ = build(section)
    modules = [job.context["module"] for job in plan(api, Options(package="pets")) if isinstance(job.context.get("module"), ResourceModuleView)]
    methods = {m.http_method for module in modules for resource in module.resources for m in resource.methods}
    assert methods == {'"GET"', '"POST"'}
    docs = (ROOT / "docs" / "templates.md").read_text()
    assert '- `http_method` (`str`): literal of the upper-case HTTP method, quotes included: "GET"' in docs


def test_an_internal_error_is_one_line_naming_the_stage_and_spec_location(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    from convgen import schemas

    def broken(self: object, schema: object, hint: str, ptr: str, named: bool, description: str) -> object:
        raise ValueError("boom\nsecond line")

    monkeypatch.setattr(schemas.SchemaBuilder, "_object", broken)
    args = ["build", str(FEATURE), "--no-config", "--no-cache", "--package", "pets", "-o", str(tmp_path / "out")]
    assert cli.main(args) == 70
    err = capsys.readouterr().err
    [line] = err.splitlines()
    match = re.fullmatch(r"convgen: internal error in build at (/\S+) \((\S+):(\d+):(\d+)\): ValueError: boom\\nsecond line "
                         r"\(a bug: rerun with -v for the traceback and report it\)", line)
    assert match, line
    assert match[1].startswith("/components/schemas/") and match[2] == str(FEATURE)
    name = match[1].split("/")[3]
    assert FEATURE.read_text().split("\n")[int(match[3]) - 1].strip() == f"{name}:"
    assert not (tmp_path / "out").exists()
    with pytest.raises(ValueError, match="boom"):  # -v: the traceback
        cli.main([*args, "-v"])
