"""The standard validator's document check (against the OpenAPI schema) is remembered when it
passes, by the text of what is checked: a warm run's document is mostly stand-ins for the
component schemas and the path items that passed before (standardcheck._document_errors), the
same text as the last run's, and its check was a fifth of a warm run's time (issue 15). The
findings must stay those of the check without any memo. (About 2 s of test time.)
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import meta_failures
import pytest
from convgen import metamemo, standardcheck
from test_standard_memo_failures import VERSIONS, _new_process, _without_memo


@pytest.fixture(autouse=True)
def memo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    for name, value in (("_passed", set()), ("_new", []), ("_failed", {}), ("_new_failed", {})):
        monkeypatch.setattr(metamemo, name, value)


crawls: list[Any] = []  # the document schema validators crawled (standardmeta.crawled) since _document_checks


def _document_checks(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The documents checked against the OpenAPI schema from now on."""
    checked: list[Any] = []
    crawled = standardcheck.crawled
    crawls.clear()

    def counting(validator: Any) -> Any:
        crawls.append(validator)
        inner = crawled(validator)

        class Counted:
            def __getattr__(self, name: str) -> Any:
                return getattr(inner, name)

            def iter_errors(self, instance: Any, *args: Any) -> Any:
                checked.append(instance)
                return inner.iter_errors(instance, *args)

        return Counted()

    monkeypatch.setattr(standardcheck, "crawled", counting)
    return checked


def _warm_run(doc: dict[str, Any]) -> list[Any]:
    _new_process()
    for cached in Path(metamemo.cache.root()).rglob("validate/[0-9a-f]*.json"):
        cached.unlink()  # the findings cache: the memo alone answers
    return standardcheck.standard(doc, True)


def _passing(version: str) -> dict[str, Any]:
    """A document whose only findings are below its component schemas (none in the document check)."""
    doc = meta_failures.doc(version)
    doc["paths"]["/a"]["get"]["parameters"][0]["schema"] = {"type": "string"}
    doc["paths"]["/a"]["get"]["responses"]["200"]["content"]["application/json"]["schema"] = {"type": "string"}
    if version.startswith("3.0"):  # its document check looks into the schemas oas30check cannot vouch for
        doc["components"] = {"schemas": {"Good": {"type": "string"}, "Bad": {"type": "string", "default": 3}}}
        del doc["paths"]["/b"]
    return doc


@pytest.mark.parametrize("version", VERSIONS)
def test_a_document_that_passed_is_not_checked_again(version: str, monkeypatch: pytest.MonkeyPatch) -> None:
    baseline = _without_memo(_passing(version), monkeypatch)
    assert baseline and not any(d.pointer.startswith(("/info", "/paths")) for d in baseline), baseline
    checked = _document_checks(monkeypatch)
    assert standardcheck.standard(_passing(version), True) == baseline
    assert len(checked) == 1
    # the first warm run checks the document with its path items stood in for (they passed), the next no more
    for expected_checks in (1, 0):
        checked.clear()
        crawls.clear()
        assert _warm_run(_passing(version)) == baseline
        assert len(checked) == expected_checks
        assert len(crawls) == expected_checks  # its registry is not even crawled when nothing is checked

    changed = _passing(version)
    changed["info"]["title"] = 3  # not a string: a finding of the document check
    found = _warm_run(changed)
    assert len(checked) >= 1
    assert found == _without_memo(changed, monkeypatch)
    assert any(d.pointer == "/info/title" for d in found), found


@pytest.mark.parametrize("version", VERSIONS)
def test_a_document_with_findings_is_checked_each_time(version: str, monkeypatch: pytest.MonkeyPatch) -> None:
    doc = meta_failures.doc(version)
    doc["info"]["title"] = 3
    baseline = _without_memo(doc, monkeypatch)
    checked = _document_checks(monkeypatch)
    assert standardcheck.standard(copy.deepcopy(doc), True) == baseline
    checked.clear()
    assert _warm_run(copy.deepcopy(doc)) == baseline
    assert len(checked) >= 1
