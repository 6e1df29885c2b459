"""cache.write_atomic, which every cache file goes through: whole or not at all, and a cache that
cannot be written costs time only (no exception, no temporary file left behind)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from convgen import cache


def test_a_file_is_written_whole_and_no_temporary_is_left(tmp_path: Path) -> None:
    target = tmp_path / "deep" / "folder" / "memo.marshal"
    cache.write_atomic(target, b"first")
    cache.write_atomic(target, b"second, longer")
    assert target.read_bytes() == b"second, longer"
    assert sorted(p.name for p in target.parent.iterdir()) == ["memo.marshal"]


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "memo.marshal"
    target.write_bytes(b"old")

    def full_disk(src: str, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full_disk)
    cache.write_atomic(target, b"new")
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["memo.marshal"]


def test_a_path_under_a_file_is_not_an_error(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    cache.write_atomic(blocker / "memo.marshal", b"data")  # mkdir fails: only time is lost
    assert blocker.read_text() == "x"
