"""The runtime's parameter encoders (`_runtime/params.py`) against OpenAPI's style table.

The table is the Parameter Object's "Style Examples" (OpenAPI 3.1.1, which follows RFC 6570),
for a parameter `color` holding the string "blue", the array ["blue", "black", "brown"] or the
object {"R": 100, "G": 200, "B": 150}; here each cell is checked as the runtime writes it in
a path, a query string, a header and a `Cookie` header.
"""

from __future__ import annotations

import enum
import importlib
import sys
from types import ModuleType

import pytest
from goldens import assembled_features

STRING, ARRAY, OBJECT = "blue", ["blue", "black", "brown"], {"R": 100, "G": 200, "B": 150}


def runtime() -> ModuleType:
    path = str(assembled_features() / "parameters")
    if path not in sys.path:
        sys.path.insert(0, path)
    return importlib.import_module("parameters._runtime.params")


p = runtime()
Styled = p.Styled

PATH_TABLE = [  # style, explode, string, array, object
    ("simple", False, "blue", "blue,black,brown", "R,100,G,200,B,150"),
    ("simple", True, "blue", "blue,black,brown", "R=100,G=200,B=150"),
    ("label", False, ".blue", ".blue,black,brown", ".R,100,G,200,B,150"),
    ("label", True, ".blue", ".blue.black.brown", ".R=100.G=200.B=150"),
    ("matrix", False, ";color=blue", ";color=blue,black,brown", ";color=R,100,G,200,B,150"),
    ("matrix", True, ";color=blue", ";color=blue;color=black;color=brown", ";R=100;G=200;B=150"),
]


@pytest.mark.parametrize(("style", "explode", "string", "array", "obj"), PATH_TABLE)
def test_path_styles(style: str, explode: bool, string: str, array: str, obj: str) -> None:
    for value, expected in ((STRING, string), (ARRAY, array), (OBJECT, obj)):
        assert p.path("/x/{color}", {"color": Styled(value, style, explode)}) == "/x/" + expected


QUERY_TABLE = [  # style, explode, string, array, object ("" where the table has no entry)
    ("form", True, "color=blue", "color=blue&color=black&color=brown", "R=100&G=200&B=150"),
    ("form", False, "color=blue", "color=blue,black,brown", "color=R,100,G,200,B,150"),
    ("spaceDelimited", False, "", "color=blue%20black%20brown", "color=R%20100%20G%20200%20B%20150"),
    ("pipeDelimited", False, "", "color=blue%7Cblack%7Cbrown", "color=R%7C100%7CG%7C200%7CB%7C150"),
    ("deepObject", True, "", "", "color%5BR%5D=100&color%5BG%5D=200&color%5BB%5D=150"),
]


@pytest.mark.parametrize(("style", "explode", "string", "array", "obj"), QUERY_TABLE)
def test_query_styles(style: str, explode: bool, string: str, array: str, obj: str) -> None:
    for value, expected in ((STRING, string), (ARRAY, array), (OBJECT, obj)):
        if expected:
            assert p.encode_query({"color": Styled(value, style, explode)}) == expected


@pytest.mark.parametrize(("explode", "array", "obj"), [
    (False, "blue,black,brown", "R,100,G,200,B,150"),
    (True, "blue,black,brown", "R=100,G=200,B=150"),
])
def test_header_simple_style(explode: bool, array: str, obj: str) -> None:
    assert p.header("X-Color", Styled(STRING, "simple", explode)) == "blue"
    assert p.header("X-Color", Styled(ARRAY, "simple", explode)) == array
    assert p.header("X-Color", Styled(OBJECT, "simple", explode)) == obj
    assert p.header("X-Color", ARRAY) == "blue,black,brown"  # plain: simple, not exploded


@pytest.mark.parametrize(("explode", "array", "obj"), [
    (True, "color=blue; color=black; color=brown", "R=100; G=200; B=150"),
    (False, "color=blue,black,brown", "color=R,100,G,200,B,150"),
])
def test_cookie_form_style(explode: bool, array: str, obj: str) -> None:
    assert p.cookie_header({"color": Styled(STRING, "form", explode)}) == "color=blue"
    assert p.cookie_header({"color": Styled(ARRAY, "form", explode)}) == array
    assert p.cookie_header({"color": Styled(OBJECT, "form", explode)}) == obj
    # plain values: form, exploded; values that are not cookie-octets are percent-encoded
    assert p.cookie_header({"a": "x y;z", "b": None, "c": p.UNSET, "d": 5}) == "a=x%20y%3Bz; d=5"


class Color(enum.Enum):
    DARK_BLUE = "dark blue"


@pytest.mark.parametrize(("value", "text"), [
    (42, "42"), (0.5, "0.5"), (True, "true"), (False, "false"), (Color.DARK_BLUE, "dark%20blue"), ("a/b", "a%2Fb"),
    ("x#?%", "x%23%3F%25"), ("...", "..."), ("héllo", "h%C3%A9llo"),
])
def test_path_scalars_of_any_type_are_one_encoded_segment(value: object, text: str) -> None:
    assert p.path("/items/{id}/x", {"id": value}) == f"/items/{text}/x"


@pytest.mark.parametrize("value", ["", ".", "..", [], {}, [None], ["a", ".."], Styled("", "label"), Styled(".", "label")])
def test_path_refuses_values_that_would_name_another_resource(value: object) -> None:
    with pytest.raises(ValueError, match="must be a non-empty id"):
        p.path("/items/{id}", {"id": value})


@pytest.mark.parametrize("value", [None, p.UNSET, object(), b"raw", [object()]])
def test_path_refuses_values_that_are_not_scalars(value: object) -> None:
    with pytest.raises(TypeError, match="id must be a string, number or boolean, got"):
        p.path("/items/{id}", {"id": value})


def test_plain_query_values() -> None:
    query = {"a": "x y", "b": None, "c": p.UNSET, "d": True, "e": Color.DARK_BLUE, "f": [1, None, 2], "g": "a&b=c",
             "h": {"k": "v", "j": 1}}
    assert p.encode_query(query) == "a=x+y&d=true&e=dark+blue&f=1&f=2&g=a%26b%3Dc&k=v&j=1"  # form, exploded
    nested = {"h": {"k": "v", "n": {"m": 1}}, "f": [1, 2]}
    assert p.encode_query(nested, "brackets") == "h%5Bk%5D=v&h%5Bn%5D%5Bm%5D=1&f%5B%5D=1&f%5B%5D=2"  # as qs does
    assert p.encode_query({"h": {"k": "v"}}, "comma") == "k=v"


@pytest.mark.parametrize(("array_format", "expected"), [
    ("", "ids=1&ids=2&team_ids%5B%5D=a&team_ids%5B%5D=b"),
    ("repeat", "ids=1&ids=2&team_ids%5B%5D=a&team_ids%5B%5D=b"),
    ("brackets", "ids%5B%5D=1&ids%5B%5D=2&team_ids%5B%5D=a&team_ids%5B%5D=b"),  # no second []
    ("comma", "ids=1,2&team_ids%5B%5D=a,b"),
])
def test_array_format_overrides_plain_arrays_only(array_format: str, expected: str) -> None:
    query = {"ids": [1, 2], "team_ids[]": ["a", "b"], "csv": Styled(["x", "y"], "form")}
    assert p.encode_query(query, array_format) == expected + "&csv=x,y"


def test_deep_object_nests_and_skips_nulls() -> None:
    value = {"a": {"b": 1, "c": None}, "l": [1, 2], "t": True}
    assert p.encode_query({"f": Styled(value, "deepObject", True)}) == (
        "f%5Ba%5D%5Bb%5D=1&f%5Bl%5D%5B%5D=1&f%5Bl%5D%5B%5D=2&f%5Bt%5D=true")


def test_reserved_characters_only_with_allow_reserved() -> None:
    assert p.encode_query({"q": Styled("a/b?c=d", "form", True)}) == "q=a%2Fb%3Fc%3Dd"
    assert p.encode_query({"q": Styled("a/b?c=d", "form", True, reserved=True)}) == "q=a/b?c=d"


def test_json_content_parameters() -> None:
    assert p.encode_query({"where": Styled({"a": [1, "é"]}, "json")}) == "where=%7B%22a%22%3A%5B1%2C%22%C3%A9%22%5D%7D"
    assert p.header("X-Where", Styled({"a": 1}, "json")) == '{"a":1}'
    assert p.path("/f/{w}", {"w": Styled(["a"], "json")}) == "/f/%5B%22a%22%5D"
    assert p.encode_query({"where": Styled(p.UNSET, "json")}) == ""


def test_unset_and_none_parameters_are_not_sent() -> None:
    assert p.encode_query({"a": Styled(None, "deepObject", True), "b": Styled(p.UNSET, "form")}) == ""
    assert p.header("X-A", p.UNSET) is None and p.header("X-A", Styled(None, "simple")) is None
    assert p.cookie_header({"a": Styled(p.UNSET, "form")}) == ""
