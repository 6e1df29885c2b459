"""The view dataclasses: the template API (documented in docs/templates.md and checked by tests).

plan.py makes them from the IR (planmethods.py each method's); templates only format what is
decided there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Options:
    package: str
    version: str = "0.1.0"
    env_prefix: str = "CLIENT"  # credentials are read from PREFIX_<ARGUMENT> unless `env_vars` names them
    base_url_env: str = "CLIENT_BASE_URL"
    array_format: str = ""
    client_name: str = "Client"
    env_vars: tuple[tuple[str, str], ...] = ()  # (client argument, environment variable)


@dataclass(frozen=True)
class CredentialView:
    """One security scheme the client can send: its constructor arguments and environment variables."""

    scheme: str  # literal of the scheme's name
    name: str  # the scheme's name as in the spec
    kind: str  # literal: "bearer", "basic", "header", "query" or "cookie"
    wire: str  # literal of the header, query parameter or cookie name
    args: tuple[str, ...]  # the token, or username and password
    envs: tuple[str, ...]  # environment variable of each of `args`
    provider: str  # argument taking a token-provider callable ("" when none)
    how: str  # how it is sent, for the docs, e.g. "`Authorization: Bearer <api_key>`"
    spec_type: str  # e.g. "HTTP bearer", "API key in header `X-Key`"
    description: str


@dataclass(frozen=True)
class FieldView:
    attr: str
    wire: str  # Python literal of the JSON key
    annotation: str
    default: str  # "" when the argument is required
    doc: str
    required: bool
    nullable: bool
    decode: str  # decodes `v`, a present non-null value
    decode_direct: str  # decodes data[wire] (required, non-null fields)
    encode: str  # JSON form of self.<attr> once known present


@dataclass(frozen=True)
class ModelView:
    name: str
    doc: str
    fields: tuple[FieldView, ...]
    keys: tuple[str, ...]  # Python literals of the known JSON keys
    keys_name: str = ""  # module-level name that holds `keys`, unique in its module
    model_collections: bool = False  # a field encodes as a list or map of models (to_dict pauses the GC)


@dataclass(frozen=True)
class EnumView:
    name: str
    doc: str
    members: tuple[tuple[str, str], ...]  # (attribute, value literal)


@dataclass(frozen=True)
class TaggedView:
    name: str
    doc: str
    alias: str
    decoder: str
    table: str
    prop: str  # literal of the tag property
    prop_attr: str  # property on the Unknown class ("" when the name is not usable)
    unknown: str
    # (tag literal or None, decoder expressions): one `X.from_dict`, or several
    # `(X.from_dict, frozenset(required keys))` for `_r.choose` to pick from
    entries: tuple[tuple[str, tuple[str, ...]], ...]


@dataclass(frozen=True)
class KindView:
    name: str
    doc: str
    alias: str
    decoder: str
    branches: tuple[tuple[str, str], ...]  # (condition on `kind`, expression over `data`)
    expected: str


@dataclass(frozen=True)
class AliasView:
    name: str
    doc: str
    value: str
    members: tuple[str, ...]  # of `value` when it is a union (`A | B`), else just `value`


@dataclass(frozen=True)
class TypesModuleView:
    name: str
    imports: tuple[tuple[str, tuple[str, ...]], ...]
    typing: tuple[str, ...]
    runtime: tuple[str, ...]
    aliases: tuple[AliasView, ...]
    enums: tuple[EnumView, ...]
    models: tuple[ModelView, ...]
    tagged: tuple[TaggedView, ...]
    kinds: tuple[KindView, ...]
    # its public names, in `__all__`: the types package star-imports them for type checkers
    names: tuple[str, ...] = ()


@dataclass(frozen=True)
class IndexEntryView:
    """One type as api.md lists it."""

    name: str
    detail: str = ""  # an enum's values, a model's attributes, a union's tag property, an alias's value
    unknown: str = ""  # a tagged union's class for members it does not know


@dataclass(frozen=True)
class TypesIndexView:
    """What api.md lists of one types module: its types' names and what tells them apart, without
    their documentation, so that a changed description leaves api.md (and its remembered text) as it
    was."""

    enums: tuple[IndexEntryView, ...]
    models: tuple[IndexEntryView, ...]
    tagged: tuple[IndexEntryView, ...]
    kinds: tuple[IndexEntryView, ...]
    aliases: tuple[IndexEntryView, ...]


@dataclass(frozen=True)
class ParamView:
    attr: str
    wire: str
    annotation: str
    default: str
    doc: str
    uses: tuple[str, ...] = ()  # names the annotation uses (generated types, typing names): the module imports them
    value: str = ""  # what the request sends: `attr`, or `Styled(attr, ...)` for the spec's style


@dataclass(frozen=True)
class MethodView:
    name: str
    http_method: str  # literal of the upper-case HTTP method, quotes included: "GET"
    path: str  # literal of the path template
    path_args: tuple[tuple[str, str], ...]  # (literal of the placeholder name, argument's value)
    positional: tuple[ParamView, ...]
    keyword: tuple[ParamView, ...]
    query: tuple[ParamView, ...]
    body_fields: tuple[ParamView, ...]
    body_param: str  # name of a whole-body argument, "" when flattened or none
    returns: str
    decode: str  # callable taking the JSON
    page: str  # the runtime's page class less its Sync/Async prefix (`CursorPage`), "" when not paginated
    page_item: str  # annotation of one item of a page ("" when not paginated)
    paging: str  # the runtime `Paging(...)` of its paging facts ("" when not paginated)
    summary: str
    doc: str
    example: str
    deprecated: bool
    call: str = ""  # `client.a.b.method("id_123")` when path ids are all it needs, else ""
    uses: tuple[str, ...] = ()  # names the signature uses (generated types, typing names): the module imports them
    aliases: tuple[str, ...] = ()  # further names of this method (class attributes bound to it)
    fixed_query: tuple[tuple[str, str], ...] = ()  # (literal name, literal value) always sent in the query
    headers: tuple[ParamView, ...] = ()  # header parameters (`wire` is the header name)
    cookies: tuple[ParamView, ...] = ()  # cookie parameters
    accept: str = ""  # literal of the Accept header, "" for the client's default (JSON)
    body_wrap: str = ""  # runtime body class for a non-JSON body (`_u.Multipart`, `_u.Urlencoded`, `_u.Raw`), else ""
    body_extra: tuple[str, ...] = ()  # its further arguments: encodings and `files=(...)` (forms), media (raw)
    kind: str = "json"  # what the response is: json, binary, text, empty or events (see ir.ResponseKind)
    decode_from: str = ""  # '"response"' when `decode` takes the httpx.Response rather than JSON
    events: str = ""  # decodes one event's JSON, when the method can return an event stream
    event_type: str = ""  # annotation of one event
    stream_flag: str = ""  # the argument that asks for the event stream ("" when it is always one)
    # the typing overloads of a method with a stream flag: ("json" | "stream" | "either", keyword arguments)
    overloads: tuple[tuple[str, tuple[ParamView, ...]], ...] = ()
    security: str = ""  # literal of the accepted alternatives of scheme names, "" when none
    errors: tuple[tuple[str, str], ...] = ()  # (literal of the status key, decoder) of documented errors
    credentials: str = ""  # for the docs: the arguments it needs, e.g. "`api_key`" or "`username` + `password`"
    runtime: tuple[str, ...] = ()  # what its code uses of the module's `runtime`: "_b", "_r", "_t", "Styled", ...
    # The entries (`key: value`) of the request's dicts, built here once rather than in Jinja per flavor:
    path_entries: tuple[str, ...] = ()  # of path_args: `"id": id`
    query_entries: tuple[str, ...] = ()  # of fixed_query, then of query (`"wire": value`)
    header_entries: tuple[str, ...] = ()  # the Accept header's (when `accept`), then of headers
    cookie_entries: tuple[str, ...] = ()  # of cookies
    body_entries: tuple[str, ...] = ()  # of body_fields (`"wire": attr`), when the body is flattened
    error_entries: tuple[str, ...] = ()  # of errors: `"404": decoder`


@dataclass(frozen=True)
class ResourceView:
    name: str  # class name, e.g. Items
    attr: str  # attribute on the parent
    path: tuple[str, ...]
    methods: tuple[MethodView, ...]
    children: tuple[ResourceView, ...]


@dataclass(frozen=True)
class ResourceModuleView:
    name: str  # dotted resource path, e.g. beta.threads
    resources: tuple[ResourceView, ...]  # the one resource of the module (its children have modules of their own)
    pages: tuple[str, ...]  # what it imports from the runtime's pagination: page classes, `Paging`, `AsyncPager`
    imports: tuple[tuple[str, tuple[str, ...]], ...]
    typing: tuple[str, ...]  # names imported from `typing`
    abc: tuple[str, ...]  # names imported from `collections.abc`
    runtime: tuple[str, ...]  # "_r": the models runtime, "_t": the types package, "_s": events, "Styled", "builtins"
    uploads: bool = False  # a method sends a non-JSON body: the module imports the uploads runtime as `_u`
    file_types: bool = False  # an argument is annotated `FileTypes`
    file: str = ""  # path in the package: resources/a.py, or resources/a/__init__.py for one with children
    up: str = ".."  # the relative import of the package root from this module: "..", "...", ...


@dataclass(frozen=True)
class Job:
    path: str
    template: str  # template name, or "" to copy `source` from the runtime folder
    context: dict[str, Any] = field(default_factory=dict)
    source: str = ""


@dataclass(frozen=True)
class Flavor:
    """Sync or async: every client, resource and page class is rendered once per flavor."""

    is_async: bool
    prefix: str
    client: str
    page_prefix: str  # of the runtime's page classes: SyncCursorPage, AsyncCursorPage


FLAVORS = (
    Flavor(False, "", "SyncAPIClient", "Sync"),
    Flavor(True, "Async", "AsyncAPIClient", "Async"),
)
