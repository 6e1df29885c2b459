"""The `names` table of the configuration: where operations go on the client.

A TOML file (its path is the `names` key of [tool.convgen]) with three optional tables:

    [operations]   # operationId, or "METHOD /path", -> "resource.path.method" (a list adds aliases)
    downloadFile = ["files.content", "files.retrieve_content"]
    [resources]    # a path prefix -> the resource path its segments become
    "/projects" = "organization.projects"
    [groups]       # an `x-oaiMeta.group` -> a resource path put in front of its operations' resources
    administration = "admin"

Bad entries are E401 with their line, unknown tables W402, like the rest of the configuration.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from .diagnostics import Diagnostic
from .opnames import NameTable

_DOTTED = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")


def read_table(path: Path, what: str) -> tuple[str, dict[str, Any] | None, list[Diagnostic]]:
    """A TOML table file named in the configuration: its text and data, or one located E401."""
    import tomllib  # (imported here: a build with no TOML to read does without it)

    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
        return text, tomllib.loads(text), []
    except OSError as exc:
        return "", None, [Diagnostic("E401", f"cannot read {what}: {exc.strerror or exc}", file=name, line=1, column=1)]
    except tomllib.TOMLDecodeError as exc:
        line = int(m.group(1)) if (m := re.search(r"line (\d+)", str(exc))) else 1
        message = f"invalid TOML: {str(exc).split(' (at')[0]}"
        return "", None, [Diagnostic("E401", message, file=name, line=line, column=1)]


def load_names(path: Path) -> tuple[NameTable | None, list[Diagnostic]]:
    name = str(path)
    text, data, failed = read_table(path, "the names table")
    if data is None:
        return None, failed
    diags: list[Diagnostic] = []

    def bad(key: str, message: str, code: str = "E401") -> None:
        m = re.search(rf"^\s*\"?{re.escape(key)}\"?\s*=|^\[{re.escape(key)}\]", text, re.M)
        line = text.count("\n", 0, m.start()) + 1 if m else 1
        diags.append(Diagnostic(code, message, file=name, line=line, column=1))

    def dotted(key: str, value: Any, least: int) -> tuple[str, ...] | None:
        if isinstance(value, str) and _DOTTED.match(value) and value.count(".") + 1 >= least:
            return tuple(value.split("."))
        bad(
            key,
            f"{key!r} must map to a dotted Python name{' like resource.method' if least > 1 else ''}, got {value!r}",
        )
        return None

    operations: dict[str, tuple[str, ...]] = {}
    resources: list[tuple[str, tuple[str, ...]]] = []
    groups: dict[str, tuple[str, ...]] = {}
    for table, entries in data.items():
        if table not in ("operations", "resources", "groups") or not isinstance(entries, dict):
            bad(table, f"unknown names table [{table}] (known: [operations], [resources], [groups])", "W402")
            continue
        for key, value in entries.items():
            if table == "operations":
                values = value if isinstance(value, list) else [value]
                parsed = [dotted(key, v, 2) for v in values]
                if values and all(p is not None for p in parsed):
                    operations[key] = tuple(".".join(p) for p in parsed if p is not None)
                elif not values:
                    bad(key, f"{key!r} needs at least one method path")
            elif table == "resources":
                target = dotted(key, value, 1)
                if not key.startswith("/"):
                    bad(key, f"resource prefix {key!r} must be a path starting with /")
                elif target is not None:
                    resources.append((key, target))
            else:
                target = dotted(key, value, 1)
                if target is not None:
                    groups[key] = target
    resources.sort(key=lambda item: -len(item[0]))
    return NameTable(operations, tuple(resources), groups), diags
