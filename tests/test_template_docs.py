"""docs/templates.md is the template API as the code defines it, and it names every template."""

from __future__ import annotations

from conftest import ROOT

from convgen.templatedoc import TEMPLATES, reference


def test_reference_is_up_to_date() -> None:
    assert (ROOT / "docs" / "templates.md").read_text() == reference(), "run: python -m convgen.templatedoc > docs/templates.md"


def test_every_built_in_template_is_documented() -> None:
    built_in = {p.name for p in (ROOT / "templates").glob("*.jinja")}
    assert built_in == set(TEMPLATES)
