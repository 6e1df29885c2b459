"""Several clients from one configuration: `[tool.convgen.targets.NAME]` (README: Configuration).

`convgen build` / `check` / `validate` run every target, `--target NAME` one; the top-level keys
are every target's defaults; a malformed target table or an unknown --target is E408, and two
targets whose output folders are one or nest are E409, at the line that says so.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import ROOT, run_convgen

FEATURE = ROOT / "tests" / "features" / "tagged_union.yaml"

TWO_TARGETS = """\
[project]
name = "demo"
version = "9.9.9"

[tool.convgen]
spec = "api.yaml"
env_prefix = "PETS"

[tool.convgen.targets.pets]
tags = ["Pets"]
package = "pets_client"
output = "out/pets"

[tool.convgen.targets.everything]
package = "all_client"
output = "out/all"
version = "2.0.0"
"""


def _project(tmp_path: Path, config: str = TWO_TARGETS) -> Path:
    shutil.copy(FEATURE, tmp_path / "api.yaml")
    (tmp_path / "pyproject.toml").write_text(config)
    return tmp_path


def test_build_and_check_run_every_target_and_target_picks_one(tmp_path: Path) -> None:
    project = _project(tmp_path)
    result = run_convgen("build", cwd=project)
    assert result.returncode == 0, result.stderr
    assert "convgen: wrote" in result.stderr and "files in out/pets" in result.stderr
    assert "files in out/all" in result.stderr
    assert (project / "out/pets/pets_client/_client.py").is_file()
    assert (project / "out/all/all_client/_client.py").is_file()
    # the top-level keys are defaults; a target's own keys win
    assert 'version = "2.0.0"' in (project / "out/all/pyproject.toml").read_text()
    assert 'version = "0.1.0"' in (project / "out/pets/pyproject.toml").read_text()
    assert "PETS_BASE_URL" in (project / "out/all/README.md").read_text()

    result = run_convgen("check", cwd=project)
    assert result.returncode == 0, result.stderr
    assert "out/pets is up to date" in result.stderr and "out/all is up to date" in result.stderr

    client = project / "out/all/all_client/_client.py"
    client.write_text(client.read_text() + "# edited\n")
    result = run_convgen("check", cwd=project)
    assert result.returncode == 1
    assert "out/pets is up to date" in result.stderr and "out/all is stale: 1 files differ" in result.stderr
    result = run_convgen("check", "--target", "pets", cwd=project)
    assert result.returncode == 0 and "out/all" not in result.stderr, result.stderr
    result = run_convgen("build", "--target", "everything", cwd=project)
    assert result.returncode == 0 and "wrote" in result.stderr and "out/pets" not in result.stderr, result.stderr
    assert "# edited" not in client.read_text()


def test_a_spec_or_output_on_the_command_line_is_one_build_over_the_top_level_keys(tmp_path: Path) -> None:
    project = _project(tmp_path)
    result = run_convgen("build", "api.yaml", "--package", "solo", "-o", "solo_out", cwd=project)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in project.iterdir()) == ["api.yaml", "pyproject.toml", "solo_out"]
    assert "PETS_BASE_URL" in (project / "solo_out/README.md").read_text()  # env_prefix from the top level


def test_a_pyproject_of_target_tables_only_is_found_from_a_subfolder(tmp_path: Path) -> None:
    project = _project(tmp_path, '[tool.convgen.targets.pets]\nspec = "api.yaml"\npackage = "p"\noutput = "out"\n')
    (project / "sub").mkdir()
    result = run_convgen("build", cwd=project / "sub")
    assert result.returncode == 0, result.stderr
    assert (project / "out/p/_client.py").is_file()


def test_an_unknown_target_is_named_with_the_known_ones(tmp_path: Path) -> None:
    project = _project(tmp_path)
    result = run_convgen("build", "--target", "pest", cwd=project)
    assert result.returncode == 2 and not (project / "out").exists()
    assert ("<command line>:1:1: error E408: no target 'pest' in pyproject.toml (its targets: pets, everything)"
            in result.stderr), result.stderr
    result = run_convgen("build", "--target", "pets", "--target", "everything", "-o", "x", cwd=project)
    assert result.returncode == 2 and "error E408: --package and -o name one client" in result.stderr
    result = run_convgen("select", cwd=project)
    assert result.returncode == 2
    assert "error E408: select takes one target: pick one with --target NAME (pets, everything)" in result.stderr


def test_outputs_that_nest_are_refused_at_the_target_s_output_line(tmp_path: Path) -> None:
    project = _project(tmp_path, TWO_TARGETS.replace('output = "out/all"', 'output = "out/pets/all"'))
    result = run_convgen("build", cwd=project)
    assert result.returncode == 2 and not (project / "out").exists()
    line = TWO_TARGETS.splitlines().index('output = "out/all"') + 1
    assert (f"pyproject.toml:{line}:1: error E409: target 'everything' writes out/pets/all, inside the output of "
            "target 'pets': give each target a folder of its own, outside the others") in result.stderr, result.stderr
    assert result.stderr.splitlines()[-1] == "convgen: build failed: 1 error, 0 warnings"


def test_malformed_targets_are_located(tmp_path: Path) -> None:
    config = TWO_TARGETS + '\n[tool.convgen.targets."no spaces please"]\npackage = "x"\n'
    config = config.replace('tags = ["Pets"]', 'tags = ["Pets"]\ncolour = "blue"')
    project = _project(tmp_path, config)
    result = run_convgen("validate", cwd=project)
    assert result.returncode == 2
    lines = config.splitlines()
    colour = lines.index('colour = "blue"') + 1
    header = lines.index('[tool.convgen.targets."no spaces please"]') + 1
    assert f"pyproject.toml:{colour}:1: warning W402: unknown configuration key 'colour'" in result.stderr
    assert (f"pyproject.toml:{header}:1: error E408: target 'no spaces please' is not a name (letters, digits, _ and -)"
            in result.stderr), result.stderr
    (tmp_path / "pyproject.toml").write_text('[tool.convgen]\nspec = "api.yaml"\ntargets = ["pets"]\n')
    result = run_convgen("build", cwd=tmp_path)
    assert result.returncode == 2
    assert ("pyproject.toml:3:1: error E408: targets must be tables of targets: [tool.convgen.targets.NAME]"
            in result.stderr), result.stderr
