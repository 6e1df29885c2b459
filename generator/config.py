"""Configuration: `[tool.convgen]` in pyproject.toml, or a `convgen.toml` beside the spec.

Command-line flags override it. Unknown keys and bad values are diagnostics with a line.
"""

from __future__ import annotations

import re
import tomllib
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


def find(start: Path) -> Path | None:
    """The nearest pyproject.toml with [tool.convgen], or convgen.toml, from `start` upwards."""
    for folder in [start, *start.parents]:
        for name in ("convgen.toml", "pyproject.toml"):
            candidate = folder / name
            if candidate.is_file():
                if name == "convgen.toml" or re.search(
                    r"^\[tool\.convgen\]", candidate.read_text(encoding="utf-8"), re.M
                ):
                    return candidate
    return None


def load_config(path: Path) -> tuple[Config, list[Diagnostic]]:
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
    table = data.get("tool", {}).get("convgen") if path.name == "pyproject.toml" else data
    if not isinstance(table, dict):
        return Config(source=path), []
    diags: list[Diagnostic] = []

    def where(key: str) -> tuple[int, int]:
        m = re.search(rf"^\s*{re.escape(key)}\s*=", text, re.M)
        return (text.count("\n", 0, m.start()) + 1, 1) if m else (1, 1)

    def bad(key: str, message: str, code: str = "E401") -> None:
        line, col = where(key)
        diags.append(Diagnostic(code, message, file=name, line=line, column=col))

    base = path.parent
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key not in KEYS:
            bad(key, f"unknown configuration key {key!r} (known: {', '.join(sorted(KEYS))})", "W402")
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
    return Config(source=path, **values), diags


def env_prefix_of(config: Config) -> str:
    """The configured prefix, else the package name: `petstore` reads PETSTORE_API_KEY."""
    return config.env_prefix or re.sub(r"[^A-Z0-9]+", "_", config.package.upper()).strip("_") or "CLIENT"


def _relative(path: Path) -> Path:
    """Paths in messages read best relative to where the user is."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        return path
