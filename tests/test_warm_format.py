"""The format cache remembers which texts need no formatting, so that a warm build does not
search every unchanged module for long lines again. Takes well under a second."""

from __future__ import annotations

from pathlib import Path

import black
import pytest

from convgen import format as fmt

LONG = "x" * 60
CLEAN = "x = 1\n"
WIDE = f"{LONG}_1 = call({LONG}, {LONG}, {LONG})\n"


def _spy_long_lines(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    searched: list[int] = []  # how many lines each search for long lines was given
    real = fmt.long_lines

    def spy(lines: list[str], is_ascii: bool) -> list[int]:
        searched.append(len(lines))
        return real(lines, is_ascii)

    monkeypatch.setattr(fmt, "long_lines", spy)
    return searched


def test_a_text_known_clean_or_formatted_is_not_searched_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    files = {"pkg/a.py": CLEAN, "pkg/b.py": WIDE, "pkg/c.md": LONG * 3}
    searched = _spy_long_lines(monkeypatch)
    first, diags = fmt.format_files(files)
    assert not diags and len(searched) == 2
    assert first == {**files, "pkg/b.py": black.format_str(WIDE, mode=fmt._mode())}
    again, diags = fmt.format_files(files)
    assert not diags and again == first and len(searched) == 2  # both known: no search
    changed = {**files, "pkg/a.py": "y = 2\n"}
    third, _ = fmt.format_files(changed)
    assert third == {**first, "pkg/a.py": "y = 2\n"} and len(searched) == 3  # only the changed text
    assert fmt.format_files(changed, use_cache=False)[0] == third


def test_custom_templates_output_is_black_formatted_whatever_the_trusted_run_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    unformatted = "x   =  [1,2]\n"  # no long line, but not black's layout
    assert fmt.format_files({"pkg/a.py": unformatted})[0]["pkg/a.py"] == unformatted  # trusted: left alone
    out, diags = fmt.format_files({"pkg/a.py": unformatted}, trusted=False)
    assert not diags and out["pkg/a.py"] == "x = [1, 2]\n"
    assert fmt.format_files({"pkg/a.py": unformatted})[0]["pkg/a.py"] == unformatted
