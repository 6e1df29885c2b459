"""Public names of generated clients: no number the spec does not have, no silent renames.

On the IR (build stage only) of the whole OpenAI spec and of the corpus specs (Box,
DigitalOcean, petstore, tictactoe, ...): no public type, resource class, resource or method
name ends in a number unless a name in the spec ends in it as part of a word (`GrammarSyntax1`,
`network_v4`, `oauth2`; not a copy number such as `MessagePhase-2`); a component schema whose
class is not its spec name made valid has a diagnostic naming both, and so has an operation
whose method is not the one its naming rules gave. About 25 s (the OpenAI IR is shared with
test_openai_names.py).
"""

from __future__ import annotations

import re
import tarfile
from functools import cache
from pathlib import Path

import pytest
from test_openai_names import whole_spec

from generator import ir
from generator.build import build
from generator.diagnostics import Diagnostic
from generator.load import load
from generator.naming import pascal, snake
from generator.opnames import literal_segments, name_operations
from generator.select import Section, Selection, select

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "corpus"
_TRAILING = re.compile(r"(?<![0-9])([0-9]+)$")
_WORD_NUMBER = re.compile(r"[A-Za-z]([0-9]+)$")  # `Syntax1`, `v4`: a number inside a word, not `-2`


def _numbers_in_spec(pointer: str) -> set[str]:
    """The numbers tokens of a JSON pointer end in as part of a word (`.../reserved_ipv6` -> 6)."""
    tokens = [t.replace("~1", "/").replace("~0", "~") for t in pointer.split("/")]
    return {m.group(1) for t in tokens for part in re.split(r"[/.]", t) if (m := _WORD_NUMBER.search(part))}


def numbered_names(api: ir.Api) -> list[str]:
    out = []
    for d in api.definitions:
        m = _TRAILING.search(d.name)
        if m and m.group(1) not in _numbers_in_spec(d.pointer):
            out.append(f"type {d.name} (at {d.pointer})")
    for op in api.operations:
        words = {snake(s) for s in literal_segments(op.path)} | {snake(op.operation_id)}
        for name in (*op.resource, op.method_name, *op.aliases):
            if _TRAILING.search(name) and name not in words and op.name_source == "rule":
                out.append(f"{op.http_method} {op.path}: {'.'.join((*op.resource, op.method_name))}")
    for path, cls in api.resource_classes:
        m = _TRAILING.search(cls)
        if m and not path[-1].endswith(m.group(1)):
            out.append(f"class {cls} of client.{'.'.join(path)}")
    return out


def silent_renames(section: Section, api: ir.Api, diags: list[Diagnostic]) -> list[str]:
    said = {(d.pointer, d.code) for d in diags}
    names_at: dict[str, set[str]] = {}
    for d in api.definitions:
        names_at.setdefault(d.pointer, set()).add(d.name)
    out = []
    for ref in section.refs:
        if not ref.startswith("#/components/schemas/"):
            continue
        raw = ref.rsplit("/", 1)[-1].replace("~1", "/").replace("~0", "~")
        pointer = ref[1:]
        if pascal(raw) not in names_at.get(pointer, {pascal(raw)}) and not said & {
            (pointer, "W364"), (pointer, "W308"), (pointer, "W363")}:
            out.append(f"schema {raw!r} is {sorted(names_at[pointer])} without a word")
        if pointer not in names_at and (pointer, "W363") in said and pascal(raw) in {d.name for d in api.definitions}:
            out.append(f"schema {raw!r} is the type of another schema, yet a type has its name")
    ruled = {(s.method, s.path): n for s, n in zip(section.operations, name_operations(list(section.operations),
                                                                                    section.doc), strict=True)}
    for op in api.operations:
        first = ruled.get((op.http_method.lower(), op.pointer.split("/")[2].replace("~1", "/").replace("~0", "~")))
        if first is not None and (first.resource, first.method) != (op.resource, op.method_name):
            if (op.pointer, "W360") not in said:
                out.append(f"{op.http_method} {op.path} is {op.method_name}, not {first.method}, silently")
    return out


@cache
def _corpus(name: str, tmp: Path) -> tuple[Section, ir.Api, list[Diagnostic]]:
    if name == "digitalocean":
        with tarfile.open(CORPUS / "digitalocean-specification.tar.gz") as archive:
            archive.extractall(tmp, filter="data")
        path = tmp / "specification" / "DigitalOcean-public.v2.yaml"
    else:
        path = CORPUS / name
    spec, _ = load(path)
    assert spec is not None
    section, _ = select(spec.doc, Selection())
    assert section is not None
    api, diags = build(section)
    return section, api, diags


def test_the_whole_openai_client_has_no_numbered_public_name() -> None:
    assert numbered_names(whole_spec(True)) == []
    names = {d.name for d in whole_spec(True).definitions}
    # numbered copies of a schema are the original's type, or readable names
    assert {"MessagePhase", "ConversationObject", "BetaConversationObject", "VideoResourceError"} <= names
    assert not names & {"MessagePhase2", "ConversationParam2", "Error2", "ImageRefParam2"}
    assert {"GrammarSyntax1", "BetaMultiAgentAction1"} <= names  # the spec's own numbers stay


@pytest.mark.parametrize("name", ["box.json", "digitalocean", "petstore.yaml", "petstore-expanded.yaml",
                                  "tictactoe.yaml", "uspto.yaml", "link-example.yaml"])
def test_corpus_clients_have_no_numbered_names_and_no_silent_renames(name: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    section, api, diags = _corpus(name, tmp_path_factory.getbasetemp() / "names_corpus")
    assert numbered_names(api) == []
    assert silent_renames(section, api, diags) == []


def test_numbers_of_the_spec_are_told_from_copy_numbers() -> None:
    assert _numbers_in_spec("/components/schemas/GrammarSyntax1") == {"1"}
    assert _numbers_in_spec("/components/schemas/MessagePhase-2") == set()
    assert _numbers_in_spec("/components/schemas/droplet/properties/networks/properties/v4") == {"4"}
