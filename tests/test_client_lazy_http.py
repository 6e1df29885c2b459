"""httpx is imported by the first request, not by importing the package or constructing a client
(it is most of the cost of both); what a client does is the same either way.

Each import check runs a fresh interpreter on the committed clients (generated/ and generated-full/).
About 2 s of test time.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import openai_conversations as oc
import pytest
from client_http_support import api, server  # noqa: F401 - fixtures are found by name
from conftest import GENERATED
from fakeapi import FakeConversationsServer
from flavours import Flavour
from goldens import committed

# what only a request needs: httpx and its dependencies, and the modules the runtime defers
DEFERRED = ("httpx", "httpcore", "ssl", "certifi", "email.utils", "json", "datetime", "random")


def _loaded_after(folder: Path, code: str) -> dict[str, Any]:
    # what was loaded is read before this script imports json to print it
    script = (f"import sys\n{code}\nloaded = set(sys.modules)\n"
              f"import json\nprint(json.dumps({{n: n in loaded for n in {DEFERRED!r}}}))\n")
    done = subprocess.run([sys.executable, "-c", script], cwd=folder, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(folder)})
    assert done.returncode == 0, done.stderr
    loaded: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    return loaded


def test_importing_and_constructing_the_whole_api_client_imports_no_httpx() -> None:
    folder = committed()["openai_full"][1]
    loaded = _loaded_after(folder, "import openai_full as p\n"
                                   "c = p.Client(api_key='k', base_url='http://127.0.0.1:9/v1', timeout=3.0)\n"
                                   "a = p.AsyncClient(api_key='k', max_retries=0)\n"
                                   "repr(c), c.base_url, c.api_key, c.max_retries")
    assert loaded == {name: False for name in DEFERRED}


def test_the_first_request_imports_httpx() -> None:
    # the control of the check above: the same script, one call further, sees httpx loaded
    loaded = _loaded_after(GENERATED, "import openai_conversations as p\n"
                                      "c = p.Client(api_key='k', base_url='http://127.0.0.1:9/v1', max_retries=0)\n"
                                      "try:\n    c.conversations.retrieve('conv_1')\n"
                                      "except p.APIConnectionError:\n    pass")
    assert loaded["httpx"] and loaded["httpcore"]


def test_the_default_timeout_is_httpx_s_and_can_be_changed(api: Flavour, server: FakeConversationsServer) -> None:
    client = api.client(server)
    assert client.timeout == httpx.Timeout(600.0, connect=5.0)
    client.timeout = 0.1  # the client's default for every later request
    server.inject(method="GET", delay=0.5)
    with pytest.raises(oc.APITimeoutError):
        api.run(client.conversations.retrieve(server.seed_conversation()))
    assert api.client(server, timeout=None).timeout is None


def test_a_client_closed_before_its_first_request_refuses_requests(api: Flavour,
                                                                    server: FakeConversationsServer) -> None:
    client = api.client(server)
    api.run(client.close())
    assert client._http.is_closed
    with pytest.raises(RuntimeError, match="closed"):
        api.run(client.conversations.retrieve(server.seed_conversation()))


def test_with_options_on_an_unused_client_shares_one_connection_pool(api: Flavour,
                                                                    server: FakeConversationsServer) -> None:
    client = api.client(server)
    copy = client.with_options(max_retries=1)
    assert copy._http is client._http and copy._direct is client._direct is not None
    conv_id = server.seed_conversation()
    assert api.run(copy.conversations.retrieve(conv_id)).id == conv_id
    assert api.run(client.conversations.retrieve(conv_id)).id == conv_id
    # a copy given a client of its own sends through it, not through the original's transport
    own = (httpx.AsyncClient if api.is_async else httpx.Client)(headers={"X-Caller": "own"})
    other = client.with_options(http_client=own)
    assert other._direct is None
    assert api.run(other.conversations.retrieve(conv_id)).id == conv_id
    assert server.requests[-1].headers["X-Caller"] == "own"
    api.run(own.aclose() if api.is_async else own.close())  # type: ignore[union-attr]
