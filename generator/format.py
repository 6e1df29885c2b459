"""Stage 7, format: black, in-process, on every generated Python file.

Black is the slowest part of a build, so results are cached by content hash (a template
change re-formats only the files whose text changed) and a cold run uses both cores.
A file black cannot parse is our bug (or a custom template's): an E405 diagnostic.
"""

from __future__ import annotations

import hashlib
import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from . import cache
from .diagnostics import Diagnostic

LINE_LENGTH = 100
PARALLEL_MIN_LINES = 4000  # below this a second process costs more than it saves


def _mode():  # type: ignore[no-untyped-def]
    import black

    return black.Mode(line_length=LINE_LENGTH, target_versions={black.TargetVersion.PY311})


def cache_dir() -> Path:
    return cache.root() / f"black-{cache.black_version()}-{LINE_LENGTH}"


def format_files(files: dict[str, str], *, use_cache: bool = True, jobs: int | None = None) -> tuple[dict[str, str], list[Diagnostic]]:
    store = cache_dir() if use_cache else None
    out = dict(files)
    todo: dict[str, str] = {}
    keys: dict[str, str] = {}
    for path, text in files.items():
        if not path.endswith(".py"):
            continue
        key = hashlib.sha256(text.encode()).hexdigest()
        keys[path] = key
        hit = _read(store, key) if store else None
        if hit is not None:
            out[path] = hit
        else:
            todo[path] = text
    diags: list[Diagnostic] = []
    results = _format_many(todo, jobs)
    for path, (formatted, error) in results.items():
        if error is not None:
            diags.append(Diagnostic("E405", f"{path}: {error}", file=path, line=1, column=1))
            continue
        out[path] = formatted
        if store is not None:
            _write(store, keys[path], formatted)
    return out, diags


def _format_many(todo: dict[str, str], jobs: int | None) -> dict[str, tuple[str, str | None]]:
    total_lines = sum(t.count("\n") for t in todo.values())
    workers = jobs if jobs is not None else min(2, os.cpu_count() or 1)
    if workers > 1 and total_lines >= PARALLEL_MIN_LINES and len(todo) > 1:
        items = sorted(todo.items())
        chunks = [dict(items[i::workers]) for i in range(workers)]
        try:
            with ProcessPoolExecutor(max_workers=workers) as pool:
                merged: dict[str, tuple[str, str | None]] = {}
                for part in pool.map(_format_chunk, chunks):
                    merged.update(part)
                return merged
        except (OSError, RuntimeError):
            pass  # no processes here (sandbox): format in this one
    return _format_chunk(todo)


def _format_chunk(todo: dict[str, str]) -> dict[str, tuple[str, str | None]]:
    import black

    mode = _mode()
    out: dict[str, tuple[str, str | None]] = {}
    for path, text in todo.items():
        try:
            formatted = black.format_str(text, mode=mode)
            compile(formatted, path, "exec", dont_inherit=True)  # black parses; compile also checks names
            out[path] = (formatted, None)
        except Exception as exc:  # black raises its own parse errors; report, don't crash
            out[path] = (text, f"generated code is not valid Python: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}")
    return out


def _read(store: Path, key: str) -> str | None:
    try:
        return (store / key[:2] / key).read_text(encoding="utf-8")
    except OSError:
        return None


def _write(store: Path, key: str, text: str) -> None:
    try:
        folder = store / key[:2]
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f".{key}.{os.getpid()}"
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, folder / key)
    except OSError:
        pass  # a read-only cache only costs time
