"""What the render stage remembers between builds, so that a module whose context did not change
is not rendered again (a warm rebuild after a one-schema change re-renders only what it touched).

A job's text is keyed by a digest of everything rendering reads: its template's name, the
sources of every template (built-in and the user's), the code behind the templates' filters and
globals (render.py, linewrap.py, format.py's line length, black's width rules, Jinja's version) and the
context values the template reads (Jinja's own analysis of its source; all of them when it
includes or extends another template, which sees the whole context), serialised with pickle
(views are frozen dataclasses of strings and tuples: equal bytes mean equal values, and a value
that merely serialises differently is only a miss). A view planmemo remembered (a types module,
a method) is known by the digest it was remembered under, and a view of such views (a resource)
by its fields and its views' digests: those are not serialised again. One memo file per output
(named by the jobs' top-level paths) holds the texts of its last build.
"""

from __future__ import annotations

import dataclasses
import hashlib
import pickle
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import jinja2
import jinja2.meta

from . import journal
from .precompiled import builtin_reads
from .views import Job

_HERE = Path(__file__).resolve().parent


class Memo:
    def __init__(
        self,
        folder: Path,
        jobs: list[Job],
        env: jinja2.Environment,
        template_dirs: Iterable[Path],
        known: dict[int, tuple[Any, bytes]] | None = None,
    ) -> None:
        slot = hashlib.sha256("\0".join(sorted({j.path.split("/", 1)[0] for j in jobs})).encode()).hexdigest()
        self.file = folder / "memo" / f"{slot[:32]}.marshal"
        self.env = env
        self.base = _base_digest(template_dirs)
        # the entries: a job's key -> its text, and ("uses", template) -> the context names the
        # template reads (None: all), kept while no template changes
        self.same, self.old = journal.read_for(self.file, self.base)
        self.uses: dict[str, list[str] | None] = {k[1]: v for k, v in self.old.items() if type(k) is tuple}
        self.new: dict[str, str] = {}
        self.added: dict[Any, Any] = {}  # made this run: appended to the memo's journal
        self._digests: dict[int, bytes] = {}  # id of a context value -> its digest (common values are shared)
        self.known = known or {}  # values whose digest planmemo knows: not serialised again
        self._composite: set[type[Any]] = set()  # view classes whose fields hold views

    def key(self, job: Job) -> str | None:
        digest = hashlib.sha256(self.base + job.template.encode() + b"\0")
        try:
            names = self._reads(job.template)
            # (Jinja's analysis leaves out the environment's globals, which a context value would shadow)
            read = job.context.keys() if names is None else (set(names) | self.env.globals.keys()) & job.context.keys()
            for name in sorted(read):
                digest.update(name.encode() + b"\0" + self._digest(job.context[name]))
        except Exception:  # a template that does not parse, a value pickle cannot write: never remembered
            return None
        return digest.hexdigest()

    def _reads(self, template: str) -> list[str] | None:
        if template not in self.uses:
            known, reads = builtin_reads(self.env, template)  # a built-in template's, recorded when precompiled
            if not known:
                assert self.env.loader is not None
                reads = template_reads(self.env, self.env.loader.get_source(self.env, template)[0])
            self.uses[template] = self.added[("uses", template)] = reads
        return self.uses[template]

    def _digest(self, value: Any) -> bytes:
        found = self._digests.get(id(value))
        if found is None:
            if isinstance(value, (list, tuple)) and value and _holds_views(value[0]):
                # a sequence of views (api.md's types modules, the resources) from its items' digests:
                # each view is serialised once, though several jobs read it (a sequence of plain
                # values, such as the exported names, is serialised whole)
                digest = hashlib.sha256(type(value).__name__.encode() + len(value).to_bytes(8, "big"))
                for item in value:
                    digest.update(self._digest(item))
                found = digest.digest()
            elif (planned := self.known.get(id(value))) is not None and planned[0] is value:
                found = hashlib.sha256(b"planmemo\0" + planned[1]).digest()
            elif self.known and (
                type(value) in self._composite or (_is_view(value) and any(map(_holds_views, _field_values(value))))
            ):
                # a view of views (a resource and its methods): from its own fields and its views'
                # digests, so that the views planmemo knows (the methods) are not serialised again
                # (without any known, one pickle of the whole is quicker than a digest per view)
                self._composite.add(type(value))
                fields = tuple((b"view", self._digest(v)) if _holds_views(v) else v for v in _field_values(value))
                found = hashlib.sha256(pickle.dumps((type(value).__qualname__, fields), protocol=5)).digest()
            else:
                found = hashlib.sha256(pickle.dumps(value, protocol=5)).digest()
            self._digests[id(value)] = found
        return found

    def get(self, key: str | None) -> str | None:
        text = self.old.get(key) if key is not None else None
        if type(text) is str and key is not None:
            self.new[key] = text
            return text
        return None

    def put(self, key: str | None, text: str) -> None:
        if key is not None:
            self.new[key] = self.added[key] = text

    def save(self) -> None:
        """Keep this build's texts: the new ones appended to the journal, or (when it is folded in,
        or the templates changed) only this build's written whole, so that the memo never grows
        far past one output's size (journal.py)."""
        entries: dict[Any, Any] = {**self.new, **{("uses", t): reads for t, reads in self.uses.items()}}
        journal.write(self.file, self.base, entries, self.added, self.same)


def _is_view(value: Any) -> bool:
    return dataclasses.is_dataclass(value) and not isinstance(value, type)


def _holds_views(value: Any) -> bool:
    """A view (a dataclass), or a sequence of them."""
    if isinstance(value, (list, tuple)):
        return bool(value) and _is_view(value[0])
    return _is_view(value)


def _field_values(view: Any) -> tuple[Any, ...]:
    return tuple(getattr(view, f.name) for f in dataclasses.fields(view))


def template_reads(env: jinja2.Environment, source: str) -> list[str] | None:
    """The context names a template reads (None: all of them, when it includes or extends another
    template, or imports one with the context)."""
    tree = env.parse(source)
    sees_all = any(
        isinstance(node, (jinja2.nodes.Include, jinja2.nodes.Extends)) or getattr(node, "with_context", False)
        for node in tree.find_all(
            (jinja2.nodes.Include, jinja2.nodes.Extends, jinja2.nodes.Import, jinja2.nodes.FromImport)
        )
    )
    return None if sees_all else sorted(jinja2.meta.find_undeclared_variables(tree))


def bytecode_cache(folder: Path) -> jinja2.BytecodeCache | None:
    """The user's compiled templates kept on disk (the built-in ones come precompiled: precompiled.py)."""
    target = folder / "jinja"
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return _QuietBytecodeCache(str(target))


class _QuietBytecodeCache(jinja2.FileSystemBytecodeCache):
    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError:
            pass  # a read-only cache only costs time


def _base_digest(template_dirs: Iterable[Path]) -> bytes:
    from .cache import black_version

    digest = hashlib.sha256(f"{jinja2.__version__}\0{black_version()}\0".encode())
    for source in ("render.py", "format.py", "linewrap.py"):
        digest.update((_HERE / source).read_bytes())
    for folder in template_dirs:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.digest()
