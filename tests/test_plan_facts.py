"""What a resource module imports is decided from facts the plan records on each method view
(`MethodView.runtime`, `MethodView.page`), not by searching the code it wrote: checked here
against the code itself on every feature spec and the OpenAI Conversations section."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import ROOT, SPEC
from convgen.build import build
from convgen.load import load
from convgen.plan import plan
from convgen.views import FLAVORS, MethodView, Options, ResourceModuleView
from convgen.select import Selection, select

FEATURES = sorted((ROOT / "tests" / "features").glob("*.yaml"))


def _modules(spec: Path, tags: tuple[str, ...] = ()) -> list[ResourceModuleView]:
    loaded, diags = load(spec, tags, ())
    assert loaded is not None, diags
    section, diags = select(loaded.doc, Selection(tags, ()))
    assert section is not None, diags
    api, _ = build(section, None)
    return [j.context["module"] for j in plan(api, Options(package="pkg")) if j.template == "resource_module.py.jinja"]


def _code_uses(m: MethodView) -> set[str]:
    """What the method's written code names (the oracle the facts must agree with)."""
    code = " ".join([m.decode, m.events, m.returns, *(d for _, d in m.errors)])
    used = {n for n in ("_b", "_r", "_t") if n + "." in code}
    values = [p.value for p in m.positional + m.keyword] + [v for _, v in m.path_args]
    used |= {"Styled"} if any(v.startswith("Styled(") for v in values) else set()
    used |= {"_s"} if m.events else set()
    annotations = [m.returns, m.page_item, m.event_type]
    annotations += [p.annotation for ps in (m.positional, m.keyword, *(v for _, v in m.overloads)) for p in ps]
    return used | ({"builtins"} if any("builtins." in a for a in annotations) else set())


@pytest.mark.parametrize("spec", [*FEATURES, SPEC], ids=lambda p: p.stem)
def test_runtime_facts_agree_with_the_code(spec: Path) -> None:
    modules = _modules(spec, ("Conversations",) if spec == SPEC else ())
    for module in modules:
        ms = module.resources[0].methods
        for m in ms:
            assert set(m.runtime) == _code_uses(m), m.name
        assert set(module.runtime) == {n for m in ms for n in m.runtime}
        pages = {m.page for m in ms if m.page}
        expected = {f.page_prefix + p for p in pages for f in FLAVORS} | ({"Paging", "AsyncPager"} if pages else set())
        assert set(module.pages) == expected


def test_every_fact_is_exercised() -> None:
    """The feature specs between them use each runtime name, so the test above checks each."""
    seen = {n for spec in FEATURES for module in _modules(spec) for n in module.runtime}
    assert seen == {"_b", "_r", "_t", "Styled", "_s", "builtins"}
