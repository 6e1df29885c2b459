"""naming: spec names become valid, unique, readable Python names."""

from __future__ import annotations

import keyword

import pytest

from convgen.naming import MAX_NAME, Namespace, attribute, member, parameter, pascal, snake


@pytest.mark.parametrize(("spec_name", "python"), [
    ("MessagePhase-2", "MessagePhase2"), ("mcp_list tools", "McpListTools"), ("MCPTool", "MCPTool"),
    ("2fa", "Model2fa"), ("café", "Cafe"), ("Any", "AnyModel"), ("None", "NoneModel"), ("Model", "ModelModel"),
])
def test_pascal_class_names(spec_name: str, python: str) -> None:
    assert pascal(spec_name) == python


@pytest.mark.parametrize(("spec_name", "python"), [
    ("MCPListTools", "mcp_list_tools"), ("ConversationItem", "conversation_item"), ("import", "import_"),
    ("match", "match_"), ("3d", "m_3d"), ("", "x"), ("a-b c", "a_b_c"),
])
def test_snake_names(spec_name: str, python: str) -> None:
    assert snake(spec_name) == python


@pytest.mark.parametrize(("wire", "attr"), [
    ("name", "name"), ("some-name", "some_name"), ("with space", "with_space"), ("2fa", "f_2fa"),
    ("from", "from_"), ("to_dict", "to_dict_"), ("extra", "extra_"), ("__class__", "class_"), ("café", "cafe"),
    ("--", "field"),
])
def test_attributes_are_valid_and_avoid_model_members(wire: str, attr: str) -> None:
    assert attribute(wire) == attr
    assert attr.isidentifier() and not keyword.iskeyword(attr)


def test_parameters_do_not_shadow_the_method_s_own_arguments() -> None:
    assert [parameter(w) for w in ("timeout", "body", "extra_headers", "limit")] == ["timeout_", "body_", "extra_headers_", "limit"]


@pytest.mark.parametrize(("value", "name"), [
    ("gpt-4o", "GPT_4O"), ("1024x1024", "V1024X1024"), ("", "EMPTY"), ("!!", "VALUE"), ("with space", "WITH_SPACE"),
])
def test_enum_members(value: str, name: str) -> None:
    assert member(value) == name


def test_long_names_are_cut() -> None:
    assert len(pascal("a" * 300)) == MAX_NAME and len(snake("b" * 300)) == MAX_NAME


def test_namespace_hands_out_unique_names_and_says_when_it_renamed() -> None:
    names = Namespace(frozenset({"Client"}))
    assert names.claim("Foo") == ("Foo", False)
    assert names.claim("Foo") == ("Foo2", True)
    assert names.claim("Foo") == ("Foo3", True)
    assert names.claim("Client") == ("Client2", True)
    modules = Namespace(frozenset(), "_")
    assert [modules.claim("m")[0] for _ in range(3)] == ["m", "m_2", "m_3"]
