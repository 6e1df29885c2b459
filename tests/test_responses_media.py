"""Responses of every media kind (tests/features/media.yaml) over real HTTP, sync and async:
event streams, downloads, text, nothing; with_raw_response and with_streaming_response."""

from __future__ import annotations

import asyncio
import importlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT
from fakeapi.media import FakeMediaServer, pattern
from goldens import assembled_features

sys.path.insert(0, str(assembled_features() / "media"))  # the golden with its _runtime/
media: Any = importlib.import_module("media")
t: Any = importlib.import_module("media.types")


@pytest.fixture
def server() -> Iterator[FakeMediaServer]:
    with FakeMediaServer() as srv:
        yield srv


@pytest.fixture
def client(server: FakeMediaServer) -> Iterator[Any]:
    with media.Client(base_url=server.base_url, max_retries=0) as c:
        yield c


def run(coro_fn: Any, server: FakeMediaServer, **settings: Any) -> Any:
    async def main() -> Any:
        async with media.AsyncClient(base_url=server.base_url, **{"max_retries": 0, **settings}) as c:
            return await coro_fn(c)

    return asyncio.run(main())


def deltas(events: list[Any]) -> list[str]:
    return [e.delta for e in events if isinstance(e, t.DeltaEvent)]


# ---- event streams ---------------------------------------------------------------------------
def test_stream_true_yields_the_tagged_events(client: Any) -> None:
    stream = client.completions.create(prompt="hello big world", stream=True)
    assert isinstance(stream, media.Stream) and stream.response.status_code == 200
    with stream:
        events = list(stream)
    assert deltas(events) == ["hello", "big", "world"]
    assert isinstance(events[-1], t.DoneEvent) and events[-1].completion.text == "hello big world"


def test_without_stream_the_same_method_returns_the_model(client: Any, server: FakeMediaServer) -> None:
    completion = client.completions.create(prompt="hi")
    assert isinstance(completion, t.Completion) and completion.text == "hi"
    completion = client.completions.create(prompt="hi", stream=False)
    assert isinstance(completion, t.Completion)
    assert b'"stream":false' in server.requests[-1][2]


def test_async_stream(server: FakeMediaServer) -> None:
    async def go(c: Any) -> list[Any]:
        stream = await c.completions.create(prompt="a b", stream=True)
        assert isinstance(stream, media.AsyncStream)
        async with stream:
            return [e async for e in stream]

    events = run(go, server)
    assert deltas(events) == ["a", "b"] and isinstance(events[-1], t.DoneEvent)


def test_async_without_stream_returns_the_model(server: FakeMediaServer) -> None:
    async def go(c: Any) -> Any:
        return await c.completions.create(prompt="x")

    assert run(go, server).text == "x"


def test_a_json_answer_that_breaks_off_is_a_connection_error(client: Any, server: FakeMediaServer) -> None:
    with pytest.raises(media.APIConnectionError):
        client.completions.create(prompt="truncated")

    async def go(c: Any) -> Any:
        return await c.completions.create(prompt="truncated")

    with pytest.raises(media.APIConnectionError):
        run(go, server)


def test_an_operation_that_only_streams(client: Any) -> None:
    events = list(client.events.retrieve(topic="one two"))
    assert deltas(events) == ["one", "two"]


def test_json_where_only_events_are_documented_is_an_error(client: Any, server: FakeMediaServer) -> None:
    with pytest.raises(media.APIResponseValidationError, match="expected text/event-stream, got application/json"):
        client.events.retrieve(topic="json-instead")

    async def go(c: Any) -> Any:
        return await c.events.retrieve(topic="json-instead")

    with pytest.raises(media.APIResponseValidationError, match="expected text/event-stream"):
        run(go, server)


def test_unknown_events_are_kept(client: Any) -> None:
    events = list(client.completions.create(prompt="a unknown b", stream=True))
    unknown = [e for e in events if isinstance(e, t.UnknownCompletionEvent)]
    assert len(unknown) == 1 and unknown[0].to_dict() == {"type": "completion.future", "novel": [1, 2]}
    assert deltas(events) == ["a", "b"]


@pytest.mark.parametrize("directives", ["crlf", "split", "crlf split", "comment", "slow comment slow"])
def test_framing_variants_give_the_same_events(client: Any, directives: str) -> None:
    words = "alpha " + directives + " beta gamma"
    events = list(client.completions.create(prompt=words, stream=True))
    assert deltas(events) == ["alpha", "beta", "gamma"]
    assert events[-1].completion.text == "alpha beta gamma"


def test_an_error_event_raises_api_error_from_the_iterator(client: Any) -> None:
    stream = client.completions.create(prompt="one error two", stream=True)
    seen = []
    with pytest.raises(media.APIError, match="the model broke") as info:
        for event in stream:
            seen.append(event)
    assert deltas(seen) == ["one"] and info.value.code == "boom" and info.value.type == "server_error"


def test_a_dropped_connection_raises_connection_error_and_is_not_retried(server: FakeMediaServer) -> None:
    with media.Client(base_url=server.base_url, max_retries=3) as c:
        stream = c.completions.create(prompt="one drop", stream=True)
        seen = []
        with pytest.raises(media.APIConnectionError, match="broke off"):
            for event in stream:
                seen.append(event)
    assert deltas(seen) == ["one"] and len(server.requests) == 1


def test_async_error_event_and_drop(server: FakeMediaServer) -> None:
    async def go(c: Any, prompt: str) -> list[Any]:
        seen: list[Any] = []
        async for event in await c.completions.create(prompt=prompt, stream=True):
            seen.append(event)
        return seen

    with pytest.raises(media.APIError, match="the model broke"):
        run(lambda c: go(c, "a error"), server)
    with pytest.raises(media.APIConnectionError):
        run(lambda c: go(c, "a drop"), server)


def test_retries_happen_before_the_stream_starts(server: FakeMediaServer) -> None:
    server.fail_next = 2
    with media.Client(base_url=server.base_url, max_retries=2) as c:
        assert deltas(list(c.completions.create(prompt="ok", stream=True))) == ["ok"]
    assert len(server.requests) == 3


def test_an_error_status_raises_before_any_event(client: Any, server: FakeMediaServer) -> None:
    server.fail_next = 1
    with pytest.raises(media.InternalServerError, match="try again"):
        client.completions.create(prompt="x", stream=True)


def test_closing_a_stream_early_releases_it(client: Any) -> None:
    with client.completions.create(prompt="a slow b slow c", stream=True) as stream:
        first = next(iter(stream))
    assert first.delta == "a" and stream.response.is_closed
    assert client.completions.create(prompt="again").text == "again"  # the client still works


# ---- downloads -------------------------------------------------------------------------------
@pytest.mark.parametrize("ident", ["300000", "chunked-300000"])
def test_download_with_and_without_content_length(client: Any, ident: str, tmp_path: Path) -> None:
    expected = b"".join(pattern(300000))
    download = client.downloads.retrieve(ident)
    assert isinstance(download, media.BinaryResponse)
    assert download.content == expected and download.read() == expected
    assert b"".join(download.iter_bytes(1000)) == expected
    assert all(len(c) == 1000 for c in list(download.iter_bytes(1000))[:-1])
    download.write_to_file(tmp_path / "file.bin")
    assert (tmp_path / "file.bin").read_bytes() == expected
    assert ("content-length" in download.response.headers) is not ident.startswith("chunked")


def test_binary_response_of_a_post(client: Any) -> None:
    audio = client.speech.create(input="la")
    assert audio.content == b"la" * 1000 and audio.response.headers["content-type"] == "audio/mpeg"
    assert audio.text == "la" * 1000


def test_text_and_empty_responses(client: Any) -> None:
    assert client.notes.retrieve("n1") == "note n1 ✓"
    assert client.notes.delete("n1") is None


def test_async_download_text_and_empty(server: FakeMediaServer, tmp_path: Path) -> None:
    async def go(c: Any) -> tuple[Any, ...]:
        download = await c.downloads.retrieve("chunked-70000")
        await download.awrite_to_file(tmp_path / "a.bin")
        return download.content, await c.notes.retrieve("n2"), await c.notes.delete("n2")

    content, note, nothing = run(go, server)
    assert content == b"".join(pattern(70000)) == (tmp_path / "a.bin").read_bytes()
    assert note == "note n2 ✓" and nothing is None


# ---- raw and streamed responses -------------------------------------------------------------
def test_with_streaming_response_reads_nothing_until_asked(client: Any, tmp_path: Path) -> None:
    size = 5 * 1024 * 1024
    with client.downloads.with_streaming_response.retrieve(f"chunked-{size}") as response:
        assert response.status_code == 200 and response.headers["content-type"] == "application/octet-stream"
        assert not response.http_response.is_stream_consumed
        total = 0
        with open(tmp_path / "big.bin", "wb") as f:
            for chunk in response.iter_bytes(65536):
                assert len(chunk) <= 65536
                total += len(chunk)
                f.write(chunk)
    assert total == size and response.http_response.is_closed
    assert (tmp_path / "big.bin").stat().st_size == size


def test_with_streaming_response_parse_gives_what_the_method_returns(client: Any) -> None:
    with client.completions.with_streaming_response.create(prompt="p q") as response:
        completion = response.parse()
    assert isinstance(completion, t.Completion) and completion.text == "p q"
    with client.completions.with_streaming_response.create(prompt="p q", stream=True) as response:
        assert deltas(list(response.parse())) == ["p", "q"]
    with client.notes.with_streaming_response.retrieve("n3") as response:
        assert list(response.iter_lines()) == ["note n3 ✓"]
    with client.speech.with_streaming_response.create(input="ab") as response:
        assert response.parse().content == b"ab" * 1000


def test_async_with_streaming_response(server: FakeMediaServer) -> None:
    async def go(c: Any) -> tuple[int, Any, Any]:
        total = 0
        async with c.downloads.with_streaming_response.retrieve("1000000") as response:
            async for chunk in response.iter_bytes(4096):
                total += len(chunk)
        async with c.completions.with_streaming_response.create(prompt="m n", stream=True) as response:
            events = [e async for e in await response.parse()]
        async with c.notes.with_streaming_response.retrieve("n4") as response:
            text = await response.text()
        return total, events, text

    total, events, text = run(go, server)
    assert total == 1000000 and deltas(events) == ["m", "n"] and text == "note n4 ✓"


def test_with_raw_response_parses_each_kind(client: Any) -> None:
    raw = client.downloads.with_raw_response.retrieve("10")
    assert raw.status_code == 200 and raw.parse().content == b"".join(pattern(10))
    assert client.notes.with_raw_response.retrieve("n5").parse() == "note n5 ✓"
    assert client.notes.with_raw_response.delete("n5").parse() is None
    assert client.completions.with_raw_response.create(prompt="r").parse().text == "r"
    assert deltas(list(client.completions.with_raw_response.create(prompt="r s", stream=True).parse())) == ["r", "s"]


def test_every_resource_has_with_streaming_response() -> None:
    from openai_conversations import Client

    with Client(api_key="sk-test", base_url="http://127.0.0.1:9") as c:
        assert type(c.conversations.with_streaming_response).__name__ == "ConversationsWithStreamingResponse"
        assert type(c.conversations.items.with_streaming_response).__name__ == "ItemsWithStreamingResponse"
        assert type(c.conversations.with_streaming_response.items).__name__ == "ItemsWithStreamingResponse"


def test_with_streaming_response_of_a_json_method(fake_server: Any) -> None:
    from openai_conversations import Client, NotFoundError

    conv_id = fake_server.seed_conversation(metadata={"k": "v"})
    with Client(api_key="sk-test", base_url=fake_server.base_url, max_retries=0) as c:
        with c.conversations.with_streaming_response.retrieve(conv_id) as response:
            assert response.request_id and response.json()["id"] == conv_id
            assert response.parse().metadata == {"k": "v"}
        with pytest.raises(NotFoundError, match="not found"):  # raised on entering, with the body's message
            with c.conversations.with_streaming_response.retrieve("conv_missing"):
                pass


def test_an_enum_value_asks_for_the_stream(client: Any) -> None:
    assert deltas(list(client.speech.create(input="to be", stream_format="sse"))) == ["to", "be"]
    assert deltas(list(client.speech.create(input="x y", stream_format=t.CreateSpeechBodyStreamFormat.SSE))) == ["x", "y"]
    assert client.speech.create(input="to", stream_format="audio").content == b"to" * 1000


TYPED_USE = '''
from typing import assert_type

import media
from media._runtime.binary import BinaryResponse
from media._runtime.sse import AsyncStream, Stream
from media.types import Completion, CompletionEvent, CreateSpeechBodyStreamFormat


def sync_calls(client: media.Client, flag: bool) -> None:
    assert_type(client.completions.create(prompt="p"), Completion)
    assert_type(client.completions.create(prompt="p", stream=False), Completion)
    assert_type(client.completions.create(prompt="p", stream=True), Stream[CompletionEvent])
    assert_type(client.completions.create(prompt="p", stream=flag), Completion | Stream[CompletionEvent])
    assert_type(client.events.retrieve(), Stream[CompletionEvent])
    assert_type(client.speech.create(input="i"), BinaryResponse)
    assert_type(client.speech.create(input="i", stream_format="sse"), Stream[CompletionEvent])
    assert_type(client.speech.create(input="i", stream_format=CreateSpeechBodyStreamFormat.SSE), Stream[CompletionEvent])
    assert_type(client.notes.retrieve("n"), str)
    assert_type(client.notes.delete("n"), None)
    with client.downloads.with_streaming_response.retrieve("d") as response:
        assert_type(response.parse(), BinaryResponse)
    for event in client.completions.create(prompt="p", stream=True):
        assert_type(event, CompletionEvent)


async def async_calls(client: media.AsyncClient) -> None:
    assert_type(await client.completions.create(prompt="p"), Completion)
    stream = await client.completions.create(prompt="p", stream=True)
    assert_type(stream, AsyncStream[CompletionEvent])
    async for event in stream:
        assert_type(event, CompletionEvent)
    async with client.notes.with_streaming_response.retrieve("n") as response:
        assert_type(await response.parse(), str)
'''


def test_mypy_knows_what_each_call_returns(tmp_path: Path) -> None:
    import subprocess

    (tmp_path / "use.py").write_text(TYPED_USE)
    result = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(tmp_path / "cache"), "use.py"],
                            cwd=tmp_path, capture_output=True, text=True,
                            env={"MYPYPATH": str(assembled_features() / "media"), "PATH": ""})
    assert result.returncode == 0, result.stdout + result.stderr
