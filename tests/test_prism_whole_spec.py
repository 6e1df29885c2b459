"""The client of the WHOLE committed spec against Prism serving the whole spec, over real HTTP on 127.0.0.1.

One build (`convgen build spec/openai.yaml --no-config --package openai_full`) and one Prism (~35 s to start on
the 3 MB spec) serve the module. The operations are enumerated from convgen's own intermediate model by kind
(`KINDS`), not from a hand list, so a new upload in the spec is called here without a change to this file; every
one is called with the arguments its schema requires, through `with_raw_response`, and Prism must accept the
request: it answers 422 on a multipart or form body that does not match the spec (a negative control shows it).

Downloads (binary responses) and event streams are called the same way (an event stream asked for by its
body flag), through `with_raw_response`: what is checked is that Prism accepts each request.

Then every operation of the spec is called once more, sync (a sample async), with the arguments `prism_calls` builds
from the spec (its valid examples, else minimal values of the schema) and through the client's own headers: each
request must be accepted and each 2xx response must decode with the default client (see `prism_calls.Caller` for
what counts while the client decodes strictly by default).
"""

from __future__ import annotations

import asyncio
import importlib
import sys
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import httpx
import pytest
import test_prism
from conftest import ROOT, SPEC, run_convgen
from convgen import ir
from convgen.build import build
from convgen.load import load
from convgen.select import Selection, resolve_pointer, select
from prism_calls import call_every_operation, check_report
from test_prism import KEY, Prism

PACKAGE = "openai_full"
STARTUP_LIMIT = 600.0  # seconds for Prism to load the whole spec


def _api() -> tuple[ir.Api, dict[str, Any]]:
    spec, _ = load(SPEC, (), ())
    assert spec is not None
    section, _ = select(spec.doc, Selection((), ()))
    assert section is not None
    api, _ = build(section)
    return api, spec.doc


API, DOC = _api()


def _request_kind(kind: str) -> Callable[[ir.Operation], bool]:
    return lambda op: op.body is not None and op.body.kind == kind


# kind -> which operations it covers; each operation of each kind is called once per flavour
KINDS: dict[str, Callable[[ir.Operation], bool]] = {
    "multipart request": _request_kind("multipart"),
    "form request": _request_kind("form"),
    "binary request": _request_kind("binary"),
    "text request": _request_kind("text"),
    "binary response": lambda op: op.response_kind == "binary",
    "event stream": lambda op: op.events is not None,
}

def _declares_framing_header(op: ir.Operation) -> bool:
    """Whether a 2xx response of `op` declares a `Transfer-Encoding` header: Prism fills it with a random string,
    which breaks the HTTP framing of its own answer (h11: "Only Transfer-Encoding: chunked is supported"), so
    no HTTP client can read that answer: such operations (today only createSpeech; its multipart-free JSON
    request is the same shape as the other calls here) are left out of the response-side kinds."""
    def deref(node: Any) -> Any:
        while isinstance(node, dict) and isinstance(node.get("$ref"), str):
            node = resolve_pointer(DOC, node["$ref"])
        return node

    responses = resolve_pointer(DOC, "#" + op.pointer + "/responses")
    return any(str(code).startswith("2") and "Transfer-Encoding" in (deref(r).get("headers") or {})
               for code, r in responses.items())


CASES = [(kind, op) for kind, covers in KINDS.items() for op in API.operations
         if covers(op) and not (kind.endswith("response") or kind == "event stream") or covers(op) and not _declares_framing_header(op)]
UNFRAMED = sorted({op.operation_id: op for kind, covers in KINDS.items() for op in API.operations
                   if covers(op) and _declares_framing_header(op)}.values(), key=lambda op: op.operation_id)


def test_the_spec_has_the_request_kinds_it_is_known_for() -> None:
    """A guard against a broken enumeration: the committed spec has 18 multipart uploads (files.create, ...)."""
    found = {(kind, op.operation_id) for kind, op in CASES}
    assert ("multipart request", "createFile") in found and ("multipart request", "addUploadPart") in found
    assert sum(kind == "multipart request" for kind, _ in found) == 18
    assert {("binary response", "GetSkillContent"), ("event stream", "createChatCompletion")} <= found
    assert [op.operation_id for op in UNFRAMED] == ["createSpeech"]


# ---- arguments from the schema --------------------------------------------------------------------
def _deref(node: Any) -> Any:
    while isinstance(node, dict) and isinstance(node.get("$ref"), str):
        node = resolve_pointer(DOC, node["$ref"])
    return node


def sample(schema: Any, depth: int = 0) -> Any:
    """A small value that the schema accepts: its example, default, first enum value or const, else by type
    (objects with their required properties only)."""
    s = _deref(schema)
    if not isinstance(s, dict) or depth > 12:
        return "x"
    for key in ("const", "default"):
        if key in s and s[key] is not None:
            return s[key]
    if isinstance(s.get("enum"), list) and s["enum"]:
        return next((v for v in s["enum"] if v is not None), s["enum"][0])
    for key in ("anyOf", "oneOf"):
        if isinstance(s.get(key), list) and s[key]:
            return sample(next((v for v in s[key] if _deref(v).get("type") != "null"), s[key][0]), depth + 1)
    if isinstance(s.get("allOf"), list) and s["allOf"]:
        merged: dict[str, Any] = {}
        for sub in s["allOf"]:
            value = sample(sub, depth + 1)
            if isinstance(value, dict):
                merged.update(value)
        return merged
    kind = s.get("type")
    kind = next((k for k in kind if k != "null"), "string") if isinstance(kind, list) else kind
    if kind == "object" or "properties" in s:
        props = s.get("properties") or {}
        return {k: sample(props.get(k, {}), depth + 1) for k in s.get("required") or []}
    if kind == "array":
        return [sample(s.get("items", {}), depth + 1) for _ in range(max(1, int(s.get("minItems") or 1)))]
    if kind == "integer":
        return int(s.get("minimum", 1))
    if kind == "number":
        return float(s.get("minimum", 1))
    if kind == "boolean":
        return False
    return "x" * max(1, int(s.get("minLength") or 1))


def arguments(op: ir.Operation) -> dict[str, Any]:
    """The path ids and every body field the schema requires, as keyword arguments."""
    args: dict[str, Any] = {p.attr: f"{p.wire}_123" for p in op.path_params}
    body = op.body
    if op.events is not None and op.events.flag and body is not None:
        # ask for the event stream: `stream: true`, or the enum value that means it (`stream_format: sse`)
        flag = next(f.attr for f in body.fields if f.wire == op.events.flag)
        return {**arguments(replace(op, events=None)), flag: op.events.flag_value}
    if body is None:
        return args
    if body.kind in ("binary", "text"):
        return {**args, "body": b"\x89PNG sample" if body.kind == "binary" else "v=0\r\n"}
    schema = resolve_pointer(DOC, "#" + op.pointer + "/requestBody/content/" + body.media.replace("/", "~1") + "/schema")
    props = _properties(schema)
    files = {p.wire: p.file for p in body.parts}
    for f in body.fields:
        if not f.required:
            continue
        shape = files.get(f.wire, "")
        if shape in ("one", "one_or_many", "mixed"):
            args[f.attr] = ("sample.png", b"\x89PNG sample", "image/png")
        elif shape == "many":
            args[f.attr] = [("sample.png", b"\x89PNG sample", "image/png")]
        else:
            args[f.attr] = sample(props.get(f.wire, {}))
    return args


def _properties(schema: Any) -> dict[str, Any]:
    s = _deref(schema)
    out: dict[str, Any] = {}
    for sub in s.get("allOf") or []:
        out.update(_properties(sub))
    out.update(s.get("properties") or {})
    return out


# ---- the whole client and Prism ----------------------------------------------------------------------
@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    out = tmp_path_factory.mktemp("whole")
    # the OpenAI API's conventions come from configuration, as users of this spec set them: objects and
    # arrays in forms as `key[sub]` / `key[]` (Prism rejects JSON parts there)
    result = run_convgen("build", SPEC, "--no-config", "--array-format", "brackets", "--package", PACKAGE,
                         "-o", out / "client", timeout=1200)
    assert result.returncode == 0, result.stderr
    sys.path.insert(0, str(out / "client"))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(out / "client"))


@pytest.fixture(scope="module")
def prism(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Prism]:
    server = Prism(ROOT / "spec" / "openai.yaml", tmp_path_factory.mktemp("prism-whole") / "prism.log")
    with pytest.MonkeyPatch.context() as patch:
        # ~35 s on an idle machine for the 3 MB spec, several times that on a loaded one
        patch.setattr(test_prism, "STARTUP_LIMIT", STARTUP_LIMIT)
        server.start()
    try:
        yield server
    finally:
        server.stop()


def send(package: Any, prism: Prism, flavour: str, op: ir.Operation, args: dict[str, Any]) -> httpx.Response:
    """The raw HTTP response of one call (not decoded); an error status raises the client's error."""
    # Accept: any media, since some of these answer other media than JSON (realtime.calls.create: SDP), which
    # Prism refuses to an `Accept: application/json` with 406; the response side is not what is checked here
    settings = {"api_key": KEY, "base_url": prism.base_url, "max_retries": 0, "default_headers": {"Accept": "*/*"}}

    def method(client: Any) -> Any:
        target = client
        for attr in op.resource:
            target = getattr(target, attr)
        return getattr(target.with_raw_response, op.method_name)

    if flavour == "sync":
        with package.Client(**settings) as client:
            return method(client)(**args).http_response  # type: ignore[no-any-return]

    async def main() -> httpx.Response:
        async with package.AsyncClient(**settings) as client:
            return (await method(client)(**args)).http_response  # type: ignore[no-any-return]

    return asyncio.run(main())


@pytest.mark.parametrize("flavour", ["sync", "async"])
@pytest.mark.parametrize(("kind", "op"), CASES, ids=[f"{kind}:{op.operation_id}" for kind, op in CASES])
def test_prism_accepts_the_request(package: Any, prism: Prism, flavour: str, kind: str, op: ir.Operation) -> None:
    response = send(package, prism, flavour, op, arguments(op))
    assert response.status_code < 400, (
        f"{op.http_method} {op.path} ({kind}): Prism answered {response.status_code}: {response.text[:2000]}")


def test_prism_rejects_invalid_uploads(package: Any, prism: Prism) -> None:
    """Negative controls, so that the test above can fail: Prism answers 422 to an upload whose field breaks the
    schema (sent by our client) and to a multipart body without its required file part."""
    op = next(op for _, op in CASES if op.operation_id == "createFile")
    with pytest.raises(package.UnprocessableEntityError, match="purpose must be equal to one of the allowed values"):
        send(package, prism, "sync", op, {**arguments(op), "purpose": "no-such-purpose"})
    bad = httpx.post(prism.base_url + "/files", headers={"Authorization": f"Bearer {KEY}"},
                     files={"purpose": (None, "assistants")})
    assert bad.status_code == 422, bad.text


# ---- every operation, once, with its response decoded ------------------------------------------------------
# Operations whose call cannot succeed against Prism whatever the client does, each checked to fail as stated
WHOLE_SPEC_LIMITS = {
    # Prism fills the declared `Transfer-Encoding` response header with a random string (see UNFRAMED)
    "createSpeech": "Only Transfer-Encoding: chunked is supported",
}
ASYNC_SAMPLE = 20  # operations also called through the async client


def test_every_operation_is_accepted_and_its_response_decodes(package: Any, prism: Prism) -> None:
    """Each of the spec's operations, called once (sync) with arguments built from the spec (prism_calls)."""
    report = call_every_operation(package, API, DOC, {"base_url": prism.base_url})
    assert report.calls == len(API.operations) >= 281
    check_report(report, WHOLE_SPEC_LIMITS, prism.log_tail(10_000))
    assert {f.operation.split(" ", 1)[0] for f in report.failures} == set(WHOLE_SPEC_LIMITS), report.summary()


def test_a_sample_of_operations_through_the_async_client(package: Any, prism: Prism) -> None:
    sample = {op.operation_id for op in API.operations[:: len(API.operations) // ASYNC_SAMPLE]} - set(WHOLE_SPEC_LIMITS)
    report = call_every_operation(package, API, DOC, {"base_url": prism.base_url}, flavour="async", only=sample)
    assert report.calls == len(sample) >= ASYNC_SAMPLE
    assert not report.failures, report.summary()
