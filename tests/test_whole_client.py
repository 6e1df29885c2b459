"""The committed client of the whole OpenAI API (generated-full/, target `full` in pyproject.toml):
every module imports, the package passes mypy --strict with its own configuration, and its
README shows one example per resource group, which mypy checks along (so each call names its
method right and passes every argument the method requires, of the right type). (That the
folder is what the spec builds, byte for byte, is test_golden's.)

mypy reads all ~1,300 modules at once, with a fresh cache: about 80 s of wall time on a busy
2-core machine (15 s of CPU; most of its time is spent parsing and checking the types modules).
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

from goldens import committed

PACKAGE = "openai_full"
FOLDER = committed()[PACKAGE][1]
README = (FOLDER / "README.md").read_text()
OPERATIONS = README.split("\n## Operations\n", 1)[1].split("\n## ", 1)[0]
GROUP_EXAMPLES = re.findall(r"### `client\.(\w+)`\n\n`client\.[\w.]+\(\)`: .*?\n\n```python\n(.*?)```", OPERATIONS, re.S)


def test_the_readme_has_an_example_for_each_resource_group() -> None:
    code = f"from {PACKAGE} import Client; print(sorted(n for n, v in vars(Client).items() if hasattr(v, 'func')))"
    result = subprocess.run([sys.executable, "-c", code], env={**os.environ, "PYTHONPATH": str(FOLDER)},
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    groups = ast.literal_eval(result.stdout)  # the client's top-level resources (cached properties)
    assert len(groups) > 20 and [g for g, _ in GROUP_EXAMPLES] == groups
    assert OPERATIONS.count("```python") == len(groups)  # one example each, and no other
    for group, code in GROUP_EXAMPLES:
        assert code.startswith(f"from {PACKAGE} import Client\n"), code
        assert re.search(rf"^(result = |page = )?client\.{group}\.\w+[.\w]*\(", code, re.M), code


def test_every_module_imports_and_the_clients_construct() -> None:
    code = f"""
import importlib, pkgutil
import {PACKAGE}
names = [m.name for m in pkgutil.walk_packages({PACKAGE}.__path__, "{PACKAGE}.")]
for name in names:
    importlib.import_module(name)
client = {PACKAGE}.Client(api_key="sk-test", base_url="http://127.0.0.1:9/v1")
aclient = {PACKAGE}.AsyncClient(api_key="sk-test", base_url="http://127.0.0.1:9/v1")
assert callable(client.batches.cancel) and callable(aclient.batches.cancel)
print(len(names))
"""
    env = {**os.environ, "PYTHONPATH": str(FOLDER)}
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=FOLDER)
    assert result.returncode == 0, result.stderr
    assert int(result.stdout) > 250  # ~310: the types come packed into ~200 files (typelayout.py)


def test_mypy_strict_is_clean_and_the_readme_examples_type_check(tmp_path: Path) -> None:
    examples = tmp_path / "readme_examples.py"
    examples.write_text("".join(f"def example_{group}() -> None:\n" + "".join(f"    {line}\n" for line in code.splitlines())
                                for group, code in GROUP_EXAMPLES))
    result = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(tmp_path / "cache"),
                             PACKAGE, str(examples)], cwd=FOLDER, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues found in" in result.stdout


def test_ruff_is_clean() -> None:
    """The generated package's own ruff configuration (in its pyproject.toml) finds nothing."""
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "."], cwd=FOLDER,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
