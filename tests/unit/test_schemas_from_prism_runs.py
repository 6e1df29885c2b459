"""Schema shapes that calling every corpus operation through Prism found mis-built (DigitalOcean)."""

from __future__ import annotations

from unit_support import build_api, codes, definition, ref, spec

from convgen import ir

STR = {"type": "string"}
THING = {"type": "object", "properties": {"id": STR}, "required": ["id"]}


def test_a_union_variant_that_admits_null_makes_the_union_admit_null() -> None:
    """DigitalOcean's floating IP: `droplet: anyOf: [{type: object, nullable: true}, {$ref: droplet}]` is null
    when no droplet is assigned; a variant's `nullable` must reach the union, not stay inside one arm."""
    holder = {"type": "object", "properties": {"droplet": {"anyOf": [
        {"title": "null", "type": "object", "nullable": True}, ref("Thing")]}}}
    api, _ = build_api(spec(schemas={"Thing": THING, "Holder": holder}))
    model = definition(api, "Holder")
    assert isinstance(model, ir.Model)
    droplet = model.fields[0].type
    assert isinstance(droplet, ir.Nullable) and isinstance(droplet.inner, ir.Ref)
    union = definition(api, droplet.inner.name)  # the arms: the object of any keys and Thing, none of them null
    assert not isinstance(union, ir.Alias) or not isinstance(union.target, ir.Nullable)
    assert not isinstance(union, ir.KindUnion) or not any(isinstance(arm.type, ir.Nullable) for arm in union.arms)


def test_required_beside_allof_applies_to_the_members_properties() -> None:
    """DigitalOcean's uptime check: `{type: object, allOf: [{$ref: check_updatable}], required: [name, ...]}`
    requires the member's properties; a required name no member describes is W311, kept as a field."""
    wrapper = {"type": "object", "allOf": [ref("Thing")], "required": ["id", "method"]}
    api, diags = build_api(spec(schemas={"Thing": {"type": "object", "properties": {"id": STR}}, "Create": wrapper}))
    model = definition(api, "Create")
    assert isinstance(model, ir.Model)
    fields = {f.wire: f for f in model.fields}
    assert fields["id"].required and not fields["method"].required
    assert codes(diags).count("W311") == 1
