"""The generated client against Prism (`prism mock`), the OpenAPI mock server, over real HTTP on 127.0.0.1.

Prism is pinned in tests/prism/package.json + package-lock.json; install it with `npm ci --prefix tests/prism`
(`.ci/run` does). It is not optional here: a missing install fails these tests, it never skips them.

Prism serves the Conversations section of the spec, as `convgen select --tag Conversations` writes it: it starts
in 2-4 s instead of ~35 s for the whole 3 MB spec, and `test_the_section_is_the_spec_verbatim` checks that the
section holds the spec's own operations and schemas, unchanged. One Prism process (`prism mock -d`, dynamic
responses) serves the module.

- Every request the client sends must pass Prism's request validation (Prism answers 422 otherwise, 401 without
  credentials): each operation with realistic arguments returns 2xx, for both flavours. Those calls ask for the
  spec's static examples (`Prefer: dynamic=false`), which must decode too. Negative controls show Prism really
  rejects invalid requests.
- Random schema-valid responses (dynamic mode) decode: per operation, 200 responses must decode without error and
  round-trip through `to_dict()`. Two things Prism does are not counted, and each is checked rather than ignored:
  a 500 from a crash in its response generator (json-schema-faker's `clean()` on arrays without `items`), and a
  response that breaks the spec itself (it leaves out required properties the spec does not describe, e.g.
  `request_id` of MCPApprovalResponseResource): such a response must fail our decoding with
  APIResponseValidationError at a place where the spec's JSON Schema (jsonschema) rejects it as well.
"""

from __future__ import annotations

import contextlib
import dataclasses
import importlib.util
import json
import os
import re
import signal
import socket
import subprocess
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import openai_conversations as oc
import pytest
import yaml
from conftest import FIXTURES, ROOT, SPEC, run_convgen
from flavours import Flavour
from openai_conversations import types as t
from openai_conversations._client import CONFIG

PRISM_DIR = ROOT / "tests" / "prism"
PRISM = PRISM_DIR / "node_modules" / ".bin" / "prism"
STARTUP_LIMIT = 120.0  # seconds; measured ~2 s for the section (~35 s for the whole spec)
RANDOM_RESPONSES = 200  # decoded per operation and flavour
MAX_SKIPPED = 0.5  # of the responses drawn, at most this share may be Prism's own faults (seen: ~10%)
KEY = "sk-prism-test"


class Prism:
    """`prism mock` on a free loopback port; `start()` returns once it answers HTTP."""

    def __init__(self, spec: Path, log: Path, *args: str) -> None:
        self.spec, self.log_path, self.args = spec, log, args
        self.process: subprocess.Popen[bytes] | None = None
        self.base_url = ""
        self.startup = 0.0

    def start(self) -> None:
        if not PRISM.exists():
            pytest.fail(f"Prism is not installed ({PRISM} is missing): run `npm ci --prefix tests/prism`")
        with socket.socket() as sock:  # a free port (Prism has no "port 0")
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        self.base_url = f"http://127.0.0.1:{port}"
        command = [str(PRISM), "mock", *self.args, "-h", "127.0.0.1", "-p", str(port), str(self.spec)]
        started = time.monotonic()
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                            cwd=PRISM_DIR, start_new_session=True)
        while True:
            if self.process.poll() is not None:
                pytest.fail(f"prism exited with {self.process.returncode} before it was ready:\n{self.log_tail()}")
            with contextlib.suppress(httpx.TransportError):
                httpx.get(self.base_url + "/", timeout=1.0)  # any answer (Prism's 404) means it is listening
                break
            if time.monotonic() - started > STARTUP_LIMIT:
                self.stop()
                pytest.fail(f"prism was not ready after {STARTUP_LIMIT:.0f} s:\n{self.log_tail()}")
            time.sleep(0.1)
        self.startup = time.monotonic() - started

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)  # its own session: node and anything it started
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


@pytest.fixture(scope="module")
def section(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("prism") / "conversations.json"
    result = run_convgen("select", SPEC, "--tag", "Conversations", "-o", out)
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture(scope="module")
def prism(section: Path) -> Iterator[Prism]:
    server = Prism(section, section.with_name("prism.log"), "-d")
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(params=["sync", "async"])
def api(request: pytest.FixtureRequest) -> Iterator[Flavour]:
    with Flavour(request.param) as flavour:
        yield flavour


@pytest.fixture(scope="module")
def spec_check() -> Any:
    """The project's JSON Schema check of payloads against the spec (tests/fixtures/make_payloads.py)."""
    loader = importlib.util.spec_from_file_location("make_payloads", FIXTURES / "make_payloads.py")
    assert loader is not None and loader.loader is not None
    module = importlib.util.module_from_spec(loader)
    loader.loader.exec_module(module)
    return module


# ------------------------------------------------------------------------------------------------ set-up


def test_the_section_is_the_spec_verbatim(section: Path) -> None:
    full = yaml.load(SPEC.read_text(), Loader=yaml.CSafeLoader)
    part = json.loads(section.read_text())
    tagged = {path for path, item in full["paths"].items()
              if any("Conversations" in op.get("tags", []) for op in item.values() if isinstance(op, dict))}
    assert set(part["paths"]) == tagged and len(tagged) == 4
    for path in tagged:
        assert part["paths"][path] == full["paths"][path], path
    for kind, components in part["components"].items():
        for name, value in components.items():
            assert value == full["components"][kind][name], f"{kind}/{name}"
    assert (part["servers"], part["security"]) == (full["servers"], full["security"])
    operations = [op for item in part["paths"].values() for op in item.values() if isinstance(op, dict)]
    assert len(operations) == 8


def test_prism_starts(prism: Prism) -> None:
    print(f"prism {prism_version()} ready in {prism.startup:.1f} s at {prism.base_url}")
    assert prism.startup < STARTUP_LIMIT


def prism_version() -> str:
    lock = json.loads((PRISM_DIR / "package-lock.json").read_text())
    version: str = lock["packages"]["node_modules/@stoplight/prism-cli"]["version"]
    return version


def test_prism_rejects_invalid_requests(prism: Prism, api: Flavour) -> None:
    """Negative controls: the validation the other tests rely on is really on."""
    client = api.client(base_url=prism.base_url, api_key=KEY)
    with pytest.raises(oc.UnprocessableEntityError) as caught:
        api.run(client.conversations.items.create("conv_1", items=[{"type": "no_such_item"}]))
    assert caught.value.body["title"] == "Invalid request" and caught.value.body["validation"]
    with pytest.raises(oc.UnprocessableEntityError):
        api.run(client.conversations.create(metadata={"k": 5}))  # type: ignore[dict-item]
    with pytest.raises(oc.UnprocessableEntityError):
        api.run(repeat_client(api, prism).conversations.items.list("conv_1", include=["no.such.include"]))
    response = httpx.get(prism.base_url + "/conversations/conv_1")  # no credentials
    assert response.status_code == 401


def repeat_client(api: Flavour, prism: Prism, **settings: Any) -> Any:
    """A client sending query arrays as `include=a&include=b`, the spec's (OpenAPI's default) style.

    The client's own style, `include[]=a`, is what the API expects, but Prism does not know that name and so does
    not check its values; this client lets Prism validate every include value the tests send.
    """
    base = api.cls
    repeat = type(f"Repeat{base.__name__}", (base,), {"_config": dataclasses.replace(CONFIG, array_format="repeat")})
    client = repeat(api_key=KEY, base_url=prism.base_url, max_retries=0, **settings)
    api._clients.append(client)
    return client


# ------------------------------------------------------------------------------------------------ requests

ALL_INCLUDES = [member.value for member in t.IncludeEnum]
# Realistic input items, typed and plain. Not among them: a message with a *list* content and role user, system
# or developer, which the API takes but the spec's InputItem `oneOf` makes ambiguous (EasyInputMessage and
# InputMessage both match), so that strict validation (Prism's) rejects it.
INPUT_ITEMS: list[Any] = [
    {"role": "user", "content": "Hello!"},
    t.EasyInputMessage(role="developer", content="Answer briefly."),
    {"type": "message", "role": "assistant", "id": "msg_1", "status": "completed", "content": [
        {"type": "output_text", "text": "Hi there", "annotations": [], "logprobs": []}]},
    {"type": "function_call", "call_id": "call_1", "name": "get_weather", "arguments": '{"city": "Paris"}'},
    t.FunctionCallOutputItemParam(call_id="call_1", output='{"temperature": 21}'),
    {"type": "reasoning", "id": "rs_1", "summary": [{"type": "summary_text", "text": "Thinking."}]},
    {"type": "web_search_call", "id": "ws_1", "status": "completed", "action": {"type": "search", "query": "paris"}},
    {"type": "computer_call_output", "call_id": "call_2",
     "output": {"type": "computer_screenshot", "image_url": "https://example.com/screen.png"}},
    {"type": "custom_tool_call_output", "call_id": "call_3", "output": "done"},
    {"type": "item_reference", "id": "msg_0"},
]
OPERATIONS: dict[str, Callable[[Any], Any]] = {
    "create": lambda c: c.conversations.create(metadata={"topic": "démo", "user": "u_1"}, items=INPUT_ITEMS),
    "create_empty": lambda c: c.conversations.create(),
    "create_nulls": lambda c: c.conversations.create(metadata=None, items=None),
    "retrieve": lambda c: c.conversations.retrieve("conv_123"),
    "update": lambda c: c.conversations.update("conv_123", metadata={"topic": "x"}),
    "delete": lambda c: c.conversations.delete("conv_123"),
    "items.create": lambda c: c.conversations.items.create("conv_123", items=INPUT_ITEMS, include=ALL_INCLUDES),
    "items.list": lambda c: c.conversations.items.list("conv_123", limit=20, order="desc", after="msg_abc",
                                                       include=ALL_INCLUDES),
    "items.list_asc": lambda c: c.conversations.items.list("conv_123", order=t.ListConversationItemsOrder.ASC),
    "items.retrieve": lambda c: c.conversations.items.retrieve("msg_abc", conversation_id="conv_123",
                                                               include=["message.output_text.logprobs"]),
    "items.delete": lambda c: c.conversations.items.delete("msg_abc", conversation_id="conv_123"),
    "odd_ids": lambda c: c.conversations.items.retrieve("a/../b?x", conversation_id="conv 1/é"),
    "extras": lambda c: c.conversations.retrieve("conv_123", extra_headers={"X-Extra": "1"},
                                                 extra_query={"debug": "1"}, timeout=30.0),
}


@pytest.mark.parametrize("name", OPERATIONS)
def test_every_request_passes_prism_validation(prism: Prism, api: Flavour, name: str) -> None:
    # The spec's static examples for these calls: the random ones are the next test's business.
    static = {"Prefer": "dynamic=false"}
    for client in (api.client(base_url=prism.base_url, api_key=KEY, default_headers=static),
                   repeat_client(api, prism, default_headers=static)):
        raw = api.run(raw_call(client, name))  # Prism's 422 (or 401) would raise here
        assert 200 <= raw.status_code < 300, raw.http_response.text
        assert response_of(raw.parse()).to_dict() == raw.http_response.json()


def raw_call(client: Any, name: str) -> Any:
    """Operation `name` via `with_raw_response`: `c.conversations.x()` runs `c.conversations.with_raw_response.x()`."""
    raw = type("Raw", (), {"conversations": client.conversations.with_raw_response})
    return OPERATIONS[name](raw)


def response_of(decoded: Any) -> Any:
    """The model a call decoded: a list call gives a page around it."""
    return decoded.response if hasattr(decoded, "iter_pages") else decoded


# ------------------------------------------------------------------------------------------------ responses

RESPONSE_SCHEMAS = {  # operation -> the schema of its 200 response
    "create": "ConversationResource", "retrieve": "ConversationResource", "update": "ConversationResource",
    "delete": "DeletedConversationResource", "items.create": "ConversationItemList",
    "items.list": "ConversationItemList", "items.retrieve": "ConversationItem", "items.delete": "ConversationResource",
}


@pytest.mark.parametrize("name", RESPONSE_SCHEMAS)
def test_random_responses_decode(prism: Prism, api: Flavour, name: str, spec_check: Any) -> None:
    client = api.client(base_url=prism.base_url, api_key=KEY, strict=True)
    decoded, drawn, skipped, kinds = 0, 0, Counter[str](), Counter[str]()
    while decoded < RANDOM_RESPONSES and drawn < RANDOM_RESPONSES / (1 - MAX_SKIPPED):
        drawn += 1
        try:
            raw = api.run(raw_call(client, name))
        except oc.InternalServerError as exc:  # only Prism's own generator crash is tolerated
            assert isinstance(exc.body, dict) and exc.body.get("type", "").endswith("/prism/errors#UNKNOWN"), exc
            assert "json-schema-faker" in exc.body["title"], exc.body["title"]
            skipped["prism 500: json-schema-faker crashed"] += 1
            continue
        data = raw.http_response.json()
        try:
            value = response_of(raw.parse())
        except oc.APIResponseValidationError as exc:
            where = also_invalid_per_spec(spec_check, RESPONSE_SCHEMAS[name], data, exc)
            assert where, f"a schema-valid response failed to decode: {exc.message}\n{json.dumps(data)[:4000]}"
            skipped[f"invalid per the spec: {where}"] += 1
            continue
        assert value.to_dict() == data, json.dumps(data)[:4000]
        items = value.data if hasattr(value, "data") else [value] if name == "items.retrieve" else []
        kinds.update(type(item).__name__ for item in items)
        decoded += 1
    summary = f"{decoded} decoded of {drawn} drawn; skipped: {dict(skipped)}; item kinds: {dict(kinds)}"
    print(f"{api.name} {name}: {summary}")
    assert decoded == RANDOM_RESPONSES, summary
    unknown = sum(n for kind, n in kinds.items() if kind.startswith("Unknown"))
    assert unknown <= 0.05 * sum(kinds.values()), summary  # random items decode to known classes
    if name in ("items.list", "items.retrieve"):
        assert len(kinds) >= 20, summary  # a wide spread of ConversationItem variants was seen


def also_invalid_per_spec(spec_check: Any, schema: str, data: Any, exc: oc.APIResponseValidationError) -> str:
    """Where the spec's JSON Schema also rejects `data`, at or above the place our decoding failed ("" if not)."""
    cause = exc.__cause__
    assert isinstance(cause, oc.DecodeError), exc
    failed = [int(i) if i else k for k, i in re.findall(r"([^.\[\]]+)|\[(\d+)\]", cause.path)]
    for error in spec_check.validation_errors(data, schema):  # "<Schema> at /data/0: 'x' is a required property"
        location, _, reason = error.partition(": ")
        path = [int(p) if p.isdigit() else p for p in location.split(" at /", 1)[1].split("/") if p]
        if failed[:len(path)] == path:
            return f"/{'/'.join(map(str, path))}: {reason[:120]}"
    return ""
