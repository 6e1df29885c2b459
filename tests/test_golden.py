"""Golden files: building the committed inputs reproduces the committed outputs byte for byte."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import ROOT, run_convgen
from goldens import EXPECTED, RUNTIME, assemble, cases, committed, feature_args, runtime_files


@pytest.mark.parametrize("name", sorted(cases()))
def test_output_is_up_to_date(name: str, tmp_path: Path) -> None:
    args = cases()[name]
    if name not in committed():  # stored without _runtime/: check the assembled package (and so its runtime too)
        args = feature_args(name, assemble(name, tmp_path))
    result = run_convgen("check", *args)
    assert result.returncode == 0, f"{name} is stale: run `python tests/goldens.py`\n{result.stdout}{result.stderr}"
    assert "is up to date" in result.stderr


def test_every_package_ships_the_runtime_verbatim() -> None:
    """The one check of `_runtime/`: the committed clients' are templates/runtime byte for byte (each
    feature build is checked against the same files above), and feature goldens keep no copy of it."""
    for package, (_, folder) in committed().items():
        runtime = folder / package / "_runtime"
        shipped = {p.name: p.read_bytes() for p in runtime.iterdir() if p.is_file()}
        assert shipped == runtime_files(), package
    assert set(runtime_files()) == {p.name for p in RUNTIME.glob("*.py")}  # every runtime module is shipped
    assert not list(EXPECTED.glob("*/*/_runtime"))


def test_check_reports_a_stale_output(tmp_path: Path) -> None:
    """`check` is not a rubber stamp: a changed file makes it fail with a summary."""
    out = assemble("tagged_union", tmp_path)
    model = out / "tagged_union" / "types" / "pets.py"
    model.write_text(model.read_text().replace("class Cat(", "class Kat("))
    result = run_convgen("check", *feature_args("tagged_union", out))
    assert result.returncode == 1
    assert "changed tagged_union/types/pets.py (+1 -1)" in result.stdout
    assert "1 files differ" in result.stderr
    shutil.rmtree(out / "tagged_union" / "_runtime")
    result = run_convgen("check", *feature_args("tagged_union", out))
    assert result.returncode == 1 and "added tagged_union/_runtime/models.py" in result.stdout


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
