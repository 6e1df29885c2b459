"""The intermediate model: what the client is, with every name settled.

Frozen dataclasses and tuples only; no spec dicts, no Jinja, no Python source. Built by
`build.build`, turned into render contexts by `plan.plan`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

JsonScalar = str | int | float | bool | None


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


TypeRef = Prim | AnyType | Ref | ListOf | MapOf | Const | Nullable


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


Definition = Model | Enum | TaggedUnion | KindUnion | Alias


def references(d: Definition) -> set[str]:
    """The definitions `d` names directly."""
    if isinstance(d, Model):
        return set().union(*(ref_names(f.type) for f in d.fields))
    if isinstance(d, TaggedUnion):
        return {v.name for v in d.variants}
    if isinstance(d, KindUnion):
        return set().union(*(ref_names(a.type) for a in d.arms))
    if isinstance(d, Alias):
        return ref_names(d.target)
    return set()


# ---- operations --------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Param:
    wire: str
    attr: str
    type: TypeRef
    required: bool
    description: str = ""
    positional: bool = False
    # how the value is written (OpenAPI `style`/`explode`, settled with the location's defaults):
    # simple | label | matrix (path), form | spaceDelimited | pipeDelimited | deepObject (query),
    # simple (header), form (cookie); "json" for a value JSON-encoded as a whole (`content`)
    location: Literal["path", "query", "header", "cookie"] = "query"
    style: str = "form"
    explode: bool = True
    allow_reserved: bool = False


@dataclass(frozen=True, slots=True)
class Part:
    """How one field of a form body (multipart or urlencoded) goes on the wire: the spec's
    `encoding` entry for it, and whether it holds files."""

    wire: str
    content_type: str = ""  # from `encoding` (else the property's contentMediaType); "" when the value decides
    style: str = ""  # "" when the client's array_format convention applies
    explode: bool = True
    file: Literal["", "one", "many", "one_or_many", "mixed"] = ""  # "mixed": a file or another kind


BodyKind = Literal["json", "multipart", "form", "binary", "text"]


@dataclass(frozen=True, slots=True)
class Body:
    """A request body. JSON, multipart and form bodies of an object schema are flattened:
    its properties become keyword arguments; anything else is one argument `body` (bytes or a
    file for `binary`, a string for `text`)."""

    fields: tuple[Field, ...]
    type: TypeRef
    required: bool
    flattened: bool
    kind: BodyKind = "json"
    media: str = "application/json"  # the media type sent (Content-Type; multipart adds its boundary)
    parts: tuple[Part, ...] = ()  # multipart/form: one per field, in field order


# How a list operation's pages link up (README: Pagination; generator/paging.py)
PagingKind = Literal["page", "cursor", "item_cursor", "offset", "page_number", "next_url", "link_header"]


@dataclass(frozen=True, slots=True)
class Pagination:
    """A list operation's pages: names are the spec's (JSON keys, query parameter names).

    `field` is the response's JSON path (dotted) of the cursor (`cursor`) or the next URL
    (`next_url`), or the key of an item whose last value is the cursor (`item_cursor`);
    `param` the query parameter that takes the cursor, offset or page number.
    """

    kind: PagingKind
    page_class: str  # the runtime's page class less its Sync/Async prefix, e.g. "CursorPage"
    item: TypeRef
    items_field: str  # the JSON key of the items in the response; "" when the response is the list
    items_attr: str  # the response model's attribute for them
    field: str = ""
    param: str = ""
    has_more_field: str = ""  # a boolean saying more pages follow, "" when there is none
    total_field: str = ""  # the total of items (offset) or of pages (page_number), "" when none
    start: int = 1  # the number of the first page (page_number)


@dataclass(frozen=True, slots=True)
class EventStream:
    """A `text/event-stream` response: each event's `data:` is the JSON of `event`.

    `flag` is the request body's property (its JSON key) that asks for the stream instead of the
    other response (`stream: true`, `stream_format: sse`), "" when the stream is the only response.
    """

    event: TypeRef
    media: str
    flag: str = ""
    flag_value: bool | str = True  # what `flag` is set to for the stream: true, or an enum value ("sse")


# What a successful response body is: JSON (of `Operation.response`), bytes (`binary`),
# decoded text, nothing worth reading (`empty`, e.g. 204), or only an event stream (`events`)
ResponseKind = Literal["json", "binary", "text", "empty", "events"]


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
    page: Pagination | None
    deprecated: bool = False
    example: str = ""  # a Python example from the spec, rewritten for this client
    aliases: tuple[str, ...] = ()  # further method names of the same operation (e.g. from the name table)
    fixed_query: tuple[tuple[str, str], ...] = ()  # (name, value) from a query string in the spec's path key
    name_source: str = "rule"  # where resource and method_name came from: "rule", "hint" (the spec) or "table" (config)
    header_params: tuple[Param, ...] = ()
    cookie_params: tuple[Param, ...] = ()
    accept: str = ""  # the Accept header: the media types of the success responses ("" = JSON)

    response_kind: ResponseKind = "json"
    response_media: str = ""  # the media type the response kind was chosen from ("" when empty)
    events: EventStream | None = None

    # alternatives of scheme names, first preferred; an empty alternative makes credentials optional
    security: tuple[tuple[str, ...], ...] = ()
    errors: tuple[ErrorResponse, ...] = ()


@dataclass(frozen=True, slots=True)
class ServerVariable:
    name: str
    default: str
    enum: tuple[str, ...] = ()
    description: str = ""


@dataclass(frozen=True, slots=True)
class Api:
    title: str
    version: str
    description: str
    server_url: str
    definitions: tuple[Definition, ...]  # sorted by module, then name
    operations: tuple[Operation, ...]  # sorted by resource, then method name
    modules: tuple[str, ...]  # type modules, sorted
    # (resource path, class name) for every resource, parents first; names are unique per top-level resource
    resource_classes: tuple[tuple[tuple[str, ...], str], ...] = ()
    # `server_url` with `{name}` placeholders filled from defaults; the template and its variables
    server_template: str = ""
    server_variables: tuple[ServerVariable, ...] = ()
    security_schemes: tuple[SecurityScheme, ...] = ()  # those the operations use, sorted by name

    def index(self) -> dict[str, Definition]:
        return {d.name: d for d in self.definitions}


def _without_recursion_guard() -> None:
    """IR values never hold themselves (a type refers to a named one by its name), so their repr
    needs no guard against recursion (dataclasses wraps every repr in one): planmemo's keys repr
    thousands of them, a third faster without it. The same text either way."""
    for value in list(globals().values()):
        if isinstance(value, type) and "__dataclass_fields__" in vars(value):
            inner = getattr(value.__repr__, "__wrapped__", None)
            if inner is not None:
                value.__repr__ = inner  # type: ignore[method-assign]


_without_recursion_guard()
