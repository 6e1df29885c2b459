"""Golden files: building the committed inputs reproduces the committed outputs byte for byte."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import ROOT, run_convgen
from goldens import cases


@pytest.mark.parametrize("name", sorted(cases()))
def test_output_is_up_to_date(name: str) -> None:
    result = run_convgen("check", *cases()[name])
    assert result.returncode == 0, f"{name} is stale: run `python tests/goldens.py`\n{result.stdout}{result.stderr}"
    assert "is up to date" in result.stderr


def test_check_reports_a_stale_output(tmp_path: Path) -> None:
    """`check` is not a rubber stamp: a changed file makes it fail with a summary."""
    out = tmp_path / "out"
    shutil.copytree(ROOT / "tests" / "features" / "expected" / "tagged_union", out)
    model = out / "tagged_union" / "types" / "cat.py"
    model.write_text(model.read_text().replace("class Cat(", "class Kat("))
    args = [a if a != str(Path("tests/features/expected/tagged_union")) else str(out) for a in cases()["tagged_union"]]
    result = run_convgen("check", *args)
    assert result.returncode == 1
    assert "changed tagged_union/types/cat.py (+1 -1)" in result.stdout
    assert "1 files differ" in result.stderr


def test_two_builds_are_byte_identical(tmp_path: Path) -> None:
    spec = ROOT / "tests" / "features" / "nested_unions.yaml"
    trees = []
    for n in (1, 2):
        out = tmp_path / f"run{n}"
        result = run_convgen("build", spec, "--no-config", "--package", "shapes", "-o", out, "--no-cache")
        assert result.returncode == 0, result.stderr
        trees.append({p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()})
    assert trees[0] == trees[1]
    text = b"".join(trees[0].values())
    assert str(tmp_path).encode() not in text and str(ROOT).encode() not in text  # no machine paths
