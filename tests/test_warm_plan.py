"""The plan memo (planmemo): a warm rebuild reuses the views of the types modules whose
definitions, and the API's shape, are as in the last build. Soundness: after each kind of
one-place edit of a spec, the warm build (memo primed with the spec before the edit) gives
exactly the files a cold build gives; only the edited module's view is made again when the
edit leaves the shape alone; entries of other code or a corrupt file are never used."""

from __future__ import annotations

import marshal
from collections.abc import Callable
from pathlib import Path

import jinja2
import pytest
from conftest import run_convgen
from convgen.build import build
from convgen.load import load
from convgen.plan import plan
from convgen.planmemo import PlanMemo, pending
from convgen.render import render
from convgen.select import Selection, select
from convgen.views import Options

MODEL = """    Thing{i}:
      type: object
      description: Thing number {i}.
      required: [id, status]
      properties:
        id: {{type: string}}
        status: {{$ref: "#/components/schemas/Status"}}
        ids: {{$ref: "#/components/schemas/Ids"}}
        note: {{type: [string, "null"], description: A note.}}
        parent: {{$ref: "#/components/schemas/Thing{n}"}}
        shape: {{$ref: "#/components/schemas/Shape"}}
        value: {{$ref: "#/components/schemas/Value"}}
        extra:
          type: object
          properties:
            depth: {{type: integer}}
"""
SHARED = """    Status:
      type: string
      description: Where a thing is.
      enum: [new, old]
    Ids:
      type: array
      items: {type: string}
    Value:
      oneOf:
        - {type: string}
        - {type: array, items: {$ref: "#/components/schemas/Thing1"}}
    Shape:
      oneOf:
        - {$ref: "#/components/schemas/Circle"}
        - {$ref: "#/components/schemas/Square"}
      discriminator:
        propertyName: kind
    Circle:
      type: object
      required: [kind]
      properties:
        kind: {type: string, enum: [circle]}
        radius: {type: number}
    Square:
      type: object
      required: [kind]
      properties:
        kind: {type: string, enum: [square]}
        side: {type: number}
"""
OPERATION = """  /group{i}/things:
    get:
      operationId: getThing{i}
      summary: Get thing {i}.
      parameters:
        - {{name: mode, in: query, schema: {{type: string}}}}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {{$ref: "#/components/schemas/Thing{i}"}}
"""
UPDATE = """  /group0/things/{id}:
    post:
      operationId: updateThing
      summary: Update a thing.
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [status]
              properties:
                status: {$ref: "#/components/schemas/Status"}
                ids: {$ref: "#/components/schemas/Ids"}
                shape: {$ref: "#/components/schemas/Shape"}
                value: {$ref: "#/components/schemas/Value"}
                note: {type: string}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {type: array, items: {$ref: "#/components/schemas/Thing0"}}
"""
COUNT = 30


def spec_text() -> str:
    head = 'openapi: 3.1.0\ninfo:\n  title: Things\n  version: "1"\nsecurity:\n  - token: []\npaths:\n'
    paths = "".join(OPERATION.format(i=i) for i in range(COUNT)) + UPDATE
    models = "".join(MODEL.format(i=i, n=i // 2) for i in range(COUNT))  # a tree: no cycles
    schemes = "  securitySchemes:\n    token: {type: http, scheme: bearer}\n"
    return head + paths + "components:\n" + schemes + "  schemas:\n" + SHARED + models


def _once(text: str, old: str, new: str) -> str:
    assert text.count(old) >= 1, old
    return text.replace(old, new, 1)


EDITS: dict[str, Callable[[str], str]] = {
    "description": lambda t: _once(t, "Thing number 7.", "Thing number seven, described again."),
    "property added": lambda t: _once(
        t,
        "            depth: {type: integer}\n    Thing4:",
        "            depth: {type: integer}\n        added: {type: boolean}\n    Thing4:",
    ),
    "property removed": lambda t: _once(t, "        id: {type: string}\n        status", "        status"),
    "schema renamed": lambda t: t.replace("Thing12", "Gadget12"),
    "enum value": lambda t: _once(t, "enum: [new, old]", "enum: [new, old, gone]"),
    "operation changed": lambda t: _once(
        t, "      summary: Get thing 5.\n", "      summary: Get thing five.\n      deprecated: true\n"
    ),
    "body field added": lambda t: _once(
        t,
        "                note: {type: string}\n",
        "                note: {type: string}\n                more: {type: integer}\n",
    ),
    "security scheme": lambda t: _once(t, "token: {type: http, scheme: bearer}", "token: {type: http, scheme: basic}"),
    "alias target": lambda t: _once(
        t, "      items: {type: string}\n    Value:", "      items: {type: integer}\n    Value:"
    ),
    "enum made a string": lambda t: _once(t, "      enum: [new, old]\n", ""),
    # group0's first call becomes `list`: the class's next method says `builtins.list[...]`, its operation unchanged
    "builtin hidden": lambda t: _once(
        t,
        '              schema: {$ref: "#/components/schemas/Thing0"}\n',
        '              schema: {type: array, items: {$ref: "#/components/schemas/Thing0"}}\n',
    ),
    "union arm": lambda t: _once(
        t, "        - {type: string}\n        - {type: array", "        - {type: integer}\n        - {type: array"
    ),
}


def _files(spec: Path, memo: PlanMemo | None, render_cache: Path | None) -> dict[str, str]:
    loaded, diags = load(spec, use_cache=False)
    assert loaded is not None, diags
    section, diags = select(loaded.doc, Selection(), use_cache=False)
    assert section is not None, diags
    api, _ = build(section)
    jobs = plan(api, Options(package="things"), memo)
    if memo is not None:
        memo.save()
    files, diags = render(jobs, None, render_cache, memo.digests if memo is not None else None)
    assert not diags
    return files


@pytest.fixture
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    return tmp_path / "xdg" / "convgen"


@pytest.mark.parametrize("edit", list(EDITS))
def test_a_warm_build_after_an_edit_is_the_cold_build(edit: str, tmp_path: Path, cache_home: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(spec_text())
    primed = PlanMemo("things")
    before = _files(spec, primed, cache_home / "render")
    assert primed.new["types"] > 10 and primed.hits == {
        "types": 0,
        "methods": 0,
    }  # (the spec has that many types modules)

    spec.write_text(EDITS[edit](spec_text()))
    cold = _files(spec, None, None)
    assert cold != before  # the edit shows in the output
    warm_memo = PlanMemo("things")
    warm = _files(spec, warm_memo, cache_home / "render")
    assert warm == cold
    if edit in ("description", "property added", "property removed", "enum value", "operation changed"):
        # the shape is the same: only the edited definition's module is planned again
        again = 0 if edit == "operation changed" else 1
        assert (warm_memo.new["types"], warm_memo.hits["types"]) == (again, primed.new["types"] - again)
        # and of the methods only the edited operation's (the others' examples and types are as before)
        edited = 1 if edit == "operation changed" else 0
        assert (warm_memo.new["methods"], warm_memo.hits["methods"]) == (edited, COUNT + 1 - edited)
    if edit == "body field added":
        assert (warm_memo.new["methods"], warm_memo.hits["methods"]) == (1, COUNT)


def test_an_unchanged_spec_plans_nothing_again(tmp_path: Path, cache_home: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(spec_text())
    cold = _files(spec, None, None)
    assert _files(spec, PlanMemo("things"), None) == cold
    memo = PlanMemo("things")
    assert _files(spec, memo, None) == cold
    assert memo.new == {"types": 0, "methods": 0} and memo.hits["types"] > 10 and memo.hits["methods"] == COUNT + 1


def test_entries_of_other_code_or_a_corrupt_file_are_not_used(tmp_path: Path, cache_home: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(spec_text())
    cold = _files(spec, None, None)
    _files(spec, PlanMemo("things"), None)
    (file,) = (cache_home / "plan").glob("*.marshal")
    identity, entries = marshal.loads(file.read_bytes())  # (header, entries) as journal.py writes them
    views = {key: view for key, view in entries.items() if type(key) is bytes}
    assert len(views) > 10

    # another convgen's file: its views are not read
    file.write_bytes(marshal.dumps(("other", entries)))
    memo = PlanMemo("things")
    assert _files(spec, memo, None) == cold and not any(memo.hits.values())

    # entries whose views have another number of fields (as another version of plan.py writes)
    broken = {key: marshal.dumps(marshal.loads(view)[:-1]) for key, view in views.items()}
    file.write_bytes(marshal.dumps((identity, {**entries, **broken})))
    memo = PlanMemo("things")
    assert _files(spec, memo, None) == cold and not any(memo.hits.values()) and memo.new["types"] > 10

    some = next(iter(views))
    junk_entries = {some: b"\xffnot marshal", **{k: 7 for k in views if k != some}}
    for junk in (
        b"",
        b"\x00garbage",
        marshal.dumps([1, 2]),
        marshal.dumps((identity,)),
        marshal.dumps((identity, junk_entries)),
    ):
        file.write_bytes(junk)
        memo = PlanMemo("things")
        assert _files(spec, memo, None) == cold and not any(memo.hits.values())


def test_the_command_after_a_rename_writes_what_a_cold_build_writes(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(spec_text())
    warm_env = {"XDG_CACHE_HOME": str(tmp_path / "warm")}
    done = run_convgen("build", "--no-config", "-q", spec, "-o", tmp_path / "warm-out", env=warm_env)
    assert done.returncode == 0, done.stderr
    spec.write_text(EDITS["schema renamed"](EDITS["description"](spec_text())))
    done = run_convgen("build", "--no-config", "-q", spec, "-o", tmp_path / "warm-out", env=warm_env)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "warm" / "convgen" / "plan").is_dir()
    done = run_convgen(
        "build", "--no-config", "-q", spec, "-o", tmp_path / "cold-out", env={"XDG_CACHE_HOME": str(tmp_path / "cold")}
    )
    assert done.returncode == 0, done.stderr

    def tree(root: Path) -> dict[str, bytes]:
        return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}

    warm, cold = tree(tmp_path / "warm-out"), tree(tmp_path / "cold-out")
    assert warm == cold and any("Gadget12" in text.decode() for text in warm.values())


def test_a_changed_description_renders_only_its_module(
    tmp_path: Path, cache_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """api.md's index of the types leaves descriptions out: a changed one leaves api.md's text in
    use; and the views of the other types modules are never read back (render knows their texts
    by their keys)."""
    spec = tmp_path / "spec.yaml"
    spec.write_text(spec_text())
    _files(spec, PlanMemo("things"), cache_home / "render")
    spec.write_text(EDITS["description"](spec_text()))
    cold = _files(spec, None, None)

    rendered: list[str] = []
    real = jinja2.Template.render

    def spy(self: jinja2.Template, *args: object, **kwargs: object) -> str:
        rendered.append(str(self.name))
        return real(self, *args, **kwargs)

    monkeypatch.setattr(jinja2.Template, "render", spy)
    memo = PlanMemo("things")
    loaded, _ = load(spec, use_cache=False)
    assert loaded is not None
    section, _ = select(loaded.doc, Selection(), use_cache=False)
    assert section is not None
    jobs = plan(build(section)[0], Options(package="things"), memo)
    files, diags = render(jobs, None, cache_home / "render", memo.digests)
    assert files == cold and not diags
    assert rendered == ["types_module.py.jinja"]
    modules = [job.context["module"] for job in jobs if job.template == "types_module.py.jinja"]
    assert len(modules) > 10 and sum(map(pending, modules)) == len(modules) - 1
    index = next(job.context["type_index"] for job in jobs if job.template == "api.md.jinja")
    assert sum(map(pending, index)) == len(index) - 1
