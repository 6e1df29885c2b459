"""The committed client: imports, decodes every item variant and spec example, runs every operation."""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml
from conftest import API_KEY, SPEC

from openai_conversations import Client
from openai_conversations import types as t

VARIANT_CLASSES = [
    "Message", "FunctionToolCallResource", "FunctionToolCallOutputResource", "FileSearchToolCall",
    "WebSearchToolCall", "ImageGenToolCall", "ComputerToolCall", "ComputerToolCallOutputResource", "ToolSearchCall",
    "ToolSearchOutput", "AdditionalTools", "ReasoningItem", "Program", "ProgramOutput", "CompactionBody",
    "CodeInterpreterToolCall", "LocalShellToolCall", "LocalShellToolCallOutput", "FunctionShellCall",
    "FunctionShellCallOutput", "ApplyPatchToolCall", "ApplyPatchToolCallOutput", "MCPListTools", "MCPApprovalRequest",
    "MCPApprovalResponseResource", "MCPToolCall", "CustomToolCall", "CustomToolCallOutput",
]


def conversation_operations() -> list[tuple[str, str, dict[str, Any]]]:
    doc = yaml.load(SPEC.read_text(), Loader=yaml.CSafeLoader)
    return [(path, method, op) for path, item in doc["paths"].items() for method, op in item.items()
            if isinstance(op, dict) and "Conversations" in op.get("tags", [])]


def test_every_conversation_item_variant_decodes_to_its_class(all_variants: list[dict[str, Any]]) -> None:
    assert len(all_variants) == 28
    for payload, expected in zip(all_variants, VARIANT_CLASSES, strict=True):
        item = t.conversation_item_from_dict(payload)
        assert type(item).__name__ == expected, payload["type"]
        assert item.to_dict() == payload


def test_a_hundred_item_list_round_trips(item_list_100: dict[str, Any]) -> None:
    page = t.ConversationItemList.from_dict(item_list_100)
    assert len(page.data) == 100 and not any(isinstance(i, t.UnknownConversationItem) for i in page.data)
    assert page.to_dict() == item_list_100


@pytest.mark.parametrize(("path", "method", "op"), conversation_operations(), ids=lambda v: v if isinstance(v, str) else "")
def test_spec_response_examples_decode_and_round_trip(path: str, method: str, op: dict[str, Any]) -> None:
    example = json.loads(op["x-oaiMeta"]["examples"]["response"])
    ref = op["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    decoded = t.conversation_item_from_dict(example) if ref == "ConversationItem" else getattr(t, ref).from_dict(example)
    assert not isinstance(decoded, t.UnknownConversationItem)
    assert decoded.to_dict() == example


def test_the_eight_operations_against_the_fake_api(fake_server: Any) -> None:
    with Client(api_key=API_KEY, base_url=fake_server.base_url) as client:
        conv = client.conversations.create(metadata={"topic": "demo"}, items=[{"type": "message", "role": "user", "content": "Hello!"}])
        assert isinstance(conv, t.ConversationResource) and conv.metadata == {"topic": "demo"}
        assert client.conversations.retrieve(conv.id) == conv
        assert client.conversations.update(conv.id, metadata={"topic": "x"}).metadata == {"topic": "x"}
        created = client.conversations.items.create(
            conv.id, items=[t.EasyInputMessage(role="assistant", content="Hi there")], include=["message.output_text.logprobs"]
        )
        assert isinstance(created, t.ConversationItemList) and type(created.data[0]) is t.Message
        page = client.conversations.items.list(conv.id, limit=1, order="asc")
        assert len(page.data) == 1 and page.has_next_page()
        items = list(page)
        assert [type(i) for i in items] == [t.Message, t.Message]
        assert items[0].content[0].to_dict() == {"type": "input_text", "text": "Hello!"}
        first = client.conversations.items.retrieve(items[0].id, conversation_id=conv.id)
        assert first == items[0]
        assert client.conversations.items.delete(items[0].id, conversation_id=conv.id).id == conv.id
        assert [i.id for i in client.conversations.items.list(conv.id)] == [items[1].id]
        deleted = client.conversations.delete(conv.id)
        assert deleted.deleted is True and deleted.id == conv.id
    methods = [(r.method, r.path.split("?")[0].count("/")) for r in fake_server.requests]
    assert methods[:3] == [("POST", 2), ("GET", 3), ("POST", 3)]
    assert {m for m, _ in methods} == {"GET", "POST", "DELETE"} and len(methods) == 10
