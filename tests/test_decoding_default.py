"""Issue 13, decoding default: a 2xx response is never lost to a decode error.

The client keeps a value that does not fit its schema as received (the official SDK's `construct` does the
same) and notes it (`misfits(model)`); `to_dict()` gives back what came. `Client(strict=True)` (and
`with_options(strict=True)`, AsyncClient likewise) raises `APIResponseValidationError` as before.

The three real cases are the OpenAI spec's own: `Response.user` null (a string), `Upload.file` without
its required `status` (the example of `POST /uploads/{id}/complete`; `null` there is read as allowed), `Eval.data_source_config.schema` a string (an
object). They are rebuilt in a small spec of the same shapes (building the whole spec would take ~40 s), served by
the fake API over HTTP. Added test time: ~3 s (one CLI build, a few dozen requests).
"""

from __future__ import annotations

import copy
import importlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openai_conversations as oc
import pytest
from client_http_support import api, fast_backoff, server  # noqa: F401 - fixtures are found by name
from conftest import run_convgen
from fakeapi import FakeConversationsServer
from flavours import Flavour
from openai_conversations import types as t

REAL = """\
openapi: 3.1.0
info: {title: Real cases, version: "1.0"}
paths:
  /responses/{response_id}:
    get:
      operationId: getResponse
      parameters: [{name: response_id, in: path, required: true, schema: {type: string}}]
      responses:
        "200": {description: OK, content: {application/json: {schema: {$ref: "#/components/schemas/Response"}}}}
  /uploads/{upload_id}:
    get:
      operationId: getUpload
      parameters: [{name: upload_id, in: path, required: true, schema: {type: string}}]
      responses:
        "200": {description: OK, content: {application/json: {schema: {$ref: "#/components/schemas/Upload"}}}}
  /evals/{eval_id}:
    get:
      operationId: getEval
      parameters: [{name: eval_id, in: path, required: true, schema: {type: string}}]
      responses:
        "200": {description: OK, content: {application/json: {schema: {$ref: "#/components/schemas/Eval"}}}}
components:
  schemas:
    Response:
      type: object
      required: [id, object, output]
      properties:
        id: {type: string}
        object: {type: string, enum: [response]}
        user: {type: string, description: A stable identifier for your end-users.}
        output:
          type: array
          items: {$ref: "#/components/schemas/OutputMessage"}
    OutputMessage:
      type: object
      required: [type, content]
      properties:
        type: {type: string, enum: [message]}
        content:
          type: array
          items: {$ref: "#/components/schemas/OutputText"}
    OutputText:
      type: object
      required: [type, text, logprobs]
      properties:
        type: {type: string, enum: [output_text]}
        text: {type: string}
        logprobs:
          type: array
          items:
            type: object
            required: [token, bytes]
            properties:
              token: {type: string}
              bytes: {type: array, items: {type: integer}}
    Upload:
      type: object
      required: [id, bytes, status]
      properties:
        id: {type: string}
        bytes: {type: integer}
        status: {type: string, enum: [pending, completed, cancelled, expired]}
        file:
          allOf:
            - $ref: "#/components/schemas/OpenAIFile"
            - nullable: true
              description: The ready File object after the Upload is completed.
    OpenAIFile:
      type: object
      required: [id, object, bytes, status]
      properties:
        id: {type: string}
        object: {type: string, enum: [file]}
        bytes: {type: integer}
        status: {type: string, enum: [uploaded, processed, error]}
    Eval:
      type: object
      required: [object, id, data_source_config]
      properties:
        object: {type: string, enum: [eval]}
        id: {type: string}
        data_source_config:
          oneOf:
            - $ref: "#/components/schemas/CustomConfig"
            - $ref: "#/components/schemas/LogsConfig"
          discriminator: {propertyName: type}
    CustomConfig:
      type: object
      required: [type, schema]
      properties:
        type: {type: string, enum: [custom]}
        schema: {type: object, additionalProperties: true}
    LogsConfig:
      type: object
      required: [type, schema]
      properties:
        type: {type: string, enum: [logs]}
        schema: {type: object, additionalProperties: true}
"""

RESPONSE = {"id": "resp_1", "object": "response", "user": None,
            "output": [{"type": "message", "content": [
                {"type": "output_text", "text": "Hi", "logprobs": [{"token": "Hi", "bytes": [72, 105]}]}]}]}
UPLOAD = {"id": "upload_abc123", "bytes": 2147483648, "status": "completed",  # the file lacks its status
          "file": {"id": "file-xyz321", "object": "file", "bytes": 2147483648}}
EVAL = {"object": "eval", "id": "eval_1",
        "data_source_config": {"type": "custom", "schema": '{"type": "object", "properties": {"label": {}}}'}}


@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    folder = tmp_path_factory.mktemp("real_cases")
    spec = folder / "real.yaml"
    spec.write_text(REAL, encoding="utf-8")
    result = run_convgen("build", spec, "--no-config", "--package", "real_cases", "-o", folder / "out", cwd=folder)
    assert result.returncode == 0, result.stderr
    sys.path.insert(0, str(folder / "out"))
    try:
        yield importlib.import_module("real_cases")
    finally:
        sys.path.remove(str(folder / "out"))


def real_client(api: Flavour, real: Any, server: FakeConversationsServer, **settings: Any) -> Any:
    cls = real.AsyncClient if api.is_async else real.Client
    client = cls(base_url=server.base_url, max_retries=0, **settings)
    api._clients.append(client)
    return client


def test_the_real_cases_keep_their_data(api: Flavour, real: Any, server: FakeConversationsServer) -> None:
    client = real_client(api, real, server)
    server.inject(json=RESPONSE)
    response = api.run(client.responses.retrieve("resp_1"))
    assert type(response) is real.types.Response and response.user is None
    assert response.output[0].content[0].logprobs[0].bytes == [72, 105]  # the rest decoded as usual
    assert list(real.misfits(response)) == ["user"] and response.to_dict() == RESPONSE
    assert str(real.misfits(response)["user"]) == "Response: expected a string at user, got null"

    server.inject(json=UPLOAD)
    upload = api.run(client.uploads.retrieve("upload_abc123"))
    assert type(upload) is real.types.Upload and upload.status == "completed" and upload.file.bytes == 2147483648
    assert real.misfits(upload) == {} and list(real.misfits(upload.file)) == ["status"]
    assert upload.file.status is real.UNSET and upload.to_dict() == UPLOAD
    server.inject(json={**UPLOAD, "file": None})
    assert api.run(client.uploads.retrieve("upload_abc123")).file is None

    server.inject(json=EVAL)
    evaluation = api.run(client.evals.retrieve("eval_1"))
    config = evaluation.data_source_config
    assert type(config) is real.types.CustomConfig and config.schema == EVAL["data_source_config"]["schema"]
    assert real.misfits(evaluation) == {} and list(real.misfits(config)) == ["schema"]
    assert evaluation.to_dict() == EVAL
    assert json.loads(json.dumps(evaluation.to_dict())) == EVAL


@pytest.mark.parametrize("payload", [RESPONSE, UPLOAD, EVAL])
def test_strict_clients_raise(api: Flavour, real: Any, server: FakeConversationsServer, payload: Any) -> None:
    strict = real_client(api, real, server, strict=True)
    call = {id(RESPONSE): lambda c: c.responses.retrieve("r"), id(UPLOAD): lambda c: c.uploads.retrieve("u"),
            id(EVAL): lambda c: c.evals.retrieve("e")}[id(payload)]
    server.inject(json=payload)
    with pytest.raises(real.APIResponseValidationError) as caught:
        api.run(call(strict))
    assert caught.value.body == payload and isinstance(caught.value.__cause__, real.DecodeError)
    # with_options keeps strictness and can turn it off
    assert strict.with_options(max_retries=1).strict is True
    server.inject(json=payload)
    assert api.run(call(strict.with_options(strict=False))).to_dict() == payload


def test_a_conversation_page_with_a_bad_item(api: Flavour, server: FakeConversationsServer,
                                              all_variants: list[Any]) -> None:
    bad = copy.deepcopy(all_variants[:3])
    bad[1]["arguments"] = 7  # a function_call whose arguments are not a string
    del bad[2]["id"]
    page = {"object": "list", "data": bad, "first_id": "a", "last_id": "b", "has_more": False}
    server.inject(json=page)
    listed = api.run(api.client(server).conversations.items.list("conv_1"))
    items = listed.data if hasattr(listed, "data") else listed
    assert [type(x).__name__ for x in items] == [type(t.conversation_item_from_dict(x)).__name__ for x in all_variants[:3]]
    assert items[1].arguments == 7 and items[2].id is oc.UNSET
    assert list(oc.misfits(items[1])) == ["arguments"] and list(oc.misfits(items[2])) == ["id"]
    assert [x.to_dict() for x in items] == bad


def test_a_body_of_the_wrong_kind_is_returned_as_received(api: Flavour, server: FakeConversationsServer) -> None:
    client = api.client(server)
    for payload in ([], None, "text", {"id": 5}):
        server.inject(status=200, body=json.dumps(payload), headers={"Content-Type": "application/json"})
        got = api.run(client.conversations.retrieve("conv_1"))
        if isinstance(payload, dict):
            assert type(got) is t.ConversationResource and got.id == 5 and got.to_dict() == payload
        else:
            assert got == payload


def test_decoding_outside_a_client_is_strict_unless_asked() -> None:
    doc = {"id": "conv_1", "object": "conversation", "metadata": None, "created_at": "yesterday"}
    with pytest.raises(oc.DecodeError, match="at created_at"):
        t.ConversationResource.from_dict(doc)
    with oc.lenient_decoding():
        kept = t.ConversationResource.from_dict(doc)
    assert kept.created_at == "yesterday" and kept.to_dict() == doc
    assert repr(kept).startswith("ConversationResource(id='conv_1'") and "extra" not in repr(kept)
    assert kept == copy.copy(kept) and kept != t.ConversationResource.from_dict({**doc, "created_at": 1})


def test_a_value_set_by_hand_that_does_not_fit_still_fails_to_encode() -> None:
    item = t.OutputTextContent(text="Hi", annotations=[], logprobs=5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        item.to_dict()


def test_the_readme_says_what_lenient_means() -> None:
    text = (Path(__file__).resolve().parents[1] / "generated" / "README.md").read_text(encoding="utf-8")
    assert "strict=True" in text and "misfits(" in text


def test_an_event_that_does_not_fit_is_kept_unless_strict() -> None:
    from test_responses_media import FakeMediaServer, media, run

    with FakeMediaServer() as server, media.Client(base_url=server.base_url, max_retries=0) as client:
        events = list(client.events.retrieve(topic="one misfit two"))
        assert [getattr(e, "delta", None) for e in events[:3]] == ["one", 42, "two"]
        assert list(media.misfits(events[1])) == ["delta"] and events[1].to_dict()["delta"] == 42
        with pytest.raises(media.APIResponseValidationError, match="event does not have the documented shape"):
            list(client.with_options(strict=True).events.retrieve(topic="one misfit"))

        async def go(c: Any) -> Any:
            return [e async for e in await c.events.retrieve(topic="misfit")]

        assert run(go, server)[0].delta == 42
        with pytest.raises(media.APIResponseValidationError):
            run(go, server, strict=True)
