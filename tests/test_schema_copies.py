"""Numbered copies of schemas (`MessagePhase-2`, as specs merged from several sources have
them) get no number the reader cannot explain: the original's type when only annotations
differ (W363), else a readable name (title; title with the name's leading words; the name an
inline schema at its first use would have), each rename reported with both names (W364).
Build stage on small specs: well under a second."""

from __future__ import annotations

from typing import Any

from test_names import OBJ, _ok, built

from generator.naming import pascal, snake

PHASE = {"type": "string", "description": "Labels a message.", "enum": ["commentary", "final_answer"]}


def _names(api: Any) -> dict[str, str]:
    return {d.pointer: d.name for d in api.definitions}


def test_a_copy_that_differs_only_in_annotations_is_the_original() -> None:
    message = {"type": "object", "properties": {"phase": {"$ref": "#/components/schemas/MessagePhase-2"},
                                                "tone": {"$ref": "#/components/schemas/MessagePhase"}}}
    copy = {"type": "string", "enum": ["commentary", "final_answer"], "example": "commentary"}
    api, diags = built({"/m": {"get": {"responses": _ok({"$ref": "#/components/schemas/Message"})}}},
                       {"Message": message, "MessagePhase": PHASE, "MessagePhase-2": copy})
    assert sorted(d.name for d in api.definitions) == ["Message", "MessagePhase"]
    model = next(d for d in api.definitions if d.name == "Message")
    assert {f.attr: str(f.type) for f in model.fields}["phase"] == {f.attr: str(f.type) for f in model.fields}["tone"]
    assert [(d.code, d.message, d.pointer) for d in diags if d.code.startswith("W3")] == [
        ("W363", "schema 'MessagePhase-2' is 'MessagePhase' but for annotations: it is type 'MessagePhase'",
         "/components/schemas/MessagePhase-2")]


def test_a_copy_that_accepts_other_data_keeps_a_type_of_its_own() -> None:
    copy = {"type": "string", "enum": ["commentary", "final_answer", "draft"]}
    message = {"type": "object", "properties": {"phase": {"$ref": "#/components/schemas/MessagePhase-2"}}}
    api, diags = built({"/m": {"get": {"responses": _ok({"$ref": "#/components/schemas/Message"})}}},
                       {"Message": message, "MessagePhase": PHASE, "MessagePhase-2": copy})
    names = _names(api)
    # named as an inline schema at its first use would be: `Message.phase`, but MessagePhase is taken
    assert names["/components/schemas/MessagePhase-2"] == "MessageMessagePhase"
    assert "schema 'MessagePhase-2' is named 'MessageMessagePhase' in Python" in [d.message for d in diags]


def test_a_copy_is_named_by_its_title_or_its_first_use() -> None:
    schemas = {
        "ConversationParam-2": {**OBJ, "title": "Conversation object"},
        "BetaConversationParam-2": {**OBJ, "title": "Conversation object"},
        "Error": {**OBJ, "title": "Error"},
        "Error-2": {"type": "object", "title": "Error", "properties": {"code": {"type": "string"}}},
        "Video": {"type": "object", "properties": {
            "error": {"anyOf": [{"$ref": "#/components/schemas/Error-2"}, {"type": "null"}]},
            "input": {"oneOf": [{"type": "string"}, {"$ref": "#/components/schemas/ImageRef-2"}]}}},
        "ImageRef-2": {"type": "object", "properties": {"url": {"type": "string"}}},
    }
    refs = [{"$ref": f"#/components/schemas/{n}"} for n in ("ConversationParam-2", "BetaConversationParam-2", "Error", "Video")]
    api, diags = built({"/c": {"get": {"responses": _ok({"anyOf": refs})}}}, schemas)
    names = _names(api)
    assert names["/components/schemas/ConversationParam-2"] == "ConversationObject"  # a shared title: the name's
    assert names["/components/schemas/BetaConversationParam-2"] == "BetaConversationObject"  # leading words go first
    assert names["/components/schemas/Error-2"] == "VideoError"  # the title is another schema's name
    assert names["/components/schemas/ImageRef-2"] == "VideoImageRef"  # `Video.input` is the union's name
    assert names["/components/schemas/Video/properties/input"] == "VideoInput"
    renamed = sorted(d.message for d in diags if d.code == "W364")
    assert renamed == sorted(f"schema {raw!r} is named {names['/components/schemas/' + raw]!r} in Python"
                             for raw in ("ConversationParam-2", "BetaConversationParam-2", "Error-2", "ImageRef-2"))
    assert not [n for n in names.values() if n[-1].isdigit()]


def test_long_names_end_where_a_word_ends() -> None:
    from generator.naming import MAX_NAME

    long = "Alpha" + "b" * 25 + "Gamma" + "d" * 25 + "Epsilon" + "f" * 25
    assert pascal(long) == "Alpha" + "b" * 25 + "Gamma" + "d" * 25  # no word left cut in two
    unsplittable = "x" * 80
    assert len(snake(unsplittable)) == MAX_NAME  # one word longer than a name may be: cut, nothing else to do
