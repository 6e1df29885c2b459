"""The walk memo (walkmemo): select's `$ref` collection and depth check, and validate's
duplicate-enum check, read an unchanged subtree's result back instead of walking it. A memo hit
gives exactly what a cold run gives (refs, diagnostics, their pointers and lines); a changed
block is walked again; entries of other code or a corrupt file are never used."""

from __future__ import annotations

import json
import marshal
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from convgen import journal
from convgen import select as select_module
from convgen.load import load
from convgen.schemadepth import MAX_SCHEMA_DEPTH
from convgen.select import Selection, select
from convgen.validate import _enum_duplicates

SCHEMA = """    Thing{i}:
      type: object
      description: Thing number {i}, with a plain one-line description that makes the spec big.
      required: [id]
      properties:
        id: {{type: string}}
        kind: {{type: string, enum: [a, b, c{dup}]}}
        next: {{$ref: "#/components/schemas/Thing{n}"}}
        items:
          type: array
          items: {{$ref: "#/components/schemas/Thing{m}"}}
"""
PATH = """  /things/{i}:
    parameters:
      - {{name: shared, in: query, schema: {{type: string, enum: [x, y, x]}}}}
    get:
      operationId: getThing{i}
      parameters:
        - {{name: mode, in: query, schema: {{type: string, enum: [p, q{dup}]}}}}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {{$ref: "#/components/schemas/Thing{i}"}}
"""
COUNT = 500


def spec_text(edit: Callable[[str], str] = lambda t: t) -> str:
    """A block-style spec past the size from which the parse cache reads it block by block, with
    repeated enum values in some schemas and operations (W206)."""
    head = 'openapi: 3.1.0\ninfo:\n  title: Things\n  version: "1"\npaths:\n'
    paths = "".join(PATH.format(i=i, dup=", p" if i % 70 == 0 else "") for i in range(0, COUNT, 7))
    schemas = "".join(
        SCHEMA.format(i=i, n=i // 2, m=i // 3, dup=", a" if i % 97 == 0 else "")  # refs nest some 30 deep
        for i in range(COUNT)
    )
    text = edit(head + paths + "components:\n  schemas:\n" + schemas)
    assert len(text) > 200_000
    return text


def checked(path: Path, use_cache: bool) -> dict[str, Any]:
    """What select and the duplicate-enum check find, located in the file."""
    spec, diags = load(path, use_cache=use_cache)
    assert spec is not None and not diags
    section, found = select(spec.doc, Selection(), use_cache=use_cache, subtrees=spec.subtrees)
    assert section is not None
    found += list(_enum_duplicates(section, use_cache))
    return {"refs": list(section.refs), "diagnostics": sorted(spec.locate(d).format() for d in found)}


@pytest.fixture
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    return tmp_path / "xdg"


@pytest.fixture
def walks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The pointers of the subtrees whose refs select walks (the others come from the memo)."""
    seen: list[str] = []
    real = select_module._local_refs

    def counted(root: Any, at: str) -> Any:
        seen.append(at)
        return real(root, at)

    monkeypatch.setattr(select_module, "_local_refs", counted)
    return seen


def deep_chain(length: int) -> Callable[[str], str]:
    """Schemas Link0 -> Link1 -> ... each a property of the one before, used by an operation."""

    def edit(text: str) -> str:
        links = "".join(
            f"    Link{i}:\n      type: object\n      properties:\n"
            f"        next: {{$ref: '#/components/schemas/Link{i + 1}'}}\n"
            for i in range(length)
        )
        links += f"    Link{length}:\n      type: string\n"
        text = text.replace("  schemas:\n", "  schemas:\n" + links, 1)
        used = 'schema: {$ref: "#/components/schemas/Thing0"}'
        return text.replace(used, "schema: {$ref: '#/components/schemas/Link0'}")

    return edit


@pytest.mark.parametrize(
    "edit",
    [
        lambda t: t,
        lambda t: t.replace('"#/components/schemas/Thing12"}', '"#/components/schemas/Missing"}', 1),  # E103
        lambda t: t.replace('"#/components/schemas/Thing30"}', '"#/info"}', 1),  # E106
        deep_chain(MAX_SCHEMA_DEPTH // 2 + 5),  # E006 (two levels a link), at the first schema past the limit
        deep_chain(MAX_SCHEMA_DEPTH // 2 - 15),
        # a schema that names a part of another: the enum check then walks as a cold run does
        lambda t: t.replace(
            "  schemas:\n", "  schemas:\n    AAPart:\n      $ref: '#/components/schemas/Thing0/properties/kind'\n", 1
        ).replace('schema: {$ref: "#/components/schemas/Thing7"}', "schema: {$ref: '#/components/schemas/AAPart'}"),
    ],
)
def test_a_memo_hit_gives_what_a_cold_run_gives(
    tmp_path: Path, cache_home: Path, walks: list[str], edit: Callable[[str], str]
) -> None:
    path = tmp_path / "spec.yaml"
    path.write_text(spec_text(edit), encoding="utf-8")
    cold = checked(path, use_cache=False)
    assert any("W206" in d for d in cold["diagnostics"])
    first = checked(path, use_cache=True)  # fills the memo
    assert list((cache_home / "convgen" / "walks").glob("select-*.marshal"))
    walks.clear()
    again = checked(path, use_cache=True)  # from it
    assert first == again == cold
    # only the subtrees with a ref that names no component are walked again (to say where)
    assert len(walks) <= sum(" E10" in d for d in cold["diagnostics"])


def test_deep_nesting_is_found_where_a_cold_run_finds_it(tmp_path: Path, cache_home: Path) -> None:
    path = tmp_path / "spec.yaml"
    path.write_text(spec_text(deep_chain(MAX_SCHEMA_DEPTH // 2 + 5)), encoding="utf-8")
    cold = checked(path, use_cache=False)
    assert [d for d in cold["diagnostics"] if "E006" in d]
    path.write_text(spec_text(deep_chain(MAX_SCHEMA_DEPTH // 2 - 15)), encoding="utf-8")
    assert not [d for d in checked(path, use_cache=True)["diagnostics"] if "E006" in d]
    path.write_text(spec_text(deep_chain(MAX_SCHEMA_DEPTH // 2 + 5)), encoding="utf-8")
    checked(path, use_cache=True)
    assert checked(path, use_cache=True) == cold


def test_a_changed_block_is_checked_again(tmp_path: Path, cache_home: Path, walks: list[str]) -> None:
    path = tmp_path / "spec.yaml"
    path.write_text(spec_text(), encoding="utf-8")
    before = checked(path, use_cache=True)
    assert not any("Thing42/" in d for d in before["diagnostics"])
    old = 'enum: [a, b, c]}\n        next: {$ref: "#/components/schemas/Thing21"}'  # Thing42's (then Thing43's)
    edits = [  # a repeated enum value, then a dangling ref as well, then both undone
        lambda t: t.replace(old, 'enum: [a, b, c, b]}\n        next: {$ref: "#/components/schemas/Thing21"}', 1),
        lambda t: t.replace(old, 'enum: [a, b, c, b]}\n        next: {$ref: "#/components/schemas/Nothing"}', 1),
        lambda t: t,
    ]
    for edit in edits:
        text = spec_text(edit)
        assert text != spec_text() or edit is edits[-1]
        path.write_text(text, encoding="utf-8")
        walks.clear()
        warm = checked(path, use_cache=True)
        assert len(walks) <= 2  # the edited schema (and, for the dangling ref, its walk to say where)
        assert warm == checked(path, use_cache=False)
    assert warm == before
    path.write_text(spec_text(edits[1]), encoding="utf-8")
    found = checked(path, use_cache=True)["diagnostics"]
    assert any("W206" in d and "/components/schemas/Thing42/properties/kind/enum/3" in d for d in found)
    assert any("E103" in d and "/components/schemas/Thing42/properties/next/$ref" in d for d in found)


@pytest.mark.parametrize("garbage", [b"", b"\x00not marshal", b"poisoned"])
def test_a_corrupt_or_foreign_memo_is_never_used(tmp_path: Path, cache_home: Path, garbage: bytes) -> None:
    path = tmp_path / "spec.yaml"
    path.write_text(spec_text(), encoding="utf-8")
    cold = checked(path, use_cache=False)
    checked(path, use_cache=True)
    files = list((cache_home / "convgen" / "walks").glob("*.marshal"))
    assert len(files) == 2  # select's and the enum check's
    for file in files:
        if garbage == b"poisoned":  # every entry wrong, as another convgen's code might have them: kept apart by name
            header, entries = journal.read(file)
            assert entries
            file.unlink()
            wrong = {key: ("#/components/schemas/Thing1",) if key[:1] == b"r" else () for key in entries}
            other = file.with_name(file.name.split("-")[0] + "-0123456789abcdef.marshal")
            other.write_bytes(marshal.dumps((header, wrong)))
        else:
            file.write_bytes(garbage)
    assert checked(path, use_cache=True) == cold
    assert checked(path, use_cache=True) == cold


def test_a_json_spec_and_a_small_spec_are_checked_as_before(tmp_path: Path, cache_home: Path) -> None:
    """Without the parse cache's blocks the memo knows subtrees by their bytes (select), or is not
    used (the enum check); either way the findings are a cold run's."""
    small = tmp_path / "small.yaml"
    small.write_text(spec_text()[:2000].rsplit("\n  /things", 1)[0] + "\ncomponents: {}\n", encoding="utf-8")
    as_json = tmp_path / "spec.json"
    spec, _ = load(_write(tmp_path / "big.yaml", spec_text()))
    assert spec is not None
    as_json.write_text(json.dumps(spec.doc), encoding="utf-8")
    for path in (small, as_json):
        cold = checked(path, use_cache=False)
        assert checked(path, use_cache=True) == checked(path, use_cache=True) == cold


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def located_run(path: Path, use_cache: bool) -> list[str]:
    """`checked`'s diagnostics, then the positions found kept for the next run (as the CLI does)."""
    spec, _ = load(path, use_cache=use_cache)
    assert spec is not None
    section, found = select(spec.doc, Selection(), use_cache=use_cache, subtrees=spec.subtrees)
    assert section is not None
    found += list(_enum_duplicates(section, use_cache))
    formatted = sorted(spec.locate(d).format() for d in found)
    spec.save()
    return formatted


def test_remembered_positions_move_with_their_block(
    tmp_path: Path, cache_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A diagnostic in an unchanged block is placed where its block is now, as a cold run places it;
    one in an edited block is located again."""
    from convgen.locate import Locator

    searched: list[str] = []
    real = Locator.locate

    def counted(self: Locator, ptr: str) -> tuple[int, int]:
        searched.append(ptr)
        return real(self, ptr)

    monkeypatch.setattr(Locator, "locate", counted)
    dangling = lambda t: t.replace('"#/components/schemas/Thing12"}', '"#/components/schemas/Missing"}', 1)  # noqa: E731
    path = tmp_path / "spec.yaml"
    path.write_text(spec_text(dangling), encoding="utf-8")
    first = located_run(path, use_cache=True)
    assert len(first) > 10 and any("E103" in d for d in first)
    assert list((cache_home / "convgen" / "walks").glob("positions-*.marshal"))
    edits = [
        lambda t: t,  # nothing changed: every position is read back
        # lines added to a schema near the top, a description made longer (the lines below move)
        lambda t: t.replace(
            "      description: Thing number 1,",
            "      title: One\n      x-note: |\n        a\n        b\n      description: Thing number 1,",
            1,
        ),
        lambda t: t.replace("Thing number 200,", "Thing two hundred, a longer description now,", 1),
    ]
    for edit in edits:
        path.write_text(edit(spec_text(dangling)), encoding="utf-8")
        searched.clear()
        warm = located_run(path, use_cache=True)
        assert len(searched) <= 2  # only in the edited block, if a diagnostic is there
        assert warm == located_run(path, use_cache=False)
