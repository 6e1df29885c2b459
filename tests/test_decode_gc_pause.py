"""Decoding a list of models pauses the cyclic garbage collector, and always gives it back as it was."""

from __future__ import annotations

import gc
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from openai_conversations._runtime import models as r
from openai_conversations.types import ConversationItemList

FIXTURE = Path(__file__).parent / "fixtures" / "conversation_item_list_100.json"


@pytest.fixture(autouse=True)
def _collector_state() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    yield
    (gc.enable if was else gc.disable)()


def test_paused_while_the_outermost_list_decodes_and_on_again_after() -> None:
    seen: list[bool] = []

    def inner(x: object) -> object:
        seen.append(gc.isenabled())
        return x

    def outer(x: object) -> list[object]:
        decoded = r.list_of([{"n": x}], inner)  # a nested list of models leaves the pause alone
        seen.append(gc.isenabled())
        return decoded

    assert r.list_of([{"a": 1}, {"b": 2}], outer) == [[{"n": {"a": 1}}], [{"n": {"b": 2}}]]
    assert seen == [False, False, False, False]
    assert gc.isenabled()


def test_primitive_lists_do_not_touch_it() -> None:
    gc.disable()
    assert r.list_of([1, 2], r.integer) == [1, 2]
    assert not gc.isenabled()
    gc.enable()
    assert r.list_of([1, 2], r.integer) == [1, 2]
    assert gc.isenabled()


def test_on_again_when_an_item_fails() -> None:
    def boom(x: object) -> object:
        raise RuntimeError("no")

    with pytest.raises(r.DecodeError) as caught:
        r.list_of([{"a": 1}], boom)
    assert caught.value.path == "[0]"
    assert gc.isenabled()
    with pytest.raises(r.DecodeError):
        r.list_of([1, "x"], lambda v: r.integer(v) + 0)
    assert gc.isenabled()


def test_a_collector_the_caller_turned_off_stays_off() -> None:
    payload = json.loads(FIXTURE.read_text())
    gc.disable()
    decoded = ConversationItemList.from_dict(payload)
    assert not gc.isenabled()
    gc.enable()
    assert ConversationItemList.from_dict(payload) == decoded
    assert gc.isenabled()
    assert decoded.to_dict() == payload


def test_lenient_and_strict_decoding_give_it_back() -> None:
    payload = json.loads(FIXTURE.read_text())
    broken = {**payload, "data": [{**payload["data"][0], "id": 5}, *payload["data"][1:]]}
    with pytest.raises(r.DecodeError) as caught:
        ConversationItemList.from_dict(broken)
    assert caught.value.path.startswith("data[0]")
    assert gc.isenabled()
    with r.lenient_decoding():
        kept = ConversationItemList.from_dict(broken)
    assert gc.isenabled()
    assert kept.to_dict() == broken


def test_to_dict_of_lists_of_models_pauses_it_and_gives_it_back() -> None:
    from openai_conversations.types import LogProb, TopLogProb

    seen: list[bool] = []

    class Watched(TopLogProb):
        def to_dict(self) -> dict[str, object]:
            seen.append(gc.isenabled())
            return super().to_dict()

    top = Watched(token="a", logprob=-0.5, bytes=[97])
    logprob = LogProb(token="a", logprob=-0.5, bytes=[97], top_logprobs=[top, top])
    assert logprob.to_dict() == {"token": "a", "logprob": -0.5, "bytes": [97],
                                 "top_logprobs": [{"token": "a", "logprob": -0.5, "bytes": [97]}] * 2}
    assert seen == [False, False]
    assert gc.isenabled()
    gc.disable()
    assert logprob.to_dict()["top_logprobs"][0]["token"] == "a"
    assert not gc.isenabled()
    gc.enable()
    broken = LogProb(token="a", logprob=-0.5, bytes=None, top_logprobs=[top])  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        broken.to_dict()
    assert gc.isenabled()
