"""Parameter serialization, server variables and `Accept`, read from the spec for `build`.

OpenAPI's rules: each location has a default style (path and header `simple`, query and
cookie `form`), `explode` defaults to true for `form` only, and a header named Accept,
Content-Type or Authorization is ignored. What convgen cannot send is a warning (W320-W324).
"""

from __future__ import annotations

import re
from typing import Any

from . import ir
from .diagnostics import Diagnostic

LOCATIONS = ("path", "query", "header", "cookie")
DEFAULT_STYLE = {"path": "simple", "query": "form", "header": "simple", "cookie": "form"}
STYLES = {
    "path": ("simple", "label", "matrix"),
    "query": ("form", "spaceDelimited", "pipeDelimited", "deepObject"),
    "header": ("simple",),
    "cookie": ("form",),
}
IGNORED_HEADERS = ("accept", "content-type", "authorization")


def serialization(param: dict[str, Any], where: str, at: str, diags: list[Diagnostic]) -> tuple[str, bool, bool]:
    """(style, explode, allowReserved) of a parameter, defaults settled; unusable styles are W321."""
    style = param.get("style")
    if "schema" not in param and isinstance(param.get("content"), dict) and param["content"]:
        if _is_json(str(next(iter(param["content"])))):
            return "json", False, False
        return DEFAULT_STYLE[where], DEFAULT_STYLE[where] == "form", False
    if not isinstance(style, str) or style not in STYLES[where]:
        if style is not None:
            diags.append(
                Diagnostic(
                    "W321",
                    f"style {style!r} is not defined for {where} parameter {param.get('name')!r}: "
                    f"sent with {DEFAULT_STYLE[where]!r}, the location's default",
                    at + "/style",
                )
            )
        style = DEFAULT_STYLE[where]
    explode = param.get("explode")
    if not isinstance(explode, bool):
        explode = style == "form"
    allow_reserved = where == "query" and param.get("allowReserved") is True
    return style, explode, allow_reserved


def content_schema(param: dict[str, Any], at: str, diags: list[Diagnostic]) -> tuple[Any, str]:
    """The schema of a parameter and its pointer: under `content` when it has no `schema`.

    A JSON media type is sent as the JSON text of the value; any other one (W320) takes the
    already serialized text as a string."""
    if "schema" in param or not isinstance(param.get("content"), dict) or not param["content"]:
        return param.get("schema", {}), at + "/schema"
    media, entry = next(iter(param["content"].items()))
    where = f"{at}/content/{str(media).replace('~', '~0').replace('/', '~1')}"
    if _is_json(str(media)):
        schema = entry.get("schema", {}) if isinstance(entry, dict) else {}
        return schema, where + "/schema"
    diags.append(
        Diagnostic(
            "W320",
            f"parameter {param.get('name')!r} is described as {media!r} content: "
            "the argument takes the serialized text",
            where,
        )
    )
    return {"type": "string"}, where


def skipped(param: dict[str, Any], where: str, at: str, diags: list[Diagnostic]) -> bool:
    """Whether a parameter is not generated: an unknown location (W322) or a header the
    OpenAPI rules say to ignore (W323: the client sets Accept, Content-Type and Authorization)."""
    name = param.get("name")
    if where not in LOCATIONS:
        diags.append(
            Diagnostic(
                "W322",
                f"parameter {name!r} is `in: {where}`, not path, query, header or cookie: not generated",
                at + "/in",
            )
        )
        return True
    if where == "header" and str(name).lower() in IGNORED_HEADERS:
        diags.append(
            Diagnostic(
                "W323", f"header parameter {name!r} is ignored, as OpenAPI specifies: the client sets it", at + "/name"
            )
        )
        return True
    return False


def servers(doc: dict[str, Any], diags: list[Diagnostic]) -> tuple[str, str, tuple[ir.ServerVariable, ...]]:
    """(URL with defaults filled in, URL template, its variables) of the first server."""
    listed = doc.get("servers") if isinstance(doc.get("servers"), list) else []
    first = listed[0] if listed and isinstance(listed[0], dict) else {}
    template = str(first.get("url", "") or "")
    declared: dict[str, Any] = first["variables"] if isinstance(first.get("variables"), dict) else {}
    variables = []
    url = template
    for name, var in declared.items():
        if not isinstance(var, dict) or "default" not in var:
            continue  # the standard validator reports a variable without its required default
        allowed = tuple(str(v) for v in var.get("enum") or ()) if isinstance(var.get("enum"), list) else ()
        variables.append(
            ir.ServerVariable(str(name), str(var["default"]), allowed, str(var.get("description") or "").strip())
        )
        url = url.replace("{" + str(name) + "}", str(var["default"]))
    if re.search(r"{[^{}]+}", url):  # kept as written: the user must pass base_url=
        diags.append(
            Diagnostic(
                "W324",
                f"server URL {template!r} has a variable without a default: the client needs base_url=",
                "/servers/0/url",
            )
        )
    return url, template, tuple(variables)


def accept(responses: Any, deref: Any) -> str:
    """The Accept header: the media types of the success responses, when not just JSON."""
    media: list[str] = []
    if isinstance(responses, dict):
        for code in sorted(str(c) for c in responses):
            if not (code.startswith("2") or code == "2XX"):
                continue
            response = deref(responses.get(code, responses.get(int(code)) if code.isdigit() else None))
            content = response.get("content") if isinstance(response, dict) else None
            if isinstance(content, dict):
                media += [str(m) for m in content if str(m) not in media]
    if not media or all(m == "application/json" for m in media):
        return ""
    return ", ".join(media)


def _is_json(media: str) -> bool:
    return media == "application/json" or media.endswith("+json")
