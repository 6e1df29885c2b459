"""Parsing only what a selection needs gives exactly the section a full parse gives."""

from __future__ import annotations

import json

import pytest
import yaml
from conftest import SPEC

from convgen.lazyload import load_section
from convgen.select import Selection, select

TEXT = SPEC.read_text()
FULL = yaml.load(TEXT, Loader=yaml.CSafeLoader)


def section_json(doc: dict, selection: Selection) -> str:
    section, diags = select(doc, selection)
    assert section is not None and not diags
    return json.dumps(section.standalone(), sort_keys=True, default=str)


@pytest.mark.parametrize("tags, prefixes", [(("Conversations",), ()), (("Assistants",), ()), (("Responses", "Files"), ()),
                                            ((), ("/chat",)), ((), ("/",))])
def test_lazy_section_equals_the_full_parse(tags: tuple[str, ...], prefixes: tuple[str, ...]) -> None:
    lazy = load_section(TEXT, tags, prefixes)
    assert lazy is not None
    assert section_json(lazy, Selection(tags, prefixes)) == section_json(FULL, Selection(tags, prefixes))


def test_parses_a_fraction_of_the_spec() -> None:
    lazy = load_section(TEXT, ("Conversations",), ())
    assert lazy is not None and len(lazy["paths"]) == 4
    assert len(lazy["components"]["schemas"]) == 209 < len(FULL["components"]["schemas"]) / 5


SMALL = """openapi: 3.1.0
info: {title: t, version: "1"}
paths:
  /a:
    get:
      tags: [A]
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: "#/components/schemas/X"}
components:
  schemas:
    X: &shared {type: string}
    Y: *shared
"""


def test_declines_what_it_cannot_cut_safely() -> None:
    assert load_section(SMALL, (), ()) is None  # no selection: nothing to save
    cross_alias = SMALL.replace('{$ref: "#/components/schemas/X"}', '{$ref: "#/components/schemas/Y"}')
    assert load_section(cross_alias, ("A",), ()) is None  # Y aliases an anchor in X's chunk
    flow = 'openapi: 3.1.0\ninfo: {title: t, version: "1"}\npaths: {"/a": {get: {tags: [A]}}}\n'
    assert load_section(flow, ("A",), ()) is None
    lazy = load_section(SMALL, ("A",), ())
    assert lazy is not None and lazy["components"]["schemas"] == {"X": {"type": "string"}}
