"""The event-stream parser of the generated runtime: the WHATWG framing rules, and any split of
the bytes into chunks gives the same events (hypothesis)."""

from __future__ import annotations

import importlib
import sys
from typing import Any

from goldens import assembled_features
from hypothesis import given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(assembled_features() / "media"))  # the golden with its _runtime/
sse: Any = importlib.import_module("media._runtime.sse")


def parse(chunks: list[bytes]) -> list[Any]:
    return list(sse.iter_events(chunks))


def event(data: bytes, name: str | None = None, id: str | None = None, retry: int | None = None) -> Any:
    return sse.ServerSentEvent(name, data, id, retry)


def test_fields_comments_and_multi_line_data() -> None:
    stream = (b": a comment\nevent: delta\nid: 7\nretry: 1500\ndata: {\"a\":\ndata:  1}\n\n"
              b"data:no space\n\ndata\n\nevent: only-a-name\n\n")
    assert parse([stream]) == [
        event(b'{"a":\n 1}', "delta", "7", 1500),
        event(b"no space", None, "7"),  # the last event id carries over
        event(b"", None, "7"),  # a bare `data` line is an empty data line
    ]  # an event without data is not dispatched
    assert parse([stream])[0].json() == {"a": 1}


def test_line_ends_crlf_cr_and_lf_are_equal() -> None:
    lf = b"event: e\ndata: 1\n\ndata: 2\n\n"
    assert parse([lf.replace(b"\n", b"\r\n")]) == parse([lf.replace(b"\n", b"\r")]) == parse([lf])
    assert parse([b"data: 1\r", b"\n\r\n"]) == [event(b"1")]  # a CRLF split across chunks is one line end


def test_an_unfinished_event_at_the_end_is_dropped() -> None:
    assert parse([b"data: 1\n\ndata: 2\n"]) == [event(b"1")]
    assert parse([b"data: 1\n\ndata: 2"]) == [event(b"1")]


def test_done_sentinel_is_an_ordinary_event_to_the_parser() -> None:
    assert parse([b"data: [DONE]\n\n"])[0].data == sse.DONE


line_end = st.sampled_from([b"\n", b"\r\n", b"\r"])
field_value = st.text(st.characters(blacklist_characters="\r\n\0", codec="utf-8"), max_size=12).map(str.encode)
line = st.one_of(
    st.tuples(st.sampled_from([b"data", b"event", b"id", b"retry", b"x-other"]), st.sampled_from([b":", b": "]), field_value)
    .map(b"".join),
    field_value.map(lambda v: b":" + v),  # a comment
    st.just(b"data"),
    st.just(b""),  # a blank line ends an event
)


@st.composite
def stream_and_cuts(draw: Any) -> tuple[bytes, list[int]]:
    lines = draw(st.lists(st.tuples(line, line_end), max_size=25))
    data = b"".join(text + end for text, end in lines)
    cuts = sorted(draw(st.lists(st.integers(0, len(data)), max_size=12)))
    return data, cuts


@settings(max_examples=300, deadline=None)
@given(stream_and_cuts())
def test_any_chunking_gives_the_same_events(case: tuple[bytes, list[int]]) -> None:
    data, cuts = case
    bounds = [0, *cuts, len(data)]
    chunks = [data[a:b] for a, b in zip(bounds, bounds[1:])]
    assert parse(chunks) == parse([data]) == parse([data[i:i + 1] for i in range(len(data))])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from([None, "a", "b.c"]), st.lists(field_value, min_size=1, max_size=3)), max_size=8),
       line_end, st.data())
def test_written_events_come_back(events: list[tuple[str | None, list[bytes]]], end: bytes, data: Any) -> None:
    wire = b""
    for name, lines in events:
        wire += (b"event: " + name.encode() + end if name else b"") + b"".join(b"data: " + v + end for v in lines) + end
    cut = data.draw(st.integers(0, len(wire)))
    assert parse([wire[:cut], wire[cut:]]) == [event(b"\n".join(lines), name) for name, lines in events]
