"""The README tells the truth: its commands, its diagnostics of the real spec, its code table."""

from __future__ import annotations

import json
import re

from conftest import ROOT, run_convgen

from convgen.diagnostics import CODES

README = (ROOT / "README.md").read_text()


def section(name: str) -> str:
    match = re.search(rf"<!-- {name}:start -->(.*?)<!-- {name}:end -->", README, re.S)
    assert match, name
    return match.group(1)


def test_ci_runs_the_readme_set_up_commands_in_a_new_virtualenv() -> None:
    commands = re.search(r"```sh\n(.*?)\n(.*?)\n```", README, re.S)
    assert commands is not None
    script = (ROOT / ".ci" / "run").read_text().splitlines()
    build, test = (script.index(line) for line in script if line.startswith(("python3.11 -m pip install . ", "python3.11 -m pip install -e ")))
    assert script[build] == commands.group(1) + " || exit 1" and script[test] == commands.group(2)
    venv = next(i for i, line in enumerate(script) if line.startswith("python3.11 -m venv "))
    activate = next(i for i, line in enumerate(script) if line.startswith('. "$venv/bin/activate"'))
    assert venv < activate < build < test


def test_every_diagnostic_of_the_real_spec_is_listed() -> None:
    result = run_convgen("validate", "--target", "conversations", "--format", "json")
    assert result.returncode == 0, result.stderr
    found = {(d["pointer"], d["code"]) for d in json.loads(result.stdout)}
    table = section("real-spec-diagnostics")
    listed = set(re.findall(r"^\| `([^`]+)` \| (\w\d+) \|", table, re.M))
    assert found == listed


def test_every_code_is_documented_with_its_hint() -> None:
    table = section("diagnostic-codes")
    rows = {m[0]: (m[1], m[2]) for m in re.findall(r"^\| (\w\d+) \| (\w+) \| (.*) \|$", table, re.M)}
    assert rows == {code: (severity.value, hint) for code, (severity, hint) in CODES.items()}
