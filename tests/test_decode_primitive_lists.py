"""Lists of primitives are checked in one pass, with the same verdicts and error locations as item by item."""

from __future__ import annotations

import pytest
from openai_conversations._runtime import models as r


@pytest.mark.parametrize(
    ("check", "good", "bad", "where", "expected"),
    [
        (r.integer, [1, 2, 3], [1, 2, True], "[2]", "an integer"),
        (r.number, [1.5, 2, -0.0], [1.5, "2"], "[1]", "a number"),
        (r.string, ["a", ""], ["a", None, "b"], "[1]", "a string"),
        (r.boolean, [True, False], [True, 0], "[1]", "a boolean"),
    ],
)
def test_one_pass_gives_the_same_values_and_errors(check: object, good: list[object], bad: list[object],
                                                    where: str, expected: str) -> None:
    decoded = r.list_of(good, check)  # type: ignore[arg-type]
    assert decoded == good and type(decoded) is list
    assert decoded is not good  # a new list: changing the model does not change the caller's data
    with pytest.raises(r.DecodeError) as caught:
        r.list_of(bad, check)  # type: ignore[arg-type]
    assert str(caught.value).startswith(f"expected {expected} at {where}, got ")


def test_subclasses_of_the_json_types_are_not_taken_for_them() -> None:
    class Int(int):
        pass

    with pytest.raises(r.DecodeError):
        r.list_of([1, Int(2)], r.integer)
