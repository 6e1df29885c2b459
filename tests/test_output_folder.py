"""The output folder belongs to convgen, but not everything in it (issue 11).

Build artefacts of the generated package are no drift and survive rebuilds; a file added by
hand is never deleted without being named (the build refuses, E406); the folder's permissions
are those of a normal write.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

from conftest import ROOT
from spec_support import tree

FEATURE = ROOT / "tests" / "features" / "tagged_union.yaml"
# what `pip install out/`, python, mypy, ruff, pytest and a virtualenv leave in the folder
ARTEFACTS = {
    "build/lib/pets/__init__.py": b"# copied by setuptools\n",
    "pets.egg-info/PKG-INFO": b"Name: pets\n",
    "dist/pets-0.1.0.tar.gz": b"\x1f\x8b not really\n",
    "pets/__pycache__/__init__.cpython-311.pyc": b"\x00pyc",
    "pets/types/__pycache__/pet.cpython-311.pyc": b"\x00pyc",
    ".mypy_cache/3.11/pets.json": b"{}",
    ".ruff_cache/CACHEDIR.TAG": b"Signature\n",
    ".venv/bin/python": b"#!/bin/sh\n",
}


def convgen(*args: str | Path, cwd: Path, umask: int = 0o022) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1", "XDG_CACHE_HOME": str(cwd / "cache")}
    return subprocess.run([sys.executable, "-m", "convgen", *map(str, args)], cwd=cwd, env=env, capture_output=True,
                          text=True, umask=umask, timeout=300, check=False)


def build(spec: Path, out: Path, *extra: str, umask: int = 0o022) -> subprocess.CompletedProcess[str]:
    return convgen("build", spec, "--no-config", "--package", "pets", "-o", out, *extra, cwd=out.parent, umask=umask)


def check(spec: Path, out: Path) -> subprocess.CompletedProcess[str]:
    return convgen("check", spec, "--no-config", "--package", "pets", "-o", out, cwd=out.parent)


def v2(tmp_path: Path) -> Path:
    spec = tmp_path / "v2.yaml"
    spec.write_text(FEATURE.read_text().replace("title: Pets", "title: Pets v2"))
    return spec


def add(out: Path, files: dict[str, bytes]) -> None:
    for rel, data in files.items():
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_bytes(data)


def test_build_artefacts_are_not_drift_and_survive_a_rebuild(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert build(FEATURE, out).returncode == 0
    generated = tree(out)
    add(out, ARTEFACTS)
    result = check(FEATURE, out)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "is up to date" in result.stderr and result.stdout == ""
    rebuilt = build(v2(tmp_path), out)
    assert rebuilt.returncode == 0 and "wrote" in rebuilt.stderr, rebuilt.stderr
    after = tree(out)
    assert {rel: after.get(rel) for rel in ARTEFACTS} == ARTEFACTS  # carried over, byte for byte
    assert after["pets/_client.py"] != generated["pets/_client.py"]  # and the new build is in place
    assert check(v2(tmp_path), out).returncode == 0


def test_a_cache_of_a_folder_the_new_build_does_not_have_goes_with_it(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert build(FEATURE, out).returncode == 0
    manifest = out / ".convgen-manifest"
    manifest.write_text(manifest.read_text() + "pets/old/__init__.py\n")  # as if an older build wrote it
    add(out, {"pets/old/__init__.py": b"", "pets/old/__pycache__/__init__.cpython-311.pyc": b"\x00"})
    result = build(FEATURE, out)
    assert result.returncode == 0, result.stderr
    assert not (out / "pets" / "old").exists()


def test_a_file_added_by_hand_is_named_and_never_deleted(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert build(FEATURE, out).returncode == 0
    add(out, {"NOTES.md": b"my notes\n", "pets/extra.py": b"EXTRA = 1\n"})
    before = tree(out)
    for result in (build(v2(tmp_path), out), check(FEATURE, out)):
        assert result.returncode == 2, result.stderr
        lines = result.stderr.splitlines()
        assert lines[:2] == [
            f"{out / name}:1:1: error E406: {out / name} was not written by convgen: it is kept, and {out} is not "
            "replaced while it is there; hint: convgen did not write this file and would delete it: move it out of the output folder"
            for name in ("NOTES.md", "pets/extra.py")
        ]
        assert lines[-1] == f"convgen: {result.args[3]} failed: 2 errors, 0 warnings"
        assert tree(out) == before
    (out / "NOTES.md").unlink()
    (out / "pets" / "extra.py").unlink()
    assert build(v2(tmp_path), out).returncode == 0


def test_a_file_the_last_build_wrote_and_this_one_does_not_is_removed(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert build(v2(tmp_path), out).returncode == 0
    manifest = out / ".convgen-manifest"
    manifest.write_text(manifest.read_text() + "pets/gone.py\n")
    (out / "pets" / "gone.py").write_text("GONE = 1\n")
    result = build(FEATURE, out)
    assert result.returncode == 0, result.stderr
    assert not (out / "pets" / "gone.py").exists()


def _modes(out: Path) -> set[tuple[str, int]]:
    return {("dir" if p.is_dir() else "file", stat.S_IMODE(p.stat().st_mode)) for p in [out, *out.rglob("*")]}


def test_permissions_follow_the_umask_and_an_existing_folder_keeps_its_mode(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    assert build(FEATURE, shared, umask=0o022).returncode == 0
    assert _modes(shared) == {("dir", 0o755), ("file", 0o644)}
    private = tmp_path / "private"
    assert build(FEATURE, private, umask=0o077).returncode == 0
    assert _modes(private) == {("dir", 0o700), ("file", 0o600)}
    existing = tmp_path / "existing"
    existing.mkdir()
    existing.chmod(0o750)
    assert build(FEATURE, existing, umask=0o022).returncode == 0
    assert stat.S_IMODE(existing.stat().st_mode) == 0o750
    assert build(v2(tmp_path), existing, umask=0o022).returncode == 0  # replaced by a new folder: same mode
    assert stat.S_IMODE(existing.stat().st_mode) == 0o750
