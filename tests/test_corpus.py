"""Breadth: every real public spec in tests/corpus/ (see its README for sources and licences)
builds, whole and without a selection, with no error, and the generated package imports."""

from __future__ import annotations

import json
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


@pytest.fixture(scope="module")
def digitalocean(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """DigitalOcean's spec, 2,907 files, kept as the tarball it was published as."""
    folder = tmp_path_factory.mktemp("digitalocean")
    with tarfile.open(CORPUS / "digitalocean-specification.tar.gz") as archive:
        archive.extractall(folder, filter="data")
    return folder / "specification" / "DigitalOcean-public.v2.yaml"


def _spec(name: str, request: pytest.FixtureRequest) -> Path:
    return request.getfixturevalue("digitalocean") if name == "digitalocean" else CORPUS / name


@pytest.mark.parametrize("name", SPECS)
def test_corpus_spec_builds_and_its_package_imports(name: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    package = "corpus_" + re.sub(r"\W", "_", name.split(".")[0])
    out = tmp_path / "out"
    result = run_convgen("build", _spec(name, request), "--no-config", "--package", package, "-o", out, timeout=1800)
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


def test_a_section_of_the_split_spec_is_a_valid_standalone_spec(digitalocean: Path, tmp_path: Path) -> None:
    from openapi_spec_validator import validate

    out = tmp_path / "droplets.json"
    result = run_convgen("select", digitalocean, "--no-config", "--tag", "Droplets", "-o", out)
    assert result.returncode == 0, result.stderr[-3000:]
    doc = json.loads(out.read_text(encoding="utf-8"))
    validate(doc)
    assert "/v2/droplets/{droplet_id}" in doc["paths"] and "droplet" in doc["components"]["schemas"]
    assert not re.search(r'"\$ref": "(?!#/components/)', out.read_text(encoding="utf-8"))  # every reference is local
