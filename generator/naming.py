"""Spec names -> valid, unique, readable Python names. Every rule lives here."""

from __future__ import annotations

import functools
import keyword
import re
import unicodedata
from typing import Any

# The runtime's names that resource modules and the client import unqualified, and the builtin
# classes the generated code names: neither a type nor a resource class may take them (they would
# hide those, or be hidden by them)
RUNTIME_IMPORTS = frozenset(
    {
        "RawResponse",
        "RequestOptions",
        "Timeout",
        "Styled",
        "AsyncPager",
        "Paging",
        *(
            flavor + kind
            for flavor in ("Sync", "Async")
            for kind in (
                "Page",
                "CursorPage",
                "ConversationCursorPage",
                "NextCursorPage",
                "OffsetPage",
                "PageNumberPage",
                "NextURLPage",
                "LinkHeaderPage",
            )
        ),
        "SyncAPIClient",
        "AsyncAPIClient",
        "ClientConfig",
        "FileTypes",
        "Scheme",
        "EMPTY",
        "Exception",
        "AttributeError",
    }
)
# Names the generated modules import or define themselves: a schema may not take them.
RESERVED_CLASSES = frozenset(
    {
        "Any",
        "Literal",
        "Union",
        "Optional",
        "Mapping",
        "Sequence",
        "Iterable",
        "Callable",
        "TypeAlias",
        "dataclass",
        "field",
        "Enum",
        "UNSET",
        "Unset",
        "Model",
        "Self",
        "Client",
        "AsyncClient",
        "DecodeError",
        "annotations",
        "None",
        "True",
        "False",
        *RUNTIME_IMPORTS,
    }
)
# Attributes every generated model has, and names its annotations and __init__ rely on.
RESERVED_ATTRS = frozenset(
    {
        "extra",
        "from_dict",
        "to_dict",
        "self",
        "str",
        "int",
        "float",
        "bool",
        "list",
        "dict",
        "Any",
        "Literal",
        "Mapping",
        "Unset",
        "UNSET",
        "EMPTY",
        "None",
        "True",
        "False",
    }
)
_WORDS = re.compile(r"[A-Z]+(?=[A-Z][a-z0-9])|[A-Z]?[a-z0-9]+|[A-Z]+|[0-9]+")
_PASCAL_WORDS = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+[0-9]*|[A-Z]+[0-9]*|[0-9]+")
# Spec names can be any length; Python names (and the module files named after them) are cut
# here, well below the 255 bytes a file name may have. Namespace makes cut names unique.
MAX_NAME = 64


def _cut(name: str) -> str:
    """A name over MAX_NAME loses whole words: repeated runs first (`InputMessagesInputMessages`),
    then words after the first two, so that the name's start and its most specific end stay."""
    if len(name) <= MAX_NAME:
        return name
    snake_case = "_" in name or name.islower()
    parts = [w for w in name.split("_") if w] if snake_case else _PASCAL_WORDS.findall(name)
    if not parts or "".join(parts) != name.replace("_", ""):
        return _at_word_end(name)
    parts = _without_repeats(parts)
    joiner = "_" if snake_case else ""
    while len(parts) > 3 and len(joiner.join(parts)) > MAX_NAME:
        del parts[2]
    out = joiner.join(parts)
    return out if len(out) <= MAX_NAME else _at_word_end(out)


def _at_word_end(name: str) -> str:
    """The longest start of `name` within MAX_NAME that ends where a word does, not mid-word."""
    ends = [m.end() for m in re.finditer(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+", name)]
    end = max((e for e in ends if e <= MAX_NAME), default=MAX_NAME)
    return name[:end].rstrip("_")


def _without_repeats(parts: list[str]) -> list[str]:
    """Drop a run of words that repeats the run just before it: A B A B C -> A B C."""
    for size in (3, 2, 1):
        i = 0
        while i + 2 * size <= len(parts):
            if [w.lower() for w in parts[i : i + size]] == [w.lower() for w in parts[i + size : i + 2 * size]]:
                del parts[i + size : i + 2 * size]
            else:
                i += 1
    return parts


_NON_ALNUM = re.compile(r"[^0-9A-Za-z]+")
# The names below are pure functions of a string, asked again and again for the same ones (a
# whole spec: 6,700 `pascal` calls for 3,300 texts, 6,500 `attribute` calls for 770 keys).
_remembered = functools.lru_cache(maxsize=1 << 16)


def ascii_fold(text: str) -> str:
    if text.isascii():
        return text  # what NFKD and dropping non-ASCII leave of ASCII text
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def words(text: str) -> list[str]:
    return _WORDS.findall(ascii_fold(text).replace("'", ""))


@_remembered
def pascal(text: str) -> str:
    """`MessagePhase-2` -> `MessagePhase2`, `mcp_list tools` -> `McpListTools`; keeps `MCPTool`."""
    parts = _NON_ALNUM.split(ascii_fold(text))
    name = "".join(p[:1].upper() + p[1:] for p in parts if p)
    if not name:
        name = "Model"
    if name[0].isdigit():
        name = "Model" + name
    name = _cut(name)
    if name in RESERVED_CLASSES or keyword.iskeyword(name):
        name += "Model"
    return name


@_remembered
def pascal_part(text: str) -> str:
    """A piece of a longer class name (`model` -> `Model`): `pascal` applies its checks to the
    whole name, so that a field `model` of `Tool` gives `ToolModel`, not `ToolModelModel`."""
    return "".join(p[:1].upper() + p[1:] for p in _NON_ALNUM.split(ascii_fold(text)) if p)


@_remembered
def snake(text: str, cut: bool = True) -> str:
    """`MCPListTools` -> `mcp_list_tools`, `ConversationItem` -> `conversation_item`; over
    MAX_NAME, words are cut unless `cut` is false (where the cut would make two names one)."""
    name = "_".join(w.lower() for w in words(text)) or "x"
    if cut:
        name = _cut(name)
    if name[0].isdigit():
        name = "m_" + name
    if keyword.iskeyword(name) or keyword.issoftkeyword(name):
        name += "_"
    return name


@_remembered
def attribute(wire: str) -> str:
    """A JSON key as a Python attribute: kept as is where valid, else made valid."""
    if wire.isidentifier() and wire.isascii() and not wire.startswith("__"):
        name = wire
    else:
        name = re.sub(r"[^0-9A-Za-z_]+", "_", ascii_fold(wire)).strip("_") or "field"
        if name[0].isdigit():
            name = "f_" + name
    name = _cut(name)
    if keyword.iskeyword(name) or keyword.issoftkeyword(name) or name in RESERVED_ATTRS:
        name += "_"
    return name


def parameter(wire: str) -> str:
    """Like `attribute`, but also avoids shadowing builtins used inside generated methods."""
    name = attribute(wire)
    if name in ("self", "cls", "options", "timeout", "extra_headers", "extra_query", "extra_body", "body"):
        name += "_"
    return name


def member(value: object) -> str:
    """An enum value as an UPPER_SNAKE member name."""
    text = str(value)
    name = _cut("_".join(w.upper() for w in words(text)))
    if not name:
        name = "EMPTY" if text == "" else "VALUE"
    if name[0].isdigit():
        name = "V" + name
    return name


class Namespace:
    """Hands out unique names; the second `Foo` becomes `Foo2`, and the caller is told."""

    def __init__(self, taken: frozenset[str] = frozenset(), separator: str = "") -> None:
        self._taken: set[str] = set(taken)
        self._sep = separator

    def free(self, name: str) -> bool:
        return name not in self._taken

    def claim(self, name: str) -> tuple[str, bool]:
        if name not in self._taken:
            self._taken.add(name)
            return name, False
        n = 2
        while f"{name}{self._sep}{n}" in self._taken:
            n += 1
        unique = f"{name}{self._sep}{n}"
        self._taken.add(unique)
        return unique, True


def unshadow_fields(definitions: dict[str, Any], diags: list[Any]) -> dict[str, Any]:
    """A model field named like a type (`Item: Item`) would hide that type in the class body
    for the annotations after it: such fields get a `_` suffix (W306)."""
    from dataclasses import replace

    from . import ir
    from .diagnostics import Diagnostic

    out = dict(definitions)
    for name, d in definitions.items():
        if not isinstance(d, ir.Model) or not any(f.attr in definitions for f in d.fields):
            continue
        used = {f.attr for f in d.fields}
        fields = []
        for f in d.fields:
            if f.attr in definitions:
                new = f.attr + "_"
                while new in used or new in definitions:
                    new += "_"
                used.add(new)
                diags.append(
                    Diagnostic(
                        "W306",
                        f"property {f.wire!r} of {name} is attribute {new!r}: {f.attr} is a type's name",
                        f"{d.pointer}/properties/{f.wire.replace('~', '~0').replace('/', '~1')}",
                    )
                )
                f = replace(f, attr=new)
            fields.append(f)
        out[name] = replace(d, fields=tuple(fields))
    return out
