"""Call every operation of a generated client once, with arguments built from the spec, and say what happened.

Used by the Prism tests (test_prism_every_operation.py, test_prism_whole_spec.py). Each operation is taken from
convgen's own intermediate model (`ir.Api`, built from the same document as the client), so the method path and
argument names are the client's; the values come from the spec:

- an example of the parameter or media type (`example`, the first of `examples`) where present and valid against
  its schema (an example that is off its schema would be refused by Prism: the schema wins, and it is counted);
- else a minimal value the schema accepts: `const`, `default`, the first `enum` value, a value of the `format`,
  `minLength`/`minItems`/`minimum` met, required properties of objects filled in depth, a file for a binary part.

Credentials: every scheme the client takes gets a value (`Client(api_key=..., username=..., ...)`), so each
operation can send what its `security` asks for. A call is good when the response is 2xx and decodes with the
default client (`parse()`, events iterated, bytes read); everything else is a `Failure` naming the operation.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
from dataclasses import dataclass, field
from typing import Any

from convgen import ir
from convgen.select import resolve_pointer
from convgen.specread import deref, json_media, mapping
from openapi_schema_validator import OAS30Validator, OAS31Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4, DRAFT202012

SPEC_URI = "https://convgen.invalid/spec"  # never fetched: the document lives in the registry
FILE = ("sample.png", b"\x89PNG sample", "image/png")
MAX_DEPTH = 12
SECRET = "prism-secret"

FORMATS = {
    "date-time": "2024-01-01T00:00:00Z",
    "date": "2024-01-01",
    "time": "12:00:00Z",
    "email": "user@example.com",
    "uri": "https://example.com/x",
    "url": "https://example.com/x",
    "uri-reference": "https://example.com/x",
    "hostname": "example.com",
    "ipv4": "192.0.2.1",
    "ipv6": "2001:db8::1",
    "uuid": "123e4567-e89b-42d3-a456-426614174000",
    "byte": "eA==",
    "password": "secret",
}


@dataclass(frozen=True)
class Failure:
    operation: str  # "operationId (METHOD /path)"
    what: str  # "HTTP 422: ...", "DecodeError: ...", "TypeError: ..."


@dataclass
class Report:
    """What calling every operation gave: failures, and examples that did not fit their schema (not sent)."""

    calls: int = 0
    failures: list[Failure] = field(default_factory=list)
    off_schema_examples: list[str] = field(default_factory=list)
    off_spec_responses: list[Failure] = field(default_factory=list)

    def summary(self) -> str:
        lines = [f"{len(self.failures)} of {self.calls} calls failed:"]
        lines += [f"  {f.operation}: {f.what}" for f in self.failures]
        if self.off_spec_responses:
            lines.append(f"{len(self.off_spec_responses)} responses broke the spec's schema (not counted):")
            lines += [f"  {f.operation}: {f.what}" for f in self.off_spec_responses]
        return "\n".join(lines)


class Arguments:
    """Builds each operation's arguments from `doc`, the document `api` was built from."""

    def __init__(self, api: ir.Api, doc: dict[str, Any]) -> None:
        self.api, self.doc = api, doc
        self.openapi30 = str(doc.get("openapi", "")).startswith("3.0")
        contents = Resource.from_contents(doc, default_specification=DRAFT4 if self.openapi30 else DRAFT202012)
        self.registry: Registry = Registry().with_resource(SPEC_URI, contents)
        self.off_schema: list[str] = []

    # ---- credentials -------------------------------------------------------------------------------
    def credentials(self) -> dict[str, str]:
        """A value for every credential argument of the client (providers are left out: the tokens suffice)."""
        return {arg: SECRET for scheme in self.api.security_schemes for arg in scheme.args}

    # ---- one operation -----------------------------------------------------------------------------
    def for_operation(self, op: ir.Operation) -> dict[str, Any]:
        operation = resolve_pointer(self.doc, "#" + op.pointer)
        path_item = resolve_pointer(self.doc, "#" + op.pointer.rsplit("/", 1)[0])
        declared: dict[tuple[str, str], Any] = {}
        for entry in [*(path_item.get("parameters") or []), *(operation.get("parameters") or [])]:
            p = deref(self.doc, entry)
            if isinstance(p, dict):
                declared[(str(p.get("in")), str(p.get("name")))] = p
        args: dict[str, Any] = {}
        for params in (op.path_params, op.query_params, op.header_params, op.cookie_params):
            for param in params:
                if param.required:
                    spec = declared.get((param.location, param.wire), {})
                    args[param.attr] = self._parameter_value(op, spec)
        if op.body is not None:
            args.update(self._body(op, op.body, operation))
        return args

    def _parameter_value(self, op: ir.Operation, param: dict[str, Any]) -> Any:
        schema = param.get("schema")
        if schema is None:  # `content: {media: {schema}}`
            schema = next(iter(mapping(param.get("content")).values()), {}).get("schema", {})
        where = f"{op.operation_id} parameter {param.get('name')}"
        example = self._example(param, schema, where)
        return example if example is not _NONE else self.sample(schema)

    def _body(self, op: ir.Operation, body: ir.Body, operation: dict[str, Any]) -> dict[str, Any]:
        content = mapping(mapping(deref(self.doc, operation.get("requestBody"))).get("content"))
        media = mapping(content.get(body.media))
        schema = media.get("schema", {})
        if body.kind == "binary":
            return {"body": FILE[1]}
        if body.kind == "text":
            example = self._example(media, schema, f"{op.operation_id} body")
            return {"body": example if isinstance(example, str) else self.sample(schema)}
        example = self._example(media, schema, f"{op.operation_id} body") if body.kind == "json" else _NONE
        value = example if example is not _NONE else self.sample(schema)
        if not body.flattened:
            return {"body": value}
        files = {p.wire: p.file for p in body.parts}
        value = value if isinstance(value, dict) else {}
        args: dict[str, Any] = {}
        for f in body.fields:
            shape = files.get(f.wire, "")
            if shape and (f.required or f.wire in value):
                args[f.attr] = [FILE] if shape == "many" else FILE
            elif f.wire in value:
                args[f.attr] = value[f.wire]
        return args

    # ---- examples ------------------------------------------------------------------------------------
    def _example(self, holder: dict[str, Any], schema: Any, where: str) -> Any:
        """The first example of a parameter or media type (else of its schema) that fits the schema."""
        candidates: list[Any] = []
        if "example" in holder:
            candidates.append(holder["example"])
        for entry in mapping(holder.get("examples")).values():
            entry = deref(self.doc, entry)
            if isinstance(entry, dict) and "value" in entry:
                candidates.append(entry["value"])
        resolved = mapping(deref(self.doc, schema))
        if "example" in resolved:
            candidates.append(resolved["example"])
        if isinstance(resolved.get("examples"), list):
            candidates += resolved["examples"]
        for candidate in candidates:
            if self.fits(candidate, schema):
                return candidate
        if candidates:
            self.off_schema.append(where)
        return _NONE

    def fits(self, value: Any, schema: Any) -> bool:
        return self.check(value, schema) is True

    def check(self, value: Any, schema: Any) -> bool | None:
        """Whether `value` is valid for `schema` by jsonschema (the OpenAPI dialect); None if it cannot tell."""
        kind = OAS30Validator if self.openapi30 else OAS31Validator
        try:
            return next(kind(_absolute(schema), registry=self.registry).iter_errors(value), None) is None
        except Exception:  # noqa: BLE001 - a schema jsonschema cannot follow
            return None

    @staticmethod
    def _constraints_only(options: list[Any]) -> bool:
        """Whether the options of a `oneOf`/`anyOf` only constrain their object (say which keys it requires)."""
        return all(isinstance(o, dict) and set(o) <= {"required", "description", "title", "not"} for o in options)

    def _is_scalar(self, schema: Any) -> bool:
        """Whether an `allOf` member is a value that is not an object (annotations alone are neither)."""
        s = mapping(deref(self.doc, schema))
        kind = s.get("type")
        return bool((kind is not None and kind != "object") or "enum" in s or "const" in s or s.get("oneOf")
                    or s.get("anyOf") or any(self._is_scalar(sub) for sub in s.get("allOf") or []))

    def _object(self, schema: Any) -> tuple[dict[str, Any], list[str]]:
        """The properties and required names of an object schema, with those of its `allOf` members."""
        s = mapping(deref(self.doc, schema))
        props: dict[str, Any] = {}
        required: list[str] = []
        for sub in s.get("allOf") or []:
            more, names = self._object(sub)
            props.update(more)
            required += [n for n in names if n not in required]
        props.update(mapping(s.get("properties")))
        required += [n for n in s.get("required") or [] if n not in required]
        return props, required

    # ---- values from a schema ------------------------------------------------------------------------
    def sample(self, schema: Any, depth: int = 0) -> Any:
        s = deref(self.doc, schema)
        if not isinstance(s, dict) or depth > MAX_DEPTH:
            return "x"
        examples = ([s["example"]] if "example" in s else []) + (s["examples"] if isinstance(s.get("examples"), list) else [])
        for example in examples:
            if self.fits(example, schema):
                return example
        for key in ("const", "default"):
            if key in s and s[key] is not None:
                return s[key]
        if isinstance(s.get("enum"), list) and s["enum"]:
            return next((v for v in s["enum"] if v is not None), s["enum"][0])
        for key in ("oneOf", "anyOf"):
            if isinstance(s.get(key), list) and s[key] and not self._constraints_only(s[key]):
                options = [o for o in s[key] if mapping(deref(self.doc, o)).get("type") != "null"] or s[key]
                values = [self.sample(o, depth + 1) for o in options]
                if key == "anyOf" or depth > 2:
                    return values[0]
                # the first option whose value matches exactly one of them (a value may fit several)
                return next((v for v in values if self.fits(v, schema)), values[0])
        kind = s.get("type")
        if isinstance(kind, list):
            kind = next((k for k in kind if k != "null"), "string")
        if s.get("allOf") or kind == "object" or "properties" in s or (kind is None and "required" in s):
            scalar = next((sub for sub in s.get("allOf") or [] if self._is_scalar(sub)), None)
            if scalar is not None:  # `allOf` of a non-object (a described `$ref` to an enum, ...)
                return self.sample(scalar, depth + 1)
            props, required = self._object(s)
            for key in ("oneOf", "anyOf"):  # `anyOf: [{required: [a]}, {required: [b]}]`: one of them
                if isinstance(s.get(key), list) and s[key] and self._constraints_only(s[key]):
                    required += [n for n in mapping(s[key][0]).get("required") or [] if n not in required]
            return {k: self.sample(props.get(k, {}), depth + 1) for k in required}
        if kind == "array":
            return [self.sample(s.get("items", {}), depth + 1) for _ in range(max(1, int(s.get("minItems") or 1)))]
        if kind in ("integer", "number"):
            low = s.get("minimum", 1)
            if isinstance(s.get("exclusiveMinimum"), (int, float)) and not isinstance(s["exclusiveMinimum"], bool):
                low = s["exclusiveMinimum"] + 1
            elif s.get("exclusiveMinimum") is True:
                low += 1
            value = min(low, s.get("maximum", low))
            return int(value) if kind == "integer" else float(value)
        if kind == "boolean":
            return False
        if s.get("format") in ("binary",) or "contentMediaType" in s:
            return FILE[1]
        text = FORMATS.get(str(s.get("format")), "x")
        return text + "x" * max(0, int(s.get("minLength") or 1) - len(text))


_NONE = object()  # no example


def _absolute(schema: Any) -> Any:
    """An inline schema whose local `$ref`s name the document in the registry (they would name the schema)."""
    if isinstance(schema, dict):
        return {k: SPEC_URI + v if k == "$ref" and isinstance(v, str) and v.startswith("#") else _absolute(v)
                for k, v in schema.items()}
    if isinstance(schema, list):
        return [_absolute(v) for v in schema]
    return schema


# ---- calls ----------------------------------------------------------------------------------------------
def label(op: ir.Operation) -> str:
    return f"{op.operation_id} ({op.http_method} {op.path})"


def _bound(client: Any, op: ir.Operation) -> Any:
    target = client
    for attr in op.resource:
        target = getattr(target, attr)
    return getattr(target.with_raw_response, op.method_name)


def _consume(value: Any) -> None:
    """Read what a method returned to its end: the events of a stream, the bytes of a download. (A page is not
    iterated: that would walk every page, and Prism's example pages say there are more, for ever.)"""
    kind = type(value).__name__
    if kind == "Stream":
        with contextlib.closing(value):
            for _ in value:
                pass
    elif kind == "BinaryResponse":
        value.read()


async def _aconsume(value: Any) -> None:
    if type(value).__name__ == "AsyncStream":
        async with contextlib.aclosing(value) as events:
            async for _ in events:
                pass
    elif type(value).__name__ == "BinaryResponse":
        await value.aread()


class Caller:
    """Calls operations of one generated package and files each outcome in `report`.

    A 2xx response the default client cannot decode is a failure, except while the client has no lenient mode
    (no `strict` argument: it decodes strictly by default): then a response that breaks the spec's own schema
    (jsonschema says so: Prism sent an example of the spec that does not fit it) goes to `off_spec_responses`.
    """

    def __init__(self, package: Any, api: ir.Api, doc: dict[str, Any]) -> None:
        self.package, self.api, self.doc = package, api, doc
        self.arguments = Arguments(api, doc)
        self.report = Report()
        self.lenient_by_default = "strict" in inspect.signature(package.Client).parameters

    def settings(self, **more: Any) -> dict[str, Any]:
        return {**self.arguments.credentials(), "max_retries": 0, **more}

    def sync(self, client: Any, op: ir.Operation, **changes: Any) -> None:
        """Call `op` with the arguments built for it (updated with `changes`)."""
        self.report.calls += 1
        try:
            raw = _bound(client, op)(**{**self.arguments.for_operation(op), **changes})
            _consume(raw.parse())
        except Exception as exc:  # noqa: BLE001 - every failure is reported with its operation
            self._file(op, exc)

    async def asynchronous(self, client: Any, op: ir.Operation) -> None:
        self.report.calls += 1
        try:
            raw = await _bound(client, op)(**self.arguments.for_operation(op))
            await _aconsume(raw.parse())
        except Exception as exc:  # noqa: BLE001
            self._file(op, exc)

    def _file(self, op: ir.Operation, exc: Exception) -> None:
        status = getattr(exc, "status_code", None)
        if status is not None and not 200 <= status < 300:
            self.report.failures.append(Failure(label(op), f"HTTP {status}: {str(getattr(exc, 'body', ''))[:300]}"))
            return
        problem = f"{type(exc).__name__}: {str(exc)[:400]}"
        if type(exc).__name__ == "APIResponseValidationError" and not self.lenient_by_default:
            schema = self.response_schema(op, int(status or 200))
            data = _json(exc)
            if schema is not None and data is not _NONE and self.arguments.check(data, schema) is False:
                self.report.off_spec_responses.append(Failure(label(op), problem))
                return
        self.report.failures.append(Failure(label(op), problem))

    def response_schema(self, op: ir.Operation, status: int) -> Any:
        responses = mapping(resolve_pointer(self.doc, "#" + op.pointer).get("responses"))
        for key in (str(status), f"{str(status)[0]}XX", "default"):
            if key in responses:
                content = mapping(mapping(deref(self.doc, responses[key])).get("content"))
                media = json_media(content)
                return None if media is None else content[media].get("schema")
        return None


def _json(exc: Exception) -> Any:
    response = getattr(exc, "response", None)
    try:
        return response.json() if response is not None else _NONE
    except ValueError:
        return _NONE


def call_every_operation(package: Any, api: ir.Api, doc: dict[str, Any], settings: dict[str, Any],
                         flavour: str = "sync", only: set[str] | None = None) -> Report:
    """Call each operation of `api` (or those whose operationId is in `only`) once; `settings` go to the client."""
    caller = Caller(package, api, doc)
    chosen = [op for op in api.operations if only is None or op.operation_id in only]
    if flavour == "sync":
        with package.Client(**caller.settings(**settings)) as client:
            for op in chosen:
                caller.sync(client, op)
    else:
        async def main() -> None:
            async with package.AsyncClient(**caller.settings(**settings)) as client:
                for op in chosen:
                    await caller.asynchronous(client, op)

        asyncio.run(main())
    caller.report.off_schema_examples = caller.arguments.off_schema
    return caller.report


def check_report(report: Report, known: dict[str, str], log: str) -> None:
    """No failure but the known ones (operationId -> a text of the failure, or of Prism's log: where Prism answers
    with the spec's own error example, only its log says why), each failing for its stated reason."""
    failed = {f.operation.split(" ", 1)[0]: f.what for f in report.failures}
    assert set(failed) <= set(known), report.summary()
    for operation, reason in known.items():
        if operation in failed:
            assert reason in failed[operation] or reason in log, (operation, failed[operation])
