"""Issue 4, one test per rule with a small hand-written payload and the exact result.

Rules: unknown union tags, unknown enum values, unknown fields, absent vs null, no injected
defaults, wrong shapes raise one located error, lenient decoding, shared tags, untagged
variants. Checked on the committed client and, because they are properties of the
generator, again on two tiny feature specs built with the CLI (tests/lossless_support.py).
"""

from __future__ import annotations

import copy
import pickle
import time
from typing import Any

import openai_conversations
import pytest
from lossless_support import Built, build_feature
from openai_conversations import types as t
from openai_conversations._runtime import models as r

UNSET = r.UNSET


def message(id: str, text: Any = "Hello!", **more: Any) -> dict[str, Any]:
    return {"type": "message", "id": id, "status": "completed", "role": "user",
            "content": [{"type": "input_text", "text": text}], **more}


def page(*items: dict[str, Any]) -> dict[str, Any]:
    return {"object": "list", "data": list(items), "first_id": "msg_1", "last_id": "msg_9", "has_more": False}


FUNCTION_CALL = {"type": "function_call", "id": "fc_1", "call_id": "call_1", "name": "get_weather",
                 "arguments": '{"city": "Paris"}', "status": "completed"}
NEW_ITEM = {"type": "brand_new_item", "id": "bni_1", "payload": {"nested": [1, None, "x"]}}


# ---- 1. unknown union tag ------------------------------------------------------------------
def test_unknown_tag_in_a_list_keeps_the_item_and_decodes_the_rest() -> None:
    doc = page(message("msg_1"), NEW_ITEM, FUNCTION_CALL)
    snapshot = copy.deepcopy(doc)
    items = t.ConversationItemList.from_dict(doc)
    assert [type(x) for x in items.data] == [t.Message, t.UnknownConversationItem, t.FunctionToolCallResource]
    unknown = items.data[1]
    assert isinstance(unknown, r.Unknown)
    assert unknown.raw == NEW_ITEM and unknown.type == "brand_new_item" and unknown.tag == "brand_new_item"
    assert unknown.error is None
    assert unknown.to_dict() == NEW_ITEM
    assert items.data[2].name == "get_weather" and items.data[2].arguments == '{"city": "Paris"}'
    assert items.to_dict() == snapshot and doc == snapshot  # nothing dropped, input untouched
    assert t.conversation_item_from_dict(NEW_ITEM) == t.UnknownConversationItem(NEW_ITEM)


def test_unknown_tag_deep_inside_a_known_item() -> None:
    doc = message("msg_1")
    doc["content"].append({"type": "input_video", "video_url": "https://example.com/v.mp4"})
    item = t.conversation_item_from_dict(doc)
    assert type(item) is t.Message
    assert [type(c) for c in item.content] == [t.InputTextContent, t.UnknownMessageContentItem]
    assert item.content[1].type == "input_video"
    assert item.to_dict() == doc


def test_missing_or_non_string_tag_is_unknown_too() -> None:
    no_tag = {"id": "x", "status": "completed"}
    assert t.conversation_item_from_dict(no_tag) == t.UnknownConversationItem(no_tag)
    assert t.conversation_item_from_dict(no_tag).type is UNSET
    odd = {"type": 7, "id": "x"}
    assert type(t.conversation_item_from_dict(odd)) is t.UnknownConversationItem


# ---- 2. unknown enum values ----------------------------------------------------------------
def test_unknown_enum_values_are_kept_and_known_ones_are_members() -> None:
    doc = message("msg_1", status="paused", role="critic_v2")
    item = t.Message.from_dict(doc)
    assert item.status == "paused" and type(item.status) is str
    assert item.role == "critic_v2" and type(item.role) is str
    assert item.to_dict() == doc
    known = t.Message.from_dict(message("msg_2"))
    assert known.status is t.MessageStatus.COMPLETED and known.status == "completed"
    assert known.role is t.MessageRole.USER and known.role == "user" and "user" == known.role
    assert isinstance(known.role, str) and str(known.role) == "user"
    # typed so that mypy knows both: the member type or a plain str
    assert t.Message.__annotations__["status"] == "MessageStatus | str"
    assert t.MessageRole.decode("assistant") is t.MessageRole.ASSISTANT
    assert t.MessageRole.decode("critic_v3") == "critic_v3"


def test_enum_of_the_wrong_json_type_is_an_error() -> None:
    with pytest.raises(r.DecodeError) as info:
        t.Message.from_dict(message("msg_1", status=3))
    assert str(info.value) == "Message: expected a MessageStatus string at status, got integer 3"


# ---- 3. unknown fields ---------------------------------------------------------------------
def test_unknown_fields_are_kept_in_extra_and_re_emitted() -> None:
    doc = message("msg_1", created_by="agent_7", annotations_v2={"a": [1, {"b": None}]})
    doc["content"][0]["cache_hint"] = "hot"
    item = t.Message.from_dict(doc)
    assert dict(item.extra) == {"created_by": "agent_7", "annotations_v2": {"a": [1, {"b": None}]}}
    assert dict(item.content[0].extra) == {"cache_hint": "hot"}
    assert item.to_dict() == doc
    assert not t.Message.from_dict(message("msg_2")).extra  # an empty mapping, not None
    # also on a schema with additionalProperties: false (the API may still grow it)
    flt = {"type": "eq", "key": "k", "value": "v", "case_sensitive": True}
    assert t.ComparisonFilter.from_dict(flt).extra == {"case_sensitive": True}
    assert t.ComparisonFilter.from_dict(flt).to_dict() == flt


def test_extra_given_to_the_constructor_is_emitted() -> None:
    part = t.InputTextContent(text="hi", extra={"future": 1})
    assert part.to_dict() == {"type": "input_text", "text": "hi", "future": 1}


# ---- 4. absent vs null, no injected defaults -------------------------------------------------
def test_absent_and_null_are_distinguishable_and_re_encoded_as_they_came() -> None:
    absent = t.Message.from_dict(message("msg_1"))
    null = t.Message.from_dict(message("msg_1", phase=None))
    given = t.Message.from_dict(message("msg_1", phase="final_answer"))
    assert absent.phase is UNSET and null.phase is None and given.phase == "final_answer"
    assert "phase" not in absent.to_dict()
    assert null.to_dict()["phase"] is None and given.to_dict()["phase"] == "final_answer"
    assert absent != null
    # a required field that may be null
    call = {"type": "code_interpreter_call", "id": "ci_1", "status": "completed", "container_id": "c_1",
            "code": None, "outputs": None}
    decoded = t.CodeInterpreterToolCall.from_dict(call)
    assert decoded.code is None and decoded.outputs is None and decoded.to_dict() == call


def test_spec_defaults_are_never_injected() -> None:
    doc = {"type": "image_generation"}
    tool = t.ImageGenTool.from_dict(doc)
    assert tool.output_compression is UNSET and tool.partial_images is UNSET and tool.quality is UNSET
    assert tool.to_dict() == {"type": "image_generation"}
    assert t.ImageGenTool(type="image_generation").to_dict() == {"type": "image_generation"}
    given = {"type": "image_generation", "output_compression": 100, "partial_images": 0}
    assert t.ImageGenTool.from_dict(given).to_dict() == given  # a default given explicitly stays


# ---- 5. wrong shapes -------------------------------------------------------------------------
def test_wrong_type_deep_inside_names_model_path_and_expectation() -> None:
    doc = page(message("msg_1"), FUNCTION_CALL, message("msg_2"), message("msg_3", text=5))
    with pytest.raises(r.DecodeError) as info:
        t.ConversationItemList.from_dict(doc)
    err = info.value
    assert str(err) == "ConversationItemList: expected a string at data[3].content[0].text, got integer 5"
    assert (err.model, err.path, err.expected, err.value) == ("ConversationItemList", "data[3].content[0].text", "a string", 5)
    assert isinstance(err, ValueError) and isinstance(err, openai_conversations.DecodeError)
    assert err.__cause__ is None and err.__suppress_context__  # no KeyError/TypeError chained in


def test_missing_required_field_deep_inside() -> None:
    doc = page(message("msg_1"), FUNCTION_CALL, message("msg_2"), message("msg_3"))
    del doc["data"][3]["content"][0]["text"]
    with pytest.raises(r.DecodeError) as info:
        t.ConversationItemList.from_dict(doc)
    assert str(info.value) == "ConversationItemList: expected required field 'text' at data[3].content[0].text, got nothing"
    del doc["data"][1]["arguments"]
    with pytest.raises(r.DecodeError, match=r"^ConversationItemList: expected required field 'arguments' at data\[1\]\.arguments, got nothing$"):
        t.ConversationItemList.from_dict(doc)


@pytest.mark.parametrize(("doc", "message_"), [
    ([], "ConversationItemList: expected an object, got array []"),
    ({**page(), "data": {}}, "ConversationItemList: expected an array at data, got object {}"),
    ({**page(), "has_more": "no"}, "ConversationItemList: expected a boolean at has_more, got string 'no'"),
    ({**page(), "object": "page"}, "ConversationItemList: expected 'list' at object, got string 'page'"),
    (page("msg_1"), "ConversationItemList: expected an object at data[0], got string 'msg_1'"),
])
def test_wrong_shapes_at_the_top(doc: Any, message_: str) -> None:
    with pytest.raises(r.DecodeError) as info:
        t.ConversationItemList.from_dict(doc)
    assert str(info.value) == message_


def test_an_error_deep_in_recursive_data_is_found_without_decoding_again_and_again() -> None:
    # each level used to decode its failing child again (once to fail, once to locate),
    # so a bad leaf 10 filters deep took ~30 s; the path must come out at once
    doc: dict[str, Any] = {"type": "eq", "key": 5, "value": "x"}
    for _ in range(10):
        doc = {"type": "and", "filters": [{"type": "eq", "key": "k", "value": 1}, doc]}
    start = time.perf_counter()
    with pytest.raises(r.DecodeError) as info:
        t.CompoundFilter.from_dict(doc)
    assert time.perf_counter() - start < 1.0
    assert str(info.value) == f"CompoundFilter: expected a string at {'filters[1].' * 10}key, got integer 5"


def test_decode_errors_pickle_with_their_location() -> None:
    with pytest.raises(r.DecodeError) as info:
        t.ConversationItemList.from_dict(page(message("m", text=None)))
    again = pickle.loads(pickle.dumps(info.value))
    assert str(again) == str(info.value) == "ConversationItemList: expected a string at data[0].content[0].text, got null"


# ---- 6. lenient decoding ---------------------------------------------------------------------
def test_lenient_decoding_keeps_values_that_do_not_fit_as_received() -> None:
    broken_call = {k: v for k, v in FUNCTION_CALL.items() if k != "arguments"}
    doc = page(message("msg_1"), broken_call, message("msg_3", text=5))
    with openai_conversations.lenient_decoding():
        items = t.ConversationItemList.from_dict(doc)
    call = items.data[1]
    assert type(call) is t.FunctionToolCallResource and call.name == "get_weather" and call.arguments is UNSET
    assert {k: str(e) for k, e in r.misfits(call).items()} == {
        "arguments": "FunctionToolCallResource: expected required field 'arguments' at arguments, got nothing"}
    # the innermost model gives way: only the field that does not fit holds its value as received
    assert type(items.data[2]) is t.Message
    part = items.data[2].content[0]
    assert type(part) is t.InputTextContent and part.text == 5
    assert str(r.misfits(part)["text"]) == "InputTextContent: expected a string at text, got integer 5"
    assert r.misfits(items) == {} and r.misfits(items.data[2]) == {} and part.extra == {}
    assert items.to_dict() == doc
    with openai_conversations.lenient_decoding():
        assert t.ConversationItemList.from_dict(doc) == items  # value equality, errors included
    with pytest.raises(r.DecodeError, match=r"at data\[1\]\.arguments"):  # strict again afterwards
        t.ConversationItemList.from_dict(doc)


def test_lenient_decoding_keeps_values_outside_unions_too() -> None:
    doc = {**page(), "has_more": None}
    with openai_conversations.lenient_decoding():
        decoded = t.ConversationItemList.from_dict(doc)
    assert decoded.has_more is None and decoded.to_dict() == doc
    assert str(r.misfits(decoded)["has_more"]) == "ConversationItemList: expected a boolean at has_more, got null"
    decoded.has_more = True  # a value set since is encoded as usual
    assert decoded.to_dict() == {**doc, "has_more": True}
    with pytest.raises(r.DecodeError) as info:
        t.ConversationItemList.from_dict(doc)
    assert str(info.value) == "ConversationItemList: expected a boolean at has_more, got null"


# ---- 7. shared tags and untagged variants (InputItem) ----------------------------------------
def test_shared_tag_picks_the_variant_with_most_required_keys_present() -> None:
    easy = {"type": "message", "role": "user", "content": "hi"}
    decoded = t.input_item_from_dict(easy)
    assert type(decoded) is t.EasyInputMessage and decoded.content == "hi" and decoded.to_dict() == easy
    out = {"type": "message", "id": "msg_1", "status": "completed", "role": "assistant",
           "content": [{"type": "output_text", "text": "Hi!", "annotations": [], "logprobs": []}]}
    decoded = t.input_item_from_dict(out)
    assert type(decoded) is t.OutputMessage and decoded.id == "msg_1" and decoded.to_dict() == out
    # a malformed OutputMessage is reported as one, not taken for an EasyInputMessage with an
    # unknown content part
    del out["content"][0]["logprobs"]
    with pytest.raises(r.DecodeError) as info:
        t.input_item_from_dict(out)
    assert str(info.value) == "OutputMessage: expected required field 'logprobs' at content[0].logprobs, got nothing"
    with openai_conversations.lenient_decoding():
        kept = t.input_item_from_dict(out)
    assert type(kept) is t.OutputMessage and type(kept.content[0]) is t.OutputTextContent
    assert kept.content[0].text == "Hi!" and kept.content[0].logprobs is UNSET
    assert str(r.misfits(kept.content[0])["logprobs"]) == (
        "OutputTextContent: expected required field 'logprobs' at logprobs, got nothing")
    assert kept.to_dict() == out


def test_shared_tag_falls_through_when_the_most_specific_does_not_fit() -> None:
    # a conversation item sent back as input: OutputMessage's keys, but role `user`; valid as
    # EasyInputMessage (whose schema allows more keys), so it must not fail
    item = message("msg_1")
    decoded = t.input_item_from_dict(item)
    assert type(decoded) is t.EasyInputMessage
    assert decoded.extra == {"id": "msg_1", "status": "completed"}
    assert decoded.to_dict() == item
    with pytest.raises(r.DecodeError) as info:  # none fits: the most specific one's complaint
        t.input_item_from_dict({**item, "role": "assistant", "content": 5})
    assert str(info.value) == "OutputMessage: expected an array at content, got integer 5"


def test_untagged_variants() -> None:
    ref = t.input_item_from_dict({"id": "msg_1"})
    assert type(ref) is t.ItemReferenceParam and ref.type is UNSET and ref.to_dict() == {"id": "msg_1"}
    null_tag = t.input_item_from_dict({"type": None, "id": "msg_1"})
    assert type(null_tag) is t.ItemReferenceParam and null_tag.type is None
    assert null_tag.to_dict() == {"type": None, "id": "msg_1"}
    tagged = t.input_item_from_dict({"type": "item_reference", "id": "msg_1"})
    assert type(tagged) is t.ItemReferenceParam and tagged.type == "item_reference"
    bare = t.input_item_from_dict({"role": "developer", "content": "Be brief."})
    assert type(bare) is t.EasyInputMessage and bare.type is UNSET


# ---- the same rules on the small feature specs ---------------------------------------------------
@pytest.fixture(scope="module")
def zoo(tmp_path_factory: pytest.TempPathFactory) -> Built:
    return build_feature("zoo", tmp_path_factory.mktemp("lossless"))


@pytest.fixture(scope="module")
def forest(tmp_path_factory: pytest.TempPathFactory) -> Built:
    return build_feature("forest", tmp_path_factory.mktemp("lossless"))


def test_feature_unknown_tag_enum_and_fields(zoo: Built) -> None:
    z, rt = zoo.types, zoo.runtime
    doc = {"data": [{"kind": "cat", "name": "Tom", "size": "medium"},
                    {"kind": "bird", "wings": 2},
                    {"kind": "goldfish", "fins": 4, "scales": "gold"},
                    {"kind": "dog", "name": "Rex", "owner": None}],
           "has_more": False, "cursor": "c_1"}
    decoded = z.AnimalPage.from_dict(doc)
    assert [type(a) for a in decoded.data] == [z.Cat, z.UnknownAnimal, z.Fish, z.Dog]
    cat, bird, fish, dog = decoded.data
    assert cat.size == "medium" and type(cat.size) is str  # unknown enum value
    assert bird.kind == "bird" and bird.raw == {"kind": "bird", "wings": 2} and bird.error is None
    assert fish.kind is z.FishKind.GOLDFISH and fish.kind == "goldfish"  # an enum gives several tags
    assert fish.extra == {"scales": "gold"} and decoded.extra == {"cursor": "c_1"}
    assert dog.owner is None and dog.good is rt.UNSET
    assert decoded.to_dict() == doc


def test_feature_inferred_tag_without_discriminator(zoo: Built) -> None:
    z = zoo.types
    doc = {"data": [], "has_more": True,
           "shapes": [{"type": "circle", "radius": 1.5}, {"type": "square", "side": 2}, {"type": "hexagon", "n": 6}]}
    decoded = z.AnimalPage.from_dict(doc)
    assert [type(s) for s in decoded.shapes] == [z.Circle, z.Square, z.UnknownShape]
    assert decoded.shapes[2].type == "hexagon" and decoded.to_dict() == doc


def test_feature_absent_null_and_defaults(zoo: Built) -> None:
    z, rt = zoo.types, zoo.runtime
    absent = z.Cat.from_dict({"kind": "cat", "name": "Tom", "size": "small"})
    null = z.Cat.from_dict({"kind": "cat", "name": "Tom", "size": "small", "nickname": None})
    assert absent.nickname is rt.UNSET and null.nickname is None and absent != null
    assert absent.lives is rt.UNSET and absent.to_dict() == {"kind": "cat", "name": "Tom", "size": "small"}
    assert null.to_dict() == {"kind": "cat", "name": "Tom", "size": "small", "nickname": None}
    fish = z.Fish.from_dict({"kind": "fish"})
    assert fish.water is rt.UNSET and fish.to_dict() == {"kind": "fish"}
    with pytest.raises(rt.DecodeError) as info:
        z.Dog.from_dict({"kind": "dog", "name": "Rex"})  # required-and-nullable must be present
    assert str(info.value) == "Dog: expected required field 'owner' at owner, got nothing"


def test_feature_errors_and_lenient(zoo: Built) -> None:
    z, rt = zoo.types, zoo.runtime
    doc = {"data": [{"kind": "cat", "name": "Tom", "size": "small"}, {"kind": "dog", "name": "Rex", "owner": "Ann", "label": 5}],
           "has_more": False}
    with pytest.raises(rt.DecodeError) as info:
        z.AnimalPage.from_dict(doc)
    assert str(info.value) == "AnimalPage: expected a string or an array at data[1].label, got integer 5"
    with rt.lenient_decoding():
        decoded = z.AnimalPage.from_dict(doc)
    assert type(decoded.data[1]) is z.Dog and decoded.data[1].label == 5 and decoded.data[1].owner == "Ann"
    assert str(rt.misfits(decoded.data[1])["label"]) == "Dog: expected a string or an array at label, got integer 5"
    assert decoded.to_dict() == doc
    doc["data"][1]["label"] = ["good", 1]
    with pytest.raises(rt.DecodeError) as info:
        z.AnimalPage.from_dict(doc)
    assert str(info.value) == "AnimalPage: expected a string at data[1].label[1], got integer 1"


def test_feature_shared_tag_and_untagged(zoo: Built) -> None:
    z, rt = zoo.types, zoo.runtime
    cases = [
        ({"type": "note", "text": "t"}, z.Note),
        ({"type": "note", "text": "t", "author": "alice", "signed_at": 1}, z.SignedNote),
        ({"type": "note", "text": "t", "author": "carol", "signed_at": 1}, z.SignedNote),  # open enum
        ({"type": "note", "text": "t", "author": "alice", "signed_at": "yesterday"}, z.Note),  # falls through
        ({"text": "t"}, z.Note),  # untagged: the optional tag is absent
        ({"id": "r_1"}, z.Reference),
        ({"type": None, "id": "r_1"}, z.Reference),
        ({"type": "reference", "id": "r_1"}, z.Reference),
        ({"type": "memo", "id": "r_1"}, z.UnknownEntry),
    ]
    for doc, cls in cases:
        decoded = z.entry_from_dict(doc)
        assert type(decoded) is cls, doc
        assert decoded.to_dict() == doc
    assert z.entry_from_dict(cases[3][0]).extra == {"author": "alice", "signed_at": "yesterday"}
    with pytest.raises(rt.DecodeError) as info:  # fits neither: the most specific one's complaint
        z.entry_from_dict({"type": "note", "text": 5, "author": "alice", "signed_at": 1})
    assert str(info.value) == "SignedNote: expected a string at text, got integer 5"
    with pytest.raises(rt.DecodeError) as info:
        z.entry_from_dict({"type": "note"})
    assert str(info.value) == "Note: expected required field 'text' at text, got nothing"


def test_feature_maps_and_recursion(forest: Built) -> None:
    f, rt = forest.types, forest.runtime
    doc = {"name": "root", "parent": None,
           "children": [{"name": "a", "parent": {"name": "root", "parent": None}, "tags": None,
                         "weights": {"w": {"value": 1, "unit": "stone", "note": "x"}}}],
           "tags": {"k": "v"}, "meta": {"any": [1, {"x": None}]}, "anything": [None, 1.5],
           "attrs": {"s": "t", "n": 2.5, "b": False}, "planted": 1999}
    tree = f.Tree.from_dict(doc)
    child = tree.children[0]
    assert type(child.parent) is f.Tree and child.parent.parent is None and child.tags is None
    assert tree.tags == {"k": "v"} and tree.attrs == {"s": "t", "n": 2.5, "b": False}
    w = child.weights["w"]
    assert type(w) is f.Weight and w.unit == "stone" and w.extra == {"note": "x"}
    assert tree.extra == {"planted": 1999} and child.meta is rt.UNSET
    assert tree.to_dict() == doc
    doc["children"][0]["weights"]["w"]["value"] = "heavy"
    with pytest.raises(rt.DecodeError) as info:
        f.Tree.from_dict(doc)
    assert str(info.value) == "Tree: expected a number at children[0].weights.w.value, got string 'heavy'"


def test_feature_recursive_ref_union(forest: Built) -> None:
    f, rt = forest.types, forest.runtime
    doc = {"op": "and", "args": [{"op": "eq", "key": "a", "value": {"deep": [1]}},
                                 {"op": "or", "args": [{"op": "ne", "key": "b"}, {"op": "xor", "args": []}]}]}
    expr = f.Expr.from_dict(doc)
    inner = expr.args[1]
    assert type(expr.args[0]) is f.Leaf and type(inner) is f.Expr
    assert [type(a) for a in inner.args] == [f.Leaf, f.UnknownExprArgsItem]
    assert inner.args[1].op == "xor" and expr.to_dict() == doc
    doc["args"][1]["args"][0]["key"] = None
    with pytest.raises(rt.DecodeError) as info:
        f.Expr.from_dict(doc)
    assert str(info.value) == "Expr: expected a string at args[1].args[0].key, got null"

