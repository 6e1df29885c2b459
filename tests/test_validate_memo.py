"""The standard validator checks a schema's text against its meta-schema once: a schema that
passed is remembered by content, within a run and (cache on) across runs (issue 15: a warm
rebuild after one schema changed re-checks only that schema). Findings stay the same."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from convgen import metamemo, standardcheck, standardmeta


def _doc() -> dict[str, Any]:
    schemas: dict[str, Any] = {
        f"Good{i}": {"type": "object", "properties": {"n": {"type": "integer"}}} for i in range(3)
    }
    schemas["Other"] = {"type": "string", "maxLength": 3}
    schemas["Bad"] = {"type": "object", "properties": {"n": {"type": 12}}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": {},
        "components": {"schemas": schemas},
    }


def _meta_checks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    # these plain schemas would be vouched for by dialectcheck and never reach jsonschema
    # (tests/test_validate_fast.py); the memo is for those it cannot vouch for, so it is off here
    monkeypatch.setattr(standardmeta, "_fast_check", lambda *args: None)
    calls: list[int] = []
    original = standardmeta._meta_validator

    def counting(*args: Any) -> Any:
        calls.append(1)
        return original(*args)

    monkeypatch.setattr(standardmeta, "_meta_validator", counting)
    return calls


def test_a_passed_schema_is_not_checked_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(metamemo, "_passed", set())
    monkeypatch.setattr(metamemo, "_new", [])
    monkeypatch.setattr(metamemo, "_failed", {})
    monkeypatch.setattr(metamemo, "_new_failed", {})
    calls = _meta_checks(monkeypatch)
    first = standardcheck.standard(_doc(), True)
    assert any("Bad" in d.pointer for d in first), first
    # the three equal Good schemas are checked once, Other once, Bad (and its inner schema) each time
    cold = len(calls)
    assert cold <= 2 + 2
    remembered = list(tmp_path.rglob("meta-passed-*.txt"))
    assert len(remembered) == 1 and len(remembered[0].read_text().split()) >= 2

    # a new process: nothing is checked again (Bad's failure is remembered too, see
    # tests/test_standard_memo_failures.py), and the findings are the same
    metamemo._passed.clear()
    metamemo._failed.clear()
    calls.clear()
    second = standardcheck.standard(_doc(), True)
    assert second == first
    assert len(calls) == 0


def test_without_the_cache_nothing_is_read_or_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(metamemo, "_passed", set())
    monkeypatch.setattr(metamemo, "_new", [])
    standardcheck.standard(_doc(), False)
    assert not list(tmp_path.rglob("meta-passed-*.txt"))
