"""unions: oneOf/anyOf become tagged unions (one dict lookup) or unions told apart by JSON kind,
following the rules in the README ("How unions decode"); small inline specs."""

from __future__ import annotations

from typing import Any

from unit_support import build_api, definition, ref, spec

from convgen import ir

STR = {"type": "string"}


def tagged(tag: Any, extra: dict[str, Any] | None = None, required: tuple[str, ...] = ("type",)) -> dict[str, Any]:
    tag_schema = tag if isinstance(tag, dict) else {"type": "string", "const": tag}
    return {"type": "object", "properties": {"type": tag_schema, **(extra or {})}, "required": list(required)}


def build(schemas: dict[str, Any]) -> tuple[ir.Api, list[tuple[str, str]]]:
    api, diags = build_api(spec(schemas=schemas))
    return api, sorted((d.code, d.pointer) for d in diags)


ANIMALS = {"Cat": tagged("cat", {"name": STR}, ("type", "name")), "Dog": tagged("dog", {"good": {"type": "boolean"}})}


def test_tags_come_from_each_variant_s_const_without_a_mapping() -> None:
    api, diags = build({**ANIMALS, "Pet": {"oneOf": [ref("Cat"), ref("Dog")], "discriminator": {"propertyName": "type"}}})
    pet = definition(api, "Pet")
    assert isinstance(pet, ir.TaggedUnion) and pet.prop == "type" and pet.unknown == "UnknownPet"
    assert pet.cases == (ir.Case("cat", ("Cat",)), ir.Case("dog", ("Dog",))) and pet.untagged == ()
    assert pet.variants == (ir.Variant("Cat", ("type", "name")), ir.Variant("Dog", ("type",)))
    assert diags == []


def test_a_mapping_names_the_tags() -> None:
    mapping = {"kitty": "#/components/schemas/Cat", "doggo": "#/components/schemas/Dog"}
    api, _ = build({**ANIMALS, "Pet": {"oneOf": [ref("Cat"), ref("Dog")], "discriminator": {"propertyName": "type", "mapping": mapping}}})
    pet = definition(api, "Pet")
    assert isinstance(pet, ir.TaggedUnion) and pet.cases == (ir.Case("kitty", ("Cat",)), ir.Case("doggo", ("Dog",)))


def test_without_a_discriminator_a_property_with_distinct_consts_is_the_tag() -> None:
    api, diags = build({**ANIMALS, "Pet": {"oneOf": [ref("Cat"), ref("Dog")]}})
    pet = definition(api, "Pet")
    assert isinstance(pet, ir.TaggedUnion) and pet.prop == "type"
    assert diags == [("I305", "/components/schemas/Pet")]


def test_a_nested_union_on_the_same_tag_is_flattened() -> None:
    schemas = {**ANIMALS, "Bird": tagged("bird"), "Pet": {"oneOf": [ref("Cat"), ref("Dog")], "discriminator": {"propertyName": "type"}},
               "Animal": {"oneOf": [ref("Pet"), ref("Bird")], "discriminator": {"propertyName": "type"}}}
    api, _ = build(schemas)
    animal = definition(api, "Animal")
    assert isinstance(animal, ir.TaggedUnion) and [v.name for v in animal.variants] == ["Cat", "Dog", "Bird"]


def test_an_enum_tag_gives_several_tags_and_a_variant_without_one_decodes_untagged() -> None:
    schemas = {"X": tagged({"type": "string", "enum": ["a", "b"]}), "Y": tagged("c"),
               "Z": {"type": "object", "properties": {"z": STR}, "required": ["z"]},
               "U": {"oneOf": [ref("X"), ref("Y"), ref("Z")], "discriminator": {"propertyName": "type"}}}
    api, diags = build(schemas)
    union = definition(api, "U")
    assert isinstance(union, ir.TaggedUnion)
    assert union.cases == (ir.Case("a", ("X",)), ir.Case("b", ("X",)), ir.Case("c", ("Y",))) and union.untagged == ("Z",)
    assert diags == [("W301", "/components/schemas/U/oneOf/2")]


def test_a_shared_tag_tries_the_most_specific_variant_first_and_an_optional_tag_also_decodes_untagged() -> None:
    schemas = {"Loose": tagged("msg", required=()), "Strict": tagged("msg", {"x": STR}, ("type", "x")),
               "U": {"oneOf": [ref("Loose"), ref("Strict")], "discriminator": {"propertyName": "type"}}}
    api, diags = build(schemas)
    union = definition(api, "U")
    assert isinstance(union, ir.TaggedUnion)
    assert union.cases == (ir.Case("msg", ("Strict", "Loose")),) and union.untagged == ("Loose",)
    assert diags == [("W302", "/components/schemas/U"), ("W303", "/components/schemas/U/oneOf/0")]


def test_variants_that_are_not_objects_are_told_apart_by_json_kind() -> None:
    schemas = {**ANIMALS, "K": {"oneOf": [STR, {"type": "integer"}, {"type": "array", "items": STR}, ref("Cat")]}}
    api, diags = build(schemas)
    kinds = definition(api, "K")
    assert isinstance(kinds, ir.KindUnion)
    assert kinds.arms == (ir.Arm("str", ir.Prim("str")), ir.Arm("int", ir.Prim("int")),
                          ir.Arm("list", ir.ListOf(ir.Prim("str"))), ir.Arm("dict", ir.Ref("Cat")))
    assert diags == []


def test_two_variants_of_one_kind_are_reported_and_the_first_wins() -> None:
    api, diags = build({"A": {"oneOf": [{"type": "array", "items": STR}, {"type": "array", "items": {"type": "integer"}}]}})
    assert definition(api, "A") == ir.Alias("A", "a", "/components/schemas/A", "", ir.ListOf(ir.Prim("str")))
    assert diags == [("W309", "/components/schemas/A/oneOf/1")]


def test_a_nullable_union_is_an_optional_value_of_the_union() -> None:
    api, _ = build({**ANIMALS, "Holder": {"type": "object", "properties": {
        "pet": {"oneOf": [ref("Cat"), ref("Dog"), {"type": "null"}], "discriminator": {"propertyName": "type"}}}}})
    holder = definition(api, "Holder")
    assert isinstance(holder, ir.Model)
    pet_type = holder.fields[0].type
    assert isinstance(pet_type, ir.Nullable) and isinstance(pet_type.inner, ir.Ref)
    assert isinstance(definition(api, pet_type.inner.name), ir.TaggedUnion)
