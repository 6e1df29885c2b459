"""The built-in templates, loaded from their precompiled form, so that a cold build neither parses
nor compiles them (Jinja's compile of the built-in templates costs about a quarter of a second;
the bytecode cache only helps once the user's cache folder is warm).

generator/compiled/ holds, for each built-in template, the Python source Jinja compiles it to
(as for its ModuleLoader: `raw=True, defer_init=True`), written by `python -m convgen.precompile`
(see precompile.py) and committed; its index records each template's source digest and the
context names it reads (what the render memo would otherwise parse the template a second time
to learn). A compiled template is used only while its source's digest, Jinja's version and the
environment's settings are those it was compiled with: otherwise (and for the user's templates)
the template is compiled as usual. Python caches the modules' bytecode like any other module's.
"""

from __future__ import annotations

import hashlib
import importlib
from collections.abc import MutableMapping
from dataclasses import dataclass
from functools import cache
from importlib.util import find_spec
from pathlib import Path
from types import CodeType, ModuleType
from typing import Any

import jinja2

PACKAGE = "convgen.compiled"


@dataclass(frozen=True)
class Entry:
    code: CodeType
    reads: list[str] | None  # the context names the template reads (None: all)


def settings(env: jinja2.Environment) -> str:
    """What, besides the source, decides Jinja's compiled code: its syntax and whitespace
    options, extensions, and the filters and tests known when compiling."""
    fields = (
        env.block_start_string,
        env.block_end_string,
        env.variable_start_string,
        env.variable_end_string,
        env.comment_start_string,
        env.comment_end_string,
        env.line_statement_prefix,
        env.line_comment_prefix,
        env.trim_blocks,
        env.lstrip_blocks,
        env.newline_sequence,
        env.keep_trailing_newline,
        env.autoescape,
        env.optimized,
        env.is_async,
        sorted(env.extensions),
        sorted(env.filters),
        sorted(env.tests),
    )
    return hashlib.sha256(repr(fields).encode()).hexdigest()[:32]


def source_digest(source: bytes) -> str:
    return hashlib.sha256(source).hexdigest()


def module_name(template: str) -> str:
    """The module of a template: `types_module.py.jinja` -> `types_module_py`."""
    stem = template.removesuffix(".jinja")
    return "".join(ch if ch.isalnum() else "_" for ch in stem)


class BuiltinLoader(jinja2.FileSystemLoader):
    """The built-in templates' folder: a template whose compiled module matches comes from it."""

    def __init__(self, folder: Path) -> None:
        super().__init__(str(folder))
        self.folder = folder
        self._entries: dict[str, Entry | None] = {}

    def entry(self, environment: jinja2.Environment, name: str) -> Entry | None:
        if name not in self._entries:
            self._entries[name] = _entry(environment, self.folder, name)
        return self._entries[name]

    def load(
        self, environment: jinja2.Environment, name: str, globals: MutableMapping[str, Any] | None = None
    ) -> jinja2.Template:
        entry = self.entry(environment, name)
        if entry is None:
            return super().load(environment, name, globals)
        # a namespace of its own for each environment (as Template.from_code makes one); the
        # template's file is the .jinja one, so that errors name its line (render._template_frame)
        namespace: dict[str, Any] = {"environment": environment, "__file__": str(self.folder / name)}
        exec(entry.code, namespace)
        return environment.template_class.from_module_dict(environment, namespace, globals or {})


def builtin_reads(env: jinja2.Environment, name: str) -> tuple[bool, list[str] | None]:
    """(True, the context names template `name` reads) when `env` loads it from its compiled
    module (not from the user's folder, which comes first), else (False, None)."""
    loader = env.loader
    for sub in loader.loaders if isinstance(loader, jinja2.ChoiceLoader) else [loader]:
        if isinstance(sub, BuiltinLoader):
            entry = sub.entry(env, name)
            return (True, entry.reads) if entry is not None else (False, None)
        if isinstance(sub, jinja2.FileSystemLoader) and any((Path(p) / name).is_file() for p in sub.searchpath):
            return False, None
    return False, None


def _entry(env: jinja2.Environment, folder: Path, name: str) -> Entry | None:
    index = _index()
    row = index.TEMPLATES.get(name) if index is not None else None
    if index is None or row is None or index.JINJA != jinja2.__version__ or index.SETTINGS != settings(env):
        return None
    module, digest, reads = row
    try:
        if source_digest((folder / name).read_bytes()) != digest:
            return None  # the template changed since it was precompiled
        spec = find_spec(f"{PACKAGE}.{module}")
        code = spec.loader.get_code(spec.name) if spec is not None and spec.loader is not None else None  # type: ignore[attr-defined]
    except (OSError, ImportError, SyntaxError):
        return None
    if not isinstance(code, CodeType):
        return None
    return Entry(_refiled(code, str(folder / name)), None if reads is None else list(reads))


def _refiled(code: CodeType, filename: str) -> CodeType:
    """`code` (and the functions in it) as compiled from `filename`, the template, as Jinja's
    own compile names it: tracebacks and origin.py read the template's file from its frames."""
    consts = tuple(_refiled(c, filename) if isinstance(c, CodeType) else c for c in code.co_consts)
    return code.replace(co_filename=filename, co_consts=consts)


@cache
def _index() -> ModuleType | None:
    try:
        return importlib.import_module(f"{PACKAGE}.index")
    except ImportError:
        return None
