"""The client's layout: resources load on first access, and with_raw_response / with_streaming_response are thin
wrappers over the plain methods whose responses have the official SDK's attributes.

Real HTTP against the fake Conversations API (both flavours); the import checks run in a fresh interpreter.
"""

from __future__ import annotations

import datetime
import inspect
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import openai_conversations as oc
import pytest
from client_http_support import api, fast_backoff, server  # noqa: F401 - fixtures are found by name
from fakeapi import FakeConversationsServer
from flavours import Flavour
from openai_conversations import types as t

GENERATED = Path(__file__).resolve().parent.parent / "generated"


def test_raw_response_has_the_sdk_attributes(api: Flavour, server: FakeConversationsServer) -> None:
    client = api.client(server, max_retries=2)
    server.inject(method="POST", status=503, times=1)  # one retry before the answer
    raw = api.run(client.conversations.with_raw_response.create(metadata={"k": "v"}, extra_headers={"X-A": "b"}))
    assert isinstance(raw, oc.RawResponse)
    assert raw.retries_taken == 1
    assert isinstance(raw.http_request, httpx.Request) and raw.http_request.headers["X-A"] == "b"
    assert raw.method == "POST" and raw.url == httpx.URL(f"{server.base_url}/conversations")
    assert raw.http_version == "HTTP/1.1" and isinstance(raw.elapsed, datetime.timedelta)
    assert raw.is_closed  # the body was read
    assert raw.json() == raw.http_response.json() and raw.json()["metadata"] == {"k": "v"}
    assert raw.read() == raw.content and raw.text == raw.content.decode()
    assert isinstance(raw.parse(), t.ConversationResource)
    conv_id = raw.parse().id
    first = api.run(client.conversations.with_raw_response.retrieve(conv_id))
    assert first.retries_taken == 0 and first.parse().id == conv_id
    # the plain method is untouched by the wrapper's call: it still answers the model
    assert isinstance(api.run(client.conversations.retrieve(conv_id)), t.ConversationResource)


def test_streamed_response_has_the_sdk_attributes(server: FakeConversationsServer) -> None:
    conv_id = server.seed_conversation()
    with oc.Client(api_key="sk-test", base_url=server.base_url, max_retries=0) as client:
        with client.conversations.with_streaming_response.retrieve(conv_id) as response:
            assert not response.is_closed and not response.http_response.is_stream_consumed
            assert response.method == "GET" and response.url.path.endswith(conv_id)
            assert response.retries_taken == 0 and response.http_request.method == "GET"
            assert response.parse().id == conv_id
        assert response.is_closed


def test_raw_and_plain_pages_fetch_the_next_page_with_the_plain_method(api: Flavour, server: FakeConversationsServer,
                                                                        item_list_100: dict[str, Any]) -> None:
    conv_id = server.seed_conversation(item_list_100["data"][:5])
    client = api.client(server)
    raw = api.run(client.conversations.items.with_raw_response.list(conv_id, limit=2, order="asc"))
    page = raw.parse()
    assert len(page.data) == 2 and page.has_next_page()
    nxt = api.run(page.get_next_page())  # a page, not a raw response: the wrapper's mode ended with its call
    assert not isinstance(nxt, oc.RawResponse) and len(nxt.data) == 2
    assert [i.id for i in api.collect(page)] == [i["id"] for i in item_list_100["data"][:5]]


def test_wrappers_keep_the_method_signature_and_docs() -> None:
    with oc.Client(api_key="sk-test", base_url="http://127.0.0.1:9") as client:
        plain, raw = client.conversations.items.list, client.conversations.items.with_raw_response.list
        assert inspect.signature(raw) == inspect.signature(plain) and raw.__doc__ == plain.__doc__
        streaming = client.conversations.with_streaming_response.items.list
        assert inspect.signature(streaming) == inspect.signature(plain)


def _loaded_after(code: str) -> set[str]:
    script = f"import sys\n{code}\nprint(' '.join(sorted(m for m in sys.modules if m.startswith('openai_conversations'))))"
    done = subprocess.run([sys.executable, "-c", script], cwd=GENERATED, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return set(done.stdout.split())


def test_resources_and_types_load_on_first_access() -> None:
    made = _loaded_after("import openai_conversations as oc\nc = oc.Client(api_key='k')")
    assert not {m for m in made if ".resources" in m or ".types" in m}
    touched = _loaded_after("import openai_conversations as oc\nc = oc.Client(api_key='k')\nc.conversations")
    assert "openai_conversations.resources.conversations" in touched
    assert "openai_conversations.resources.conversations.items" not in touched
    deeper = _loaded_after("import openai_conversations as oc\nc = oc.Client(api_key='k')\nc.conversations.items")
    assert "openai_conversations.resources.conversations.items" in deeper
    assert not {m for m in deeper if ".types." in m}  # types load when a call decodes them


@pytest.mark.parametrize("module", ["resources/conversations/__init__.py", "resources/conversations/items.py"])
def test_each_resource_has_a_module_in_a_folder_mirroring_the_tree(module: str) -> None:
    assert (GENERATED / "openai_conversations" / module).is_file()
