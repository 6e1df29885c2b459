"""The parse cache: an unchanged block is not parsed again, an edited one is, and what load gives
is always what a cold parse gives (data, key order, diagnostics and their lines)."""

from __future__ import annotations

import json
import marshal
from pathlib import Path

import pytest
import yaml
from conftest import SPEC
from convgen.blockload import load_blocks
from convgen.jsondata import normalize
from convgen.load import load
from convgen.parsecache import BlockCache, for_spec
from convgen.select import Selection, select

SCHEMA = """    Thing{i}:
      type: object
      description: Thing number {i}, with a plain one-line description.
      required: [id]
      properties:
        id: {{type: string}}
        count: {{type: integer, minimum: 0, default: {i}}}
        when: {{type: string, format: date-time, example: 2024-01-0{d}}}
        next: {{$ref: "#/components/schemas/Thing{n}"}}
"""
PATH = """  /things/{i}:
    get:
      operationId: getThing{i}
      tags: [Things]
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {{$ref: "#/components/schemas/Thing{i}"}}
"""


def big_spec(count: int = 700) -> str:
    """A block-style spec past the size from which it is parsed in blocks, with one dangling $ref."""
    head = 'openapi: 3.1.0\ninfo:\n  title: Things\n  version: "1"\n# a comment between blocks\npaths:\n'
    paths = "".join(PATH.format(i=i) for i in range(0, count, 7))
    schemas = "".join(SCHEMA.format(i=i, d=i % 9 + 1, n=(i + 1) % count) for i in range(count))
    text = head + paths + "components:\n  schemas:\n" + schemas + "x-extra:\n  200: yes\n  on: [1, 2]\n"
    text = text.replace('"#/components/schemas/Thing5"}', '"#/components/schemas/Missing"}', 1)
    assert len(text) > 200_000
    return text


def as_json(doc: object) -> str:
    return json.dumps(doc)  # key order and types (1 vs 1.0 vs "1") all show


def located(path: Path, use_cache: bool) -> tuple[str, list[str]]:
    spec, diags = load(path, use_cache=use_cache)
    assert spec is not None and not diags
    _, found = select(spec.doc, Selection((), ()))
    return as_json(spec.doc), sorted(spec.locate(d).format() for d in found)


def parsed(text: str, cache: BlockCache) -> object:
    blocks = load_blocks(text, cache)
    assert blocks is not None
    return blocks[0]


@pytest.fixture
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    return tmp_path / "xdg"


def test_cached_loads_equal_a_cold_parse_with_the_same_diagnostic_lines(tmp_path: Path, cache_home: Path) -> None:
    path = tmp_path / "spec.yaml"
    path.write_text(big_spec(), encoding="utf-8")
    cold = located(path, use_cache=False)
    reference = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)  # PyYAML's own constructor
    assert normalize(reference) and cold[0] == as_json(reference)
    assert any("Missing" in line and ":" in line for line in cold[1])
    first = located(path, use_cache=True)  # fills the cache
    assert list((cache_home / "convgen" / "parse").glob("*.marshal"))
    again = located(path, use_cache=True)  # from it
    assert first == again == cold


def test_an_edit_reparses_only_its_block_and_stale_entries_are_never_used(tmp_path: Path) -> None:
    text = big_spec()
    store = tmp_path / "blocks.marshal"
    first = BlockCache(store)
    blocks = load_blocks(text, first)
    assert blocks is not None and first.parsed > 100
    doc = blocks[0]
    first.save()

    unchanged = BlockCache(store)
    assert as_json(parsed(text, unchanged)) == as_json(doc) and unchanged.parsed == 0

    edited_text = text.replace("Thing number 42,", "Thing forty-two,")
    edited = BlockCache(store)
    edited_doc = parsed(edited_text, edited)
    assert edited.parsed == 1  # the one schema whose text changed
    assert edited_doc is not None
    assert edited_doc["components"]["schemas"]["Thing42"]["description"].startswith("Thing forty-two,")
    reference = yaml.load(edited_text, Loader=yaml.SafeLoader)
    assert normalize(reference) and as_json(edited_doc) == as_json(reference)
    edited.save()

    back = BlockCache(store)  # the edit undone: the old block's entry is found again, and is right
    assert as_json(parsed(text, back)) == as_json(doc) and back.parsed == 0


def test_entries_of_another_parser_are_not_used(tmp_path: Path) -> None:
    text = big_spec()
    store = tmp_path / "blocks.marshal"
    cache = BlockCache(store)
    doc = parsed(text, cache)
    cache.save()
    identity, entries = marshal.loads(store.read_bytes())
    poisoned = {key: {"Thing1": "poisoned"} for key in entries}
    store.write_bytes(marshal.dumps(("another PyYAML or convgen", poisoned)))
    other = BlockCache(store)
    assert as_json(parsed(text, other)) == as_json(doc) and other.parsed == cache.parsed


@pytest.mark.parametrize("garbage", [b"", b"\x00\x01not marshal", marshal.dumps([1, 2, 3]), marshal.dumps(("x",))])
def test_a_corrupt_cache_file_is_ignored_and_replaced(tmp_path: Path, cache_home: Path, garbage: bytes) -> None:
    path = tmp_path / "spec.yaml"
    path.write_text(big_spec(), encoding="utf-8")
    cold = located(path, use_cache=False)
    store = for_spec(path).path
    assert store is not None
    store.parent.mkdir(parents=True, exist_ok=True)
    store.write_bytes(garbage)
    assert located(path, use_cache=True) == cold
    assert marshal.loads(store.read_bytes())[0] == for_spec(path).identity  # rewritten whole
    assert located(path, use_cache=True) == cold


@pytest.mark.parametrize(
    "edit",
    [
        lambda t: t.replace("paths:\n", "paths: # the API's paths\n"),  # a comment on a key line: not cut there
        lambda t: t.replace("components:\n", "components: {}\n", 1) + "oops: [\n",  # a flow value, then an error
        lambda t: t.replace("x-extra:\n", "x-extra:\n  - a\n", 1),  # a sequence item among keys: declined
        lambda t: t.replace("info:\n", "info:\n\tbad: tab\n", 1),
        lambda t: t.replace("paths:\n", "paths:\n    /deeper: {}\n  /shallower: {}\n", 1),
        lambda t: t.replace("  schemas:\n", "  schemas:\n  schemas:\n", 1),  # a key twice
        lambda t: t.replace("info:\n", "info:\u2028", 1),  # a line break the cutting does not see
        lambda t: t.replace("\n", "\r\n"),  # Windows line ends: cut as well, the same data
        lambda t: "\ufeff" + t.replace("Thing number 3,", "Thing \u00e9\U0001f600 3,"),  # a BOM, non-ASCII text
        lambda t: t + "x-deep: " + "[" * 199 + "]" * 199 + "\n",  # as deep as allowed
        lambda t: t + "x-deep: " + "[" * 200 + "]" * 200 + "\n",  # one level deeper: E006, at its line
        lambda t: t.replace("  schemas:\n", "  schemas:\n    Deep: " + "[" * 197 + "]" * 197 + "\n", 1),  # allowed
        lambda t: t.replace("  schemas:\n", "  schemas:\n    Deep: " + "[" * 198 + "]" * 198 + "\n", 1),
        # past what the C parser survives, in a block and in the head: bounded before it is parsed
        lambda t: t.replace("  schemas:\n", "  schemas:\n    Deep: " + "[" * 30_000 + "]" * 30_000 + "\n", 1),
        lambda t: t.replace("info:\n", "x-deep: " + "[" * 30_000 + "]" * 30_000 + "\ninfo:\n", 1),
    ],
)
def test_what_cannot_be_cut_safely_is_parsed_whole(tmp_path: Path, cache_home: Path, edit: object) -> None:
    assert callable(edit)
    path = tmp_path / "spec.yaml"
    path.write_text(edit(big_spec()), encoding="utf-8")
    for tags in ((), ("Things",)):  # the whole spec, and a selection (parsed in parts, lazyload)
        plain, plain_diags = load(path, tags, use_cache=False)
        for _ in range(2):  # filling the cache, then reading it
            cached, cached_diags = load(path, tags, use_cache=True)
            assert [d.format() for d in cached_diags] == [d.format() for d in plain_diags]
            assert (cached is None) == (plain is None)
            if cached is not None and plain is not None:
                assert as_json(cached.doc) == as_json(plain.doc)


def test_the_committed_openai_spec(tmp_path: Path, cache_home: Path) -> None:
    plain, _ = load(SPEC, use_cache=False)
    cached, _ = load(SPEC, use_cache=True)
    warm, _ = load(SPEC, use_cache=True)
    assert plain is not None and cached is not None and warm is not None
    assert as_json(plain.doc) == as_json(cached.doc) == as_json(warm.doc)
    section, _ = load(SPEC, ("Conversations",), use_cache=True)  # a selection reads the same cache
    assert section is not None and "/conversations" in section.doc["paths"]


def test_the_files_of_a_split_spec_are_cached_and_an_edited_one_is_read_again(tmp_path: Path, cache_home: Path) -> None:
    (tmp_path / "parts").mkdir()
    (tmp_path / "spec.yaml").write_text(
        "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n  /pets:\n    $ref: parts/pets.yaml\n"
    )
    (tmp_path / "parts" / "pets.yaml").write_text(
        "get:\n  responses:\n    '200':\n      description: ok\n      content:\n        application/json:\n"
        "          schema: {$ref: pet.yaml}\n"
    )
    pet = "type: object\ndescription: a pet\nproperties:\n  id: {type: integer}\n"
    (tmp_path / "parts" / "pet.yaml").write_text(pet)

    def loaded(use_cache: bool) -> str:
        spec, diags = load(tmp_path / "spec.yaml", use_cache=use_cache)
        assert spec is not None
        origins = sorted((k, str(v[0].path), v[1]) for k, v in spec.origins.items())
        return json.dumps([spec.doc, origins, [d.format() for d in diags]])

    plain = loaded(False)
    assert loaded(True) == plain and list((cache_home / "convgen" / "parse").glob("*.marshal"))
    assert loaded(True) == plain  # the parts from the cache
    (tmp_path / "parts" / "pet.yaml").write_text("type: object\ndescription: a cat\n")
    edited = loaded(False)
    assert "a cat" in edited and loaded(True) == edited
