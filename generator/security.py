"""Security from the spec: `components.securitySchemes` and the `security` requirements.

Part of the build stage. Each scheme the selected operations use becomes constructor
arguments of the client (named by `argument_names`, documented in the README), and each
operation lists the alternatives it accepts.
"""

from __future__ import annotations

from typing import Any

from . import ir
from .diagnostics import Diagnostic
from .naming import Namespace, snake

# The client's own constructor arguments: a credential may not take these names.
CLIENT_ARGS = frozenset(
    {"base_url", "timeout", "max_retries", "default_headers", "default_query", "http_client", "self"}
)
_TOKEN, _OAUTH, _BASIC = "token", "oauth", "basic"


def requirements(
    doc: dict[str, Any], op: dict[str, Any], at: str, diags: list[Diagnostic]
) -> tuple[tuple[str, ...], ...]:
    """The alternatives an operation accepts (its own `security`, else the document's), as scheme names."""
    where = f"{at}/security" if "security" in op else "/security"
    raw = op["security"] if "security" in op else doc.get("security")
    if not isinstance(raw, list):
        return ()
    known = _schemes(doc)
    out: list[tuple[str, ...]] = []
    for i, alternative in enumerate(raw):
        if not isinstance(alternative, dict):
            continue
        names = tuple(sorted(str(n) for n in alternative))
        missing = [n for n in names if n not in known]
        for name in missing:
            diags.append(
                Diagnostic(
                    "W351", f"security scheme {name!r} is not defined; the requirement is ignored", f"{where}/{i}"
                )
            )
        if not missing and names not in out:
            out.append(names)
    return tuple(out)


def schemes(doc: dict[str, Any], used: set[str], diags: list[Diagnostic]) -> tuple[ir.SecurityScheme, ...]:
    """The schemes in `used` that the client can send, with their argument names settled.

    Naming rule: a bearer token or API key is `api_key`, an OAuth 2 / OpenID Connect token
    `access_token` (plus `token_provider`), HTTP basic `username` and `password`; when two
    schemes would share these names, one the document uses by default keeps them and the others
    take their scheme's name, less an `Auth` suffix (`admin_api_key`, `admin_key_token_provider`,
    `admin_key_username`, ...).
    """
    parsed: list[tuple[str, str, str, str, str, dict[str, Any]]] = []  # name, family, kind, wire, spec type, raw
    known = _schemes(doc)
    for name in sorted(used):
        raw = known.get(name)
        at = "/components/securitySchemes/" + name.replace("~", "~0").replace("/", "~1")
        shape = _shape(raw)
        if shape is None:
            kind = raw.get("type") if isinstance(raw, dict) else None
            scheme = f" {raw.get('scheme')!r}" if isinstance(raw, dict) and kind == "http" else ""
            diags.append(
                Diagnostic(
                    "W350",
                    f"security scheme {name!r} ({kind}{scheme}) cannot be sent by the client; "
                    "operations that accept only it send no credentials",
                    at,
                )
            )
            continue
        assert isinstance(raw, dict)
        parsed.append((name, *shape, raw))
    base = {_TOKEN: ("api_key",), _OAUTH: ("access_token", "token_provider"), _BASIC: ("username", "password")}
    counts: dict[str, int] = {}
    for _, family, *_rest in parsed:
        for arg in base[family]:
            counts[arg] = counts.get(arg, 0) + 1
    # of schemes sharing names, one the document asks for by default (top-level `security`) keeps them
    defaults = {n for alt in doc.get("security") or [] if isinstance(alt, dict) for n in alt}
    keeper: dict[str, str] = {}
    for name, family, *_rest in parsed:
        for arg in base[family]:
            if counts[arg] > 1 and name in defaults:
                keeper.setdefault(arg, name)
    names = Namespace(CLIENT_ARGS, "_")
    out = []
    for name, family, kind, wire, spec_type, raw in parsed:
        at = "/components/securitySchemes/" + name.replace("~", "~0").replace("/", "~1")
        wanted = base[family]
        if any(counts[a] > 1 and keeper.get(a) != name for a in wanted):
            own = snake(name).removesuffix("_auth") or snake(name)  # AdminApiKeyAuth -> admin_api_key
            wanted = (
                (own,)
                if family == _TOKEN
                else (own, own + "_token_provider")
                if family == _OAUTH
                else (own + "_username", own + "_password")
            )
        args = []
        for arg in wanted:
            got, renamed = names.claim(arg)
            if renamed or got != arg:
                diags.append(
                    Diagnostic("W352", f"the credential argument of {name!r} is {got!r} ({arg!r} is taken)", at)
                )
            args.append(got)
        description = raw.get("description")
        out.append(
            ir.SecurityScheme(
                name=name,
                pointer=at,
                kind=kind,  # type: ignore[arg-type]
                wire=wire,
                args=tuple(args[:1] if family == _OAUTH else args),
                provider=args[1] if family == _OAUTH else "",
                description=description.strip() if isinstance(description, str) else "",
                spec_type=spec_type,
            )
        )
    return tuple(out)


def _schemes(doc: dict[str, Any]) -> dict[str, Any]:
    components = doc.get("components")
    found = components.get("securitySchemes") if isinstance(components, dict) else None
    return found if isinstance(found, dict) else {}


def _shape(raw: Any) -> tuple[str, str, str, str] | None:
    """(argument family, how it is sent, header/query/cookie name, spec type), or None when unsupported."""
    if not isinstance(raw, dict):
        return None
    kind = raw.get("type")
    if kind == "http":
        scheme = str(raw.get("scheme", "")).lower()
        if scheme == "bearer":
            return _TOKEN, "bearer", "Authorization", "HTTP bearer"
        if scheme == "basic":
            return _BASIC, "basic", "Authorization", "HTTP basic"
        return None
    if kind == "apiKey":
        where, wire = raw.get("in"), raw.get("name")
        if where in ("header", "query", "cookie") and isinstance(wire, str) and wire:
            return _TOKEN, str(where), wire, f"API key in {where} `{wire}`"
        return None
    if kind == "oauth2":
        return _OAUTH, "bearer", "Authorization", "OAuth 2"
    if kind == "openIdConnect":
        return _OAUTH, "bearer", "Authorization", "OpenID Connect"
    return None
