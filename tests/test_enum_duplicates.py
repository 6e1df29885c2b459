"""W206 (an enum value listed twice): a value repeats when it equals an earlier one of the same
type; values are compared by hashing where they can be (long enums of real specs), one by one
where they cannot (lists, mappings)."""

from __future__ import annotations

from typing import Any

import pytest
from convgen import validate
from convgen.select import Selection, select


@pytest.mark.parametrize(
    "values, repeated",
    [
        (["a", "b", "a", "a"], [2, 3]),
        ([1, 1.0, True, "1", 1], [4]),  # equal values of other types are no repeat
        ([float("nan"), float("nan")], []),  # NaN equals nothing
        ([{"a": 1}, {"a": 1}, [1], [1], {"a": 2}], [1, 3]),
        ([None, None, False, 0], [1]),
    ],
)
def test_repeated_values(values: list[Any], repeated: list[int]) -> None:
    assert list(validate._repeated(values)) == repeated


def test_each_repeat_is_reported_at_its_place() -> None:
    doc = {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/a/{b}": {
                "get": {
                    "parameters": [{"name": "b", "in": "path", "required": True, "schema": {"enum": ["x", "x"]}}],
                    "responses": {"200": {"description": "ok"}},
                }
            }
        },
        "components": {"schemas": {"A~/B": {"properties": {"k/1": {"enum": [1, 2, 1]}}}}},
    }
    doc["paths"]["/a/{b}"]["get"]["responses"]["200"]["content"] = {
        "application/json": {"schema": {"$ref": "#/components/schemas/A~0~1B"}}
    }
    section, _ = select(doc, Selection())
    assert section is not None
    found = [(d.code, d.message, d.pointer) for d in validate._enum_duplicates(section)]
    assert sorted(found) == [
        ("W206", 'enum value "x" is listed twice', "/paths/~1a~1{b}/get/parameters/0/schema/enum/1"),
        ("W206", "enum value 1 is listed twice", "/components/schemas/A~0~1B/properties/k~11/enum/2"),
    ]
