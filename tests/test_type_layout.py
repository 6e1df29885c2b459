"""The `types` package's layout (generator/typelayout.py): the schemas' modules packed into a few files of
at most ~3,000 lines, grouped by the resources that use them, importing each other without cycles; a first
call loads only the files its types live in; a schema's change moves no other schema to another file.

Reads the committed goldens (generated/, generated-full/), makes one real call against the fake Conversations
API in a fresh interpreter, and builds the Conversations section's IR once (about 2 s in all).
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from dataclasses import replace
from graphlib import TopologicalSorter
from pathlib import Path

import pytest
from conftest import API_KEY, GENERATED, ROOT, SPEC
from convgen import ir
from convgen.build import build
from convgen.load import load
from convgen.select import Selection, select
from convgen.typelayout import layout
from fakeapi import FakeConversationsServer

FULL = ROOT / "generated-full"
MAX_LINES = 3000


def _type_files(package_dir: Path) -> dict[str, set[str]]:
    """Each file of the types package -> the files of the package it imports when it is imported."""
    out: dict[str, set[str]] = {}
    for path in (package_dir / "types").glob("*.py"):
        if path.stem == "__init__":
            continue
        tree = ast.parse(path.read_text())
        out[path.stem] = {n.module for n in tree.body if isinstance(n, ast.ImportFrom) and n.level == 1 and n.module}
    return out


def _closure(files: dict[str, set[str]], start: str) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        f = todo.pop()
        if f not in seen:
            seen.add(f)
            todo += files[f]
    return seen


def _owner(package_dir: Path, name: str) -> str:
    """The file `types/__init__.py`'s table says defines `name`."""
    table = re.findall(r'^    "(\w+)": "([^"]*)",$', (package_dir / "types" / "__init__.py").read_text(), re.M)
    return next(module for module, names in table if name in names.split())


def test_the_whole_api_has_few_type_files_none_over_the_limit() -> None:
    types = FULL / "openai_full" / "types"
    sizes = {p.name: len(p.read_text().splitlines()) for p in types.glob("*.py")}
    names = len(re.findall(r"^    \"\w+\": ", (types / "__init__.py").read_text(), re.M))
    assert 50 <= len(sizes) <= 250 and names == len(sizes) - 1  # was one file per schema: 1,351
    assert {f: n for f, n in sizes.items() if n > MAX_LINES} == {}


@pytest.mark.parametrize("package_dir", [FULL / "openai_full", GENERATED / "openai_conversations"])
def test_type_files_import_each_other_without_cycles(package_dir: Path) -> None:
    files = _type_files(package_dir)
    assert all(deps <= set(files) for deps in files.values())
    list(TopologicalSorter(files).static_order())  # raises CycleError on a cycle


def test_a_resources_own_types_share_its_file() -> None:
    """`client.batches` answers `Batch`: the batches file holds it and the types only it uses."""
    package = FULL / "openai_full"
    assert _owner(package, "Batch") == _owner(package, "BatchRequestCounts") == "batches"
    code = ("import openai_full as p\n"
            "with p.lenient_decoding():\n    assert p.types.Batch.from_dict({'id': 'b'}).id == 'b'")
    loaded = _loaded(FULL, code, "openai_full")
    assert loaded == {"openai_full.types." + f for f in _closure(_type_files(package), "batches")}
    assert len(loaded) <= 3


def _loaded(folder: Path, code: str, package: str) -> set[str]:
    script = f"import sys\n{code}\nprint(' '.join(m for m in sys.modules if m.startswith('{package}.types.')))"
    done = subprocess.run([sys.executable, "-c", script], cwd=folder, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return set(done.stdout.split())


def test_a_first_call_loads_only_the_files_of_the_types_it_decodes(fake_server: FakeConversationsServer) -> None:
    conv_id = fake_server.seed_conversation()
    package = GENERATED / "openai_conversations"
    code = ("import openai_conversations as oc\n"
            f"c = oc.Client(api_key={API_KEY!r}, base_url={fake_server.base_url!r}, max_retries=0)\n"
            f"assert c.conversations.retrieve({conv_id!r}).id == {conv_id!r}")
    loaded = _loaded(GENERATED, code, "openai_conversations")
    files = _type_files(package)
    # what it decodes: the answer, and (should the API say 429) its documented error body
    needed = {"openai_conversations.types." + f for name in ("ConversationResource", "ErrorResponse")
              for f in _closure(files, _owner(package, name))}
    assert loaded == needed
    assert len(loaded) < len(files)


@pytest.fixture(scope="module")
def api() -> ir.Api:
    loaded, diags = load(SPEC, ("Conversations",))
    assert loaded is not None, diags
    section, diags = select(loaded.doc, Selection(("Conversations",)))
    assert section is not None, diags
    return build(section)[0]


def _with(api: ir.Api, *definitions: ir.Definition) -> ir.Api:
    table = api.index() | {d.name: d for d in definitions}
    defs = tuple(sorted(table.values(), key=lambda d: (d.module, d.name)))
    return replace(api, definitions=defs, modules=tuple(sorted({d.module for d in defs})))


def test_a_schema_growing_moves_no_other_schema(api: ir.Api) -> None:
    before = layout(api)
    grown = api.index()["ConversationResource"]
    assert isinstance(grown, ir.Model)
    extra = tuple(ir.Field(f"f{i}", f"f{i}", ir.Prim("str"), False) for i in range(3))
    after = layout(_with(api, replace(grown, fields=grown.fields + extra)))
    assert after == before


def test_a_new_schema_moves_no_other_schema(api: ir.Api) -> None:
    before = layout(api)
    after = layout(_with(api, ir.Model("Unused", "unused", "/components/schemas/Unused", "", ())))
    assert {m: f for m, f in after.items() if m != "unused"} == before
    assert after["unused"] in set(before.values()) | {"other"}


def test_layout_is_deterministic_and_files_keep_groups_apart(api: ir.Api) -> None:
    files = layout(api)
    assert files == layout(api)
    assert set(files) == set(api.modules)
    # the conversations resource's own types, the items', the ones they share, and those neither uses
    assert {re.sub(r"_[a-z0-9_]*$", "", f) for f in files.values()} <= {"conversations", "other"}
    assert files[api.index()["DeletedConversationResource"].module] == "conversations"
