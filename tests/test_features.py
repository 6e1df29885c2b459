"""The small feature specs' generated packages behave as their features promise."""

from __future__ import annotations

import importlib
import sys
from types import ModuleType

import pytest
from goldens import assembled_features

EXPECTED = assembled_features()  # the feature goldens with their _runtime/


def types_of(name: str) -> ModuleType:
    path = str(EXPECTED / name)
    if path not in sys.path:
        sys.path.insert(0, path)
    return importlib.import_module(f"{name}.types")


def test_tagged_union_without_mapping_decodes_by_tag() -> None:
    t = types_of("tagged_union")
    cat = t.pet_from_dict({"kind": "cat", "name": "Tom"})
    dog = t.pet_from_dict({"kind": "dog", "name": "Rex", "good": True})
    assert type(cat) is t.Cat and type(dog) is t.Dog
    assert cat.lives is t.Cat.from_dict({"kind": "cat", "name": "x"}).lives  # absent: UNSET, no default injected
    assert not cat.lives and cat.to_dict() == {"kind": "cat", "name": "Tom"}
    bird = t.pet_from_dict({"kind": "bird", "wings": 2})
    assert type(bird) is t.UnknownPet and bird.kind == "bird" and bird.to_dict() == {"kind": "bird", "wings": 2}


def test_nested_union_is_flattened() -> None:
    t = types_of("nested_unions")
    assert type(t.shape_from_dict({"type": "square", "side": 2})) is t.Square
    assert type(t.shape_from_dict({"type": "triangle", "sides": [1, 1, 1.5]})) is t.Triangle
    circle = t.shape_from_dict({"type": "circle", "radius": 1, "label": ["a", "b"]})
    assert type(circle) is t.Circle and circle.label == ["a", "b"]
    assert t.shape_from_dict({"type": "circle", "radius": 1, "label": "x"}).label == "x"
    with pytest.raises(ValueError, match=r"Circle: expected a string or an array at label, got integer 5"):
        t.shape_from_dict({"type": "circle", "radius": 1, "label": 5})


def test_nullable_versus_optional() -> None:
    t = types_of("nullable_optional")
    doc = {"id": "p1", "nickname": None, "status": "active", "bio": None}
    profile = t.Profile.from_dict(doc)
    assert profile.nickname is None and profile.bio is None and not profile.age
    assert profile.to_dict() == doc
    assert "bio" not in t.Profile.from_dict({"id": "p1", "nickname": "n", "status": "active"}).to_dict()
    with pytest.raises(ValueError, match="Profile: expected required field 'nickname' at nickname, got nothing"):
        t.Profile.from_dict({"id": "p1", "status": "active"})
    assert t.Profile.from_dict({**doc, "status": "banned"}).status == "banned"  # open enum


def test_maps_keep_their_values() -> None:
    t = types_of("maps")
    doc = {"labels": {"a": "b"}, "limits": {"x": {"max": 3}}, "free_form": {"k": [1]}, "anything": [1, "2"],
           "attributes": {"n": 1.5, "s": "t", "b": True}}
    settings = t.Settings.from_dict(doc)
    assert type(settings.limits["x"]) is t.Limit and settings.limits["x"].max == 3
    assert settings.to_dict() == doc
    assert t.Settings.from_dict({"labels": {}, "attributes": None}).attributes is None


def test_recursive_schemas() -> None:
    t = types_of("recursion")
    tree = {"name": "root", "children": [{"name": "a", "children": [{"name": "b"}]}]}
    node = t.Node.from_dict(tree)
    assert node.children[0].children[0].name == "b" and node.to_dict() == tree
    nested = {"type": "and", "filters": [{"type": "eq", "key": "k"}, {"type": "or", "filters": [{"type": "ne", "key": "j"}]}]}
    f = t.Filter.from_dict(nested)
    assert type(f.filters[0]) is t.Comparison and type(f.filters[1]) is t.Filter
    assert f.to_dict() == nested


def test_keyword_and_odd_names_are_valid_and_kept_on_the_wire() -> None:
    t = types_of("keywords")
    doc = {"import": "i", "from": "f", "self": "s", "extra": "e", "to_dict": "t", "2fa": True, "some-name": "n",
           "with space": "w", "café": "c", "mode": "gpt-4o"}
    obj = t.Class.from_dict(doc)
    assert (obj.import_, obj.from_, obj.self_, obj.extra_, obj.to_dict_, obj.f_2fa) == ("i", "f", "s", "e", "t", True)
    assert (obj.some_name, obj.with_space, obj.cafe) == ("n", "w", "c")
    assert obj.mode is t.Mode.GPT_4O and obj.to_dict() == doc and not obj.extra
    assert [m.value for m in t.Mode] == ["fast", "1024x1024", "gpt-4o", "with space", "", "None", "a.b"]
