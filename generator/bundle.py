"""Specs split over files: the files that relative `$ref`s name are loaded and bundled into
the one document the later stages read, so they stay one-way and single-document.

- A reference where OpenAPI allows a component (a schema, parameter, response, request body,
  header, example, link, callback) becomes a local `#/components/<kind>/<name>` and the file's
  content is placed there once, under a stable name: the fragment's last token or the file's
  stem, prefixed by folder names only when that name is taken. A root component that is just
  a reference to a file gets that file's content in place, keeping its name.
- Anywhere else (a path item, an operation, a description, extension data) the content is
  inlined where the reference stands.
- Each placed or inlined subtree remembers the file and pointer it came from (`origins`), so
  diagnostics point at the right file and line.
- Files are confined to a root folder (by default the spec's own); URLs are never fetched.
  Cycles across files end: a component is named before its content is walked.
- A spec in one file is bundled too when a local reference points outside #/components (see
  localrefs.py): what it names moves under #/components, or is copied where it is named.
"""

from __future__ import annotations

import os
import re
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from .diagnostics import Diagnostic, escape_token
from .localrefs import context_at, is_elsewhere, plan_moves, tokens_of
from .specread import SUBSCHEMA_LISTS, SUBSCHEMA_MAPS, SUBSCHEMA_VALUES

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
# A `$ref` whose value does not start with `#` (quick test on the text: most specs have none).
EXTERNAL_REF = re.compile(r"""\$ref["']?\s*:\s*["']?[^#\s"',}]""")
# A `$ref` other than a plain `"#/components/..."` (a file, or see localrefs.ELSEWHERE): what makes
# a spec one to bundle, found in one pass over the text of one that is not (most specs)
UNUSUAL_REF = re.compile(r"""\$ref["']?\s*:(?!\s*["']#/components/[^"'%]*["'])""")
MAX_INLINE_CHAIN = 32

# ctx -> component kind a reference there is placed under (else: inlined)
_KINDS = {
    "schema": "schemas",
    "parameter": "parameters",
    "response": "responses",
    "requestBody": "requestBodies",
    "header": "headers",
    "example": "examples",
    "link": "links",
    "callback": "callbacks",
    "securityScheme": "securitySchemes",
}
_COMPONENT_MAPS = {kind: ctx for ctx, kind in _KINDS.items()} | {"pathItems": "pathitem"}
_DATA = frozenset({"example", "default", "enum", "const"})
_METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})
# ctx -> {key: ctx of the value}; "map:X" is a map of names to X; "other" is walked as data
_CHILDREN: dict[str, dict[str, str]] = {
    "doc": {"paths": "paths", "webhooks": "paths", "components": "components"},
    "pathitem": {"parameters": "list:parameter", **{m: "operation" for m in _METHODS}},
    "operation": {
        "parameters": "list:parameter",
        "requestBody": "requestBody",
        "responses": "responses",
        "callbacks": "map:callback",
    },
    "parameter": {"schema": "schema", "content": "map:mediatype", "examples": "map:example", "example": "value"},
    "header": {"schema": "schema", "content": "map:mediatype", "examples": "map:example", "example": "value"},
    "requestBody": {"content": "map:mediatype"},
    "response": {"headers": "map:header", "content": "map:mediatype", "links": "map:link"},
    "mediatype": {"schema": "schema", "examples": "map:example", "example": "value", "encoding": "map:encoding"},
    "encoding": {"headers": "map:header"},
    "example": {"value": "value"},
    "components": {kind: f"map:{ctx}" for kind, ctx in _COMPONENT_MAPS.items()},
}


@dataclass
class Source:
    """One loaded file: its data and text (for locating diagnostics)."""

    path: Path  # as shown in diagnostics (relative to where the user is when the spec path was)
    data: Any
    text: str


@dataclass
class Bundle:
    doc: dict[str, Any]
    origins: dict[str, tuple[Source, str]]  # bundled pointer -> (file, pointer there)
    sources: list[Source] = field(default_factory=list)  # every file loaded besides the root
    diags: list[Diagnostic] = field(default_factory=list)


class _Inline:
    """A reference whose content is inlined once the container holding it exists."""

    def __init__(
        self, source: Source, fptr: str, ctx: str, optr: str, chain: tuple[tuple[Path, str], ...], extra: dict[str, Any]
    ) -> None:
        self.source, self.fptr, self.ctx, self.optr, self.chain, self.extra = source, fptr, ctx, optr, chain, extra


Reader = Callable[[Path], tuple[Any, str]]  # parse a file; raises LoadError


class LoadError(Exception):
    def __init__(self, code: str, message: str, line: int = 1, column: int = 1) -> None:
        super().__init__(message)
        self.code, self.message, self.line, self.column = code, message, line, column


def bundle(root: Source, ref_root: Path, read: Reader, files: bool = True) -> Bundle:
    """Without `files` (no `$ref` names a file: the root is bundled for its local references
    alone), discriminator mappings that name files are left as they are, for the later stages."""
    return _Bundler(root, ref_root, read, files).run()


class _Bundler:
    def __init__(self, root: Source, ref_root: Path, read: Reader, files: bool = True) -> None:
        self.root, self.files_named = root, files
        self.ref_root, self.ref_root_shown = ref_root.resolve(), ref_root
        self.read = read
        # thousands of $refs name a few thousand files: each path made, resolved and checked once
        self.named: dict[tuple[Path, str], Path] = {}
        self.real_paths: dict[Path, Path] = {}
        self.inside: dict[Path, bool] = {}
        self.files: dict[Path, Source | None] = {self._real(root.path): root}
        self.placed: dict[tuple[str, Path, str], str] = {}  # (kind, file, pointer) -> component name
        self.taken: dict[str, set[str]] = {}
        self.jobs: deque[tuple[Any, Any, _Inline]] = deque()
        components = root.data.get("components") if isinstance(root.data.get("components"), dict) else {}
        for kind in _COMPONENT_MAPS:
            entries = components.get(kind)
            self.taken[kind] = set(entries) if isinstance(entries, dict) else set()
        self.out = Bundle(doc={}, origins={})
        self.new_components: dict[str, dict[str, Any]] = {}
        # the root's objects that local references name outside #/components: pointer -> (kind, name)
        self.moved: dict[str, tuple[str, str]] = {}

    def _real(self, path: Path) -> Path:
        real = self.real_paths.get(path)
        if real is None:
            real = self.real_paths[path] = path.resolve()
        return real

    # ---- driver ---------------------------------------------------------------------------
    def run(self) -> Bundle:
        self._adopt_root_components()
        self.moved = plan_moves(self.root.data, child_context, _KINDS, self.taken)
        out = self._copy(self.root.data, "doc", self.root, "", "", ())
        while self.jobs:  # breadth first, so names are given in document order
            holder, key, job = self.jobs.popleft()
            value = self._copy(
                _pointer_get(job.source.data, job.fptr), job.ctx, job.source, job.fptr, job.optr, job.chain
            )
            if isinstance(value, _Inline):  # a reference to a reference
                value.extra = {**value.extra, **job.extra}
                self.jobs.append((holder, key, value))
                continue
            holder[key] = {**value, **job.extra} if job.extra and isinstance(value, dict) else value
        components = out.setdefault("components", {})
        if isinstance(components, dict):
            for kind, entries in self.new_components.items():
                if isinstance(components.setdefault(kind, {}), dict):
                    components[kind].update(entries)
        self.out.doc = out
        return self.out

    def _adopt_root_components(self) -> None:
        """`components: {schemas: {Pet: {$ref: pet.yaml}}}`: Pet is the file's content, named Pet."""
        components = self.root.data.get("components")
        if not isinstance(components, dict):
            return
        for kind in _COMPONENT_MAPS:
            entries = components.get(kind)
            if not isinstance(entries, dict):
                continue
            for name, entry in entries.items():
                ref = entry.get("$ref") if isinstance(entry, dict) and len(entry) == 1 else None
                if not isinstance(ref, str) or ref.startswith("#"):
                    continue
                where = f"/components/{escape_token(kind)}/{escape_token(name)}"
                target = self._resolve(ref, self.root, where + "/$ref", quiet=True)
                if target is not None and target[0] is not self.root:
                    self.placed.setdefault((kind, self._real(target[0].path), target[1]), name)

    # ---- walking ----------------------------------------------------------------------------
    def _copy(
        self, node: Any, ctx: str, source: Source, fptr: str, optr: str, chain: tuple[tuple[Path, str], ...]
    ) -> Any:
        """A copy of `node` (at `fptr` in `source`, at `optr` in the bundle) with its references
        rewritten; inlined references are left as `_Inline` for the caller to queue."""
        if ctx == "value" or not isinstance(node, (dict, list)):
            return node
        if source is self.root and fptr in self.moved:
            kind, name = self.moved[fptr]
            component = f"/components/{kind}/{escape_token(name)}"
            if optr != component:  # where it stood (or inside another moved object): a reference to it
                self._place(kind, source, fptr)
                return {"$ref": "#" + component}
        if isinstance(node, list):
            item_ctx = ctx.removeprefix("list:")
            return self._defer(
                [self._copy(v, item_ctx, source, f"{fptr}/{i}", f"{optr}/{i}", chain) for i, v in enumerate(node)]
            )
        if ctx.startswith("map:"):
            if isinstance(node.get("$ref"), str):  # the whole map is in another file (as bundlers allow)
                return self._reference(node, node["$ref"], ctx, source, fptr, optr, chain)
            inner = ctx[4:]
            out = {
                k: self._copy(v, inner, source, f"{fptr}/{escape_token(k)}", f"{optr}/{escape_token(k)}", chain)
                for k, v in node.items()
            }
            return self._defer(out)
        ref = node.get("$ref")
        if isinstance(ref, str) and ctx not in ("paths", "responses", "components", "doc"):
            return self._reference(node, ref, ctx, source, fptr, optr, chain)
        out = {}
        for key, value in node.items():
            out[key] = self._copy(
                value,
                child_context(ctx, str(key)),
                source,
                f"{fptr}/{escape_token(key)}",
                f"{optr}/{escape_token(key)}",
                chain,
            )
        if ctx == "schema":
            self._rewrite_mapping(out, source, optr)
        return self._defer(out)

    def _defer(self, container: Any) -> Any:
        """Queue the inlined references among a new container's children."""
        items = container.items() if isinstance(container, dict) else enumerate(container)
        for key, value in list(items):
            if isinstance(value, _Inline):
                container[key] = None  # filled by the job
                self.jobs.append((container, key, value))
        return container

    def _reference(
        self,
        node: dict[str, Any],
        ref: str,
        ctx: str,
        source: Source,
        fptr: str,
        optr: str,
        chain: tuple[tuple[Path, str], ...],
    ) -> Any:
        kind = _KINDS.get(ctx)
        if source is self.root and ref.startswith("#") and not is_elsewhere(ref):
            return dict(node)  # local to the root: as written
        target = self._resolve(ref, source, f"{optr}/$ref")
        if target is None:
            return dict(node)  # reported; the load fails
        tsource, tptr = target
        if tsource is self.root:
            moved = self.moved.get(tptr)
            if moved is not None and moved[0] == kind:
                name = self._place(moved[0], tsource, tptr)
                return {**node, "$ref": f"#/components/{moved[0]}/{escape_token(name)}"}
            if (
                moved is not None
                or kind is not None
                or ctx == "other"
                or tptr.startswith("/components/")
                or context_at(tokens_of(tptr), child_context) != ctx
            ):
                # a component (its pointer decoded), or what names the wrong kind of object (the
                # later stages say so): as written; else a path item or an operation: copied here
                return {**node, "$ref": "#" + tptr}
        key = (self._real(tsource.path), tptr)
        if kind is not None:
            name = self._place(kind, tsource, tptr)
            if optr != f"/components/{kind}/{escape_token(name)}":
                return {**node, "$ref": f"#/components/{kind}/{escape_token(name)}"}
            # the root's own component that only names the file: it gets the content (below)
        if key in chain or len(chain) >= MAX_INLINE_CHAIN:
            self.out.diags.append(
                Diagnostic(
                    "E113",
                    f"$ref {ref!r} includes itself through other files: they must not inline each other in a loop",
                    f"{optr}/$ref",
                )
            )
            return dict(node)
        self.out.origins[optr] = (tsource, tptr)
        extra = {k: v for k, v in node.items() if k != "$ref"}
        return _Inline(tsource, tptr, ctx, optr, chain + (key,), extra)

    def _rewrite_mapping(self, schema: dict[str, Any], source: Source, optr: str) -> None:
        disc = schema.get("discriminator")
        if not isinstance(disc, dict):
            return
        mapping = disc.get("mapping")
        if (
            not self.files_named
            or not isinstance(mapping, dict)
            or source is self.root
            and all(str(v).startswith("#") or "/" not in str(v) for v in mapping.values())
        ):
            return
        new = {}
        for tag, value in mapping.items():
            if (
                isinstance(value, str)
                and ("/" in value or "#" in value or value.endswith((".yaml", ".yml", ".json")))
                and not (source is self.root and value.startswith("#"))
            ):
                target = self._resolve(value, source, f"{optr}/discriminator/mapping/{escape_token(tag)}")
                if target is not None:
                    tsource, tptr = target
                    value = (
                        "#" + tptr
                        if tsource is self.root
                        else f"#/components/schemas/{escape_token(self._place('schemas', tsource, tptr))}"
                    )
            new[tag] = value
        schema["discriminator"] = {**disc, "mapping": new}

    # ---- components -------------------------------------------------------------------------
    def _place(self, kind: str, source: Source, fptr: str) -> str:
        """The component name of a file's part, queueing its content the first time."""
        key = (kind, self._real(source.path), fptr)
        name = self.placed.get(key)
        if name is not None:
            return name
        moved = self.moved.get(fptr) if source is self.root else None
        name = self.placed[key] = moved[1] if moved is not None else self._name(kind, source, fptr)
        optr = f"/components/{escape_token(kind)}/{escape_token(name)}"
        self.out.origins[optr] = (source, fptr)
        # walked later (a queued job), so a cycle back to this part finds the name above
        entries = self.new_components.setdefault(kind, {})
        entries[name] = None
        self.jobs.append((entries, name, _Inline(source, fptr, _COMPONENT_MAPS[kind], optr, (), {})))
        return name

    def _name(self, kind: str, source: Source, fptr: str) -> str:
        tokens = [t.replace("~1", "/").replace("~0", "~") for t in fptr.split("/")[1:]]
        stem = (
            source.path.name.rsplit(".", 1)[0]
            if source.path.suffix.lower() in (".yaml", ".yml", ".json")
            else source.path.name
        )
        base = _clean(tokens[-1] if tokens else stem)
        folders = (
            [_clean(p) for p in reversed(self._real(source.path).relative_to(self.ref_root).parts[:-1])]
            if self._real(source.path).is_relative_to(self.ref_root)
            else []
        )
        prefixes = ([stem] if tokens else []) + folders
        taken = self.taken[kind]
        candidate = base
        for prefix in prefixes:
            if candidate not in taken:
                break
            candidate = f"{_clean(prefix)}_{candidate}"
        number = 2
        while candidate in taken:
            candidate = f"{base}_{number}"
            number += 1
        taken.add(candidate)
        return candidate

    # ---- files ------------------------------------------------------------------------------
    def _resolve(self, ref: str, source: Source, where: str, quiet: bool = False) -> tuple[Source, str] | None:
        """(file, pointer) a reference names, loading the file; None after reporting why not."""

        def report(code: str, message: str) -> None:
            if not quiet:
                self.out.diags.append(Diagnostic(code, message, where))

        if _SCHEME.match(ref) and not re.match(r"^[A-Za-z]:[\\/]", ref):
            report("E110", f"$ref {ref!r} is a URL, and convgen never fetches")
            return None
        path_part, _, fragment = ref.partition("#")
        fragment = unquote(fragment)
        if fragment and not fragment.startswith("/"):
            report("E103", f"$ref {ref!r}: only JSON pointer fragments (#/...) are supported")
            return None
        if not path_part:
            target_source: Source | None = source
        else:
            named = self.named.get((source.path, path_part))
            if named is None:
                named = self.named[(source.path, path_part)] = Path(
                    os.path.normpath(source.path.parent / unquote(path_part))
                )
            target_source = self._file(named, ref, report)
        if target_source is None:
            return None
        try:
            _pointer_get(target_source.data, fragment)
        except KeyError:
            report("E103", f"$ref {ref!r} points at nothing in {target_source.path}")
            return None
        return target_source, fragment

    def _file(self, path: Path, ref: str, report: Callable[[str, str], None]) -> Source | None:
        real = self._real(path)
        inside = self.inside.get(real)
        if inside is None:
            inside = self.inside[real] = real.is_relative_to(self.ref_root)
        if not inside:
            report("E111", f"$ref {ref!r} leaves the folder tree of {str(self.ref_root_shown) or '.'}")
            return None
        if real in self.files:
            known = self.files[real]
            if known is None:
                report("E112", f"$ref {ref!r}: {path} could not be loaded (reported at that file)")
            return known
        self.files[real] = None
        if not real.is_file():  # missing, or a folder, a device or a FIFO (which would block the read)
            report(
                "E112",
                f"$ref {ref!r}: {path} is not a regular file"
                if real.exists()
                else f"$ref {ref!r}: cannot read {path}: no such file",
            )
            return None
        try:
            data, text = self.read(path)
        except LoadError as exc:
            if exc.code == "E001":  # no such file, or unreadable
                report("E112", f"$ref {ref!r}: {exc.message.replace('cannot read spec', f'cannot read {path}')}")
            else:  # the file's own problem, located in it
                report("E112", f"$ref {ref!r}: {path} is not a valid part of a spec (see its error)")
                self.out.diags.append(
                    Diagnostic(exc.code, exc.message, file=str(path), line=exc.line, column=exc.column)
                )
            return None
        loaded = Source(path, data, text)
        self.files[real] = loaded
        self.out.sources.append(loaded)
        return loaded


def _pointer_get(data: Any, fragment: str) -> Any:
    node = data
    if not fragment:
        return node
    for raw in fragment[1:].split("/"):
        token = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            raise KeyError(fragment)
    return node


def child_context(ctx: str, key: str) -> str:
    """The context of the value under `key` in an object of context `ctx`."""
    if ctx == "schema":
        if key in SUBSCHEMA_MAPS:
            return "map:schema"
        if key in SUBSCHEMA_VALUES:
            return "schema"
        if key in SUBSCHEMA_LISTS:
            return "list:schema"
        if key in _DATA or key == "examples":
            return "value"
        return "other"
    if ctx in ("paths", "responses"):
        return "other" if key.startswith("x-") else ("pathitem" if ctx == "paths" else "response")
    return _CHILDREN.get(ctx, {}).get(key, "other")


def _clean(name: str) -> str:
    """A component name OpenAPI accepts: ^[a-zA-Z0-9._-]+$."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("_") or "part"
