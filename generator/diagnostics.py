"""Spec problems as values: every stage appends to a list, the CLI prints them sorted.

A diagnostic says what is wrong (a stable code), how bad it is, where (file, line,
column, JSON pointer) and how to fix it (the hint registered with its code).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


# code -> (severity, one-line fix hint). The README's diagnostics table is checked against this.
CODES: dict[str, tuple[Severity, str]] = {
    # loading
    "E001": (Severity.ERROR, "the file could not be read: check the path and permissions"),
    "E002": (Severity.ERROR, "fix the YAML/JSON syntax at the given line"),
    "E003": (Severity.ERROR, "the document must be a mapping with an `openapi: 3.1.x` (or 3.0.x) key"),
    "E004": (Severity.ERROR, "only OpenAPI 3.0 and 3.1 are supported: convert the document (e.g. Swagger 2.0) first"),
    "E005": (Severity.ERROR, "the spec is empty: point convgen at an OpenAPI document"),
    "E006": (Severity.ERROR, "the document nests too deeply or is too large: flatten or split it"),
    "E007": (Severity.ERROR, "remove YAML aliases that expand exponentially (an alias bomb)"),
    # selection
    "E101": (Severity.ERROR, "add a `paths` object with at least one operation"),
    "E102": (Severity.ERROR, "no operation matched the selection: check --tag / --path-prefix"),
    "E103": (Severity.ERROR, "the `$ref` target does not exist: fix the pointer or add the schema"),
    "E104": (
        Severity.ERROR,
        "a `$ref` to another file reached selection unbundled: load the spec from its file, which bundles such refs",
    ),
    "E105": (Severity.ERROR, "a chain of `$ref`s loops without defining a type: point one at a schema"),
    "E106": (
        Severity.ERROR,
        "a `$ref` outside #/components must name an object of the kind its place needs (a schema where a schema goes)",
    ),
    # references to other files
    "E110": (
        Severity.ERROR,
        "URLs are never fetched: save the file inside the spec's folder and refer to it by relative path",
    ),
    "E111": (
        Severity.ERROR,
        "the `$ref` leaves the spec's folder tree: move the file inside it or set `ref_root` / --ref-root",
    ),
    "E112": (
        Severity.ERROR,
        "the file a `$ref` names could not be read or parsed: fix the path, or the file at its own error",
    ),
    "E113": (Severity.ERROR, "files inline each other in a loop: point one of the `$ref`s at a component instead"),
    # validation
    "W201": (Severity.WARNING, "the spec breaks an OpenAPI schema rule; convgen goes on where it can"),
    "E202": (Severity.ERROR, "declare the path parameter under `parameters` with `in: path`"),
    "E203": (Severity.ERROR, "the path parameter is declared but not in the path template: remove it"),
    "E204": (Severity.ERROR, "two operations share an operationId: make them unique"),
    "E205": (Severity.ERROR, "two operations map to the same method name: set distinct operationIds"),
    "W206": (Severity.WARNING, "remove the duplicate enum value"),
    "W207": (Severity.WARNING, "a parameter is declared twice in one list: remove one"),
    "W210": (Severity.WARNING, "webhooks are requests the API sends: decode their payloads with the generated types"),
    # building the model
    "W301": (Severity.WARNING, "give each union variant a single-valued enum/const for the tag property"),
    "W302": (Severity.WARNING, "two variants share a tag: convgen picks by required keys (see README)"),
    "W303": (Severity.WARNING, "the tag is optional in this variant: it also decodes data without a tag"),
    "W304": (Severity.WARNING, "a discriminated union variant is not an object: it is decoded by JSON kind"),
    "I305": (Severity.INFO, "union without discriminator: variants are told apart by JSON kind or tag"),
    "W306": (Severity.WARNING, "a name was changed to be a valid, unique Python identifier"),
    "W307": (Severity.WARNING, "this schema keyword is not supported and was ignored"),
    "W308": (Severity.WARNING, "two names collide after normalization: one got a numeric suffix"),
    "W309": (Severity.WARNING, "this union's variants cannot be told apart: the first matching kind wins"),
    "W311": (Severity.WARNING, "describe the required property under `properties`"),
    "W320": (
        Severity.WARNING,
        "a parameter's `content` is not JSON: the argument takes its serialized text; use `schema`",
    ),
    "W321": (
        Severity.WARNING,
        "this `style` is not defined for the parameter's location: the location's default is used",
    ),
    "W322": (Severity.WARNING, "a parameter's `in` must be path, query, header or cookie: it was not generated"),
    "W323": (Severity.WARNING, "OpenAPI ignores Accept, Content-Type and Authorization header parameters: remove it"),
    "W324": (Severity.WARNING, "give every server variable a `default`, or pass base_url= to the client"),
    # naming (generator/opnames.py, naming.py)
    "W360": (
        Severity.WARNING,
        "two operations would get the same method: name them in the `names` table (README: Operation names)",
    ),
    "W361": (Severity.WARNING, "a resource class would have a type's name: it got a `Resource` (or `Api`) suffix"),
    "W362": (Severity.WARNING, "an argument would hide a name the generated method uses: it got a `_` suffix"),
    "W363": (Severity.WARNING, "a numbered copy of a schema (`Name-2`) is the same as `Name`: it uses that type"),
    "W364": (
        Severity.WARNING,
        "a schema name cannot be a class name as it is (not an identifier, reserved, too long): see the name given",
    ),
    "W365": (Severity.WARNING, "a resource would hide the client's own attribute of its name: it got a `_` suffix"),
    # pagination (generator/paging.py)
    "W370": (
        Severity.WARNING,
        "the pages could be read in two ways: the method returns the plain response; set the strategy in the"
        " `pagination` table (README: Pagination)",
    ),
    "W371": (
        Severity.WARNING,
        "the configured pagination does not fit the operation: the method returns the plain response; fix the entry",
    ),
    "W372": (Severity.WARNING, "the pagination table names no operation of the spec: fix the operationId or path"),
    "I330": (Severity.INFO, "the request body offers several media types: the client sends the richest it supports"),
    "W331": (Severity.WARNING, "this request media type is not encoded field by field: the method takes the raw body"),
    "W332": (Severity.WARNING, "this `encoding` entry of a form body cannot be honoured: fix or remove it"),
    # responses
    "W340": (
        Severity.WARNING,
        "add a boolean `stream` (or an enum with `sse`) body field for the events, or read them raw",
    ),
    "W341": (Severity.WARNING, "this response media type is not decoded: the method returns its bytes"),
    "W342": (Severity.WARNING, "JSON is one of several response media: the method returns bytes; `.json()` reads it"),
    "W350": (
        Severity.WARNING,
        "the client cannot send this security scheme: pass its credential with default_headers or an httpx client",
    ),
    "W351": (
        Severity.WARNING,
        "the security requirement names no scheme under components.securitySchemes: add it or fix the name",
    ),
    "W352": (Severity.WARNING, "a credential argument took another name: it collided with a constructor argument"),
    "W353": (Severity.WARNING, "env_vars names a client argument that does not exist: fix or remove it"),
    # configuration and templates
    "E401": (Severity.ERROR, "fix the configuration value (see README: Configuration)"),
    "W402": (Severity.WARNING, "remove the unknown configuration key (see README: Configuration)"),
    "E403": (Severity.ERROR, "fix the template at the given line"),
    "E404": (Severity.ERROR, "the output could not be written: check the folder and its permissions"),
    "E405": (Severity.ERROR, "the generated code is not valid Python: report this with the spec"),
    "E406": (Severity.ERROR, "convgen did not write this file and would delete it: move it out of the output folder"),
    "E407": (Severity.ERROR, "this template line writes code that is not valid Python: fix the template"),
    "E408": (Severity.ERROR, "name a target of the configuration: [tool.convgen.targets.NAME] tables, --target NAME"),
    "E409": (Severity.ERROR, "give each target an output folder of its own, outside the other targets' folders"),
}


@dataclass(frozen=True, slots=True)
class Diagnostic:
    code: str
    message: str
    pointer: str = ""
    file: str = ""
    line: int = 0
    column: int = 0

    @property
    def severity(self) -> Severity:
        return CODES[self.code][0]

    @property
    def hint(self) -> str:
        return CODES[self.code][1]

    def located(self, file: str, line: int, column: int) -> Diagnostic:
        return replace(self, file=file, line=line, column=column)

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.file, self.line, self.column, self.code, self.message)

    def format(self) -> str:
        """One line of text; spec text in it cannot break the line or drive a terminal."""
        where = f"{printable(self.file or '<spec>')}:{self.line}:{self.column}"
        at = f" (at {printable(self.pointer)})" if self.pointer else ""
        return f"{where}: {self.severity.value} {self.code}: {printable(self.message)}{at}; hint: {self.hint}"

    def as_json(self) -> dict[str, object]:
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "severity": self.severity.value,
            "code": self.code,
            "message": self.message,
            "pointer": self.pointer,
            "hint": self.hint,
        }


def printable(text: str) -> str:
    """`text` with control, format (bidi, zero-width) and line-separator characters escaped."""
    if text.isprintable():
        return text
    out = []
    for ch in text:
        if ch.isprintable() or ch == " ":
            out.append(ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\r":
            out.append("\\r")
        else:
            code = ord(ch)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}")
    return "".join(out)


def escape_token(token: str | int) -> str:
    """One JSON pointer token (RFC 6901)."""
    text = str(token)
    if "~" not in text and "/" not in text:  # the usual case: nothing to escape
        return text
    return text.replace("~", "~0").replace("/", "~1")


def pointer(*tokens: str | int) -> str:
    return "".join("/" + escape_token(t) for t in tokens)


def has_errors(diags: list[Diagnostic]) -> bool:
    return any(d.severity is Severity.ERROR for d in diags)


def has_warnings(diags: list[Diagnostic]) -> bool:
    return any(d.severity is Severity.WARNING for d in diags)


def dump_json(diags: list[Diagnostic]) -> str:
    return json.dumps([d.as_json() for d in sorted(diags, key=Diagnostic.sort_key)], indent=2)
