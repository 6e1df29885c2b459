"""The whole-OpenAI client's layout: one module per resource in folders mirroring the resource tree, no module
over ~3,000 lines, and a client that imports only the resources it touches.

One build of the whole committed spec, with the arguments test_prism_whole_spec uses, so that the build cache
makes the second of the two nearly free (~30 s cold).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import SPEC, run_convgen

PACKAGE = "openai_full"
MAX_LINES = 3000


@pytest.fixture(scope="module")
def client_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("whole-layout") / "client"
    result = run_convgen("build", SPEC, "--no-config", "--array-format", "brackets", "--package", PACKAGE,
                         "-o", out, timeout=1200)
    assert result.returncode == 0, result.stderr
    return out


def test_no_module_is_over_3000_lines(client_dir: Path) -> None:
    sizes = {p.relative_to(client_dir).as_posix(): len(p.read_text().splitlines()) for p in client_dir.rglob("*.py")}
    assert len(sizes) > 300  # the types in ~220 files (typelayout.py), ~100 resources, the runtime
    assert {p: n for p, n in sizes.items() if n > MAX_LINES} == {}


def test_resource_modules_mirror_the_resource_tree(client_dir: Path) -> None:
    resources = client_dir / PACKAGE / "resources"
    for module in ["beta/threads/runs/__init__.py", "beta/threads/runs/steps.py", "chat/completions/messages.py",
                   "batches.py"]:
        assert (resources / module).is_file(), module
    # each module holds one resource (sync, async and their two wrappers), never a whole group
    runs = (resources / "beta/threads/runs/__init__.py").read_text()
    assert "class Runs:" in runs and "class Steps:" not in runs and "def steps(self) -> Steps:" in runs


def _modules_after(client_dir: Path, code: str) -> set[str]:
    script = f"import sys\n{code}\nprint(' '.join(m for m in sys.modules if m.startswith({PACKAGE!r})))"
    done = subprocess.run([sys.executable, "-c", script], cwd=client_dir, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return set(done.stdout.split())


def test_the_client_imports_only_what_it_touches(client_dir: Path) -> None:
    made = _modules_after(client_dir, f"import {PACKAGE} as p\nc = p.Client(api_key='k')")
    assert not {m for m in made if ".resources." in m or ".types" in m}
    touched = _modules_after(client_dir, f"import {PACKAGE} as p\nc = p.Client(api_key='k')\n"
                                         "c.beta.threads.runs.steps.with_raw_response.list")
    resources = {m.removeprefix(f"{PACKAGE}.resources.") for m in touched if ".resources." in m}
    assert resources == {"beta", "beta.threads", "beta.threads.runs", "beta.threads.runs.steps"}
    assert not {m for m in touched if ".types." in m}  # type modules load when a call decodes them (the index may)
