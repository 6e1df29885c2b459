"""journal.py: a memo file keeps a build's entries by appending the new ones to a journal, folds
the journal in when it grows past a quarter of the file, and never trusts a torn or foreign
record; a warm rebuild appends instead of rewriting its memos, and builds what a cold one does."""

from __future__ import annotations

import marshal
import shutil
from pathlib import Path

from conftest import run_convgen
from convgen import journal
from test_warm_plan import EDITS, spec_text


def _file(tmp_path: Path) -> Path:
    return tmp_path / "memo" / "m.marshal"


def test_a_missing_or_unreadable_file_reads_as_empty(tmp_path: Path) -> None:
    path = _file(tmp_path)
    assert journal.read(path) == (None, {})
    path.parent.mkdir()
    for junk in (b"", b"\x00junk", marshal.dumps([1, 2]), marshal.dumps(("h",)), marshal.dumps(("h", [1]))):
        path.write_bytes(junk)
        assert journal.read(path) == (None, {})


def test_new_entries_are_appended_then_folded_in_with_only_the_used_ones(tmp_path: Path) -> None:
    path = _file(tmp_path)
    base = {f"k{i}": f"{i:03}" * 40 for i in range(40)}  # (distinct: marshal writes a repeated value once)
    journal.write(path, "h1", base, {}, same_header=False)  # no file yet: written whole
    assert marshal.loads(path.read_bytes()) == ("h1", base) and not journal.journal_of(path).exists()
    size = path.stat().st_size

    journal.write(path, "h1", {**base, "new": "y"}, {"new": "y"}, same_header=True)
    assert path.stat().st_size == size and journal.journal_of(path).exists()  # the file is as it was
    assert journal.read(path) == ("h1", {**base, "new": "y"})
    journal.write(path, "h1", base, {}, same_header=True)  # nothing new: nothing written
    assert journal.read(path) == ("h1", {**base, "new": "y"})

    used = {"k0": base["k0"]}
    for i in range(20):  # records until the journal would pass a quarter of the file: folded in
        journal.write(path, "h1", {**used, f"n{i}": f"{i:03}z" * 50}, {f"n{i}": f"{i:03}z" * 50}, same_header=True)
        if not journal.journal_of(path).exists():
            break
    assert i > 1 and not journal.journal_of(path).exists()
    assert journal.read(path) == ("h1", {**used, f"n{i}": f"{i:03}z" * 50})  # only what that build used

    journal.write(path, "h2", {"a": "b"}, {"a": "b"}, same_header=False)  # another header: written whole
    assert journal.read(path) == ("h2", {"a": "b"})


def test_a_torn_or_foreign_record_and_all_after_it_are_ignored(tmp_path: Path) -> None:
    path = _file(tmp_path)
    journal.write(path, "h", {f"k{i}": f"{i:03}" * 70 for i in range(20)}, {}, same_header=False)
    for i in range(3):
        journal.write(path, "h", {}, {f"a{i}": "v"}, same_header=True)
    log = journal.journal_of(path)
    whole = log.read_bytes()
    assert set(journal.read(path)[1]) >= {"a0", "a1", "a2"}

    log.write_bytes(whole[:-3])  # the last record cut short (a build killed while appending)
    found = journal.read(path)[1]
    assert "a1" in found and "a2" not in found

    first = whole[: len(whole) // 3]
    log.write_bytes(first[:10] + bytes([first[10] ^ 0xFF]) + first[11:] + whole[len(first) :])  # corrupt bytes
    assert not {"a0", "a1", "a2"} & set(journal.read(path)[1])

    other = tmp_path / "other.marshal"
    journal.write(other, "another header", {"z": "1" * 2000}, {}, same_header=False)
    journal.write(other, "another header", {}, {"b": "w"}, same_header=True)
    log.write_bytes(journal.journal_of(other).read_bytes() + whole)  # a record meant for another file first
    assert not {"a0", "a1", "a2", "b"} & set(journal.read(path)[1])


def test_a_warm_rebuild_appends_to_its_memos_and_builds_what_a_cold_build_does(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    text = spec_text()  # many types modules: one module's change is a small share of each memo
    spec.write_text(text)
    env = {"XDG_CACHE_HOME": str(tmp_path / "xdg")}
    args = ("build", "--no-config", "-q", "--package", "things")
    assert run_convgen(*args, spec, "-o", tmp_path / "warm", env=env).returncode == 0
    memos = tmp_path / "xdg" / "convgen"
    files = {p: p.read_bytes() for p in memos.rglob("*.marshal") if p.parent.name in ("memo", "plan", "outputs")}
    before = {p: p.read_bytes() for p in (tmp_path / "warm").rglob("*") if p.is_file()}
    assert {p.parent.name for p in files} == {"memo", "plan", "outputs"}

    edited = EDITS["description"](text)
    assert edited != text
    spec.write_text(edited)
    done = run_convgen(*args, spec, "-o", tmp_path / "warm", env=env)
    assert done.returncode == 0, done.stderr
    assert all(p.read_bytes() == before for p, before in files.items())  # appended to, not rewritten
    assert all(journal.journal_of(p).exists() for p in files)

    cold = run_convgen(*args, "--no-cache", spec, "-o", tmp_path / "cold")
    assert cold.returncode == 0, cold.stderr
    warm_files = {
        p.relative_to(tmp_path / "warm"): p.read_bytes() for p in (tmp_path / "warm").rglob("*") if p.is_file()
    }
    cold_files = {
        p.relative_to(tmp_path / "cold"): p.read_bytes() for p in (tmp_path / "cold").rglob("*") if p.is_file()
    }
    assert warm_files == cold_files and warm_files != {p.relative_to(tmp_path / "warm"): b for p, b in before.items()}
    shutil.rmtree(tmp_path / "xdg")
