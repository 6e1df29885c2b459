"""Work shared with a forked child (split.py): the same results, in order, whatever the child does."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import pytest

import convgen.format as format_module
import convgen.render as render_module
from convgen import split
from convgen.format import SHARED_MIN_FILES, format_files
from convgen.plan import Job
from convgen.render import SHARED_MIN_JOBS, render

PARENT = os.getpid()
needs_fork = pytest.mark.skipif(not split._can_fork(), reason="no fork or a single core here")


def squares(items: Sequence[int]) -> list[tuple[int, int]]:
    return [(n * n, os.getpid()) for n in items]


@needs_fork
def test_results_in_order_and_half_of_them_from_a_child() -> None:
    results = split.shared(squares, list(range(101)), min_items=10)
    assert [r for r, _ in results] == [n * n for n in range(101)]
    pids = {pid for _, pid in results}
    assert PARENT in pids and len(pids) == 2
    assert [pid == PARENT for _, pid in results] == [n % 2 == 0 for n in range(101)]


def test_small_work_stays_here() -> None:
    results = split.shared(squares, list(range(9)), min_items=10)
    assert results == [(n * n, PARENT) for n in range(9)]


@needs_fork
def test_a_failing_child_costs_only_time() -> None:
    def only_here(items: Sequence[int]) -> list[int]:
        if os.getpid() != PARENT:
            raise RuntimeError("the child fails")
        return [n + 1 for n in items]

    assert split.shared(only_here, list(range(40)), min_items=10) == list(range(1, 41))


@needs_fork
def test_a_child_that_dies_costs_only_time() -> None:
    def die_there(items: Sequence[int]) -> list[int]:
        if os.getpid() != PARENT:
            os._exit(3)
        return [-n for n in items]

    assert split.shared(die_there, list(range(40)), min_items=10) == [-n for n in range(40)]


@needs_fork
def test_an_error_here_is_raised_and_the_child_reaped() -> None:
    def fail_here(items: Sequence[int]) -> list[int]:
        if os.getpid() == PARENT:
            raise ValueError("here")
        return list(items)

    with pytest.raises(ValueError, match="here"):
        split.shared(fail_here, list(range(40)), min_items=10)
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)  # no child left behind


@needs_fork
def test_render_shared_equals_render_alone_with_a_template_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Enough jobs to share, one of them failing in a user template: the same texts and the
    same located diagnostic as rendering everything in this process."""
    (tmp_path / "ok.jinja").write_text("{{ n }} squared is {{ n * n }}\n")
    (tmp_path / "bad.jinja").write_text("line one\n{{ missing.attribute }}\n")
    jobs = [Job(f"f{i}.txt", "bad.jinja" if i == 7 else "ok.jinja", {"n": i}) for i in range(SHARED_MIN_JOBS + 1)]
    shared_texts, shared_diags = render(jobs, tmp_path)
    monkeypatch.setattr(render_module, "shared", lambda work, items, min_items: work(items))
    alone_texts, alone_diags = render(jobs, tmp_path)
    assert shared_texts == alone_texts and list(shared_texts) == list(alone_texts)
    assert len(shared_texts) == SHARED_MIN_JOBS and shared_texts["f8.txt"] == "8 squared is 64\n"
    assert [(d.code, d.file.endswith("bad.jinja"), d.line) for d in shared_diags] == [("E403", True, 2)]
    assert shared_diags == alone_diags


@needs_fork
def test_format_shared_equals_format_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    args = ", ".join(f"argument_number_{k}" for k in range(8))
    files = {f"m{i}.py": f"value_{i} = some_function_name({args}, {i})\n" for i in range(SHARED_MIN_FILES + 3)}
    shared_out, shared_diags = format_files(files, use_cache=False)
    monkeypatch.setattr(format_module, "shared", lambda work, items, min_items: work(items))
    alone_out, alone_diags = format_files(files, use_cache=False)
    assert shared_out == alone_out and list(shared_out) == list(files) and not shared_diags and not alone_diags
    assert shared_out["m5.py"].startswith("value_5 = some_function_name(\n    argument_number_0,\n")
