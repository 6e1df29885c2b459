"""Plan, for resources: one operation of the IR -> its MethodView (signature, request, decoding,
pagination, events, credentials), which both flavours of its resource class render."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import replace
from functools import cache
from typing import Any

from . import ir
from .examples import sample
from .pytypes import Code, Types, docstring, literal, or_unset
from .views import MethodView, ParamView

# the order a resource module imports them in
RUNTIME_ORDER = ("_b", "_r", "_t", "Styled", "_s", "builtins")


def _paging(page: ir.Pagination) -> str:
    """The runtime `Paging(...)` of a method: only what differs from its defaults."""
    args = [
        f"{name}={value!r}" if isinstance(value, int) else f"{name}={literal(value)}"
        for name, value, default in (
            ("items", page.items_field, "data"),
            ("attr", page.items_attr if page.items_attr != page.items_field else "", ""),
            ("param", page.param, ""),
            ("field", page.field, ""),
            ("has_more", page.has_more_field, ""),
            ("total", page.total_field, ""),
            ("start", page.start, 1),
        )
        if value != default
    ]
    return "Paging(" + ", ".join(args) + ")"


# spec prose as docstrings, once per text: operations repeat their parameters' descriptions (about
# half of them in the OpenAI and Box specs)
_param_doc = cache(docstring)


def method(op: ir.Operation, types: Types, usage: str, api_schemes: dict[str, ir.SecurityScheme]) -> MethodView:
    def param(p: ir.Param | ir.Field, required: bool, value: str = "") -> ParamView:
        accepted = types.parameter_code(p.type)
        annotation = accepted.text
        if not required:
            annotation = or_unset(annotation)
        doc = _param_doc(p.description)
        return ParamView(p.attr, literal(p.wire), annotation, "" if required else "UNSET", doc, _names(accepted), value)

    def sent(p: ir.Param) -> ParamView:
        return param(p, p.required or p.location == "path", _styled(p))

    positional = tuple(sent(p) for p in op.path_params if p.positional)
    path_kw = [sent(p) for p in op.path_params if not p.positional]
    query = tuple(sent(p) for p in op.query_params)
    headers = tuple(sent(p) for p in op.header_params)
    cookies = tuple(sent(p) for p in op.cookie_params)
    body_fields: tuple[ParamView, ...] = ()
    body_param = ""
    if op.body is not None and op.body.flattened:
        body_fields = tuple(param(f, f.required) for f in op.body.fields)  # required by the schema: required
        body_fields = _file_params(op.body, body_fields, types)
    elif op.body is not None and op.body.kind != "json":
        body_param = "body"
        annotation = {"binary": "FileTypes", "text": "str"}.get(op.body.kind, "Mapping[str, Any]")
        body_fields = (
            ParamView(
                "body",
                '"body"',
                annotation + ("" if op.body.required else " | Unset"),
                "" if op.body.required else "UNSET",
                "",
                ("Any",) if "Any" in annotation else (),
            ),
        )
    elif op.body is not None:
        body_param = "body"
        accepted = types.parameter_code(op.body.type)
        body_fields = (
            ParamView(
                "body",
                '"body"',
                accepted.text if op.body.required else or_unset(accepted.text),
                "" if op.body.required else "UNSET",
                "",
                _names(accepted),
            ),
        )
    body_wrap, body_extra = _body_wrap(op.body)
    keyword = path_kw + list(body_fields) + list(query) + list(headers) + list(cookies)
    keyword.sort(key=lambda p: (p.default != "",))
    returned = Code("None")
    decode = "_r.identity"
    # through the lazy types package (`_t.`): a call imports only the modules it decodes with
    through_t = types.qualified("_t.")
    decoders = [through_t.decoder_code(e.type) for e in op.errors]
    if op.events is not None:
        decoders.append(through_t.decoder_code(op.events.event))
    used = {"_s"} if op.events is not None else set()
    if op.response_kind in _UNDECODED:
        annotation, decode = _UNDECODED[op.response_kind]
        returned = Code(annotation)
        used |= {"_b"} if decode else set()
    elif op.response is not None:
        returned, decoder = types.annotated(op.response), through_t.decoder_code(op.response)
        decode = decoder.text
        decoders.append(decoder)
    else:
        used.add("_r")
    used = used.union(*(d.modules for d in decoders))
    if any(_is_styled(p) for p in (*op.path_params, *op.query_params, *op.header_params, *op.cookie_params)):
        used.add("Styled")
    page = op.page.page_class if op.page is not None else ""
    item = types.annotated(op.page.item) if op.page is not None else Code("")
    # a page is the flavour's page class of the item type: the template writes Async ones
    returns = f"Sync{page}[{item.text}]" if op.page is not None else returned.text
    signature = (*positional, *keyword)
    summary = op.summary or op.description.split("\n", 1)[0] or f"{op.http_method} {op.path}"
    path_args = tuple((literal(p.wire), _styled(p)) for p in op.path_params)
    fixed_query = tuple((literal(k), literal(v)) for k, v in op.fixed_query)
    accept = literal(op.accept) if op.accept else ""
    errors = tuple((literal(e.status), d.text) for e, d in zip(op.errors, decoders, strict=False))
    flattened = () if body_param else body_fields
    view = MethodView(
        name=op.method_name,
        http_method=literal(op.http_method),
        path=literal(op.path),
        path_args=path_args,
        positional=positional,
        keyword=tuple(keyword),
        query=query,
        body_fields=flattened,
        body_param=body_param,
        returns=returns,
        decode=decode,
        page=page,
        page_item=item.text,
        paging=_paging(op.page) if op.page is not None else "",
        summary=docstring(summary),
        doc=docstring(op.description if op.description != summary else ""),
        example=usage,
        deprecated=op.deprecated,
        call=_call(op, keyword),
        security=_security(op),
        body_wrap=body_wrap,
        body_extra=body_extra,
        uses=tuple(dict.fromkeys([*(n for p in signature for n in p.uses), *_names(item if page else returned)])),
        aliases=op.aliases,
        fixed_query=fixed_query,
        headers=headers,
        cookies=cookies,
        accept=accept,
        kind=op.response_kind,
        decode_from='"response"' if op.response_kind in _UNDECODED else "",
        **_events(op, types, tuple(keyword)),
        errors=errors,
        credentials="; or ".join(" + ".join(_args_of(api_schemes, n) for n in alt) or "none" for alt in op.security),
        runtime=tuple(n for n in RUNTIME_ORDER if n in used),
        path_entries=_entries(path_args),
        query_entries=_entries(fixed_query) + _entries((p.wire, p.value) for p in query),
        header_entries=_entries((('"Accept"', accept),) if accept else ())
        + _entries((p.wire, p.value) for p in headers),
        cookie_entries=_entries((p.wire, p.value) for p in cookies),
        body_entries=_entries((p.wire, p.attr) for p in flattened),
        error_entries=_entries(errors),
    )
    extra = _names(types.annotated(op.events.event)) if op.events is not None else ()
    if view.overloads:
        extra += ("Literal",)  # the overloads' flag annotations
    return replace(view, uses=tuple(dict.fromkeys((*view.uses, *extra)))) if extra else view


def _entries(pairs: Iterable[tuple[str, str]]) -> tuple[str, ...]:
    return tuple(f"{key}: {value}" for key, value in pairs)


def _names(code: Code) -> tuple[str, ...]:
    """The names a piece of code uses, generated and from typing alike: what its module imports."""
    return (*code.refs, *sorted(code.typing))


_DEFAULT_STYLE = {
    "path": ("simple", False),
    "query": ("form", True),
    "header": ("simple", False),
    "cookie": ("form", True),
}


def _is_styled(p: ir.Param) -> bool:
    """Whether the runtime's default for the parameter's location does not apply (for a query:
    the client's `array_format`, by default the spec's default style)."""
    return (p.style, p.explode) != _DEFAULT_STYLE[p.location] or p.allow_reserved


def _styled(p: ir.Param) -> str:
    """The value a request sends for a parameter: the argument itself where the runtime's
    default for its location applies, else wrapped in `Styled` with the spec's style."""
    if not _is_styled(p):
        return p.attr
    args = (
        [p.attr, literal(p.style)]
        + (["explode=True"] if p.explode else [])
        + (["reserved=True"] if p.allow_reserved else [])
    )
    return f"Styled({', '.join(args)})"


_FILE_ANNOTATIONS = {
    "one": "FileTypes",
    "many": "Sequence[FileTypes]",
    "one_or_many": "FileTypes | Sequence[FileTypes]",
}


def _file_params(body: ir.Body, params: tuple[ParamView, ...], types: Types) -> tuple[ParamView, ...]:
    """File fields of a multipart body take what an upload accepts (see runtime uploads.py)."""
    shapes = {p.wire: p.file for p in body.parts if p.file}
    out = []
    for f, p in zip(body.fields, params, strict=True):
        shape = shapes.get(f.wire)
        if shape:
            fixed = _FILE_ANNOTATIONS.get(shape)
            annotation = fixed or "FileTypes | " + types.parameter_code(f.type).text
            # a file-only field no longer names its schema's type: only what the annotation uses
            uses = (() if fixed else p.uses) + (("Sequence",) if "Sequence[" in annotation else ())
            p = replace(p, annotation=annotation if f.required else or_unset(annotation), uses=uses)
        out.append(p)
    return tuple(out)


def _body_wrap(body: ir.Body | None) -> tuple[str, tuple[str, ...]]:
    """The runtime class that encodes a non-JSON body, and its arguments after the fields."""
    if body is None or body.kind == "json":
        return "", ()
    if body.kind in ("binary", "text"):
        return "_u.Raw", (literal(body.media),)
    default = ("form", True) if body.kind == "form" else ("", True)
    entries = [
        f"{literal(p.wire)}: ({literal(p.content_type)}, {literal(p.style)}, {literal(p.explode)})"
        for p in body.parts
        if p.content_type or (p.style, p.explode) != default
    ]
    extra = ["{" + ", ".join(entries) + "}"] if entries else []
    files = [literal(p.wire) for p in body.parts if p.file in ("one", "many", "one_or_many")]
    if files:
        extra.append("files=(" + ", ".join(files) + ("," if len(files) == 1 else "") + ")")
    return ("_u.Multipart" if body.kind == "multipart" else "_u.Urlencoded"), tuple(extra)


# response kinds that are not JSON: (return annotation, decoder of the httpx.Response)
_UNDECODED = {
    "binary": ("_b.BinaryResponse", "_b.binary"),
    "text": ("str", "_b.text"),
    "empty": ("None", "_b.nothing"),
    "events": ("None", ""),
}


def _events(op: ir.Operation, types: Types, keyword: tuple[ParamView, ...]) -> dict[str, Any]:
    """The event-stream facts of a method: its event decoder and type, and the overloads of its flag."""
    if op.events is None:
        return {}
    # the argument of the flag (a multipart body's fields may not be arguments: no overloads then)
    flag = next((p.attr for p in keyword if op.events.flag and p.wire == literal(op.events.flag)), "")
    out: dict[str, Any] = {
        "events": types.qualified("_t.").decoder(op.events.event),
        "event_type": types.annotation(op.events.event),
        "stream_flag": flag,
    }
    if flag:

        def variant(annotate: Callable[[str], str], required: bool) -> tuple[ParamView, ...]:
            return tuple(
                replace(p, annotation=annotate(p.annotation), default="" if required else p.default)
                if p.attr == flag
                else p
                for p in keyword
            )

        value = op.events.flag_value
        if value is True:
            out["overloads"] = (
                ("json", variant(lambda a: re.sub(r"\bbool\b", "Literal[False]", a), False)),
                ("stream", variant(lambda a: "Literal[True]", True)),
                ("either", variant(lambda a: "bool", True)),
            )
            return out
        # an enum flag: its other values (or their members) give the other response, `value` the stream
        field = next((f for f in op.body.fields if f.wire == op.events.flag), None) if op.body else None
        resolved = types.resolve(field.type) if field else None
        enum = types.defs.get(resolved.name) if isinstance(resolved, ir.Ref) else None
        if not isinstance(enum, ir.Enum):
            return {**out, "stream_flag": ""}

        def literal_of(values: list[str]) -> str:
            return (
                "Literal["
                + ", ".join(
                    [literal(v) for v in values] + [f"{enum.name}.{m.attr}" for m in enum.members if m.value in values]
                )
                + "]"
            )

        others = [m.value for m in enum.members if m.value != value]

        def rest(a: str) -> str:  # what the annotation admits besides the enum: ` | Unset`, ` | None`
            return "".join(" | " + m for m in a.split(" | ") if m not in (enum.name, "str"))

        out["overloads"] = (
            ("json", variant(lambda a: literal_of(others) + rest(a), False)),
            ("stream", variant(lambda a: literal_of([str(value)]), True)),
            ("either", variant(lambda a: a.replace(" | Unset", ""), True)),
        )
    return out


def _security(op: ir.Operation) -> str:
    """`(("A",), ("B", "C"))`: A, or else B and C together; `()` in it means none is also fine."""
    if not op.security:
        return ""

    def tuple_(items: list[str]) -> str:  # as black writes it: a trailing comma only for one item
        return "(" + items[0] + ",)" if len(items) == 1 else "(" + ", ".join(items) + ")"  # () when empty

    return tuple_([tuple_([literal(n) for n in alt]) for alt in op.security])


def _args_of(schemes: dict[str, ir.SecurityScheme], name: str) -> str:
    scheme = schemes[name]
    return " + ".join(f"`{a}`" for a in scheme.args) + (f" (or `{scheme.provider}`)" if scheme.provider else "")


def _call(op: ir.Operation, keyword: list[ParamView]) -> str:
    if any(not p.default for p in keyword if p.attr not in {q.attr for q in op.path_params}):
        return ""
    args = [sample(p) for p in op.path_params if p.positional]
    args += [f"{p.attr}={sample(p)}" for p in op.path_params if not p.positional]
    return f"client.{'.'.join(op.resource)}.{op.method_name}({', '.join(args)})"
