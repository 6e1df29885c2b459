"""The intermediate model: what the client is, with every name settled.

Frozen dataclasses and tuples only; no spec dicts, no Jinja, no Python source. Built by
`build.build`, turned into render contexts by `plan.plan`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Union

JsonScalar = Union[str, int, float, bool, None]


# ---- types -------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Prim:
    kind: Literal["str", "int", "float", "bool"]
    format: str = ""


@dataclass(frozen=True, slots=True)
class AnyType:
    pass


@dataclass(frozen=True, slots=True)
class Ref:
    """A named definition (model, enum, union or alias) by its Python class name."""

    name: str


@dataclass(frozen=True, slots=True)
class ListOf:
    item: TypeRef


@dataclass(frozen=True, slots=True)
class MapOf:
    value: TypeRef


@dataclass(frozen=True, slots=True)
class Const:
    value: str | int | float | bool


@dataclass(frozen=True, slots=True)
class Nullable:
    inner: TypeRef


TypeRef = Union[Prim, AnyType, Ref, ListOf, MapOf, Const, Nullable]


def ref_names(t: TypeRef) -> set[str]:
    """The definitions a type names directly (through lists, maps and nullables)."""
    while isinstance(t, (ListOf, MapOf, Nullable)):
        t = t.item if isinstance(t, ListOf) else t.value if isinstance(t, MapOf) else t.inner
    return {t.name} if isinstance(t, Ref) else set()


# ---- definitions -------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Field:
    wire: str  # the JSON key
    attr: str  # the Python attribute
    type: TypeRef
    required: bool
    description: str = ""
    default: JsonScalar = None
    has_default: bool = False
    deprecated: bool = False


@dataclass(frozen=True, slots=True)
class Model:
    name: str
    module: str
    pointer: str
    description: str
    fields: tuple[Field, ...]


@dataclass(frozen=True, slots=True)
class EnumMember:
    attr: str
    value: str


@dataclass(frozen=True, slots=True)
class Enum:
    name: str
    module: str
    pointer: str
    description: str
    members: tuple[EnumMember, ...]


@dataclass(frozen=True, slots=True)
class Case:
    """One tag value and the variants it may mean, most specific first."""

    tag: str
    variants: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Variant:
    name: str  # a Model's class name
    required: tuple[str, ...]  # wire keys the variant requires, to choose among shared tags


@dataclass(frozen=True, slots=True)
class TaggedUnion:
    """Object variants told apart by the value of `prop` (a dict lookup at run time).

    `untagged` lists the variants that may appear without the tag (most specific first);
    with `prop` empty every variant is untagged and the required keys decide.
    """

    name: str
    module: str
    pointer: str
    description: str
    prop: str
    variants: tuple[Variant, ...]
    cases: tuple[Case, ...]
    untagged: tuple[str, ...]
    unknown: str  # class name of the variant that keeps data with an unknown tag


@dataclass(frozen=True, slots=True)
class Arm:
    kind: Literal["str", "int", "float", "bool", "list", "dict"]
    type: TypeRef


@dataclass(frozen=True, slots=True)
class KindUnion:
    """Variants told apart by JSON kind (string, number, array, object, ...)."""

    name: str
    module: str
    pointer: str
    description: str
    arms: tuple[Arm, ...]


@dataclass(frozen=True, slots=True)
class Alias:
    name: str
    module: str
    pointer: str
    description: str
    target: TypeRef


Definition = Union[Model, Enum, TaggedUnion, KindUnion, Alias]


# ---- operations --------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Param:
    wire: str
    attr: str
    type: TypeRef
    required: bool
    description: str = ""
    positional: bool = False


@dataclass(frozen=True, slots=True)
class Body:
    """A JSON request body: object properties become keyword arguments, anything else `body`."""

    fields: tuple[Field, ...]
    type: TypeRef
    required: bool
    flattened: bool


@dataclass(frozen=True, slots=True)
class CursorPage:
    """The list-with-cursor shape: `items_field` holds a page, `cursor_field` feeds `param`."""

    item: TypeRef
    items_field: str
    has_more_field: str
    cursor_field: str
    param: str


@dataclass(frozen=True, slots=True)
class SecurityScheme:
    """A way to authenticate that the client can send, from `components.securitySchemes`.

    `kind` says where the credential goes: "bearer" and "basic" in the Authorization header,
    "header", "query" and "cookie" under `wire` (an API key). `args` are the client's
    constructor arguments holding it: one token, or (username, password) for basic; `provider`
    is the argument of a callable that returns a fresh token (OAuth 2 and OpenID Connect).
    """

    name: str  # the key under components.securitySchemes
    pointer: str
    kind: Literal["bearer", "basic", "header", "query", "cookie"]
    wire: str
    args: tuple[str, ...]
    provider: str = ""
    description: str = ""
    spec_type: str = ""  # the spec's description of the scheme, e.g. "HTTP bearer", "OAuth 2"


@dataclass(frozen=True, slots=True)
class ErrorResponse:
    """A documented error response: `status` is "404", "4XX" or "default"."""

    status: str
    type: TypeRef


@dataclass(frozen=True, slots=True)
class Operation:
    operation_id: str
    resource: tuple[str, ...]  # attribute path on the client, e.g. ("conversations", "items")
    method_name: str
    http_method: str
    path: str
    pointer: str
    summary: str
    description: str
    path_params: tuple[Param, ...]
    query_params: tuple[Param, ...]
    body: Body | None
    response: TypeRef | None
    page: CursorPage | None
    deprecated: bool = False
    example: str = ""  # a Python example from the spec, rewritten for this client
    # alternatives of scheme names, first preferred; an empty alternative makes credentials optional
    security: tuple[tuple[str, ...], ...] = ()
    errors: tuple[ErrorResponse, ...] = ()


@dataclass(frozen=True, slots=True)
class Api:
    title: str
    version: str
    description: str
    server_url: str
    definitions: tuple[Definition, ...]  # sorted by module, then name
    operations: tuple[Operation, ...]  # sorted by resource, then method name
    modules: tuple[str, ...]  # type modules, sorted
    security_schemes: tuple[SecurityScheme, ...] = ()  # those the operations use, sorted by name

    def index(self) -> dict[str, Definition]:
        return {d.name: d for d in self.definitions}
