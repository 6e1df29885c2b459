"""Parameter serialization: OpenAPI's `style`/`explode` rules for path, query, header and cookie.

Hand-written and copied verbatim into every generated package. A generated method passes
plain values where the spec's style is the location's default and wraps the others in
`Styled(value, style, explode)`; everything here follows the style table of the OpenAPI
specification (Parameter Object, "Style Examples").
"""

from __future__ import annotations

import enum
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, quote_plus

from .models import UNSET, encode

_PLACEHOLDER = re.compile(r"{([^{}]+)}")
# kept as is in header values and cookies, and in query values with `allowReserved`
_RESERVED = ":/?#[]@!$&'()*+,;="


@dataclass(frozen=True, slots=True)
class Styled:
    """A parameter value with the spec's serialization: `style` is one of simple, label,
    matrix (path), form, spaceDelimited, pipeDelimited, deepObject (query), or json (the
    value's JSON text, for a parameter described by `content`), and `explode` as the spec
    says; `reserved` keeps RFC 3986 reserved characters of a query value."""

    value: object
    style: str
    explode: bool = False
    reserved: bool = False


def path(template: str, params: Mapping[str, object]) -> str:
    """Fill a path template; ids are percent-encoded so that no value can change the path.

    A value is a string, number, boolean or enum member (or, with `Styled`, a list or an
    object); an empty id, `.` or `..` is refused since it would name another resource."""
    values = {}
    for name, value in params.items():
        if value.__class__ is str and value not in ("", ".", ".."):  # the common case, kept fast
            values[name] = quote(value, safe="")
            continue
        styled = value if isinstance(value, Styled) else Styled(value, "simple")
        values[name] = _path_value(name, styled)
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], template)


def _path_value(name: str, styled: Styled) -> str:
    styled, value = _data(styled, "simple")
    if value is None or value is UNSET:
        raise TypeError(f"{name} must be a string, number or boolean, got {type(value).__name__}")
    items = _items(name, value)
    if not items:  # [] or {} (or only nulls)
        raise ValueError(f"{name} must be a non-empty id, got {styled.value!r}")
    for _, text in items:
        if text in ("", ".", ".."):
            raise ValueError(f"{name} must be a non-empty id, got {text!r}")
    return _delimited(name, value, items, styled.style, styled.explode, lambda s: quote(s, safe=""))


def header(name: str, value: object) -> str | None:
    """A header parameter's value (style simple); None when it is not sent."""
    styled, data = _data(value if isinstance(value, Styled) else Styled(value, "simple"), "simple")
    if data is None or data is UNSET:
        return None
    return _delimited(name, data, _items(name, data), "simple", styled.explode, _same)


def cookie_header(cookies: Mapping[str, object]) -> str:
    """The `Cookie` header of the cookie parameters (style form); "" when none is sent."""
    pairs: list[tuple[str, str]] = []
    for name, value in cookies.items():
        styled, data = _data(
            value if isinstance(value, Styled) else Styled(value, "form", True), "form"
        )
        if data is None or data is UNSET:
            continue
        pairs += _form(name, data, styled.explode, _cookie_quote)
    return "; ".join(f"{key}={text}" for key, text in pairs)


def encode_query(query: Mapping[str, object], array_format: str = "") -> str:
    """The query string; `Styled` values as their style says, plain ones (the spec's default
    style, form and exploded, or `extra_query`) as `array_format` says: "brackets" is the
    convention of Rails and qs (a[]=1&a[]=2, objects o[k]=v), "repeat" (a=1&a=2) and "comma"
    (a=1,2) change arrays only, "" is the spec's default (a=1&a=2, objects k=v)."""
    parts: list[str] = []
    for key, value in query.items():
        if value is UNSET or value is None:
            continue
        if isinstance(value, Styled):
            value, data = _data(value, "form")
            if data is None or data is UNSET:
                continue
            esc = _quote_reserved if value.reserved else quote_plus
            parts += _query_pairs(key, data, value.style, value.explode, esc)
            continue
        data = encode(value)
        if isinstance(data, list) and array_format in ("brackets", "comma"):
            if array_format == "comma":
                parts += _query_pairs(key, data, "form", False, quote_plus)
            else:  # a name that already ends in [] gets no second pair
                name = key if key.endswith("[]") else key + "[]"
                parts += _query_pairs(name, data, "form", True, quote_plus)
        elif isinstance(data, dict) and array_format == "brackets":
            parts += _query_pairs(key, data, "deepObject", True, quote_plus)
        else:
            parts += _query_pairs(key, data, "form", True, quote_plus)
    return "&".join(parts)


def _data(styled: Styled, default_style: str) -> tuple[Styled, Any]:
    """The JSON-ready value; a `json` one as its JSON text, sent in the location's default style."""
    if styled.value is UNSET or styled.value is None:
        return styled, styled.value  # (encode would make UNSET its enum value)
    data = encode(styled.value)
    if styled.style != "json":
        return styled, data
    text = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
    return Styled(text, default_style, default_style == "form", styled.reserved), text


def _query_pairs(name: str, data: Any, style: str, explode: bool, esc: Any) -> list[str]:
    if style == "deepObject" and isinstance(data, (dict, list)):
        return [f"{quote_plus(key)}={esc(text)}" for key, text in _deep(name, data)]
    if (
        style in ("spaceDelimited", "pipeDelimited")
        and isinstance(data, (dict, list))
        and not explode
    ):
        sep = "%20" if style == "spaceDelimited" else "%7C"
        return [f"{quote_plus(name)}={sep.join(esc(t) for t in _flat(name, data))}"]
    return [f"{quote_plus(key)}={text}" for key, text in _form(name, data, explode, esc)]


def _form(name: str, data: Any, explode: bool, esc: Any) -> list[tuple[str, str]]:
    """Style form: (name, escaped value) pairs; an exploded object's keys become names."""
    if isinstance(data, list):
        texts = [_scalar(name, v) for v in data if v is not None]
        if explode:
            return [(name, esc(t)) for t in texts]
        return [(name, ",".join(esc(t) for t in texts))]
    if isinstance(data, dict):
        items = _items(name, data)
        if explode:
            return [(key, esc(t)) for key, t in items]
        return [(name, ",".join(esc(t) for t in _flat(name, data)))]
    return [(name, esc(_scalar(name, data)))]


def _delimited(
    name: str, data: Any, items: list[tuple[str, str]], style: str, explode: bool, esc: Any
) -> str:
    """Styles simple, label and matrix (path and header values)."""
    lead, sep = {"label": (".", "."), "matrix": (";", ";")}.get(style, ("", ","))
    if not isinstance(data, (list, dict)):
        text = esc(items[0][1])
        return f";{name}={text}" if style == "matrix" else lead + text
    if isinstance(data, dict) and explode:
        return lead + sep.join(f"{esc(k)}={esc(t)}" for k, t in items)
    if isinstance(data, list) and explode:
        if style == "matrix":
            return "".join(f";{name}={esc(t)}" for _, t in items)
        return lead + sep.join(esc(t) for _, t in items)
    joined = ",".join(esc(t) for t in _flat(name, data))
    return f";{name}={joined}" if style == "matrix" else lead + joined


def _items(name: str, data: Any) -> list[tuple[str, str]]:
    """(key, text) of a scalar, each list item or each object member (None members skipped)."""
    if isinstance(data, dict):
        return [(str(k), _scalar(f"{name}[{k}]", v)) for k, v in data.items() if v is not None]
    if isinstance(data, list):
        return [(name, _scalar(name, v)) for v in data if v is not None]
    return [(name, _scalar(name, data))]


def _flat(name: str, data: Any) -> list[str]:
    """A list's items, or an object's keys and values in turn (the non-exploded form)."""
    if isinstance(data, dict):
        return [text for key, value in _items(name, data) for text in (key, value)]
    return [text for _, text in _items(name, data)]


def _deep(name: str, data: Any) -> list[tuple[str, str]]:
    """deepObject: `name[key]=value`, nested objects as `name[a][b]`, lists as `name[a][]`."""
    if isinstance(data, dict):
        return [
            pair
            for key, value in data.items()
            if value is not None
            for pair in _deep(f"{name}[{key}]", value)
        ]
    if isinstance(data, list):
        return [pair for value in data if value is not None for pair in _deep(f"{name}[]", value)]
    return [(name, _scalar(name, data))]


def _scalar(name: str, value: object) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, enum.Enum):
        value = value.value
    if isinstance(value, (str, int, float)):
        return str(value)
    raise TypeError(f"{name} must be a string, number or boolean, got {type(value).__name__}")


def _quote_reserved(text: str) -> str:
    return quote_plus(text, safe=_RESERVED)


def _same(text: str) -> str:
    return text


def _cookie_quote(text: str) -> str:
    # RFC 6265 cookie-octets: no space, quote, comma, semicolon or backslash
    return quote(text, safe="!#$&'()*+-./:<=>?@[]^_`{|}~")
