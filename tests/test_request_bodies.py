"""Request bodies other than JSON, over real HTTP on 127.0.0.1: the generated clients of the feature specs
multipart, form_urlencoded and raw_body against the echo server (tests/multipart_echo_server.py), which parses what
arrives (strictly, for multipart) and describes it. Every test runs with the sync and the async client."""

from __future__ import annotations

import asyncio
import hashlib
import importlib
import io
import os
import uuid
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from goldens import assembled_features
from multipart_echo_server import EchoServer

EXPECTED = assembled_features()  # the feature goldens with their _runtime/
for name in ("multipart", "form_urlencoded", "raw_body"):
    if str(EXPECTED / name) not in sys.path:
        sys.path.insert(0, str(EXPECTED / name))


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture(scope="module")
def echo() -> Iterator[EchoServer]:
    with EchoServer() as server:
        yield server


Call = Callable[..., dict[str, Any]]


@pytest.fixture(params=["sync", "async"])
def call(request: pytest.FixtureRequest, echo: EchoServer) -> Call:
    """call(package, lambda client: client.x.y(...), **client settings) -> the echo of what was sent."""

    def run(package: str, method: Callable[[Any], Any], **settings: Any) -> dict[str, Any]:
        module = importlib.import_module(package)
        settings = {"base_url": echo.base_url, "max_retries": 0, **settings}
        if request.param == "sync":
            with module.Client(**settings) as client:
                result = method(client)
                assert not asyncio.iscoroutine(result)
                return result  # type: ignore[no-any-return]

        async def main() -> dict[str, Any]:
            async with module.AsyncClient(**settings) as client:
                return await method(client)  # type: ignore[no-any-return]

        return asyncio.run(main())

    return run


def parts(echo: dict[str, Any]) -> list[tuple[str, str | None, str | None, str | None]]:
    """(name, filename, content type, text) of each part, in order."""
    return [(p["name"], p["filename"], p["content_type"], p["text"]) for p in echo["parts"]]


# ---- multipart -------------------------------------------------------------------------------
def test_file_fields_objects_arrays_and_scalars(call: Call) -> None:
    got = call("multipart", lambda c: c.files.create(
        file=b"line 1\n", purpose="assistants", expires_after={"anchor": "created_at", "seconds": 3600},
        tags=["a", "b"], public=False))
    assert got["content_type"].startswith("multipart/form-data; boundary=")
    assert not got["chunked"] and int(got["content_length"]) == got["size"]
    assert parts(got) == [
        ("file", "upload", "application/octet-stream", "line 1\n"),
        ("purpose", None, None, "assistants"),
        # OpenAPI's defaults (no `array_format` set): an object is a JSON part, an array repeated parts;
        # `array_format = "brackets"` (the OpenAI configuration) sends `key[sub]` and `key[]` as the official SDK does
        ("expires_after", None, "application/json", '{"anchor":"created_at","seconds":3600}'),
        ("tags", None, None, "a"),
        ("tags", None, None, "b"),
        ("public", None, None, "false"),
    ]


def test_omitted_optional_fields_are_not_sent(call: Call) -> None:
    got = call("multipart", lambda c: c.files.create(file=b"x", purpose="batch"))
    assert [p[0] for p in parts(got)] == ["file", "purpose"]


def test_every_kind_of_file_input(call: Call, tmp_path: Path) -> None:
    path = tmp_path / "report.txt"
    path.write_bytes(b"from a path")
    got = call("multipart", lambda c: c.files.create(file=path, purpose="batch"))
    assert parts(got)[0] == ("file", "report.txt", "text/plain", "from a path")

    with open(path, "rb") as f:
        f.seek(5)  # a file object is sent from where it stands
        got = call("multipart", lambda c: c.files.create(file=f, purpose="batch"))
    assert parts(got)[0] == ("file", "report.txt", "text/plain", "a path")

    got = call("multipart", lambda c: c.files.create(file=io.BytesIO(b"in memory"), purpose="batch"))
    assert parts(got)[0] == ("file", "upload", "application/octet-stream", "in memory")

    got = call("multipart", lambda c: c.files.create(file=("data.jsonl", b"{}\n", "application/jsonl"), purpose="batch"))
    assert parts(got)[0] == ("file", "data.jsonl", "application/jsonl", "{}\n")

    got = call("multipart", lambda c: c.files.create(file=("a.bin", b"\x00\xff", None, {"X-Part": "1"}), purpose="batch"))
    part = got["parts"][0]
    assert (part["filename"], part["content_type"], part["headers"]["x-part"]) == ("a.bin", "application/octet-stream", "1")
    assert part["sha256"] == sha(b"\x00\xff") and part["text"] is None

    got = call("multipart", lambda c: c.files.create(file=('quote" and\r\nbreak.txt', b"q"), purpose="batch"))
    assert parts(got)[0][1] == "quote%22 and%0D%0Abreak.txt"  # a file name cannot end its header early


def test_one_file_or_several_a_mask_and_a_json_part(call: Call) -> None:
    got = call("multipart", lambda c: c.images.edits.create(
        image=[("a.png", b"A"), ("b.png", b"B")], prompt="hats", mask=("m.png", b"M"), options_={"size": "1024x1024", "n": 2}))
    assert parts(got) == [
        ("image", "a.png", "image/png", "A"),
        ("image", "b.png", "image/png", "B"),
        ("mask", "m.png", "image/png", "M"),
        ("prompt", None, None, "hats"),
        ("options", None, "application/json", '{"size":"1024x1024","n":2}'),  # encoding: contentType application/json
    ]
    got = call("multipart", lambda c: c.images.edits.create(image=("one.png", b"1"), prompt="p"))
    assert parts(got) == [("image", "one.png", "image/png", "1"), ("prompt", None, None, "p")]


def test_part_media_types_from_encoding_and_content_media_type(call: Call) -> None:
    got = call("multipart", lambda c: c.calls.create(sdp="v=0\r\n", session={"model": "m"}))
    assert parts(got) == [("sdp", None, "application/sdp", "v=0\r\n"), ("session", None, "application/json", '{"model":"m"}')]
    got = call("multipart", lambda c: c.avatars.create(picture=b"PNG", attachments=[b"1", ("two.txt", b"2")]))
    assert parts(got) == [("picture", "upload", "image/png", "PNG"),  # contentMediaType: image/png
                          ("attachments", "upload", "application/octet-stream", "1"),
                          ("attachments", "two.txt", "text/plain", "2")]


def test_extra_body_adds_fields(call: Call) -> None:
    got = call("multipart", lambda c: c.files.create(file=b"x", purpose="batch", extra_body={"note": "hi"}))
    assert parts(got)[-1] == ("note", None, None, "hi")


def test_a_pipe_is_streamed_chunked(call: Call) -> None:
    read, write = os.pipe()
    os.write(write, b"p" * 50_000)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        got = call("multipart", lambda c: c.files.create(file=pipe, purpose="batch"))
    assert got["chunked"] and got["content_length"] is None
    assert got["parts"][0]["sha256"] == sha(b"p" * 50_000)


def test_a_retried_upload_sends_the_same_bytes_again(call: Call, tmp_path: Path) -> None:
    data = os.urandom(300_000)
    path = tmp_path / "big.bin"
    path.write_bytes(data)
    for name, file in (("path", lambda: path), ("file", lambda: open(path, "rb")), ("bytes", lambda: data)):
        upload = file()
        got = call("multipart", lambda c: c.files.create(
            file=upload, purpose="batch", extra_headers={"X-Attempt-Key": f"{name}-{uuid.uuid4().hex}", "X-Fail-Times": "2"}),
            max_retries=2)
        if isinstance(upload, io.IOBase):
            upload.close()
        assert len(got["attempts"]) == 3, name
        assert len(set(got["attempts"])) == 1, f"{name}: a retry sent other bytes"
        assert got["parts"][0]["sha256"] == sha(data), name


def test_wrong_file_inputs_say_what_is_accepted(call: Call, tmp_path: Path) -> None:
    with pytest.raises(TypeError, match="file must be bytes, a binary file, a path or a"):
        call("multipart", lambda c: c.files.create(file=12, purpose="batch"))
    (tmp_path / "t.txt").write_text("t")
    with open(tmp_path / "t.txt") as text_file, pytest.raises(TypeError, match=r"binary mode \('rb'\)"):
        call("multipart", lambda c: c.files.create(file=text_file, purpose="batch"))


# ---- application/x-www-form-urlencoded -------------------------------------------------------------
def test_form_fields_follow_their_encoding(call: Call) -> None:
    got = call("form_urlencoded", lambda c: c.messages.create(
        To="+15551", From="+15552", Body="hi & bye", MediaUrl=["https://a/1", "https://a/2"], Tags=["x", "y"],
        Attributes={"color": "red", "size": 2}, Priority=3, Urgent=True))
    assert got["content_type"] == "application/x-www-form-urlencoded"
    assert [tuple(p) for p in got["form"]] == [
        ("To", "+15551"), ("From", "+15552"), ("Body", "hi & bye"),
        ("MediaUrl", "https://a/1"), ("MediaUrl", "https://a/2"),  # style form, explode (the default)
        ("Tags", "x|y"),  # pipeDelimited
        ("Attributes[color]", "red"), ("Attributes[size]", "2"),  # deepObject
        ("Priority", "3"), ("Urgent", "true"),
    ]
    got = call("form_urlencoded", lambda c: c.messages.create(To="a", From="b"))
    assert [tuple(p) for p in got["form"]] == [("To", "a"), ("From", "b")]


# ---- raw bytes and text --------------------------------------------------------------------------
def test_raw_bytes_files_and_paths(call: Call, tmp_path: Path) -> None:
    got = call("raw_body", lambda c: c.uploads.data("up_1", body=b"\x00\x01"))
    assert (got["path"], got["content_type"], got["sha256"]) == ("/v1/uploads/up_1/data", "application/octet-stream", sha(b"\x00\x01"))
    picture = tmp_path / "cat.jpg"
    picture.write_bytes(b"JPEG")
    got = call("raw_body", lambda c: c.pictures.create(body=picture))  # image/*: the name decides
    assert (got["content_type"], got["text"], got["content_length"]) == ("image/jpeg", "JPEG", "4")
    got = call("raw_body", lambda c: c.pictures.create(body=("x", b"GIF8", "image/gif")))
    assert (got["content_type"], got["text"]) == ("image/gif", "GIF8")


def test_text_bodies(call: Call) -> None:
    got = call("raw_body", lambda c: c.notes.create(body="héllo"))
    assert (got["content_type"], got["text"]) == ("text/plain; charset=utf-8", "héllo")
    got = call("raw_body", lambda c: c.notes.create())  # optional: no body at all
    assert got["size"] == 0 and got["content_type"] is None
    got = call("raw_body", lambda c: c.offers.create(body="v=0\r\n"))
    assert (got["content_type"], got["text"]) == ("application/sdp", "v=0\r\n")


def test_a_media_type_without_field_encoding_is_sent_raw(call: Call) -> None:
    got = call("raw_body", lambda c: c.records.create(body=b"<record><name>n</name></record>"))
    assert (got["content_type"], got["text"]) == ("application/xml", "<record><name>n</name></record>")


def test_uploads_through_a_users_own_httpx_client(echo: EchoServer, tmp_path: Path) -> None:
    """A client given `http_client=` builds requests with it (its headers apply) and still streams the upload."""
    import httpx
    import multipart

    path = tmp_path / "own.txt"
    path.write_bytes(b"own client")
    with httpx.Client(headers={"X-Own": "1"}) as http, \
            multipart.Client(base_url=echo.base_url, max_retries=0, http_client=http) as client:
        got = client.files.create(file=path, purpose="batch")
    assert parts(got)[0] == ("file", "own.txt", "text/plain", "own client")
    assert int(got["content_length"]) == got["size"]
