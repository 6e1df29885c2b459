"""convgen's own code is held to the standard of its output: ruff and mypy --strict pass on
generator/ (configured in pyproject.toml, lines up to 120 characters)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import ROOT


def test_ruff_is_clean_on_the_generator() -> None:
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "generator"], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_generator_is_laid_out_by_ruff_format() -> None:
    result = subprocess.run([sys.executable, "-m", "ruff", "format", "--check", "--no-cache", "generator"], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict_is_clean_on_the_generator(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(tmp_path), "generator"],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues found" in result.stdout


def test_the_checks_can_fail(tmp_path: Path) -> None:
    """The configuration reaches the code: a module with an unused import and a wrong type is rejected."""
    bad = tmp_path / "bad.py"
    bad.write_text("import os\n\n\ndef f(x: int) -> str:\n    return x\n")
    ruff = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "--config", str(ROOT / "pyproject.toml"),
                           str(bad)], cwd=ROOT, capture_output=True, text=True)
    assert ruff.returncode == 1 and "F401" in ruff.stdout
    mypy = subprocess.run([sys.executable, "-m", "mypy", "--config-file", str(ROOT / "pyproject.toml"), "--cache-dir",
                           str(tmp_path / "cache"), str(bad)], cwd=ROOT, capture_output=True, text=True)
    assert mypy.returncode == 1 and "Incompatible return value" in mypy.stdout
