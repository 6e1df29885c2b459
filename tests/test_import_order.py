"""Generated imports are in the order ruff's isort wants (I001) however the spec names things:
case-insensitively (`CertificateUpdated` after `CertificatesActivated`), digits as numbers (`Get2`
before `Get10`), a one-letter `X` among the classes, and `Ai` before `AsyncAi` in the client."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml
from conftest import run_convgen

NAMES = ["AuditLogCertificateUpdated", "AuditLogCertificatesActivated", "Get10", "Get2", "X", "V2", "ABTest",
         "AbTest2", "Version10Item", "Version9Item"]


def test_imports_of_odd_names_pass_ruffs_isort(tmp_path: Path) -> None:
    schemas = {name: {"type": "object", "properties": {"n": {"type": "string"}}} for name in NAMES}
    holder = {"type": "object", "properties": {f"p{i}": {"$ref": f"#/components/schemas/{n}"} for i, n in enumerate(NAMES)}}
    paths = {f"/{seg}": {"get": {"operationId": f"get_{seg}", "responses": {"200": {
        "description": "OK", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Holder"}}}}}}}
        for seg in ("ai", "apps", "a10", "a9", "zebra")}
    spec = tmp_path / "spec.yaml"
    spec.write_text(yaml.safe_dump({"openapi": "3.1.0", "info": {"title": "Order", "version": "1"}, "paths": paths,
                                    "components": {"schemas": {**schemas, "Holder": holder}}}), encoding="utf-8")
    out = tmp_path / "out"
    built = run_convgen("build", spec, "--no-config", "--package", "order", "-o", out)
    assert built.returncode == 0, built.stderr
    # the resources import every type (TYPE_CHECKING block); the client imports Ai and AsyncAi, ...
    assert "from .resources.ai import Ai, AsyncAi" in (out / "order" / "_client.py").read_text(encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "."], cwd=out,
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
