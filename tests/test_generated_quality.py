"""The generated packages pass mypy --strict and ruff with their own configuration."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import GENERATED
from goldens import assembled_features

PACKAGES = [GENERATED] + sorted(assembled_features().iterdir())


@pytest.mark.parametrize("folder", PACKAGES, ids=lambda p: p.name)
def test_ruff_is_clean(folder: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "."], cwd=folder, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("folder", PACKAGES, ids=lambda p: p.name)
def test_mypy_strict_is_clean(folder: Path, tmp_path: Path) -> None:
    package = next(p.name for p in folder.iterdir() if (p / "__init__.py").is_file())
    result = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(tmp_path), package],
                            cwd=folder, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
