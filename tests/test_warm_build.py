"""Build's constant costs. `schemanames.used_by` skips, by their marshal bytes, the schemas that
cannot name the numbered schema, and still finds the first use wherever it is (also in a schema
marshal cannot write, which it walks)."""

from __future__ import annotations

import datetime
import gc
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT
from convgen import cli, schemanames


def _doc(first_use: dict[str, Any]) -> dict[str, Any]:
    return {
        "components": {
            "schemas": {
                "Plain": {"type": "object", "properties": {"name": {"type": "string"}}},
                "Dated": {"type": "object", "example": datetime.date(2024, 1, 2), **first_use},
                "Later": {"type": "object", "properties": {"error": {"$ref": "#/components/schemas/Error-2"}}},
                "Error-2": {"type": "object", "properties": {"code": {"type": "integer"}}},
            }
        }
    }


def test_the_first_use_is_found_in_a_schema_marshal_cannot_write() -> None:
    doc = _doc({"properties": {"failure": {"$ref": "#/components/schemas/Error-2"}}})
    dumped: dict[str, bytes | None] = {}
    assert schemanames.used_by(doc, "#/components/schemas/Error-2", dumped) == ["DatedFailure", "DatedError"]
    assert dumped["Dated"] is None and dumped["Plain"] is not None  # walked; the other read from its bytes


def test_a_schema_without_the_reference_is_skipped_and_the_next_use_found() -> None:
    doc = _doc({"properties": {"other": {"$ref": "#/components/schemas/Error"}}})
    assert schemanames.used_by(doc, "#/components/schemas/Error-2") == ["LaterError", "LaterError"]
    # a reference that no schema holds, although its name is a prefix of one that does
    assert schemanames.used_by(doc, "#/components/schemas/Error-") == []


def test_a_build_in_process_leaves_no_object_frozen(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The pipeline freezes what its stages made (fewer objects for each garbage collection to go
    through) and collects its young objects rarely, and puts both back at its end: in-process
    callers (tests, tools) collect as usual after."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    spec = ROOT / "tests" / "features" / "nested_unions.yaml"
    thresholds = gc.get_threshold()
    seen: list[tuple[int, ...]] = []
    monkeypatch.setattr("convgen.pipeline._settled", lambda: (seen.append(gc.get_threshold()), gc.freeze()))
    assert cli.main(["build", "--no-config", "-q", str(spec), "-o", str(tmp_path / "out")]) == 0
    assert (tmp_path / "out").is_dir() and gc.get_freeze_count() == 0
    assert seen and seen[0][0] > thresholds[0] and gc.get_threshold() == thresholds
    assert cli.main(["validate", "--no-config", "-q", str(spec)]) == 0  # (load without the pipeline)
    assert gc.get_freeze_count() == 0
