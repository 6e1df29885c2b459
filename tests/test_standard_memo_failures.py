"""The standard validator remembers the schemas that FAIL their meta-schema check too, by content,
with what their error is rebuilt from (metamemo.py, standardmeta.py): issue 15, a warm rebuild of
the OpenAI spec spent most of the validator's time checking its failing schemas again with
jsonschema. The findings must stay word for word those of the check without any memo, cold or
warm; a damaged or foreign memo file is only a miss. (About 3 s of test time.)
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import meta_failures
import pytest
from convgen import metamemo, standardcheck, standardmeta, standardsafe

VERSIONS = ["3.0.3", "3.1.0"]


@pytest.fixture(autouse=True)
def memo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    for name, value in (("_passed", set()), ("_new", []), ("_failed", {}), ("_new_failed", {})):
        monkeypatch.setattr(metamemo, name, value)


def _new_process() -> None:
    """What a new process starts with: nothing in memory, the memo files on disk."""
    metamemo._passed.clear()
    metamemo._failed.clear()


def _without_memo(doc: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    with monkeypatch.context() as patch:
        patch.setattr(metamemo, "passed", lambda digest: False)
        patch.setattr(metamemo, "failure", lambda digest: None)
        patch.setattr(metamemo, "remember", lambda digest: None)
        patch.setattr(metamemo, "remember_failure", lambda digest, record: None)
        patch.setattr(standardcheck, "_passed_items", lambda *args: None)
        return standardcheck.standard(doc, False)


def _jsonschema_checks(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The schemas checked by jsonschema itself from now on (not vouched for, not remembered)."""
    checked: list[Any] = []
    original = standardmeta._meta_validator

    def counting(*args: Any) -> Any:
        validator = original(*args)

        class Counted:
            def iter_errors(self, schema: Any) -> Any:
                checked.append(schema)
                return validator.iter_errors(schema)

        return Counted()

    monkeypatch.setattr(standardmeta, "_meta_validator", counting)
    return checked


def _failures() -> Path:
    (found,) = Path(metamemo.cache.root()).rglob("meta-failed-*.json")
    return found


@pytest.mark.parametrize("version", VERSIONS)
def test_remembered_failures_give_the_findings_of_the_check_without_memo(
    version: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    baseline = _without_memo(meta_failures.doc(version), monkeypatch)
    assert len([d for d in baseline if "/components/schemas/" in d.pointer]) > 20, baseline
    checked = _jsonschema_checks(monkeypatch)
    cold = standardcheck.standard(meta_failures.doc(version), True)
    assert cold == baseline
    cold_checks = len(checked)
    assert len(json.loads(_failures().read_text())) >= 10

    for _ in range(2):  # warm, twice: what the second run remembered is read back the same
        _new_process()
        for cached in Path(metamemo.cache.root()).rglob("validate/[0-9a-f]*.json"):
            cached.unlink()  # the findings cache: the memo alone answers
        checked.clear()
        warm = standardcheck.standard(meta_failures.doc(version), True)
        assert warm == baseline
        # only the schemas whose text does not tell them apart (a key 1 and a key "1") go to jsonschema again
        assert checked and len(checked) < cold_checks / 4
        assert all(any(not isinstance(k, str) for k in s.get("properties", {})) or s == _STRING_KEY for s in checked)


_STRING_KEY = {"type": "object", "properties": {"1": {"type": "string", "minLength": "1"}}}


@pytest.mark.parametrize("version", VERSIONS)
def test_a_rebuilt_error_is_the_error_jsonschema_gave(version: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every part of the error that anything reads: message, path, instance (the very object),
    validator, its value, the meta-schema's part and path."""
    seen: dict[int, list[Any]] = {}
    original = standardcheck.first_meta_error

    def recording(self: Any, schema: Any, schema_value: Any) -> Any:
        error = original(self, schema, schema_value)
        if error is not None:
            seen.setdefault(id(schema_value), []).append((schema_value, error))
        return error

    monkeypatch.setattr(standardcheck, "first_meta_error", recording)
    doc = meta_failures.doc(version)

    def as_is(_: Any, nodes: Any = None) -> Any:  # the same objects in both runs
        if nodes is not None:
            standardsafe.containers(doc, None, nodes)
        return doc

    monkeypatch.setattr(standardcheck, "for_validator", as_is)
    standardcheck.standard(doc, True)
    _new_process()
    standardcheck.standard(doc, False)
    pairs = [errors for errors in seen.values() if len(errors) == 2]
    assert len(pairs) >= 10
    for (_, made), (_, rebuilt) in pairs:
        assert type(rebuilt) is type(made)
        for name in ("message", "validator", "validator_value", "schema", "parent", "cause"):
            assert getattr(rebuilt, name) == getattr(made, name), name
        for name in ("path", "absolute_path", "schema_path", "absolute_schema_path"):
            assert list(getattr(rebuilt, name)) == list(getattr(made, name)), name
        assert rebuilt.instance is made.instance
        assert str(rebuilt) == str(made)


@pytest.mark.parametrize(
    "content",
    [
        b"not json {",
        b"[1, 2]",
        b"\xff\xfe",
        None,  # each record replaced by one of the wrong shape
    ],
)
def test_a_damaged_memo_file_is_a_miss(content: bytes | None, monkeypatch: pytest.MonkeyPatch) -> None:
    doc = meta_failures.doc("3.1.0")
    baseline = _without_memo(doc, monkeypatch)
    standardcheck.standard(meta_failures.doc("3.1.0"), True)
    memo_file = _failures()
    if content is None:
        records = json.loads(memo_file.read_text())
        wrong: list[Any] = [
            {"message": 3},
            {**_any(records), "path": ["nowhere", 7]},
            {**_any(records), "path": [True]},
            {**_any(records), "extra": 1},
            "text",
            None,
        ]
        content = json.dumps({digest: wrong[i % len(wrong)] for i, digest in enumerate(records)}).encode()
    memo_file.write_bytes(content)
    for cached in Path(metamemo.cache.root()).rglob("validate/[0-9a-f]*.json"):
        cached.unlink()
    _new_process()
    checked = _jsonschema_checks(monkeypatch)
    assert standardcheck.standard(meta_failures.doc("3.1.0"), True) == baseline
    assert len(checked) > 10  # checked again with jsonschema


def _any(records: dict[str, Any]) -> dict[str, Any]:
    return dict(next(iter(records.values())))
