"""IR types -> Python type annotations and decode/encode expressions, for the plan stage.

Every string of Python that reaches a template is made here or in `plan`, from IR values
that were already validated and named; spec text only ever enters through `literal` and
`docstring`, which escape it.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass

from . import ir

_PRIM = {"str": "str", "int": "int", "float": "float", "bool": "bool"}
_CHECK = {"str": "_r.string", "int": "_r.integer", "float": "_r.number", "bool": "_r.boolean"}


@dataclass(frozen=True)
class Code:
    """Python text (an annotation or expression) with the names it uses, so that plan decides
    imports and alias order from these facts instead of reading the text again.

    `refs`: generated names it uses unqualified (definitions, union decoder functions), in the
    order they appear; `typing`: names it needs from `typing` / `collections.abc` (Any, Literal,
    Mapping, Sequence); `members`: an annotation's top-level union members (`A | B` -> ("A", "B")),
    else (text,); `modules`: the modules an expression reaches through an alias (`_r`, the models
    runtime; `_t`, the types package when qualified by it).
    """

    text: str
    refs: tuple[str, ...] = ()
    typing: frozenset[str] = frozenset()
    members: tuple[str, ...] = ()
    modules: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        if not self.members:
            object.__setattr__(self, "members", (self.text,))


def uses(text: str, *parts: Code, modules: frozenset[str] = frozenset()) -> Code:
    """`text`, built from `parts` (and reaching `modules` itself), with the names they use."""
    if len(parts) == 1:  # the common case: one inner part
        part = parts[0]
        refs = part.refs if len(part.refs) < 2 else tuple(dict.fromkeys(part.refs))
        return Code(text, refs, part.typing, modules=part.modules | modules if modules else part.modules)
    refs = tuple(dict.fromkeys(name for p in parts for name in p.refs))
    modules = modules.union(*(p.modules for p in parts))
    return Code(text, refs, frozenset().union(*(p.typing for p in parts)), modules=modules)


def union(parts: Iterable[Code]) -> Code:
    """`A | B | ...` of annotations; `None` once and last (ruff's RUF036), wherever an arm had it."""
    parts = tuple(parts)
    members = [m for p in parts for m in p.members]
    members = [m for m in members if m != "None"] + (["None"] if "None" in members else [])
    joined = uses(" | ".join(members), *parts)
    return Code(joined.text, joined.refs, joined.typing, tuple(members), joined.modules)


def or_unset(annotation: str) -> str:
    """An optional argument's or field's annotation: `X | Unset`, with a `| None` kept last."""
    if annotation.endswith(" | None"):
        return annotation.removesuffix(" | None") + " | Unset | None"
    return annotation + " | Unset"


_NONE = Code("None")
_R = frozenset({"_r"})
_MAPPING = Code("Mapping[str, Any]", typing=frozenset({"Mapping", "Any"}))
_SEQUENCE = Code("Sequence[Any]", typing=frozenset({"Sequence", "Any"}))


def literal(value: object) -> str:
    """A Python literal for a JSON scalar; strings double-quoted as black writes them."""
    if isinstance(value, str):
        if value.isascii() and value.isprintable() and '"' not in value and "\\" not in value:
            return '"' + value + '"'  # what the general case below gives such a string, without json
        text = json.dumps(value, ensure_ascii=False)  # JSON's escapes are Python's too
        if not text.isprintable():
            # a lone surrogate (JSON can hold one) cannot be written to a UTF-8 file: escape it
            # alone (ensure_ascii would also turn an emoji into two of them); and keep
            # line separators out of the source text
            text = "".join(
                f"\\u{ord(c):04x}" if 0xD800 <= ord(c) <= 0xDFFF or c in "\u2028\u2029\x85" else c for c in text
            )
        if value.count('"') > value.count("'"):
            return _single_quoted(text)  # as black does: the quotes that need fewer escapes
        return text
    if value is None:
        return "None"
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        return "float(" + json.dumps(str(value)) + ")"
    if isinstance(value, float):
        return repr(value).replace("e+", "e")  # black writes 1e100, not 1e+100
    return repr(value)


def _single_quoted(double_quoted: str) -> str:
    """A double-quoted literal (JSON's escapes) rewritten with single quotes."""
    out = ["'"]
    i, body = 0, double_quoted[1:-1]
    while i < len(body):
        char = body[i]
        if char == "\\":
            pair = body[i : i + 2]
            out.append('"' if pair == '\\"' else pair)
            i += 2
            continue
        out.append("\\'" if char == "'" else char)
        i += 1
    out.append("'")
    return "".join(out)


def docstring(text: str) -> str:
    """Spec prose as the inside of a triple-quoted docstring: it can never end the string.

    Control characters become escapes; a lone surrogate (JSON can hold one) is shown as the
    text `\\udXXX`, since a class whose docstring holds one cannot even be created.
    """
    body = _as_black_keeps_it(_ESCAPED.sub(_escape, text.replace("\r\n", "\n").replace("\r", "\n")).strip().split("\n"))
    # A run of quotes ends the string if it is three long, or if it touches the closing `"""`:
    # those runs are escaped whole (a backslash before one quote of `\"""` would not do).
    body = _QUOTES.sub(
        lambda m: m.group().replace('"', '\\"') if len(m.group()) >= 3 or m.end() == len(body) else m.group(), body
    )
    # black pads a docstring that starts or ends with a quote with a space: start with an
    # escaped quote instead, and end with `\x22` (the same character), so it has nothing to do
    if body.startswith('"'):
        body = "\\" + body
    if body.endswith('\\"'):
        body = body[:-2] + "\\x22"
    return body


_QUOTES = re.compile('"+')
# what a docstring cannot hold as it is: backslashes, control characters but line breaks and
# tabs, DEL, the line separators Python splits lines at, and lone surrogates
_ESCAPED = re.compile("[\\\\\x00-\x08\x0b-\x1f\x7f\x85\u2028\u2029\ud800-\udfff]")


def _escape(match: re.Match[str]) -> str:
    ch = match.group()
    if ch == "\\":
        return "\\\\"
    if 0xD800 <= ord(ch) <= 0xDFFF:
        return f"\\\\u{ord(ch):04x}"
    return f"\\x{ord(ch):02x}" if ord(ch) < 256 else f"\\u{ord(ch):04x}"


def _as_black_keeps_it(lines: list[str]) -> str:
    """Docstring lines as black leaves them, so that black need not run on them: trailing
    blanks dropped, leading tabs expanded, and the lines after the first dedented by their
    common indentation (templates indent them to the docstring's own)."""
    if len(lines) == 1:
        return lines[0].strip()
    lines = [line.rstrip() for line in lines]
    lines = [_expand_leading_tabs(line) for line in lines]
    margin = min((len(line) - len(line.lstrip()) for line in lines[1:] if line), default=0)
    return "\n".join([lines[0].strip()] + [line[margin:] for line in lines[1:]])


def _expand_leading_tabs(line: str) -> str:
    body = line.lstrip(" \t")
    return line[: len(line) - len(body)].expandtabs() + body if "\t" in line[: len(line) - len(body)] else line


class Types:
    """Resolves refs through aliases and names the decoder of each definition."""

    def __init__(self, api: ir.Api, decoders: dict[str, str], qualifier: str = "") -> None:
        self.defs = api.index()
        self.decoders = decoders  # union name -> decoder function name
        self.qualifier = qualifier  # put before every generated name a decoder uses, e.g. "_t."

    def qualified(self, qualifier: str) -> Types:
        other = copy.copy(self)
        other.qualifier = qualifier
        return other

    def resolve(self, t: ir.TypeRef, depth: int = 0) -> ir.TypeRef:
        """Through aliases to what decodes; a nullable of a nullable alias is one nullable."""
        if isinstance(t, ir.Nullable):
            inner = self.resolve(t.inner, depth)
            return inner if isinstance(inner, ir.Nullable) else ir.Nullable(inner)
        while isinstance(t, ir.Ref) and depth < 50:
            d = self.defs.get(t.name)
            if not isinstance(d, ir.Alias):
                return t
            t, depth = d.target, depth + 1
        if isinstance(t, ir.Nullable) and depth < 50:
            return self.resolve(t, depth)
        return t if depth < 50 else ir.AnyType()

    def is_enum(self, t: ir.TypeRef) -> bool:
        return isinstance(t, ir.Ref) and isinstance(self.defs.get(t.name), ir.Enum)

    def has_models(self, t: ir.TypeRef, seen: frozenset[str] = frozenset()) -> bool:
        t = self.resolve(t)
        if isinstance(t, ir.Ref):
            d = self.defs.get(t.name)
            if isinstance(d, ir.KindUnion):
                return t.name not in seen and any(self.has_models(a.type, seen | {t.name}) for a in d.arms)
            return not isinstance(d, ir.Enum)
        if isinstance(t, ir.ListOf):
            return self.has_models(t.item, seen)
        if isinstance(t, ir.MapOf):
            return self.has_models(t.value, seen)
        if isinstance(t, ir.Nullable):
            return self.has_models(t.inner, seen)
        return False

    # ---- annotations ---------------------------------------------------------------------
    def annotation(self, t: ir.TypeRef) -> str:
        """PEP 604 annotation (modules use `from __future__ import annotations`)."""
        return self.annotated(t).text

    def annotated(self, t: ir.TypeRef) -> Code:
        """`annotation` with the names it uses."""
        if isinstance(t, ir.Prim):
            return Code(_PRIM[t.kind])
        if isinstance(t, ir.AnyType):
            return Code("Any", typing=frozenset({"Any"}))
        if isinstance(t, ir.Const):
            return Code(f"Literal[{literal(t.value)}]", typing=frozenset({"Literal"}))
        if isinstance(t, ir.ListOf):
            item = self.annotated(t.item)
            return uses(f"list[{item.text}]", item)
        if isinstance(t, ir.MapOf):
            value = self.annotated(t.value)
            return uses(f"dict[str, {value.text}]", value)
        if isinstance(t, ir.Nullable):
            return union((self.annotated(t.inner), _NONE))
        named = Code(t.name, (t.name,))
        return union((named, Code("str"))) if self.is_enum(t) else named

    def parameter(self, t: ir.TypeRef) -> str:
        """What a request argument accepts: models or plain mappings, any sequence for lists."""
        return self.parameter_code(t).text

    def parameter_code(self, t: ir.TypeRef) -> Code:
        """`parameter` with the names it uses."""
        t = self.resolve(t)
        if isinstance(t, ir.ListOf):
            item = self.parameter_code(t.item)
            return Code(f"Sequence[{item.text}]", item.refs, item.typing | {"Sequence"})
        if isinstance(t, ir.MapOf):
            value = self.parameter_code(t.value)
            return Code(f"Mapping[str, {value.text}]", value.refs, value.typing | {"Mapping"})
        if isinstance(t, ir.Nullable):
            return union((self.parameter_code(t.inner), _NONE))
        if isinstance(t, ir.Ref) and not self.is_enum(t):
            d = self.defs.get(t.name)
            named = Code(t.name, (t.name,))
            if isinstance(d, (ir.Model, ir.TaggedUnion)):
                return union((named, _MAPPING))
            if isinstance(d, ir.KindUnion):
                return union((named, _MAPPING, _SEQUENCE))
        return self.annotated(t)

    # ---- decoding ------------------------------------------------------------------------
    def decode(self, t: ir.TypeRef, value: str) -> str:
        """An expression decoding the JSON `value` (a simple name or subscript) into `t`."""
        return self.decode_code(t, value).text

    def decode_code(self, t: ir.TypeRef, value: str) -> Code:
        """`decode` with the names it uses."""
        t = self.resolve(t)
        # hot scalars are checked inline; the runtime check runs (and raises) only on a mismatch
        if isinstance(t, ir.Prim) and t.kind in ("str", "int", "bool", "float"):
            name, bound = (value, value) if value.isidentifier() else ("v", f"(v := {value})")
            return Code(f"{name} if {bound}.__class__ is {t.kind} else {_CHECK[t.kind]}({name})", modules=_R)
        if isinstance(t, ir.Prim):
            return Code(f"{_CHECK[t.kind]}({value})", modules=_R)
        if isinstance(t, ir.AnyType):
            return Code(value)
        if isinstance(t, ir.Const):
            return Code(f"_r.const({value}, {literal(t.value)})", modules=_R)
        if isinstance(t, ir.ListOf):
            item = self.resolve(t.item)
            if isinstance(item, ir.AnyType):
                return Code(f"_r.array({value})", modules=_R)
            item_decoder = self.decoder_code(item)
            return uses(f"_r.list_of({value}, {item_decoder.text})", item_decoder, modules=_R)
        if isinstance(t, ir.MapOf):
            inner = self.resolve(t.value)
            if isinstance(inner, ir.AnyType):
                return Code(f"_r.obj({value})", modules=_R)
            value_decoder = self.decoder_code(inner)
            return uses(f"_r.map_of({value}, {value_decoder.text})", value_decoder, modules=_R)
        if isinstance(t, ir.Nullable):
            inner_decoder = self.decoder_code(t.inner)
            return uses(f"_r.nullable({inner_decoder.text})({value})", inner_decoder, modules=_R)
        decoder = self.decoder_code(t)
        return uses(f"{decoder.text}({value})", decoder)

    def decoder(self, t: ir.TypeRef) -> str:
        """A callable decoding one JSON value into `t`."""
        return self.decoder_code(t).text

    def decoder_code(self, t: ir.TypeRef) -> Code:
        """`decoder` with the names it uses (none when qualified: they are attributes of the qualifier)."""
        t = self.resolve(t)
        if isinstance(t, ir.Prim):
            return Code(_CHECK[t.kind], modules=_R)
        if isinstance(t, ir.AnyType):
            return Code("_r.identity", modules=_R)
        if isinstance(t, ir.Const):
            return Code(f"_r.consts({literal(t.value)})", modules=_R)
        if isinstance(t, (ir.ListOf, ir.MapOf, ir.Nullable)):
            inner = self.decoder_code(
                t.item if isinstance(t, ir.ListOf) else t.value if isinstance(t, ir.MapOf) else t.inner
            )
            wrapper = (
                "_r.lists" if isinstance(t, ir.ListOf) else "_r.maps" if isinstance(t, ir.MapOf) else "_r.nullable"
            )
            return uses(f"{wrapper}({inner.text})", inner, modules=_R)
        d = self.defs.get(t.name)
        name = t.name if isinstance(d, (ir.Enum, ir.Model)) else self.decoders[t.name]
        text = (
            self.qualifier
            + name
            + (".decode" if isinstance(d, ir.Enum) else ".from_dict" if isinstance(d, ir.Model) else "")
        )
        qualified = frozenset({self.qualifier.removesuffix(".")}) if self.qualifier else frozenset()
        return Code(text, () if self.qualifier else (name,), modules=qualified)

    # ---- encoding ------------------------------------------------------------------------
    def encode(self, t: ir.TypeRef, value: str) -> str:
        """An expression giving the JSON form of `value` (an attribute access) of type `t`."""
        t = self.resolve(t)
        if isinstance(t, ir.Nullable):
            inner = self.encode(t.inner, value)
            return value if inner == value else f"None if {value} is None else {inner}"
        if not self.has_models(t):
            if isinstance(t, ir.ListOf):
                return f"list({value})"
            if isinstance(t, ir.MapOf):
                return f"dict({value})"
            return value
        if isinstance(t, ir.ListOf):
            return f"[{self.encode(t.item, 'x')} for x in {value}]" if self._simple(t.item) else f"_r.encode({value})"
        if isinstance(t, ir.MapOf):
            return (
                f"{{k: {self.encode(t.value, 'x')} for k, x in {value}.items()}}"
                if self._simple(t.value)
                else f"_r.encode({value})"
            )
        if isinstance(t, ir.Ref) and isinstance(self.defs.get(t.name), (ir.Model, ir.TaggedUnion)):
            return f"{value}.to_dict()"
        return f"_r.encode({value})"

    def encodes_model_collection(self, t: ir.TypeRef) -> bool:
        """Whether `encode` writes `t` as a list or map built by calling `to_dict()` on each model."""
        t = self.resolve(t)
        if isinstance(t, ir.Nullable):
            return self.encodes_model_collection(t.inner)
        if isinstance(t, ir.ListOf):
            return self.has_models(t) and self._simple(t.item)
        return isinstance(t, ir.MapOf) and self.has_models(t) and self._simple(t.value)

    def _simple(self, t: ir.TypeRef) -> bool:
        t = self.resolve(t)
        return isinstance(t, ir.Ref) and isinstance(self.defs.get(t.name), (ir.Model, ir.TaggedUnion))
