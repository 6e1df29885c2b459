"""The generated README's examples run against the fake API; api.md lists every method and type."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from typing import Any

import pytest
from conftest import API_KEY, GENERATED

README = (GENERATED / "README.md").read_text()
API_MD = (GENERATED / "api.md").read_text()
OPERATION_EXAMPLES = re.findall(r"### `(client\.[\w.]+)\(\)`\n\n.*?\n\n```python\n(.*?)```", README, re.S)
MESSAGE = {"type": "message", "id": "msg_abc", "status": "completed", "role": "user",
           "content": [{"type": "input_text", "text": "Hello!"}]}


def test_every_operation_has_an_example() -> None:
    assert sorted(name for name, _ in OPERATION_EXAMPLES) == sorted([
        "client.conversations.create", "client.conversations.delete", "client.conversations.retrieve",
        "client.conversations.update", "client.conversations.items.create", "client.conversations.items.delete",
        "client.conversations.items.list", "client.conversations.items.retrieve"])


@pytest.mark.parametrize(("name", "code"), OPERATION_EXAMPLES, ids=[n for n, _ in OPERATION_EXAMPLES])
def test_readme_example_runs(name: str, code: str, fake_server: Any) -> None:
    fake_server.seed_conversation([MESSAGE], {"topic": "demo"}, conversation_id="conv_123")
    env = {**os.environ, "OPENAI_API_KEY": API_KEY, "OPENAI_BASE_URL": fake_server.base_url, "PYTHONPATH": str(GENERATED)}
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() and "Unknown" not in result.stdout
    method = name.rsplit(".", 1)[-1]
    expected = {"create": "POST", "update": "POST", "retrieve": "GET", "list": "GET", "delete": "DELETE"}[method]
    assert [r.method for r in fake_server.requests] == [expected]


def test_api_reference_lists_every_method_and_type() -> None:
    for name, _ in OPERATION_EXAMPLES:
        resource, method = name.removeprefix("client.").rsplit(".", 1)
        assert f"### `client.{resource}`" in API_MD and f"- `{method}(" in API_MD
    from openai_conversations import types

    for export in types.__all__:
        if not export.endswith("_from_dict") and not export.startswith("Unknown"):
            assert f"`{export}`" in API_MD, export


def test_readme_runs_top_to_bottom_on_one_server(fake_server: Any) -> None:
    """Every Python block of the README, in order, against one server: the examples are ordered as a
    user runs them (a conversation is deleted only after its items were used), and each defines its client."""
    fake_server.seed_conversation([MESSAGE], {"topic": "demo"}, conversation_id="conv_123")
    fake_server.seed_conversation([{**MESSAGE, "id": f"msg_{n}"} for n in range(3)], conversation_id="conversation_id_123")
    env = {**os.environ, "OPENAI_API_KEY": API_KEY, "OPENAI_BASE_URL": fake_server.base_url, "PYTHONPATH": str(GENERATED)}
    blocks = re.findall(r"```python\n(.*?)```", README, re.S)
    assert len(blocks) == len(OPERATION_EXAMPLES) + 4  # configure, async, pagination, errors
    for code in blocks:
        result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, f"{code}\n{result.stderr}"
    calls = [(r.method, r.path.split("?")[0].removeprefix("/v1")) for r in fake_server.requests]
    assert calls == [
        ("GET", "/conversations/conversation_id_123"),  # the async example
        ("POST", "/conversations"),
        ("GET", "/conversations/conv_123"),
        ("POST", "/conversations/conv_123"),
        ("POST", "/conversations/conv_123/items"),
        ("GET", "/conversations/conv_123/items/msg_abc"),
        ("GET", "/conversations/conv_123/items"),
        ("DELETE", "/conversations/conv_123/items/msg_abc"),
        ("DELETE", "/conversations/conv_123"),
        ("GET", "/conversations/conversation_id_123/items"),  # pagination
        ("GET", "/conversations/conversation_id_123"),  # errors
    ]
    assert all(r.status == 200 for r in fake_server.requests)


def test_the_package_lists_only_its_public_names() -> None:
    code = "import openai_conversations as p; print(dir(p)); print(sorted(p.__all__))"
    result = subprocess.run([sys.executable, "-c", code], env={**os.environ, "PYTHONPATH": str(GENERATED)},
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    listed, public = (ast.literal_eval(line) for line in result.stdout.splitlines())
    assert listed == sorted([*public, "__version__"])
    assert "Client" in listed and not {"Any", "TYPE_CHECKING", "importlib", "annotations", "_LAZY"} & set(listed)


def test_pagination_is_documented_only_where_a_method_pages() -> None:
    """A README documents pagination with one of the package's own list calls, and an API without
    any paged method gets no Pagination section (no placeholder call that does not exist)."""
    expected = GENERATED.parent / "tests" / "features" / "expected"
    paged = (expected / "pagination" / "README.md").read_text()
    assert "## Pagination" in paged and "client.<resource>.list(...)" not in paged
    assert re.search(r"^for item in client\.\w+(\.\w+)*\(", paged, re.M)
    unpaged = (expected / "maps" / "README.md").read_text()
    assert "## Pagination" not in unpaged and "client.<resource>.list(...)" not in unpaged
    assert "## Errors and retries" in unpaged
