"""The build cache keeps each build's files and diagnostics (marshal: the whole OpenAI client,
8 MB of text, is written and read back in milliseconds) and gives them back whole or not at all."""

from __future__ import annotations

from pathlib import Path

import pytest
from convgen import cache
from convgen.diagnostics import Diagnostic


@pytest.fixture(autouse=True)
def _cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))


DIAGS = [Diagnostic("W306", "property 'a.b' is attribute 'a_b'", "/components/schemas/A", "spec.yaml", 3, 5)]
FILES = {"pkg/__init__.py": "x = 1\n", "pkg/types/a.py": "é = 'ü'\n"}


def test_a_build_comes_back_as_it_was_saved(tmp_path: Path) -> None:
    ref = tmp_path / "part.yaml"
    ref.write_text("a: 1\n")
    cache.save("k1", DIAGS, FILES, [ref])
    assert cache.load("k1") == (DIAGS, FILES)
    assert cache.load("other") is None
    ref.write_text("a: 2\n")  # a file the spec's $refs name changed: the entry is stale
    assert cache.load("k1") is None


def test_a_damaged_entry_is_a_miss() -> None:
    cache.save("k2", DIAGS, FILES)
    (entry,) = (cache.root() / "builds").iterdir()
    entry.write_bytes(entry.read_bytes()[:100])
    assert cache.load("k2") is None
    entry.write_bytes(b"\x00garbage")
    assert cache.load("k2") is None


def test_only_the_newest_builds_are_kept() -> None:
    folder = cache.root() / "builds"
    folder.mkdir(parents=True)
    (folder / "old.json").write_text("{}")  # an earlier convgen's entry
    for i in range(25):
        cache.save(f"k{i}", [], {"f.py": str(i)})
    kept = sorted(p.name for p in folder.iterdir())
    assert len(kept) == 21 and "old.json" not in kept  # the 20 newest before the last save, and its own
    assert cache.load("k24") == ([], {"f.py": "24"})


def test_the_key_follows_every_template_file_but_bytecode_caches(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text("openapi: 3.1.0\n")
    templates = tmp_path / "templates"
    (templates / "runtime" / "__pycache__").mkdir(parents=True)
    (templates / "types_module.py.jinja").write_text("{{ module }}\n")
    (templates / "runtime" / "http.py").write_text("X = 1\n")

    def key() -> str | None:
        return cache.fingerprint(spec, {"package": "pets"}, templates)

    first = key()
    assert first is not None and key() == first
    (templates / "runtime" / "__pycache__" / "http.cpython-311.pyc").write_bytes(b"\0")
    assert key() == first  # bytecode is not a template
    seen = {first}
    for change in (
        lambda: (templates / "runtime" / "http.py").write_text("X = 2\n"),  # a nested file's content
        lambda: (templates / "runtime" / "extra.py").write_text(""),  # a file added
        lambda: (templates / "runtime" / "extra.py").rename(templates / "runtime" / "other.py"),  # renamed
        lambda: spec.write_text("openapi: 3.0.3\n"),  # the spec
    ):
        change()
        now = key()
        assert now not in seen
        seen.add(now)
    assert cache.fingerprint(spec, {"package": "other"}, templates) not in seen  # the options
