"""What convgen generates from security schemes: argument and environment names, diagnostics,
and a client without security that needs no key (through the real CLI)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import ROOT, run_convgen

FEATURES = ROOT / "tests" / "features"

NO_SECURITY = """\
openapi: 3.1.0
info: {title: Open pets, version: "1"}
servers: [{url: "http://127.0.0.1:9"}]
paths:
  /pets:
    get:
      operationId: listPets
      responses:
        "200": {description: OK, content: {application/json: {schema: {type: array, items: {type: string}}}}}
"""

TWO_BEARERS = """\
openapi: 3.1.0
info: {title: Two keys, version: "1"}
servers: [{url: "http://127.0.0.1:9"}]
security: [{userKey: []}]
paths:
  /pets:
    get:
      operationId: listPets
      responses:
        "200": {description: OK, content: {application/json: {schema: {type: array, items: {type: string}}}}}
  /admin:
    get:
      operationId: listAdmin
      security: [{adminKey: []}, {base_url: []}]
      responses:
        "200": {description: OK, content: {application/json: {schema: {type: array, items: {type: string}}}}}
components:
  securitySchemes:
    userKey: {type: http, scheme: bearer}
    adminKey: {type: apiKey, in: header, name: X-Admin}
    base_url: {type: apiKey, in: query, name: k}
    digest: {type: http, scheme: digest}
"""


def build(tmp_path: Path, spec_text: str, package: str, *extra: str) -> tuple[subprocess.CompletedProcess[str], Path]:
    spec = tmp_path / "spec.yaml"
    spec.write_text(spec_text)
    out = tmp_path / "out"
    result = run_convgen("build", spec, "--no-config", "--package", package, "-o", out, "--format", "json", *extra)
    return result, out


def run_python(out: Path, code: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.endswith(("_API_KEY", "_BASE_URL"))}
    return subprocess.run([sys.executable, "-c", code], cwd=out, env={**clean, **env}, capture_output=True, check=False,
                          text=True, timeout=60)


def test_no_security_means_no_key(tmp_path: Path) -> None:
    result, out = build(tmp_path, NO_SECURITY, "petstore")
    assert result.returncode == 0, result.stderr
    client = (out / "petstore" / "_client.py").read_text()
    assert "api_key" not in client and "OPENAI" not in client and "PETSTORE_BASE_URL" in client
    probe = run_python(out, "import inspect, petstore\n"
                            "c = petstore.Client()\n"
                            "print(sorted(inspect.signature(petstore.Client).parameters))")
    assert probe.returncode == 0, probe.stderr
    assert "api_key" not in probe.stdout and "base_url" in probe.stdout
    readme = (out / "README.md").read_text()
    assert "The spec declares no security scheme" in readme


def test_names_env_vars_and_diagnostics(tmp_path: Path) -> None:
    result, out = build(tmp_path, TWO_BEARERS, "two_keys")
    assert result.returncode == 0, result.stderr
    found = {(d["code"], d["pointer"]) for d in json.loads(result.stdout)}
    assert ("W352", "/components/securitySchemes/base_url") in found  # its own name is a client argument
    assert not any(code == "W350" for code, _ in found)  # `digest` is declared but used by no operation
    client = (out / "two_keys" / "_client.py").read_text()
    # three token schemes: the document's default one (userKey) keeps `api_key`, the others are named after
    # their scheme
    for text in ("admin_key: str | None = None", "api_key: str | None = None", "base_url_2: str | None = None",
                 '("TWO_KEYS_ADMIN_KEY",)', '("TWO_KEYS_API_KEY",)', '("TWO_KEYS_BASE_URL_2",)'):
        assert text in client, text
    assert "user_key" not in client
    assert 'required="userKey"' not in client  # /admin does not need it
    probe = run_python(out, "import two_keys\n"
                            "c = two_keys.Client(admin_key='a')\n"
                            "print(c.admin_key, c.api_key)", TWO_KEYS_API_KEY="from-env")
    assert probe.returncode == 0, probe.stderr
    assert probe.stdout.split() == ["a", "from-env"]


def test_unsupported_and_undefined_schemes_are_reported(tmp_path: Path) -> None:
    text = TWO_BEARERS.replace("security: [{adminKey: []}, {base_url: []}]", "security: [{digest: []}, {nope: []}]")
    result, _ = build(tmp_path, text, "two_keys")
    assert result.returncode == 0, result.stderr
    found = {(d["code"], d["pointer"]) for d in json.loads(result.stdout)}
    assert ("W350", "/components/securitySchemes/digest") in found
    assert ("W351", "/paths/~1admin/get/security/1") in found


def test_env_prefix_and_env_vars_from_config(tmp_path: Path) -> None:
    spec = FEATURES / "security_basic.yaml"
    config = tmp_path / "convgen.toml"
    config.write_text(f'spec = "{spec}"\npackage = "pets"\noutput = "out"\nenv_prefix = "PETS"\n'
                      'env_vars = { password = "PETS_SECRET" }\n')
    result = run_convgen("build", "--config", config, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    client = (tmp_path / "out" / "pets" / "_client.py").read_text()
    assert '("PETS_USERNAME", "PETS_SECRET")' in client and 'base_url_env="PETS_BASE_URL"' in client
    config.write_text(f'spec = "{spec}"\npackage = "pets"\noutput = "out"\nenv_vars = ["x"]\n')
    result = run_convgen("build", "--config", config, cwd=tmp_path)
    assert result.returncode == 2 and "E401" in result.stderr and "env_vars must be a table" in result.stderr


def test_the_committed_client_keeps_openai_names() -> None:
    client = (ROOT / "generated" / "openai_conversations" / "_client.py").read_text()
    assert '("OPENAI_API_KEY",)' in client and 'base_url_env="OPENAI_BASE_URL"' in client
    assert "api_key: str | None = None," in client and 'required="ApiKeyAuth"' in client


def test_an_unknown_env_vars_argument_is_reported(tmp_path: Path) -> None:
    config = tmp_path / "convgen.toml"
    config.write_text(f'spec = "{FEATURES / "security_basic.yaml"}"\npackage = "pets"\noutput = "out"\n'
                      'env_vars = { pasword = "PETS_SECRET" }\n')
    result = run_convgen("build", "--config", config, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert ("convgen.toml:4:1: warning W353: env_vars names 'pasword', which the client does not take "
            "(it takes base_url, password, username)") in result.stderr


def test_the_generated_readme_documents_the_credentials() -> None:
    readme = (FEATURES / "expected" / "security_mixed" / "README.md").read_text()
    assert ("| `username`, `password` | `SECURITY_MIXED_USERNAME`, `SECURITY_MIXED_PASSWORD` | "
            "`Authorization: Basic base64(<username>:<password>)` | HTTP basic (`basic`) |") in readme
    assert "| `access_token` (or `token_provider`) | `SECURITY_MIXED_ACCESS_TOKEN` |" in readme
    assert "GET /pets (needs `api_key`; or `username` + `password`)" in readme
    assert "GET /pets/{pet_id} (needs `api_key`; or none)" in readme
    assert "DELETE /pets/{pet_id} (needs `api_key` + `tenant`)" in readme
