"""The standard validator's check of each `default` against its schema is remembered by content
(standarddefaults.py) where the schema reads nothing else: upstream resolved a path and built a
validator for each of the OpenAI spec's 600 defaults every run (issue 15). The findings must
stay those of the check without the memo. (About 3 s of test time.)
"""

from __future__ import annotations

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


def _upstream_default_checks(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, Any]]:
    """(schema, default) of each default that upstream's value validator checks from now on."""
    from openapi_spec_validator.validation.keywords import ValueValidator

    checked: list[tuple[Any, Any]] = []
    original = ValueValidator.__call__

    def counting(self: Any, schema: Any, value: Any) -> Any:
        checked.append((schema.read_value(), value))
        return original(self, schema, value)

    monkeypatch.setattr(ValueValidator, "__call__", counting)
    return checked


@pytest.mark.parametrize("version", VERSIONS)
def test_remembered_defaults_give_the_findings_of_the_check_without_memo(
    version: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    baseline = _without_memo(meta_failures.doc(version), monkeypatch)
    at_defaults = [d for d in baseline if "/default" in d.pointer]
    assert len(at_defaults) >= 10, baseline
    checked = _upstream_default_checks(monkeypatch)
    assert standardcheck.standard(meta_failures.doc(version), True) == baseline
    cold = len(checked)
    _new_process()
    for cached in Path(metamemo.cache.root()).rglob("validate/[0-9a-f]*.json"):
        cached.unlink()  # the findings cache: the memo alone answers
    checked.clear()
    assert standardcheck.standard(meta_failures.doc(version), True) == baseline
    # checked again: only the defaults whose schema has a `$ref`, or whose keys are not all text
    assert 0 < len(checked) < cold
    for schema, default in checked:
        assert "$ref" in str(schema) or any(not isinstance(k, str) for k in default), (schema, default)


def test_a_default_that_passes_with_a_number_key_does_not_vouch_for_the_same_text_with_a_string_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """JSON spells {1: 5} and {"1": 5} alike; against `properties: {"1": {type: string}}` the
    first passes and the second fails."""
    schemas = {
        "A": {"type": "object", "properties": {"1": {"type": "string"}}, "default": {1: 5}},
        "B": {"type": "object", "properties": {"1": {"type": "string"}}, "default": {"1": 5}},
    }
    doc = {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {}, "components": {"schemas": schemas}}
    found = standardcheck.standard(doc, True)
    assert [d.pointer for d in found] == ["/components/schemas/B/default/1"]
    assert found == _without_memo(doc, monkeypatch)


@pytest.mark.parametrize("version", VERSIONS)
def test_a_default_checked_through_a_ref_is_checked_again_when_the_target_changes(
    version: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def doc(target: dict[str, Any]) -> dict[str, Any]:
        schemas = {
            "Target": target,
            "Holder": {
                "type": "object",
                "properties": {"p": {"$ref": "#/components/schemas/Target"}},
                "default": {"p": 3},
            },
        }
        return {
            "openapi": version,
            "info": {"title": "t", "version": "1"},
            "paths": {},
            "components": {"schemas": schemas},
        }

    first = standardcheck.standard(doc({"type": "string"}), True)
    assert [d.pointer for d in first] == ["/components/schemas/Holder/default/p"]
    _new_process()
    assert standardcheck.standard(doc({"type": "integer"}), True) == []
    _new_process()
    assert standardcheck.standard(doc({"type": "string"}), True) == first


@pytest.mark.parametrize("name", ["3.0.3", "3.1.0", "box.json"])
def test_the_memo_is_keyed_by_the_very_schema_upstream_checks(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The schema specwalk hands to the memo is the object upstream resolves the path to and
    checks the default against: the memo's answer is for what upstream would check."""
    from convgen import standarddefaults
    from convgen.load import load
    from convgen.select import Selection, select
    from openapi_spec_validator.validation.keywords import ValueValidator

    if name.endswith(".json"):
        spec, _ = load(Path(__file__).parent / "corpus" / name)
        assert spec is not None
        section, _ = select(spec.doc, Selection())
        assert section is not None
        doc = section.standalone()
    else:
        doc = meta_failures.doc(name)
    handed: list[Any] = []
    resolved: list[Any] = []
    checker = standarddefaults.checker

    def recording_checker(root: Any, keyword: Any) -> Any:
        check = checker(root, keyword)
        return lambda parts, schema, default: (handed.append(schema), check(parts, schema, default))[1]

    original = ValueValidator.__call__

    def resolving(self: Any, schema: Any, value: Any) -> Any:
        with schema.resolve() as found:
            resolved.append(found.contents)
        return original(self, schema, value)

    monkeypatch.setattr(standarddefaults, "checker", recording_checker)
    monkeypatch.setattr(ValueValidator, "__call__", resolving)
    monkeypatch.setattr(metamemo, "passed", lambda digest: False)
    monkeypatch.setattr(metamemo, "failure", lambda digest: None)
    standardcheck.standard(doc, False)
    assert len(handed) == len(resolved) > 0
    assert all(a is b for a, b in zip(handed, resolved, strict=True))
