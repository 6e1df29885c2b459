"""Bad specs get precise diagnostics, never a traceback (tests/bad_specs/, issue 5).

Each file in tests/bad_specs/ is a case; the real CLI builds it and its exit code and stderr
must equal the snapshot `<case>.expected.txt` exactly. Snapshots are written only by

    python tests/bad_specs/update.py

and reviewed like code. The cases that are odd but valid (names, enums, discriminators)
must still generate a package that imports and round-trips a document for every model.
"""

from __future__ import annotations

import http.server
import json
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import ROOT
from convgen.diagnostics import CODES, Diagnostic
from spec_support import check_packages, compile_all, samples_for

sys.path.insert(0, str(ROOT / "tests" / "bad_specs"))
import update

CASES = update.cases()
LINE = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+):(?P<column>\d+): (?P<severity>error|warning|info) (?P<code>[EWI]\d{3}): (?P<rest>.*)$")
# Inputs that must be refused quickly and in little memory whatever their size would be expanded.
HOSTILE_SIZE = ["alias_bomb.yaml", "alias_string_bomb.yaml", "merge_key_bomb.yaml", "deep_flow.yaml", "deep_json.json", "deep_block.yaml",
                "deep_flow_past_parser_limit.yaml", "deep_block_sequences.yaml"]


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> dict[Path, update.Outcome]:
    return update.run_all(CASES, tmp_path_factory.mktemp("bad_specs"))


def test_there_are_enough_cases() -> None:
    assert len(CASES) >= 40
    snapshots = sorted(p.name for p in update.HERE.glob("*" + update.SUFFIX))
    assert snapshots == sorted(update.expected_path(c).name for c in CASES), "run: python tests/bad_specs/update.py"


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_case_matches_its_snapshot(case: Path, outcomes: dict[Path, update.Outcome]) -> None:
    outcome = outcomes[case]
    output = outcome.stdout + outcome.stderr
    assert "Traceback" not in output and "internal error" not in output, output
    assert outcome.returncode in (0, 1, 2), output
    expected = update.expected_path(case)
    assert expected.is_file(), "no snapshot: run python tests/bad_specs/update.py and review it"
    assert outcome.snapshot() == expected.read_text(encoding="utf-8"), "run python tests/bad_specs/update.py and review the diff"


def test_every_diagnostic_is_one_located_line(outcomes: dict[Path, update.Outcome]) -> None:
    for case, outcome in outcomes.items():
        lines = outcome.stderr.splitlines()
        text_lines = case.read_bytes().split(b"\n")
        for line in lines:
            if line.startswith(("convgen: wrote ", "convgen: build failed: ")):
                continue
            match = LINE.match(line)
            assert match, f"{case.name}: not a diagnostic line: {line!r}"
            assert match["file"] == case.name
            assert match["rest"].endswith("; hint: " + CODES[match["code"]][1])
            number, column = int(match["line"]), int(match["column"])
            assert 1 <= number <= len(text_lines), line
            assert 1 <= column <= len(text_lines[number - 1]) + 1, line
        errors = [line for line in lines if " error " in line]
        assert (outcome.returncode == 2) == bool(errors), case.name


def test_the_issue_s_problems_each_have_their_code(outcomes: dict[Path, update.Outcome]) -> None:
    codes = {m["code"] for o in outcomes.values() for line in o.stderr.splitlines() if (m := LINE.match(line))}
    wanted = {"E002", "E003", "E004", "E005", "E006", "E007", "E101", "E102", "E103", "E105", "E106", "E110", "E111", "E112",
              "E202", "E203", "E204", "E205", "W206", "W207", "W301", "W302", "W304", "W306", "W308"}
    assert wanted <= codes, wanted - codes


def test_diagnostics_point_where_the_problem_is(outcomes: dict[Path, update.Outcome]) -> None:
    """A few positions checked by hand, beyond the snapshots: the text there is the culprit."""
    def at(case: str, code: str) -> str:
        outcome = outcomes[update.HERE / case]
        match = next(m for line in outcome.stderr.splitlines() if (m := LINE.match(line)) and m["code"] == code)
        line = (update.HERE / case).read_text(encoding="utf-8", errors="replace").splitlines()[int(match["line"]) - 1]
        return line[int(match["column"]) - 1:]

    assert at("dangling_ref.yaml", "E103").startswith('$ref: "#/components/schemas/User"')
    assert at("duplicate_operation_id.yaml", "E204").startswith("operationId: getThing")
    assert at("ref_cycle.yaml", "E105").startswith("A:")
    assert at("enum_duplicate_values.yaml", "W206").startswith("asc]")
    assert at("deep_flow.yaml", "E006").startswith("[" * 10)
    assert at("merge_key_bomb.yaml", "E007").startswith("[*m")
    assert at("not_json.json", "E002").startswith("}")
    assert at("path_param_not_in_path.yaml", "E203").startswith("name: org_id")


@pytest.mark.parametrize("name", HOSTILE_SIZE)
def test_bombs_and_deep_nesting_cost_little_time_and_memory(name: str, tmp_path: Path) -> None:
    env = {**os.environ, "NO_COLOR": "1", "XDG_CACHE_HOME": str(tmp_path / "cache")}
    start = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", "convgen", "validate", name, "--no-config", "--no-cache"],
                            cwd=update.HERE, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        _, status, usage = os.wait4(proc.pid, 0)
    finally:
        proc.returncode = 0 if proc.poll() is None else proc.returncode
    elapsed = time.monotonic() - start
    stderr = proc.stderr.read().decode() if proc.stderr else ""
    assert os.waitstatus_to_exitcode(status) == 2, stderr
    assert re.search(r" error E00[67]: ", stderr), stderr
    assert elapsed < 15, f"{name} took {elapsed:.1f}s"
    assert usage.ru_maxrss < 250 * 1024, f"{name} used {usage.ru_maxrss // 1024} MB"  # ru_maxrss is in KB on Linux


def test_refs_to_urls_are_never_fetched(tmp_path: Path) -> None:
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            body = b'{"type": "object", "properties": {"a": {"type": "string"}}}'
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/schemas.json"
        spec = tmp_path / "remote.yaml"
        spec.write_text(_one_ref_spec(url + "#/User"))
        result = _run(spec, tmp_path)
    finally:
        server.shutdown()
        server.server_close()
    assert result.returncode == 2 and "error E110: $ref 'http://127.0.0.1:" in result.stderr, result.stderr
    assert hits == []


def test_refs_to_special_files_are_never_read(tmp_path: Path) -> None:
    """The referenced file is a FIFO: opening it would block convgen until the timeout."""
    os.mkfifo(tmp_path / "other.yaml")
    spec = tmp_path / "local.yaml"
    spec.write_text(_one_ref_spec("other.yaml#/User"))
    result = _run(spec, tmp_path, timeout=60)
    assert result.returncode == 2 and "error E112: $ref 'other.yaml#/User'" in result.stderr, result.stderr
    assert "is not a regular file" in result.stderr


def test_unreadable_spec_is_e001(tmp_path: Path) -> None:
    result = _run(tmp_path / "missing.yaml", tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith(f"{tmp_path / 'missing.yaml'}:1:1: error E001: cannot read spec: No such file or directory")


@pytest.mark.parametrize("name", ["duplicate_operation_id.yaml", "names_keywords.yaml", "not_json.json"])
def test_json_format_gives_the_same_diagnostics(name: str, outcomes: dict[Path, update.Outcome], tmp_path: Path) -> None:
    case = update.HERE / name
    argv = [str(tmp_path / "out") if a == "OUT" else a for a in update.command(case)]
    result = subprocess.run([sys.executable, "-m", "convgen", *argv, "--format", "json"], cwd=update.HERE,
                            env={**os.environ, "NO_COLOR": "1", "XDG_CACHE_HOME": str(tmp_path)},
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == outcomes[case].returncode
    found = [Diagnostic(d["code"], d["message"], d["pointer"], d["file"], d["line"], d["column"]).format()
             for d in json.loads(result.stdout)]
    expected = [line for line in outcomes[case].stderr.splitlines() if LINE.match(line)]
    assert found == expected


def test_valid_odd_cases_generate_packages_that_import_and_round_trip(outcomes: dict[Path, update.Outcome]) -> None:
    built = {case: o for case, o in outcomes.items() if o.returncode == 0}
    assert len(built) >= 8
    packages = []
    for case, outcome in built.items():
        assert compile_all(outcome.out) > 0
        packages.append((outcome.out, case.name.split(".")[0], samples_for(case)))
    report = check_packages(packages)
    for _, package, samples in packages:
        assert report[package]["failures"] == [], f"{package}: {report[package]['failures']}"
        assert report[package]["checked"] == len(samples)
    assert sum(len(samples) for _, _, samples in packages) >= 25


@pytest.mark.parametrize("name", ["binary.yaml", "ref_cycle.yaml", "flow_style.yaml", "json_with_tabs.json"])
def test_a_process_of_its_own_gives_the_same_output(name: str, outcomes: dict[Path, update.Outcome], tmp_path: Path) -> None:
    """The cases run several to an interpreter (see update.py); alone they must print the same."""
    case = update.HERE / name
    assert update.run(case, tmp_path).snapshot() == outcomes[case].snapshot()


def test_odd_names_become_unique_identifiers(outcomes: dict[Path, update.Outcome]) -> None:
    """Every generated attribute, parameter and class name is a valid, non-keyword identifier."""
    import ast
    import keyword

    for case, outcome in outcomes.items():
        if outcome.returncode != 0 or not case.name.startswith(("names_", "enum_")):
            continue
        for path in outcome.out.rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.ClassDef):
                    names = [n.target.id for n in node.body if isinstance(n, ast.AnnAssign) and isinstance(n.target, ast.Name)]
                    names += [t.id for n in node.body if isinstance(n, ast.Assign) for t in n.targets if isinstance(t, ast.Name)]
                    assert len(names) == len(set(names)), (path, node.name, names)
                    assert all(n.isidentifier() and not keyword.iskeyword(n) for n in names)
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    args = [a.arg for a in node.args.args + node.args.kwonlyargs]
                    assert len(args) == len(set(args)), (path, node.name, args)


def _one_ref_spec(ref: str) -> str:
    return f"""openapi: 3.1.0
info: {{title: One ref, version: "1"}}
paths:
  /users:
    get:
      operationId: getUser
      responses:
        "200":
          description: OK
          content:
            application/json:
              schema: {{$ref: "{ref}"}}
"""


def _run(spec: Path, tmp_path: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1", "XDG_CACHE_HOME": str(tmp_path / "cache")}
    return subprocess.run([sys.executable, "-m", "convgen", "build", str(spec), "--no-config", "--package", "p",
                           "-o", str(tmp_path / "out")], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=timeout)
