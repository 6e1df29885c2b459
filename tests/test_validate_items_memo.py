"""The standard validator's document check skips the path items (and webhooks) that passed it
before, by content (issue 15: after one schema of a big spec changed, the paths are not checked
again). `{}` stands in for each; the findings must stay those of the whole check: checked here
on documents whose items fail in several ways, on a second run (memo warm) against a first
(memo cold) and against the check without any stand-in. (About 8 s of test time, most of it
the two checks of the whole OpenAI spec.)
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from convgen import metamemo, standardcheck, standardsafe
from convgen.load import load
from convgen.select import Selection, select

ROOT = Path(__file__).resolve().parent.parent


def _op(responses: Any) -> dict[str, Any]:
    return {"operationId": "op", "responses": responses}


def _doc() -> dict[str, Any]:
    good = {"get": _op({"200": {"description": "ok"}})}
    return {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/a": good,
            "/b": copy.deepcopy(good),
            "/bad-responses": {"get": _op("none")},  # not an object
            "/bad-parameter": {"get": {**_op({"200": {"description": "ok"}}), "parameters": [{"name": "x"}]}},
            "/unknown-key": {"fetch": _op({"200": {"description": "ok"}})},
            "/empty": {},
        },
        "webhooks": {"ping": {"post": _op({"200": {"description": "ok"}})}, "bad": {"post": _op(3)}},
        "components": {"schemas": {"A": {"type": "object"}}},
    }


@pytest.fixture
def memo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(metamemo, "_passed", set())
    monkeypatch.setattr(metamemo, "_new", [])


def _whole(doc: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The findings with every item checked (no stand-in at all)."""
    with monkeypatch.context() as patch:
        patch.setattr(standardcheck, "_passed_items", lambda *args: None)
        patch.setattr(standardcheck, "_without_component_schemas", lambda *args: None)
        patch.setattr(standardcheck, "_remember_items", lambda *args: None)
        return standardcheck.standard(doc, False)


def _stood_in(doc: dict[str, Any]) -> list[list[str]]:
    from openapi_spec_validator import OpenAPIV31SpecValidator

    checked = standardsafe.for_validator(doc)
    items = standardcheck._passed_items(checked, OpenAPIV31SpecValidator(checked).schema_validator, {})
    return [] if items is None else items[1]


@pytest.mark.usefixtures("memo")
def test_only_items_that_passed_stand_in_and_the_findings_stay(monkeypatch: pytest.MonkeyPatch) -> None:
    whole = _whole(_doc(), monkeypatch)
    assert {d.pointer.split("/")[2] for d in whole if d.pointer.startswith(("/paths/", "/webhooks/"))} >= {
        "~1bad-responses",
        "~1bad-parameter",
        "bad",
    }, whole
    assert _stood_in(_doc()) == []
    cold = standardcheck.standard(_doc(), True)
    assert sorted(_stood_in(_doc())) == [["paths", "/a"], ["paths", "/b"], ["webhooks", "ping"]]
    metamemo._passed.clear()  # a new process: the memo comes from the cache file
    warm = standardcheck.standard(_doc(), True)
    assert cold == warm == whole


@pytest.mark.usefixtures("memo")
def test_a_changed_item_is_checked_again(monkeypatch: pytest.MonkeyPatch) -> None:
    standardcheck.standard(_doc(), True)
    changed = _doc()
    changed["paths"]["/a"]["get"]["responses"] = ["now a list"]
    assert ["paths", "/a"] not in _stood_in(changed)
    found = standardcheck.standard(changed, True)
    assert any(d.pointer.startswith("/paths/~1a/") for d in found), found
    assert found == _whole(changed, monkeypatch)


@pytest.mark.usefixtures("memo")
def test_a_finding_about_a_stand_in_checks_the_document_again(monkeypatch: pytest.MonkeyPatch) -> None:
    """A finding at `paths` shows its instance (here: a key the schema does not allow there),
    which holds the stand-ins: the document is checked again as it is."""
    standardcheck.standard(_doc(), True)
    odd = _doc()
    odd["paths"]["no-slash"] = {}
    assert _stood_in(odd)
    assert standardcheck.standard(odd, True) == _whole(odd, monkeypatch)


@pytest.mark.usefixtures("memo")
def test_the_openai_spec_warm_gives_the_findings_of_the_cold_check(monkeypatch: pytest.MonkeyPatch) -> None:
    spec, _ = load(ROOT / "spec" / "openai.yaml")
    assert spec is not None
    section, _ = select(spec.doc, Selection())
    assert section is not None
    doc = section.standalone()
    cold = standardcheck.standard(doc, True)
    metamemo._passed.clear()
    warm = standardcheck.standard(doc, True)
    assert len(_stood_in(doc)) > 150  # nearly every path item
    assert warm == cold and len(cold) > 0
