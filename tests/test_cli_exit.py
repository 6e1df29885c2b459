"""How the `convgen` command leaves its process: with main()'s exit code and everything it printed,
but without the interpreter's teardown (cli.command; `python -m convgen` alike)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import ROOT

SPEC = ROOT / "tests" / "features" / "nested_unions.yaml"
# an exit handler stands for the teardown: it runs only when the interpreter shuts down as usual
SCRIPT = """
import atexit, sys
atexit.register(lambda: print("teardown ran", flush=True))
from convgen.cli import command
sys.argv = ["convgen", *sys.argv[1:]]
command()
"""


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", SCRIPT, *args], capture_output=True, text=True, timeout=120)


def test_the_command_exits_with_main_s_code_and_its_output_but_no_teardown() -> None:
    ok = _run("validate", "--no-config", "-v", str(SPEC))
    assert ok.returncode == 0, ok.stderr
    assert "teardown ran" not in ok.stdout + ok.stderr
    assert "convgen: total" in ok.stderr  # the last thing it printed reached the pipe (flushed before leaving)

    failed = _run("validate", "--no-config", str(ROOT / "tests" / "no-such-spec.yaml"))
    assert failed.returncode != 0 and "no-such-spec.yaml" in failed.stderr
    assert "teardown ran" not in failed.stdout + failed.stderr


def test_argument_errors_still_leave_as_argparse_does() -> None:
    bad = _run("--no-such-option")
    assert bad.returncode == 2 and "usage:" in bad.stderr


def test_under_a_profiler_the_interpreter_exits_as_usual(tmp_path: Path) -> None:
    """cProfile (and coverage) write their data at the interpreter's exit: that exit is kept for them."""
    stats = tmp_path / "convgen.prof"
    result = subprocess.run(
        [sys.executable, "-m", "cProfile", "-o", str(stats), "-m", "convgen", "validate", "--no-config", str(SPEC)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert stats.stat().st_size > 0


def test_the_command_runs_without_the_cyclic_garbage_collector() -> None:
    """Its objects live to its end (see cli.command): main() runs with the collector off."""
    probe = "import gc, sys; from convgen import cli; cli.main = lambda: 3 if gc.isenabled() else 4; cli.command()"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert done.returncode == 4, done.stderr
