"""Spec names that are also names the generated code uses (issue 14), over real HTTP on 127.0.0.1:
the feature client of tests/features/shadowing.yaml against the echo server (tests/multipart_echo_server.py).
Arguments named like the runtime's helpers (`path`, `Styled`, `_b`, `_s`, `_u`) are renamed and sent under
their wire names; schemas and resources named like the runtime's types are renamed, and each rename is a
diagnostic. (That the package passes mypy --strict and ruff is tests/test_generated_quality.py.)"""

from __future__ import annotations

import asyncio
import importlib
import json
import sys
import typing
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from conftest import ROOT, run_convgen
from goldens import assembled_features
from multipart_echo_server import EchoServer

EXPECTED = assembled_features()  # the feature goldens with their _runtime/
if str(EXPECTED / "shadowing") not in sys.path:
    sys.path.insert(0, str(EXPECTED / "shadowing"))


@pytest.fixture(scope="module")
def echo() -> Iterator[EchoServer]:
    with EchoServer() as server:
        yield server


Call = Callable[[Callable[[Any], Any]], Any]


@pytest.fixture(params=["sync", "async"])
def call(request: pytest.FixtureRequest, echo: EchoServer) -> Call:
    """call(lambda client: client.x.y(...)) -> what the method returned, with the sync or the async client."""
    module = importlib.import_module("shadowing")

    def run(method: Callable[[Any], Any]) -> Any:
        if request.param == "sync":
            with module.Client(base_url=echo.base_url, max_retries=0) as client:
                return method(client)

        async def main() -> Any:
            async with module.AsyncClient(base_url=echo.base_url, max_retries=0) as client:
                return await method(client)

        return asyncio.run(main())

    return run


def test_arguments_named_like_runtime_helpers_are_sent_under_their_wire_names(call: Call) -> None:
    got = call(lambda c: c.items.update("a1", Styled_=["x", "y"], _b_="b", _s_="s",
                                        limits={"seconds": 1.5, "kind": None}, mark="O"))
    assert type(got).__name__ == "RawResponseModel"
    assert (got.method, got.path) == ("POST", "/v1/items/a1?Styled=x,y&_b=b&_s=s")
    assert json.loads(got.text) == {"limits": {"seconds": 1.5, "kind": None}, "mark": "O"}


def test_a_multipart_field_named_like_the_uploads_helper_is_sent(call: Call) -> None:
    got = call(lambda c: c.uploads.create(file=("a.txt", b"data", "text/plain"), _u_="u"))
    assert got.method == "POST" and got.path == "/v1/uploads"
    assert sorted((p["name"], p["filename"], p["text"]) for p in got.parts) == [("_u", None, "u"),
                                                                               ("file", "a.txt", "data")]


def test_a_resource_named_like_a_runtime_type_gets_a_suffix(call: Call) -> None:
    got = call(lambda c: c.scheme.retrieve())
    assert (got.method, got.path) == ("GET", "/v1/scheme")
    from shadowing import Client

    assert type(Client(base_url="http://127.0.0.1:9").scheme).__name__ == "SchemeResource"


def test_types_named_like_runtime_types_are_renamed() -> None:
    types = importlib.import_module("shadowing.types")
    assert not {"Timeout", "RawResponse", "Exception"} & set(types.__all__)
    with pytest.raises(ValueError, match="expected a string at error.message"):
        types.RawResponseModel.from_dict({"method": "GET", "path": "/", "error": {"message": 1}})  # `except Exception`
    limits = types.TimeoutModel.from_dict({"seconds": 2, "kind": None})
    assert limits.kind is None and limits.to_dict() == {"seconds": 2, "kind": None}
    assert types.Mark.O.value == "O" and types.Mark("X") is types.Mark.X


def test_a_method_after_one_named_like_a_builtin_still_means_the_builtin() -> None:
    # mypy reads `list[str]` after `def list` in a class body as the method: such annotations say
    # `builtins.list[str]`, which resolves at run time too (the module imports builtins); the raw
    # classes are thin wrappers over these methods, with no annotations of their own
    tags = importlib.import_module("shadowing.resources.tags")
    for cls in (tags.Tags, tags.AsyncTags):
        hints = typing.get_type_hints(cls.update)
        assert "list[str]" in str(hints["return"]) and hints["name"] is str
    assert typing.get_type_hints(tags.Tags.list)["return"] == list[str]


def test_every_rename_is_a_diagnostic() -> None:
    result = run_convgen("validate", ROOT / "tests" / "features" / "shadowing.yaml", "--no-config")
    assert result.returncode == 0, result.stderr
    codes = [line.split(" warning ")[1].split(":")[0] + " " + line.split(": ", 2)[2].split(" (at ")[0]
             for line in result.stderr.splitlines() if " warning " in line]
    assert sorted(codes) == sorted([
        "W364 schema 'Timeout' is named 'TimeoutModel' in Python: Timeout is a name the generated code uses",
        "W364 schema 'RawResponse' is named 'RawResponseModel' in Python: RawResponse is a name the generated code uses",
        "W364 schema 'Exception' is named 'ExceptionModel' in Python: Exception is a name the generated code uses",
        "W361 the class of client.scheme is SchemeResource: Scheme is the name of a type the generated code uses",
        *(f"W362 argument {a!r} of items.update() is {a + '_'!r}: {a!r} is a name the method's code uses"
          for a in ("path", "Styled", "_b", "_s")),
        "W362 argument '_u' of uploads.create() is '_u_': '_u' is a name the method's code uses",
    ])
