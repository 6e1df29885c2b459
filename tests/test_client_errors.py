"""Errors: the exception classes, error bodies, invalid and wrong-shaped responses, no key leaks.

See client_http_support for the `api` fixture (both flavours, sync and async, per test).
"""

from __future__ import annotations

import json
import logging
from typing import Any

import openai_conversations as oc
import pytest
from client_http_support import api, fast_backoff, message, server  # noqa: F401 - fixtures are found by name
from fakeapi import FakeConversationsServer
from flavours import Flavour


@pytest.mark.parametrize(("status", "error"), [
    (400, oc.BadRequestError), (401, oc.AuthenticationError), (403, oc.PermissionDeniedError),
    (404, oc.NotFoundError), (409, oc.ConflictError), (422, oc.UnprocessableEntityError),
    (429, oc.RateLimitError), (500, oc.InternalServerError), (503, oc.InternalServerError),
    (418, oc.APIStatusError),
])
def test_error_classes(api: Flavour, server: FakeConversationsServer, status: int, error: type[Exception]) -> None:
    client = api.client(server)
    body = {"message": f"Problem {status}", "type": "some_error", "param": "metadata", "code": "bad_thing"}
    server.inject(status=status, json={"error": body}, headers={"X-Extra": "1"})
    with pytest.raises(error) as caught:
        api.run(client.conversations.update("conv_1", metadata={}))
    exc = caught.value
    assert type(exc) is error and isinstance(exc, oc.APIStatusError) and isinstance(exc, oc.APIError)
    assert exc.status_code == status and exc.response.status_code == status
    assert exc.body == body and (exc.type, exc.param, exc.code) == ("some_error", "metadata", "bad_thing")
    assert exc.request_id == "req_1" and exc.response.headers["X-Extra"] == "1"
    assert exc.message == str(exc) == f"Error code: {status} - Problem {status}"
    assert exc.request is not None and exc.request.method == "POST"


def test_errors_from_the_server(api: Flavour, server: FakeConversationsServer) -> None:
    client = api.client(server)
    with pytest.raises(oc.NotFoundError) as caught:
        api.run(client.conversations.retrieve("conv_missing"))
    assert caught.value.message == "Error code: 404 - Conversation with id 'conv_missing' not found."
    assert caught.value.type == "invalid_request_error" and caught.value.request_id == "req_1"
    conv_id = server.seed_conversation()
    with pytest.raises(oc.BadRequestError) as caught:
        api.run(client.conversations.items.list(conv_id, limit=0))
    assert caught.value.param == "limit" and "Invalid 'limit'" in caught.value.message
    with pytest.raises(oc.BadRequestError, match="Invalid value: 'nope'"):
        api.run(client.conversations.items.list(conv_id, include=["nope"]))
    wrong = api.client(server, api_key="sk-wrong-0123456789abcdef")
    with pytest.raises(oc.AuthenticationError) as caught:
        api.run(wrong.conversations.retrieve(conv_id))
    assert caught.value.code == "invalid_api_key" and caught.value.status_code == 401


def test_error_bodies_that_are_not_error_objects(api: Flavour, server: FakeConversationsServer) -> None:
    client = api.client(server)
    server.inject(status=502, body="<html>Bad gateway</html>")
    with pytest.raises(oc.InternalServerError) as caught:
        api.run(client.conversations.create())
    assert caught.value.body == "<html>Bad gateway</html>" and caught.value.code is None
    assert caught.value.message == "Error code: 502 - <html>Bad gateway</html>"
    server.inject(status=500, body="")
    with pytest.raises(oc.InternalServerError) as caught:
        api.run(client.conversations.create())
    assert caught.value.body is None and caught.value.message == "Error code: 500"
    server.inject(status=400, json={"detail": "flat"})
    with pytest.raises(oc.BadRequestError) as caught:
        api.run(client.conversations.create())
    assert caught.value.body == {"detail": "flat"} and caught.value.message == "Error code: 400 - {'detail': 'flat'}"


def test_invalid_json_response(api: Flavour, server: FakeConversationsServer) -> None:
    client = api.client(server, strict=True)
    server.inject(status=200, body="<html>hello</html>")
    with pytest.raises(oc.APIResponseValidationError) as caught:
        api.run(client.conversations.create())
    exc = caught.value
    assert exc.message.startswith("response is not valid JSON: Expecting value: line 1 column 1")
    assert exc.status_code == 200 and exc.response.text == "<html>hello</html>" and exc.request_id == "req_1"
    server.inject(status=200, body="")
    with pytest.raises(oc.APIResponseValidationError, match="ConversationResource: expected an object, got null"):
        api.run(client.conversations.create())


@pytest.mark.parametrize(("payload", "expected"), [
    ([], "ConversationResource: expected an object, got array []"),
    ({"object": "conversation", "metadata": {}, "created_at": 1},
     "ConversationResource: expected required field 'id' at id, got nothing"),
    ({"id": 5, "object": "conversation", "metadata": {}, "created_at": 1},
     "ConversationResource: expected a string at id, got integer 5"),
    ({"id": "c", "object": "thread", "metadata": {}, "created_at": 1},
     "ConversationResource: expected 'conversation' at object, got string 'thread'"),
])
def test_wrong_shape_responses(api: Flavour, server: FakeConversationsServer, payload: Any, expected: str) -> None:
    client = api.client(server, strict=True)
    server.inject(json=payload)
    with pytest.raises(oc.APIResponseValidationError) as caught:
        api.run(client.conversations.retrieve("conv_1"))
    assert caught.value.message == f"response does not have the documented shape: {expected}"
    assert caught.value.body == payload and isinstance(caught.value.__cause__, oc.DecodeError)


def test_wrong_shape_deep_in_a_list(api: Flavour, server: FakeConversationsServer, all_variants: list[Any]) -> None:
    client = api.client(server, strict=True)
    bad = json.loads(json.dumps(all_variants[:3]))
    bad[1]["arguments"] = 7  # a function_call whose arguments are not a string
    server.inject(json={"object": "list", "data": bad, "first_id": "a", "last_id": "b", "has_more": False})
    with pytest.raises(oc.APIResponseValidationError) as caught:
        api.run(client.conversations.items.list("conv_1"))
    assert caught.value.message == ("response does not have the documented shape: ConversationItemList: "
                                    "expected a string at data[1].arguments, got integer 7")
    server.inject(json={"object": "list", "data": 5, "first_id": "a", "last_id": "b", "has_more": False})
    with pytest.raises(oc.APIResponseValidationError, match=r"expected an array at data, got integer 5"):
        api.run(client.conversations.items.list("conv_1"))


def test_api_key_never_leaks(api: Flavour, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    secret = "sk-secret-0123456789abcdef"
    with FakeConversationsServer(api_key=secret) as server:
        _check_no_leaks(api, server, secret, caplog)


def _check_no_leaks(api: Flavour, server: FakeConversationsServer, secret: str,
                    caplog: pytest.LogCaptureFixture) -> None:
    client = api.client(server, api_key=secret, max_retries=1, strict=True)
    texts = [repr(client), str(client)]
    errors: list[BaseException] = []
    for inject in ({"status": 401}, {"status": 500, "times": 2}, {"drop": True, "times": 2}, {"json": {"id": 1}}):
        server.inject(**inject)  # type: ignore[arg-type]
        with pytest.raises(oc.APIError) as caught:
            api.run(client.conversations.create())
        errors.append(caught.value)
    raw = api.run(client.conversations.with_raw_response.create())
    page = api.run(client.conversations.items.list(raw.parse().id))
    texts += [repr(raw), repr(page), repr(client.with_options(max_retries=0))]
    # A server that echoes a (short, mistyped) key in full: the fake does that for keys of up to 8 characters.
    short = api.client(server, api_key="sk-oops")
    with pytest.raises(oc.AuthenticationError) as caught:
        api.run(short.conversations.create())
    assert "Incorrect API key provided: ***." in caught.value.message
    assert caught.value.body["message"].startswith("Incorrect API key provided: ***.")
    errors.append(caught.value)
    for exc in errors:
        texts += [str(exc), repr(exc), exc.message, repr(exc.args), str(exc.__cause__), repr(exc.__cause__),
                  repr(exc.body), repr(exc.request), repr(exc.request.headers if exc.request else None)]
    texts += [record.getMessage() for record in caplog.records] + [caplog.text]
    assert caplog.records  # httpx did log the requests
    for text in texts:
        assert secret not in text and "sk-oops" not in text, text
