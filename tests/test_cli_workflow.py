"""The regenerate-commit-customize loop through the real CLI: config, check, init, templates, diff."""

from __future__ import annotations

import json
import os
import pty
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import yaml
from conftest import GENERATED, ROOT, SPEC, run_convgen
from goldens import assemble

FEATURE = ROOT / "tests" / "features" / "tagged_union.yaml"


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and "__pycache__" not in p.parts}


def test_version() -> None:
    result = run_convgen("--version")
    assert result.returncode == 0 and result.stdout.startswith("convgen ")


def test_build_with_no_arguments_in_a_configured_project(tmp_path: Path) -> None:
    shutil.copy(FEATURE, tmp_path / "pets.yaml")
    (tmp_path / "pyproject.toml").write_text('[tool.convgen]\nspec = "pets.yaml"\npackage = "pets"\noutput = "client"\n'
                                             'array_format = "repeat"\nenv_prefix = "PETS"\n')
    result = run_convgen("build", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    client = (tmp_path / "client" / "pets" / "_client.py").read_text()
    assert 'array_format="repeat"' in client and 'base_url_env="PETS_BASE_URL"' in client
    flags = run_convgen("build", "--package", "pets2", "-o", "other", cwd=tmp_path)  # flags override the config
    assert flags.returncode == 0 and (tmp_path / "other" / "pets2" / "__init__.py").is_file()


def test_bad_configuration_is_a_located_diagnostic(tmp_path: Path) -> None:
    shutil.copy(FEATURE, tmp_path / "pets.yaml")
    (tmp_path / "convgen.toml").write_text('spec = "pets.yaml"\npackage = "pets"\ncolour = "red"\narray_format = "csv"\n')
    result = run_convgen("build", cwd=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert any(line.startswith("convgen.toml:3:1: warning W402: unknown configuration key 'colour'") for line in lines)
    assert any(line.startswith("convgen.toml:4:1: error E401: array_format must be one of brackets, repeat, comma") for line in lines)
    assert "Traceback" not in result.stderr and not (tmp_path / "generated").exists()


def test_validate_prints_diagnostics_and_writes_nothing(tmp_path: Path) -> None:
    result = run_convgen("validate", "--target", "conversations", "--format", "json", cwd=ROOT)
    assert result.returncode == 0
    codes = {d["code"] for d in json.loads(result.stdout)}
    assert {"W201", "W302", "W303", "W363", "W311", "I305"} == codes
    strict = run_convgen("validate", "--target", "conversations", "--strict", "-q", cwd=ROOT)
    assert strict.returncode == 1 and strict.stderr == ""


def test_quiet_verbose_and_colour(tmp_path: Path) -> None:
    out = tmp_path / "out"
    quiet = run_convgen("build", FEATURE, "--no-config", "--package", "pets", "-o", out, "-q")
    assert quiet.returncode == 0 and quiet.stderr == ""
    verbose = run_convgen("build", "spec/openai.yaml", "--tag", "Conversations", "--package", "openai_conversations",
                          "-o", tmp_path / "v", "-v", "--no-cache")
    stages = [line.split()[1] for line in verbose.stderr.splitlines() if line.startswith("convgen: ") and line.endswith(" ms")]
    assert stages == ["startup", "imports", "load", "select", "validate", "build", "plan", "render", "format", "validator",
                      "write", "locate", "report", "other", "total"]
    assert "\033[" not in verbose.stderr  # not a terminal: no colour
    leader, follower = pty.openpty()
    env = {**os.environ}
    env.pop("NO_COLOR", None)
    proc = subprocess.run([sys.executable, "-m", "convgen", "validate", "--target", "conversations", "--strict"],
                          cwd=ROOT, stderr=follower,
                          stdout=subprocess.DEVNULL, env=env, timeout=120)
    os.close(follower)
    text = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        text += chunk
    os.close(leader)
    assert proc.returncode == 1 and b"\033[33m" in text  # warnings in yellow on a terminal


def test_init_writes_config_and_templates_and_refuses_to_overwrite(tmp_path: Path) -> None:
    result = run_convgen("init", "pets.yaml", "--tag", "Pets", "--package", "pets", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert 'tags = ["Pets"]' in (tmp_path / "convgen.toml").read_text()
    copied = sorted(p.name for p in (tmp_path / "convgen-templates").rglob("*") if p.is_file())
    assert "types_module.py.jinja" in copied and "http.py" in copied
    shutil.copy(FEATURE, tmp_path / "pets.yaml")
    built = run_convgen("build", cwd=tmp_path)  # the copies render exactly the built-in output
    assert built.returncode == 0, built.stderr
    again = run_convgen("init", cwd=tmp_path)
    assert again.returncode == 2 and "refusing to overwrite convgen.toml" in again.stderr


def test_a_custom_template_layers_over_the_built_in_ones(tmp_path: Path) -> None:
    custom = tmp_path / "templates"
    custom.mkdir()
    builtin = (ROOT / "templates" / "types_module.py.jinja").read_text()
    marker = "    def to_dict(self) -> dict[str, Any]:"
    assert marker in builtin
    addition = ('    def describe(self) -> str:\n        """Added by a custom template."""\n'
                '        return "{{ m.name }} with " + ", ".join(sorted(self.to_dict()))\n\n')
    (custom / "types_module.py.jinja").write_text(builtin.replace(marker, addition + marker))
    out = tmp_path / "out"
    result = run_convgen("build", FEATURE, "--no-config", "--package", "pets", "-o", out, "--templates", custom)
    assert result.returncode == 0, result.stderr
    check = subprocess.run([sys.executable, "-c", "from pets.types import Cat; print(Cat(name='Tom').describe())"],
                           cwd=out, capture_output=True, text=True)
    assert check.stdout.strip() == "Cat with kind, name"
    assert (out / "pets" / "_client.py").read_text() == (
        ROOT / "tests" / "features" / "expected" / "tagged_union" / "tagged_union" / "_client.py").read_text().replace(
        "tagged_union", "pets").replace("TAGGED_UNION", "PETS")  # everything else stays built in


def test_a_template_error_names_the_template_and_line(tmp_path: Path) -> None:
    custom = tmp_path / "templates"
    custom.mkdir()
    (custom / "client.py.jinja").write_text("# ok\n{{ resources | no_such_filter }}\n")
    (custom / "api.md.jinja").write_text("line one\n{{ undefined_name.attr }}\n")
    out = tmp_path / "out"
    result = run_convgen("build", FEATURE, "--no-config", "--package", "pets", "-o", out, "--templates", custom)
    assert result.returncode == 2 and not out.exists()
    assert f"{custom / 'client.py.jinja'}:2:1: error E403: template syntax error: No filter named 'no_such_filter'" in result.stderr
    assert f"{custom / 'api.md.jinja'}:2:1: error E403: template error rendering api.md: 'undefined_name' is undefined" in result.stderr


def test_select_writes_a_section_that_builds_the_same_client(tmp_path: Path) -> None:
    section = tmp_path / "conversations.json"
    result = run_convgen("select", "spec/openai.yaml", "--tag", "Conversations", "-o", section)
    assert result.returncode == 0, result.stderr
    doc = json.loads(section.read_text())
    assert len(doc["paths"]) == 4 and len(doc["components"]["schemas"]) == 209
    check = run_convgen("check", section, "--no-config", "--array-format", "brackets", "--package", "openai_conversations",
                        "-o", GENERATED, "--env-prefix", "OPENAI")
    assert check.returncode == 0, check.stdout + check.stderr


def test_a_small_spec_change_gives_a_small_diff(tmp_path: Path) -> None:
    doc = yaml.load(SPEC.read_text(), Loader=yaml.CSafeLoader)
    doc["components"]["schemas"]["ConversationResource"]["properties"]["title"] = {"type": "string", "description": "A title."}
    changed = tmp_path / "openai.json"
    changed.write_text(json.dumps(doc, default=str))
    out = tmp_path / "out"
    shutil.copytree(GENERATED, out, ignore=shutil.ignore_patterns("__pycache__", ".mypy_cache", ".ruff_cache"))
    before = tree(out)
    result = run_convgen("build", changed, "--no-config", "--array-format", "brackets", "--tag", "Conversations",
                         "--package", "openai_conversations", "-o", out, "--env-prefix", "OPENAI")
    assert result.returncode == 0, result.stderr
    after = tree(out)
    assert set(after) == set(before)
    assert sorted(p for p in after if after[p] != before[p]) == ["api.md", "openai_conversations/types/conversations_shared_compaction_summary_item_param.py"]
    diff = run_convgen("diff", "spec/openai.yaml", changed, "--no-config", "--tag", "Conversations")
    assert diff.returncode == 0 and diff.stdout == "type ConversationResource: field title added\n1 change, 0 breaking\n"


def test_diff_flags_breaking_changes(tmp_path: Path) -> None:
    old = yaml.safe_load(FEATURE.read_text())
    new = yaml.safe_load(FEATURE.read_text())
    new["components"]["schemas"]["Cat"]["required"].append("lives")
    del new["components"]["schemas"]["Dog"]["properties"]["good"]
    new["paths"]["/pets"]["get"]["parameters"] = [{"name": "limit", "in": "query", "schema": {"type": "integer"}}]
    (tmp_path / "old.yaml").write_text(yaml.safe_dump(old))
    (tmp_path / "new.yaml").write_text(yaml.safe_dump(new))
    result = run_convgen("diff", tmp_path / "old.yaml", tmp_path / "new.yaml", "--no-config")
    assert result.returncode == 1, result.stderr
    # a field becoming optional breaks readers (it may be UNSET); becoming required breaks callers
    # constructing it: Cat is in the request body (a response-only type: tests/test_messages.py)
    assert result.stdout.splitlines() == [
        "method pets.list: argument limit added",
        "BREAKING type Cat: field lives is now required",
        "BREAKING type Dog: field good removed",
        "3 changes, 2 breaking",
    ]


def test_a_non_editable_install_ships_its_templates(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", venv], check=True)
    # convgen's dependencies come from the interpreter running the tests, whether that is a
    # virtualenv or not (from a virtualenv, `-m venv --system-site-packages` would see the base
    # interpreter's packages instead). A path in a .pth file adds the folder but not its own .pth
    # files, so the editable install of this checkout there stays invisible.
    site = subprocess.run([str(venv / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          check=True, capture_output=True, text=True).stdout.strip()
    ours = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    Path(site, "tests-dependencies.pth").write_text("".join(f"{p}\n" for p in sorted(ours)))
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--no-deps", str(ROOT)]
    subprocess.run(pip, check=True, capture_output=True, cwd=tmp_path)
    where = subprocess.run([str(venv / "bin" / "python"), "-c", "import convgen; print(convgen.__file__)"],
                           check=True, capture_output=True, text=True, cwd=tmp_path).stdout.strip()
    assert Path(where).is_relative_to(venv), where  # the installed copy, not this checkout
    out = tmp_path / "out"
    result = subprocess.run([str(venv / "bin" / "convgen"), "build", str(FEATURE), "--no-config", "--package", "tagged_union",
                             "-o", str(out), "--no-cache"], cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert tree(out) == tree(assemble("tagged_union", tmp_path / "golden"))


def test_selection_and_client_flags(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run_convgen("build", "spec/openai.yaml", "--no-config", "--path-prefix", "/conversations/{conversation_id}/items",
                         "--package", "items_only", "-o", out, "--array-format", "comma", "--env-prefix", "ACME")
    assert result.returncode == 0, result.stderr
    client = (out / "items_only" / "_client.py").read_text()
    assert 'array_format="comma"' in client and '("ACME_API_KEY",)' in client and 'base_url_env="ACME_BASE_URL"' in client
    resources = (out / "items_only" / "resources" / "conversations" / "items.py").read_text()
    assert "class Items:" in resources and "def update(" not in resources  # only the four item operations
    stale = run_convgen("check", "spec/openai.yaml", "--no-config", "--path-prefix", "/conversations/{conversation_id}/items",
                        "--package", "items_only", "-o", out, "--diff")
    assert stale.returncode == 1  # default array format and env prefix differ from what was built
    assert "--- a/items_only/_client.py" in stale.stdout and '+    array_format="",' in stale.stdout


def test_every_closure_schema_has_a_type_and_every_operation_a_method() -> None:
    from convgen.naming import pascal

    from openai_conversations import types

    doc = yaml.load(SPEC.read_text(), Loader=yaml.CSafeLoader)
    section = json.loads(run_convgen("select", "--no-config", "spec/openai.yaml", "--tag", "Conversations").stdout)
    names = sorted(section["components"]["schemas"])
    assert len(names) == 209 and all(name in doc["components"]["schemas"] for name in names)
    missing = [n for n in names if not hasattr(types, pascal(n))]
    assert missing == ["MessagePhase-2"] and hasattr(types, "MessagePhase")  # a copy of MessagePhase: that type (W363)
    from openai_conversations import Client

    client = Client(api_key="k")
    for path in ("conversations.create", "conversations.retrieve", "conversations.update", "conversations.delete",
                 "conversations.items.create", "conversations.items.list", "conversations.items.retrieve",
                 "conversations.items.delete"):
        target: object = client
        for part in path.split("."):
            target = getattr(target, part)
        assert callable(target), path
