"""Which file of the `types` package each type module of the IR goes to.

The IR gives every schema a module of its own (schemas in a reference cycle share one). One file per
schema made type checking slow for users: mypy's cost follows the number of modules a script
reaches, and the whole OpenAI spec had 1,351. Here those modules are packed into files of at most
about `LINE_BUDGET` lines:

- grouped by who uses them, so that a first call imports little: the type modules reached from
  exactly the same resources' operations form a group; the types only `client.batches` reaches
  make `batches`, those reached from several resources `shared_...` (`chat_shared_...` when they
  are all under `client.chat`), those no operation reaches (webhook payloads, unused components)
  `other`.
- A module's dependencies are reached from a superset of its users, so they sit in its group or
  in one of more users, ordered after it: files never import each other in a cycle, which
  Python's `from .x import Name` would not survive.
- Within a group, modules come dependencies first and are cut into files where the running size
  would pass the budget, or (past half of it) before a module whose name's hash marks a cut point.
  The cuts depend on the names around them and a file is named after its group and first module
  (`batches`, then `batches_batch_usage`), so one schema growing or appearing moves at most the
  cut next to it, not every file after it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from . import ir
from .naming import Namespace

LINE_BUDGET = 2200  # estimated lines per file (the estimate errs by up to ~20% per file; the limit is ~3,000)
_CUT_ONE_IN = 4  # past half the budget, about one module name in 4 marks a cut


def layout(api: ir.Api) -> dict[str, str]:
    """IR type module -> the file (module of the `types` package) holding it."""
    deps = _module_deps(api)
    users = _users(api, deps)
    # a group: the modules reached from exactly the same resources; by how many, so that a group's
    # modules import only from their own group and ones later in this order
    groups: dict[tuple[int, tuple[tuple[str, ...], ...]], list[str]] = {}
    for module in api.modules:
        reached = users.get(module, frozenset())
        groups.setdefault((len(reached), tuple(sorted(reached))), []).append(module)
    sizes: dict[str, int] = {}
    for d in api.definitions:
        sizes[d.module] = sizes.get(d.module, 0) + estimated_lines(d)
    names = Namespace(frozenset({"__init__"}), "_")
    out: dict[str, str] = {}
    for (_, paths), modules in sorted(groups.items()):
        chunks = _chunks(_dependencies_first(modules, deps), sizes)
        for i, chunk in enumerate(chunks):
            # named after where it starts, not its number, so that a file added before it renames nothing
            file = names.claim(_file_name(paths, chunk[0], i == 0))[0]
            out |= {m: file for m in chunk}
    return out


def _file_name(paths: tuple[tuple[str, ...], ...], first: str, first_chunk: bool) -> str:
    """`batches` (one resource's own types, then `batches_<first module>`), `chat_shared_<first module>`
    (several resources under `client.chat`), `shared_<first module>`, `other` (no operation's)."""
    if len(paths) == 1:
        own = "_".join(paths[0])
        return own if first_chunk else f"{own}_{first}"
    if not paths:
        return "other" if first_chunk else f"other_{first}"
    tops = {p[0] for p in paths}
    return f"{tops.pop()}_shared_{first}" if len(tops) == 1 else f"shared_{first}"


def estimated_lines(d: ir.Definition) -> int:
    """About the lines `d` renders to (fitted to the whole OpenAI spec's output)."""
    if isinstance(d, ir.Model):
        docs = _doc_lines(d.description) + sum(_doc_lines(f.description) for f in d.fields)
        return 40 + 12 * len(d.fields) + docs
    if isinstance(d, ir.Enum):
        return 7 + len(d.members) + _doc_lines(d.description)
    if isinstance(d, ir.TaggedUnion):
        return 44 + 2 * (len(d.variants) + len(d.cases))
    if isinstance(d, ir.KindUnion):
        return 30
    return 12


def _doc_lines(text: str) -> int:
    """Docstrings are wrapped at about 72 columns."""
    return sum(1 + len(line) // 72 for line in text.splitlines())


def _module_deps(api: ir.Api) -> dict[str, set[str]]:
    owner = {d.name: d.module for d in api.definitions}
    deps: dict[str, set[str]] = {m: set() for m in api.modules}
    for d in api.definitions:
        deps[d.module] |= {owner[n] for n in ir.references(d) if n in owner and owner[n] != d.module}
    return deps


def _operation_types(op: ir.Operation) -> Iterable[ir.TypeRef]:
    for p in op.path_params + op.query_params + op.header_params + op.cookie_params:
        yield p.type
    if op.body is not None:
        yield op.body.type
        yield from (f.type for f in op.body.fields)
    if op.response is not None:
        yield op.response
    if op.page is not None:
        yield op.page.item
    if op.events is not None:
        yield op.events.event
    yield from (e.type for e in op.errors)


def _users(api: ir.Api, deps: dict[str, set[str]]) -> dict[str, frozenset[tuple[str, ...]]]:
    """Type module -> the resource paths whose operations reach it."""
    owner = {d.name: d.module for d in api.definitions}
    roots: dict[tuple[str, ...], set[str]] = {}
    for op in api.operations:
        for t in _operation_types(op):
            roots.setdefault(op.resource, set()).update(owner[n] for n in ir.ref_names(t) if n in owner)
    users: dict[str, set[tuple[str, ...]]] = {}
    for path, modules in roots.items():
        seen: set[str] = set()
        todo = list(modules)
        while todo:
            m = todo.pop()
            if m not in seen:
                seen.add(m)
                todo += deps[m]
        for m in seen:
            users.setdefault(m, set()).add(path)
    return {m: frozenset(paths) for m, paths in users.items()}


def _dependencies_first(modules: list[str], deps: dict[str, set[str]]) -> list[str]:
    """Depth-first from each module in name order, a module after the ones of the group it uses:
    related modules end up next to each other."""
    inside = set(modules)
    order: list[str] = []
    done: set[str] = set()
    for root in sorted(modules):
        stack: list[tuple[str, list[str]]] = [(root, sorted(deps[root] & inside, reverse=True))]
        if root in done:
            continue
        done.add(root)
        while stack:
            module, todo = stack[-1]
            if todo:
                nxt = todo.pop()
                if nxt not in done:
                    done.add(nxt)
                    stack.append((nxt, sorted(deps[nxt] & inside, reverse=True)))
                continue
            stack.pop()
            order.append(module)
    return order


def _chunks(order: list[str], sizes: dict[str, int]) -> list[list[str]]:
    chunks: list[list[str]] = [[]]
    size = 0
    for module in order:
        full = size + sizes[module] > LINE_BUDGET
        marked = size >= LINE_BUDGET // 2 and _marks_cut(module)
        if chunks[-1] and (full or marked):
            chunks.append([])
            size = 0
        chunks[-1].append(module)
        size += sizes[module]
    return chunks


def _marks_cut(module: str) -> bool:
    return hashlib.blake2b(module.encode(), digest_size=2).digest()[0] % _CUT_ONE_IN == 0
