"""Breadth: every real public spec in tests/corpus/ (see its README for sources and licences)
builds, whole and without a selection, with no error; the generated package imports, and all
the packages together pass `mypy --strict` and `ruff` with their own configuration."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from conftest import ROOT, run_convgen

CORPUS = ROOT / "tests" / "corpus"
SPECS = ["petstore.yaml", "petstore-expanded.yaml", "uspto.yaml", "link-example.yaml", "tictactoe.yaml",
         "webhook-example.yaml", "box.json", "digitalocean"]
ERROR = re.compile(r"^\S+:\d+:\d+: error ")
Built = dict[str, tuple[subprocess.CompletedProcess[str], Path]]  # spec name -> (its build, the output folder)


def _package(name: str) -> str:
    return "corpus_" + re.sub(r"\W", "_", name.split(".")[0])


@pytest.fixture(scope="module")
def digitalocean(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """DigitalOcean's spec, 2,907 files, kept as the tarball it was published as."""
    folder = tmp_path_factory.mktemp("digitalocean")
    with tarfile.open(CORPUS / "digitalocean-specification.tar.gz") as archive:
        archive.extractall(folder, filter="data")
    return folder / "specification" / "DigitalOcean-public.v2.yaml"


@pytest.fixture(scope="module")
def built(digitalocean: Path, tmp_path_factory: pytest.TempPathFactory) -> Built:
    """Every corpus client, built once for the tests below."""
    root = tmp_path_factory.mktemp("corpus")
    out = {}
    for name in SPECS:
        spec = digitalocean if name == "digitalocean" else CORPUS / name
        folder = root / _package(name)
        result = run_convgen("build", spec, "--no-config", "--package", _package(name), "-o", folder, timeout=1800)
        out[name] = result, folder
    return out


@pytest.mark.parametrize("name", SPECS)
def test_corpus_spec_builds_and_its_package_imports(name: str, built: Built) -> None:
    package = _package(name)
    result, out = built[name]
    errors = [line for line in result.stderr.splitlines() if ERROR.match(line)]
    assert result.returncode == 0 and not errors, result.stderr[-3000:]
    assert "internal error" not in result.stderr
    # every module of the package imports (types and resources are imported lazily otherwise)
    script = (
        "import importlib, pkgutil, sys\n"
        f"pkg = importlib.import_module({package!r})\n"
        "names = [m.name for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + '.')]\n"
        "for n in names: importlib.import_module(n)\n"
        "types = importlib.import_module(pkg.__name__ + '.types')\n"
        "for n in types.__all__: getattr(types, n)\n"
        "print(len(names), len(types.__all__))\n"
    )
    imported = subprocess.run([sys.executable, "-c", script], cwd=out, capture_output=True, text=True, timeout=600, check=False)
    assert imported.returncode == 0, imported.stderr[-3000:]
    modules, types = map(int, imported.stdout.split())
    assert modules > 3 and types > 0


def _all_built(built: Built) -> list[Path]:
    failed = [name for name, (result, _) in built.items() if result.returncode != 0]
    assert not failed, f"not built: {failed}"
    return [folder for _, folder in built.values()]


def test_corpus_clients_pass_ruff(built: Built) -> None:
    folders = _all_built(built)
    # one run: ruff reads each package's own pyproject.toml for the files under it
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", *map(str, folders)],
                            cwd=folders[0].parent, capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-2000:]
    assert all((f / "pyproject.toml").is_file() for f in folders)  # the configuration ruff used


def test_corpus_clients_pass_mypy_strict(built: Built, tmp_path: Path) -> None:
    folders = _all_built(built)
    # one mypy run over every package; their configuration is `strict = true`, given here as the flag
    packages = [arg for f in folders for arg in ("-p", f.name)]
    env = {**os.environ, "MYPYPATH": os.pathsep.join(map(str, folders))}
    result = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(tmp_path), *packages],
                            capture_output=True, text=True, timeout=1800, check=False, env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-2000:]
    assert "Success: no issues found" in result.stdout


def test_a_section_of_the_split_spec_is_a_valid_standalone_spec(digitalocean: Path, tmp_path: Path) -> None:
    from openapi_spec_validator import validate

    out = tmp_path / "droplets.json"
    result = run_convgen("select", digitalocean, "--no-config", "--tag", "Droplets", "-o", out)
    assert result.returncode == 0, result.stderr[-3000:]
    doc = json.loads(out.read_text(encoding="utf-8"))
    validate(doc)
    assert "/v2/droplets/{droplet_id}" in doc["paths"] and "droplet" in doc["components"]["schemas"]
    assert not re.search(r'"\$ref": "(?!#/components/)', out.read_text(encoding="utf-8"))  # every reference is local
