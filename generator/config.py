"""Configuration: `[tool.convgen]` in pyproject.toml, or a `convgen.toml` beside the spec.

Command-line flags override it. Unknown keys and bad values are diagnostics with a line.
Several clients from one configuration are targets: `[tool.convgen.targets.NAME]` tables with
the same keys, each over the top-level keys, which are their defaults.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from .diagnostics import Diagnostic

ARRAY_FORMATS = ("brackets", "repeat", "comma")


@dataclass(frozen=True)
class Config:
    spec: Path | None = None
    tags: tuple[str, ...] = ()
    path_prefixes: tuple[str, ...] = ()
    package: str = "client"
    output: Path | None = None
    templates: Path | None = None
    array_format: str = ""  # "": as each parameter's style/explode says
    env_prefix: str = ""  # "" -> derived from the package name (see `env_prefix_of`)
    env_vars: tuple[tuple[str, str], ...] = ()  # (client argument, environment variable) overrides
    version: str = "0.1.0"
    strict: bool = False
    ref_root: Path | None = None  # folder files named by `$ref` must be in (default: the spec's)
    names: Path | None = None  # the operation names table (generator/nametable.py)
    pagination: Path | None = None  # the pagination table (generator/paging.py)
    source: Path | None = None  # the file this came from
    target: str = ""  # the name of this target ("" for the top-level configuration)
    targets: tuple[Config, ...] = ()  # the configured targets, each with the top-level keys as defaults

    def with_flags(self, **flags: Any) -> Config:
        given = {k: v for k, v in flags.items() if v is not None and v != ()}
        return replace(self, **given)


# key -> (type check, description) ; paths are relative to the config file
KEYS: dict[str, str] = {
    "spec": "path of the OpenAPI document",
    "tags": "list of tags whose operations to generate",
    "path_prefixes": "list of path prefixes whose operations to generate",
    "package": "Python package name of the client",
    "output": "folder the client is written to",
    "templates": "folder of template overrides",
    "array_format": "query arrays of the default style: brackets | repeat | comma (default: as the spec says)",
    "env_prefix": "environment variables read: PREFIX_<ARGUMENT>, e.g. PREFIX_API_KEY, PREFIX_BASE_URL"
    " (default: from the package name)",
    "env_vars": 'table: client argument -> environment variable, e.g. {api_key = "MY_KEY"}',
    "version": "version of the generated package",
    "strict": "treat warnings as errors",
    "ref_root": "folder that files named by relative $refs must be in (default: the spec's folder)",
    "names": "TOML table naming operations on the client (README: Operation names)",
    "pagination": "TOML table: operation -> pagination strategy (README: Pagination)",
}
TARGETS_KEY = "targets"  # tables of targets, top level only
TARGET_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_-]*")


def find(start: Path) -> Path | None:
    """The nearest pyproject.toml with [tool.convgen], or convgen.toml, from `start` upwards."""
    for folder in [start, *start.parents]:
        for name in ("convgen.toml", "pyproject.toml"):
            candidate = folder / name
            if candidate.is_file():
                if name == "convgen.toml" or re.search(
                    r"^\[tool\.convgen[].]", candidate.read_text(encoding="utf-8"), re.M
                ):
                    return candidate
    return None


def load_config(path: Path) -> tuple[Config, list[Diagnostic]]:
    import tomllib  # (imported here: a build with no TOML to read does without it)

    name = str(_relative(path))
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except OSError as exc:
        return Config(), [Diagnostic("E401", f"cannot read config: {exc.strerror or exc}", file=name, line=1, column=1)]
    except tomllib.TOMLDecodeError as exc:
        line = int(m.group(1)) if (m := re.search(r"line (\d+)", str(exc))) else 1
        return Config(), [
            Diagnostic("E401", f"invalid TOML: {str(exc).split(' (at')[0]}", file=name, line=line, column=1)
        ]
    section = "tool.convgen" if path.name == "pyproject.toml" else ""
    table = data.get("tool", {}).get("convgen") if section else data
    if not isinstance(table, dict):
        return Config(source=path), []
    diags: list[Diagnostic] = []
    defaults = _values(table, path, text, section, diags, top=True)
    config = Config(source=path, **defaults)
    if TARGETS_KEY in table:
        config = replace(config, targets=_targets(table[TARGETS_KEY], config, path, text, section, diags))
    return config, diags


def _targets(
    targets: Any, defaults: Config, path: Path, text: str, section: str, diags: list[Diagnostic]
) -> tuple[Config, ...]:
    """`[tool.convgen.targets.NAME]` tables, each over the top-level keys; E408 for a malformed
    one, E409 for two whose output folders are one or nest (a build replaces its folder whole)."""
    name = str(_relative(path))
    prefix = f"{section}.{TARGETS_KEY}" if section else TARGETS_KEY
    if not isinstance(targets, dict) or not targets:
        line = _line(text, TARGETS_KEY, section)
        message = f"{TARGETS_KEY} must be tables of targets: [{prefix}.NAME] with the keys of one client"
        diags.append(Diagnostic("E408", message, file=name, line=line, column=1))
        return ()
    out: list[Config] = []
    for target, table in targets.items():
        where = f"{prefix}.{target}"
        line = _header_line(text, where) or _line(text, TARGETS_KEY, section)
        if not TARGET_NAME.fullmatch(target) or not isinstance(table, dict):
            problem = "is not a table" if TARGET_NAME.fullmatch(target) else "is not a name (letters, digits, _ and -)"
            message = f"target {target!r} {problem}: write [{prefix}.NAME] with the keys of one client"
            diags.append(Diagnostic("E408", message, file=name, line=line, column=1))
            continue
        values = _values(table, path, text, where, diags, top=False)
        out.append(replace(defaults, **values, target=target))
    seen: list[Config] = []
    for config in out:
        for other in seen:
            mine, theirs = (config.output or DEFAULT_OUTPUT).resolve(), (other.output or DEFAULT_OUTPUT).resolve()
            if mine == theirs or theirs in mine.parents or mine in theirs.parents:
                how = "the same folder as" if mine == theirs else "inside" if theirs in mine.parents else "containing"
                message = (
                    f"target {config.target!r} writes {config.output or DEFAULT_OUTPUT}, {how} the output of"
                    f" target {other.target!r}: give each target a folder of its own, outside the others"
                )
                line = _line(text, "output", f"{prefix}.{config.target}") or _header_line(
                    text, f"{prefix}.{config.target}"
                )
                diags.append(Diagnostic("E409", message, file=name, line=line or 1, column=1))
        seen.append(config)
    return tuple(out)


DEFAULT_OUTPUT = Path("generated")


def _values(
    table: dict[str, Any], path: Path, text: str, section: str, diags: list[Diagnostic], *, top: bool
) -> dict[str, Any]:
    """The checked values of one table's keys (E401 for a bad one, W402 for an unknown one)."""
    name = str(_relative(path))

    def bad(key: str, message: str, code: str = "E401") -> None:
        diags.append(Diagnostic(code, message, file=name, line=_line(text, key, section) or 1, column=1))

    base = path.parent
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key == TARGETS_KEY and top:
            continue
        if key not in KEYS:
            known = sorted([*KEYS, TARGETS_KEY] if top else KEYS)
            bad(key, f"unknown configuration key {key!r} (known: {', '.join(known)})", "W402")
        elif key in ("spec", "output", "templates", "ref_root", "names", "pagination"):
            if isinstance(value, str) and value:
                values[key] = _relative(base / value)
            else:
                bad(key, f"{key} must be a non-empty string path")
        elif key in ("tags", "path_prefixes"):
            if isinstance(value, str):
                value = [value]
            if isinstance(value, list) and all(isinstance(v, str) for v in value):
                values[key] = tuple(value)
            else:
                bad(key, f"{key} must be a list of strings")
        elif key == "package":
            if isinstance(value, str) and value.isidentifier() and all(p.isidentifier() for p in value.split(".")):
                values[key] = value
            else:
                bad(key, f"package must be a Python identifier, got {value!r}")
        elif key == "array_format":
            if value in ARRAY_FORMATS:
                values[key] = value
            else:
                bad(key, f"array_format must be one of {', '.join(ARRAY_FORMATS)}, got {value!r}")
        elif key == "env_prefix":
            if isinstance(value, str) and re.fullmatch(r"[A-Z][A-Z0-9_]*", value):
                values[key] = value
            else:
                bad(key, f"env_prefix must be UPPER_SNAKE, got {value!r}")
        elif key == "env_vars":
            if isinstance(value, dict) and all(
                isinstance(k, str)
                and k.isidentifier()
                and isinstance(v, str)
                and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", v)
                for k, v in value.items()
            ):
                values[key] = tuple(sorted(value.items()))
            else:
                bad(key, 'env_vars must be a table of argument = "ENV_NAME" strings')
        elif key == "version":
            if isinstance(value, str) and re.fullmatch(r"[0-9A-Za-z.+-]+", value):
                values[key] = value
            else:
                bad(key, f"version must be a version string, got {value!r}")
        elif key == "strict":
            if isinstance(value, bool):
                values[key] = value
            else:
                bad(key, "strict must be true or false")
    return values


def env_prefix_of(config: Config) -> str:
    """The configured prefix, else the package name: `petstore` reads PETSTORE_API_KEY."""
    return config.env_prefix or re.sub(r"[^A-Z0-9]+", "_", config.package.upper()).strip("_") or "CLIENT"


def _line(text: str, key: str, section: str) -> int:
    """The line of `key = ...` in the table `section` ("": the top level of the file); 0 if absent.
    A table without its own header (inline or dotted) is searched for in the whole file."""
    lines = text.splitlines()
    start = _header_line(text, section) if section else 1
    whole = bool(section) and not start
    for number in range(start or 1, len(lines) + 1):
        row = lines[number - 1].strip()
        if row.startswith("[") and not whole and (number > start or not section):
            break
        if re.match(rf"{re.escape(key)}\s*=", row):
            return number
    return 0


def _header_line(text: str, section: str) -> int:
    """The line of the table header `[section]` (quotes and spaces around dots allowed); 0 if absent."""
    parts = [rf"\s*(?:{re.escape(p)}|\"{re.escape(p)}\"|'{re.escape(p)}')\s*" for p in section.split(".")]
    header = re.compile(r"^\s*\[" + r"\.".join(parts) + r"\]\s*(?:#.*)?$")
    for number, row in enumerate(text.splitlines(), 1):
        if header.match(row):
            return number
    return 0


def _relative(path: Path) -> Path:
    """Paths in messages read best relative to where the user is."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        return path
