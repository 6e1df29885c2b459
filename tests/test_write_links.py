"""Writing a big client again after a small change: unchanged files go into the new tree as hard
links to the old ones (creating them again cost more than the build), and nothing else about
the write changes: the result is exactly the new files, atomically, with a normal file's mode."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from convgen import write as write_module
from convgen.write import MANIFEST, write

FILES = {"pkg/__init__.py": "", "pkg/a.py": "A = 1\n", "pkg/b.py": "B = 2\n", "pkg/sub/c.py": "C = 3\n"}


def contents(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}


def inode(path: Path) -> int:
    return os.lstat(path).st_ino


def normal_mode() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def test_unchanged_files_are_linked_changed_ones_written(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert write(FILES, out)
    before = {rel: inode(out / rel) for rel in FILES}
    changed = {**FILES, "pkg/b.py": "B = 3\n", "pkg/new.py": "N = 0\n"}
    assert write(changed, out)
    assert {k: v for k, v in contents(out).items() if k != MANIFEST} == {k: v.encode() for k, v in changed.items()}
    assert inode(out / "pkg/a.py") == before["pkg/a.py"] and inode(out / "pkg/sub/c.py") == before["pkg/sub/c.py"]
    assert inode(out / "pkg/b.py") != before["pkg/b.py"]
    assert all(os.lstat(out / rel).st_nlink == 1 for rel in changed)  # the old tree is gone, no second name
    assert [p.name for p in tmp_path.iterdir()] == ["out"]  # no staging or old folder left
    assert not write(changed, out)  # nothing to change: nothing written


def test_a_file_with_another_mode_or_a_symlink_is_written_anew(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write(FILES, out)
    os.chmod(out / "pkg/a.py", 0o600 if normal_mode() != 0o600 else 0o640)
    outside = tmp_path / "elsewhere.py"
    outside.write_text("B = 2\n")
    (out / "pkg/b.py").unlink()
    (out / "pkg/b.py").symlink_to(outside)
    assert write({**FILES, "pkg/sub/c.py": "C = 4\n"}, out)
    for rel in ("pkg/a.py", "pkg/b.py"):
        info = os.lstat(out / rel)
        assert stat.S_ISREG(info.st_mode) and stat.S_IMODE(info.st_mode) == normal_mode()
    assert inode(out / "pkg/b.py") != inode(outside) and outside.read_text() == "B = 2\n"


def test_an_interrupted_write_leaves_the_old_files_as_they_were(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    write(FILES, out)
    old = contents(out)

    def interrupted(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(write_module, "_swap", interrupted)  # after every file is staged (linked or written)
    with pytest.raises(KeyboardInterrupt):  # (two files change: one alone is renamed in place, test_atomic_write.py)
        write({**FILES, "pkg/b.py": "B = 5\n", "pkg/sub/c.py": "C = 5\n"}, out)
    assert contents(out) == old
    assert all(os.lstat(out / rel).st_nlink == 1 for rel in FILES)  # the staged links were removed
    assert [p.name for p in tmp_path.iterdir()] == ["out"]
