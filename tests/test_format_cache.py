"""The format cache: one file per output, holding that output's last results only; a cache that
cannot be written only costs time. Takes well under a second."""

from __future__ import annotations

from pathlib import Path

import black
import pytest

from convgen import format as fmt

LONG = "x" * 60


def _source(n: int) -> str:
    return f"{LONG}_{n} = call({LONG}, {LONG}, {LONG})\n"


def test_one_file_per_output_with_its_last_results(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    fmt.format_files({"pkg/a.py": _source(1), "pkg/b.py": _source(2), "pkg/c.py": "x = 1\n"})
    fmt.format_files({"other/a.py": _source(1)})
    stored = sorted((fmt.cache_dir() / "outputs").iterdir())
    assert len(stored) == 2  # pkg/ and other/
    first = fmt.format_files({"pkg/a.py": _source(1), "pkg/b.py": _source(3)})[0]
    assert len(list((fmt.cache_dir() / "outputs").iterdir())) == 2

    formatted: list[str] = []  # the files formatted (not found in the cache)
    real = fmt._format_long_statements

    def spy(todo: dict[str, str], long: dict[str, tuple[list[str], list[int]]]) -> object:
        formatted.extend(todo)
        return real(todo, long)

    monkeypatch.setattr(fmt, "_format_long_statements", spy)
    again = fmt.format_files({"pkg/a.py": _source(1), "pkg/b.py": _source(3)})[0]
    assert again == first and first["pkg/b.py"] == black.format_str(_source(3), mode=fmt._mode())
    assert formatted == []  # both from the cache
    fmt.format_files({"pkg/a.py": _source(1), "pkg/b.py": _source(2)})
    assert formatted == ["pkg/b.py"]  # the results of the build before last were not kept


def test_a_cache_that_cannot_be_written_only_costs_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    files = {"pkg/a.py": _source(1)}
    out, diags = fmt.format_files(files)
    assert not diags and out == fmt.format_files(files, use_cache=False)[0] != files
