"""Shared test fixtures: the committed generated client, the fake API server, the CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

ROOT = Path(__file__).resolve().parent.parent
GENERATED = ROOT / "generated"
SPEC = ROOT / "spec" / "openai.yaml"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
API_KEY = "sk-test"

# The committed client is imported from generated/, exactly as users get it.
if str(GENERATED) not in sys.path:
    sys.path.insert(0, str(GENERATED))
if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent))

from fakeapi import FakeConversationsServer  # noqa: E402

if TYPE_CHECKING:
    from convgen.views import Job


def planned_jobs(spec: Path, package: str) -> list[Job]:
    """The render jobs of a whole spec: load, select everything, build, plan (imported here, so
    that collecting the tests loads no stage)."""
    from convgen.build import build
    from convgen.load import load
    from convgen.plan import plan
    from convgen.views import Options
    from convgen.select import Selection, select

    loaded, diags = load(spec, (), ())
    assert loaded is not None, diags
    section, diags = select(loaded.doc, Selection((), ()))
    assert section is not None, diags
    api, _ = build(section, None)
    return plan(api, Options(package=package))


def run_convgen(*args: str | os.PathLike[str], cwd: Path | None = None, env: dict[str, str] | None = None,
                timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """The real CLI in a subprocess (`python -m convgen`), as a user runs it."""
    full_env = {**os.environ, "NO_COLOR": "1", **(env or {})}
    return subprocess.run([sys.executable, "-m", "convgen", *map(str, args)], cwd=cwd or ROOT, env=full_env,
                          capture_output=True, text=True, timeout=timeout)


@pytest.fixture
def fake_server() -> Iterator[FakeConversationsServer]:
    with FakeConversationsServer(api_key=API_KEY) as server:
        yield server


@pytest.fixture
def client(fake_server: FakeConversationsServer) -> Iterator[object]:
    from openai_conversations import Client

    with Client(api_key=API_KEY, base_url=fake_server.base_url, max_retries=0) as c:
        yield c


@pytest.fixture(scope="session")
def all_variants() -> list[dict[str, object]]:
    data: list[dict[str, object]] = json.loads((FIXTURES / "conversation_items_all_variants.json").read_text())
    return data


@pytest.fixture(scope="session")
def item_list_100() -> dict[str, object]:
    data: dict[str, object] = json.loads((FIXTURES / "conversation_item_list_100.json").read_text())
    return data
