"""Nothing half-written (issue 5): a build that fails for any reason leaves the output folder
byte for byte as it was, and leaves no staging folder behind; a successful one replaces it whole.

Failures covered: a bad spec, a broken template override (syntax and runtime errors), generated
code black cannot parse, an output that cannot be written (a file size limit: "disk full" even
for root, which ignores permissions; a read-only folder when not root; an output path that is a
file), Ctrl-C (monkeypatched inside the write stage, and a real SIGINT at several moments of a
build in a subprocess) and SIGKILL (the atomic exchange means the output is old or new, never
in between; the next build removes what the killed one left).
"""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT
from convgen import cli
from convgen import write as write_module
from spec_support import tree

FEATURE = ROOT / "tests" / "features" / "tagged_union.yaml"


CACHE: Path | None = None  # one convgen cache for the module: content-keyed, so sharing it is safe


def _convgen(*args: str | Path, cwd: Path, timeout: float = 300, **popen: object) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1", "XDG_CACHE_HOME": str(CACHE or cwd / "cache")}
    return subprocess.run([sys.executable, "-m", "convgen", *map(str, args)], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=timeout, **popen)  # type: ignore[call-overload, no-any-return]


def _popen(*args: str | Path, cwd: Path, **popen: object) -> subprocess.Popen[str]:
    env = {**os.environ, "NO_COLOR": "1", "XDG_CACHE_HOME": str(CACHE or cwd / "cache")}
    return subprocess.Popen([sys.executable, "-m", "convgen", *map(str, args)], cwd=cwd, env=env, text=True, **popen)  # type: ignore[call-overload, no-any-return]


def _build_args(spec: Path, out: Path, *extra: str | Path) -> list[str | Path]:
    return ["build", spec, "--no-config", "--package", "pets", "-o", out, *extra]


def _folder_state(tmp: Path, out: Path) -> tuple[dict[str, bytes], list[str]]:
    """The output tree, and the hidden names beside it (staging folders are `.NAME.new-...`)."""
    return tree(out), sorted(p.name for p in out.parent.iterdir() if p.name.startswith("."))


V2_OWNER = "components:\n  schemas:\n    Owner:\n      type: object\n      properties:\n        name: {type: string}\n"


@pytest.fixture(scope="module")
def trees(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, bytes], dict[str, bytes]]:
    """The output of spec v1 and of spec v2, each built once."""
    global CACHE
    tmp = tmp_path_factory.mktemp("atomic")
    CACHE = tmp / "cache"
    found = []
    for name, text in (("v1.yaml", FEATURE.read_text()), ("v2.yaml", _v2_text())):
        (tmp / name).write_text(text)
        result = _convgen(*_build_args(tmp / name, tmp / name.replace(".yaml", "")), cwd=tmp)
        assert result.returncode == 0, result.stderr
        found.append(tree(tmp / name.replace(".yaml", "")))
    assert found[0] != found[1]
    return found[0], found[1]


def _v2_text() -> str:
    return FEATURE.read_text().replace("title: Pets", "title: Pets v2").replace("components:\n  schemas:\n", V2_OWNER, 1)


@pytest.fixture
def project(tmp_path: Path, trees: tuple[dict[str, bytes], dict[str, bytes]]) -> tuple[Path, Path, Path]:
    """(spec v1, spec v2, output folder holding the build of v1)."""
    v1 = tmp_path / "pets.yaml"
    v1.write_text(FEATURE.read_text())
    v2 = tmp_path / "pets2.yaml"
    v2.write_text(_v2_text())
    out = tmp_path / "out"
    shutil_copy_tree(trees[0], out)
    return v1, v2, out


def _assert_untouched(before: tuple[dict[str, bytes], list[str]], tmp: Path, out: Path, result_text: str = "") -> None:
    after = _folder_state(tmp, out)
    assert after[0] == before[0], "the output folder changed"
    assert after[1] == before[1], f"left beside the output: {sorted(set(after[1]) - set(before[1]))}"
    assert "Traceback" not in result_text


def test_bad_spec_changes_nothing(project: tuple[Path, Path, Path]) -> None:
    v1, _, out = project
    before = _folder_state(out.parent, out)
    bad = out.parent / "bad.yaml"
    bad.write_text(v1.read_text().replace("$ref: \"#/components/schemas/Pet\"", "$ref: \"#/components/schemas/Nope\"", 1))
    result = _convgen(*_build_args(bad, out), cwd=out.parent)
    assert result.returncode == 2 and " error E103: " in result.stderr
    _assert_untouched(before, out.parent, out, result.stderr)


@pytest.mark.parametrize("template, code", [
    ("{% for x in %}\n", "E403"),  # syntax error
    ("{{ module.no_such_attribute.deeper }}\n", "E403"),  # error while rendering
    ("def broken(:\n    pass\n", "E407"),  # renders, but is not Python: black refuses it
])
def test_broken_template_override_changes_nothing(project: tuple[Path, Path, Path], template: str, code: str) -> None:
    _, v2, out = project
    before = _folder_state(out.parent, out)
    templates = out.parent / "my-templates"
    templates.mkdir()
    (templates / "types_module.py.jinja").write_text(template)
    result = _convgen(*_build_args(v2, out, "--templates", templates), cwd=out.parent)
    assert result.returncode == 2 and f" error {code}: " in result.stderr, result.stderr
    _assert_untouched(before, out.parent, out, result.stderr)


@pytest.mark.parametrize("change", ["many files", "one file"])
def test_disk_full_changes_nothing(project: tuple[Path, Path, Path], change: str) -> None:
    """A file size limit makes writes fail with EFBIG part-way through, as a full disk would; where
    one file changed, while that file alone is written beside the output."""
    v1, v2, out = project
    spec, size = (v2, 4096) if change == "many files" else (_one_changed(v1), 1024)
    before = _folder_state(out.parent, out)

    def limit() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))

    result = _convgen(*_build_args(spec, out), cwd=out.parent, preexec_fn=limit)
    assert result.returncode == 2 and " error E404: cannot write " in result.stderr, result.stderr
    _assert_untouched(before, out.parent, out, result.stderr)


def test_output_that_is_a_file_or_a_foreign_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "pets.yaml").write_text(FEATURE.read_text())
    (tmp_path / "out.txt").write_text("mine")
    foreign = tmp_path / "src"
    foreign.mkdir()
    (foreign / "main.py").write_text("print('mine')\n")
    for target in (tmp_path / "out.txt", foreign):
        before = _folder_state(tmp_path, target)
        result = _convgen(*_build_args(tmp_path / "pets.yaml", target), cwd=tmp_path)
        assert result.returncode == 2 and " error E404: " in result.stderr
        assert _folder_state(tmp_path, target) == before


@pytest.mark.parametrize("where", ["writing files", "swapping folders", "writing the one file", "renaming it"])
def test_ctrl_c_in_the_write_stage_changes_nothing(project: tuple[Path, Path, Path], where: str,
                                                  monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]) -> None:
    """Ctrl-C while the new tree is staged or swapped in, and (where one file changed, so it alone is
    put in place) while that file is written beside the output or renamed over the old one."""
    v1, v2, out = project
    spec = v2 if where in ("writing files", "swapping folders") else _one_changed(v1)
    before = _folder_state(out.parent, out)
    monkeypatch.setenv("XDG_CACHE_HOME", str(CACHE or out.parent / "cache"))
    calls = {"n": 0}
    real_open = open

    def interrupted_open(*args: object, **kwargs: object) -> object:
        calls["n"] += 1
        if where == "writing the one file" and len(args) > 1 and args[1] == "x":
            real_open(*args, **kwargs).close()  # type: ignore[call-overload]  # made, half written, when it comes
            raise KeyboardInterrupt
        if where == "writing files" and calls["n"] == 5:
            raise KeyboardInterrupt
        return real_open(*args, **kwargs)  # type: ignore[call-overload]

    def interrupted_swap(staging: Path, target: Path) -> None:
        assert staging.is_dir() and (staging / write_module.MANIFEST).is_file()  # fully written by now
        raise KeyboardInterrupt

    real_replace = os.replace

    def interrupted_replace(source: str, target: str) -> None:
        if Path(source).name.startswith(f".{out.name}.new-"):  # the one file, not a cache's (os is shared)
            calls["renamed"] = calls.get("renamed", 0) + 1
            raise KeyboardInterrupt
        real_replace(source, target)

    monkeypatch.setattr(write_module, "open", interrupted_open, raising=False)
    if where == "swapping folders":
        monkeypatch.setattr(write_module, "_swap", interrupted_swap)
    if where == "renaming it":
        monkeypatch.setattr(write_module.os, "replace", interrupted_replace)
    code = cli.main([str(a) for a in _build_args(spec, out)])
    captured = capfd.readouterr()
    assert code == 130 and calls["n"] >= 1
    assert "interrupted; the output folder was left as it was" in captured.err
    _assert_untouched(before, out.parent, out, captured.err)
    if where == "renaming it":
        assert calls["renamed"] == 1


def test_sigint_at_any_moment_leaves_old_or_new(project: tuple[Path, Path, Path], tmp_path: Path,
                                               trees: tuple[dict[str, bytes], dict[str, bytes]]) -> None:
    """A real Ctrl-C (SIGINT to the process) at several moments of a build over an existing output."""
    _, v2, out = project
    old, new = trees
    # the shorter of two builds: the first of a test session can be slower (bytecode written, disk
    # caches cold), and interrupts timed by it would all land after the swap
    durations = []
    for _ in range(2):
        start = time.monotonic()
        assert _convgen(*_build_args(v2, tmp_path / "timed", "--no-cache"), cwd=tmp_path).returncode == 0
        durations.append(time.monotonic() - start)
    duration = min(durations)
    seen = set()
    for fraction in (0.2, 0.4, 0.7, 0.95):
        shutil_copy_tree(old, out)
        proc = _popen(*_build_args(v2, out, "--no-cache"), cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        time.sleep(duration * fraction)
        proc.send_signal(signal.SIGINT)
        _, stderr = proc.communicate(timeout=120)
        # 130: interrupted by convgen's handler; -SIGINT: the signal came while Python was exiting
        assert proc.returncode in (0, 130, -signal.SIGINT), stderr
        assert "Traceback" not in stderr, stderr
        state = tree(out)
        assert state in (old, new), f"half-written output after SIGINT at {fraction:.0%} of the build"
        seen.add("new" if state == new else "old")
        assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".out.")) == []
    assert "old" in seen  # at least one interrupt landed before the swap


def test_killed_build_leaves_old_or_new_and_the_next_build_cleans_up(project: tuple[Path, Path, Path], tmp_path: Path,
                                                                     trees: tuple[dict[str, bytes], dict[str, bytes]]) -> None:
    _, v2, out = project
    old, new = trees
    for delay in (0.6, 1.2, 2.0):
        proc = _popen(*_build_args(v2, out, "--no-cache"), cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        proc.kill()
        proc.wait()
        state = tree(out)
        assert state in (old, new), f"half-written output after SIGKILL at {delay}s"
        if state == new:
            break
    # what killed builds left beside the output (and a staging folder of a process long gone)
    # goes with the next build; another output's folders stay
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True).stdout.strip()
    (tmp_path / f".out.new-{dead}-zzzz1234").mkdir()
    (tmp_path / f".out.new-{dead}-zzzz1234" / "half.py").write_text("x = ")
    (tmp_path / ".other.new-1-abc").mkdir()
    shutil_copy_tree(old, out)
    result = _convgen(*_build_args(v2, out), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert tree(out) == new
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == [".other.new-1-abc"]


def test_successful_rebuild_replaces_the_folder_whole(project: tuple[Path, Path, Path], tmp_path: Path,
                                                     trees: tuple[dict[str, bytes], dict[str, bytes]]) -> None:
    _, v2, out = project
    (out / "pets" / "stale_module.py").write_text("STALE = True\n")  # a file the new build does not make,
    manifest = out / ".convgen-manifest"  # written by an older build (a file added by hand is kept: test_output_folder.py)
    manifest.write_text(manifest.read_text() + "pets/stale_module.py\n")
    result = _convgen(*_build_args(v2, out), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert tree(out) == trees[1]
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []
    again = _convgen(*_build_args(v2, out), cwd=tmp_path)
    assert again.returncode == 0 and "unchanged" in again.stderr


def shutil_copy_tree(files: dict[str, bytes], folder: Path) -> None:
    """Make `folder` hold exactly `files` (a `tree()` snapshot)."""
    import shutil

    if folder.exists():
        shutil.rmtree(folder)
    for rel, data in files.items():
        path = folder / rel
        if rel.endswith("/"):
            path.mkdir(parents=True, exist_ok=True)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def _one_changed(v1: Path) -> Path:
    """v1 with one schema's description changed: one generated file differs."""
    spec = v1.parent / "pets-described.yaml"
    text = v1.read_text()
    spec.write_text(text.replace("description: A pet, told apart", "description: A pet (described again), told apart", 1))
    assert spec.read_text() != text
    return spec


def test_one_changed_file_is_renamed_over_the_old_one(project: tuple[Path, Path, Path], tmp_path: Path) -> None:
    """Where one file changed and none came or went, the new text is written beside the output and
    renamed over the old file (one atomic step): the folder and the other files stay as they are."""
    v1, _, out = project
    spec = _one_changed(v1)
    cold = _convgen(*_build_args(spec, tmp_path / "cold", "--no-cache"), cwd=tmp_path)
    assert cold.returncode == 0, cold.stderr
    expected = tree(tmp_path / "cold")
    before = tree(out)
    changed = [rel for rel in expected if expected[rel] != before.get(rel)]
    assert len(changed) == 1 and set(expected) == set(before)
    inodes = {rel: os.stat(out / rel).st_ino for rel in before if not rel.endswith("/")}
    folder = os.stat(out).st_ino

    result = _convgen(*_build_args(spec, out), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert tree(out) == expected
    assert os.stat(out).st_ino == folder
    assert {rel for rel, ino in inodes.items() if os.stat(out / rel).st_ino != ino} == set(changed)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_a_file_a_killed_build_left_beside_the_output_goes_with_the_next_build(
    project: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    v1, _, out = project
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True).stdout
    (tmp_path / f".out.new-{dead.strip()}-zzzz1234").write_text("x = ")  # as `_replace_one` writes it
    (tmp_path / ".other.new-1-abc").write_text("another output's")
    result = _convgen(*_build_args(_one_changed(v1), out), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == [".other.new-1-abc"]
