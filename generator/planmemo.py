"""Views remembered between builds, so that a warm rebuild after a one-schema change plans (and
renders) again only the types module that schema is in, and only the methods that changed.

A types module's view is made from its own definitions and from a few facts about all the others:
which kind each is (an enum decodes with `.decode`, a model with `.from_dict`), an alias's target
(annotations and decoders go through it), a kind union's arms (whether it holds models), the
union decoders' names and which module owns each name (the imports). So a view is kept under a
digest of its module's name, its definitions (their repr: IR values are frozen dataclasses of
strings, numbers and tuples, so an equal repr means an equal value; it is also three times as
fast as pickling them) and the digest of those facts over the whole API (`shape_digest`). A
method's view is kept under the operation, the names its usage example is made with (package
and client), the shape and the security schemes; a method that can stream events is not kept
(its overloads read an enum's members). A changed description changes one module's key; a schema
added or renamed changes the shape, and every view is made again.

The file records the code that computes views (`cache.code_identity`, in every key too), so
another convgen never reads it; one file per output package name holds its last build's views.
Views are stored as plain tuples of their fields (marshal), never pickled, each in bytes of its own:
reading the file, and writing it back, does not decode or encode the views again (and a hundred
thousand tuples do not burden the garbage collector). An entry that does not read back is a miss.
A types module's views are read back only when one of its fields is first read: a warm rebuild
renders few of them again, and render knows the others' texts by their keys. api.md's index of
a module (`derive`) is known by a digest of its content, remembered by the module's key, so that
a changed description leaves api.md's text in use. Deleting the folder is always safe.
"""

from __future__ import annotations

import dataclasses
import hashlib
import marshal
import sys
from collections.abc import Callable
from operator import attrgetter
from typing import Any, TypeVar

from . import cache, ir, journal
from .views import (
    AliasView,
    EnumView,
    FieldView,
    IndexEntryView,
    KindView,
    MethodView,
    ModelView,
    ParamView,
    TaggedView,
    TypesIndexView,
    TypesModuleView,
)

_CODE = (
    "planmemo.py",
    "plan.py",
    "plantypes.py",
    "planresources.py",
    "planmethods.py",
    "importorder.py",
    "views.py",
    "pytypes.py",
    "ir.py",
    "naming.py",
    "examples.py",
    "typelayout.py",
)


class PlanMemo:
    """The remembered views of one cache folder; `digests` names each view of this run by the key
    it was made from (render's memo uses it instead of serialising the view again)."""

    def __init__(self, package: str, persist: bool = True) -> None:
        identity = cache.code_identity(sys.version, _CODE)
        self.identity = identity.encode()  # in every key too: render's memo knows views by their keys
        slot = hashlib.sha256(package.encode("utf-8", "surrogatepass")).hexdigest()[:32]
        self.path = cache.root() / "plan" / f"{slot}.marshal" if persist else None
        # the entries: a view's key -> its fields (marshal), ("derived", a derived view's key) -> the
        # digest of its content (`derive`)
        self.same, self.old = journal.read_for(self.path, identity)
        self.used: dict[bytes, Any] = {}
        self.derived: dict[bytes, bytes] = {}
        self.added: dict[Any, Any] = {}  # made this run: appended to the journal
        self.new = {"types": 0, "methods": 0}  # views made this run
        self.hits = {"types": 0, "methods": 0}  # views read back
        self.digests: dict[int, tuple[Any, bytes]] = {}  # id(view) -> (view, key): holding the view keeps its id
        self.shape: bytes | None = None

    def start(self, api: ir.Api, decoders: dict[str, str], owners: dict[str, str]) -> None:
        """Before the first key: this build's shape (`shape_digest`)."""
        self.shape = shape_digest(api.definitions, decoders, owners)
        self.schemes = repr(api.security_schemes).encode("utf-8", "surrogatepass")

    def key(self, module: str, defs: list[ir.Definition], exported: tuple[str, ...]) -> bytes | None:
        """What a types module's view is made from: the API's shape, its name, its definitions
        and the names it exports."""
        if self.shape is None:
            return None
        blob = repr((module, exported, defs)).encode("utf-8", "surrogatepass")
        return hashlib.blake2b(self.identity + self.shape + blob, digest_size=24).digest()

    def method_key(self, op: ir.Operation, names: tuple[str, ...], hidden: tuple[str, ...] = ()) -> bytes | None:
        """What a method's view is made from: the API's shape and security schemes, the operation,
        the names its usage example is made with (package and client: the example is made from them
        and the operation alone) and the builtins the methods before it in its class hide. None (not
        remembered) for a method that can stream events: its overloads read the members of the
        enum that asks for the stream, beyond the shape."""
        if self.shape is None or op.events is not None:
            return None
        blob = repr((op, names, hidden)).encode("utf-8", "surrogatepass")
        return hashlib.blake2b(self.identity + b"method\0" + self.shape + self.schemes + blob, digest_size=24).digest()

    def get(self, key: bytes | None, cls: type[Any] = TypesModuleView) -> Any:
        """The view of class `cls` remembered under `key`, or None."""
        if key is None:
            return None
        stored = self.used.get(key, self.old.get(key))
        if stored is None:
            return None
        try:
            # a types module's views are read back when first read: on a warm rebuild, render finds
            # nearly every types module's text by this key and never reads them
            view = _thaw(marshal.loads(stored), cls, defer=cls is TypesModuleView)
        except (TypeError, ValueError, EOFError, KeyError, IndexError, AttributeError):
            return None  # an entry of another shape: made again
        self.used[key] = stored
        self.hits[_KIND[cls]] += 1
        self.digests[id(view)] = (view, key)
        return view

    def put(self, key: bytes | None, view: Any) -> None:
        if key is None:
            return
        cls = type(view)
        self.digests[id(view)] = (view, key)
        self.used[key] = self.added[key] = marshal.dumps(_freeze(view, cls))
        self.new[_KIND[cls]] += 1

    def derive(self, source: Any, label: bytes, cls: type[ViewT], make: Callable[[], ViewT]) -> ViewT:
        """The view of class `cls` that `make()` makes from `source` alone (a view known here), known
        to render's memo by a digest of its content, remembered under the source's key and `label`:
        a source that changed in a way the derived view does not show (a description, for api.md's
        index) leaves it as it was, and render's text of it in use. While `source` is not read back,
        the view is made only when one of its fields is read."""
        found = self.digests.get(id(source))
        key = (
            hashlib.blake2b(found[1] + b"\0" + label, digest_size=24).digest()
            if found is not None and found[0] is source
            else None
        )
        remembered = self.old.get(("derived", key)) if key is not None else None
        if isinstance(remembered, bytes) and pending(source):
            view, digest = _deferred(cls, {}, lambda: vars(make())), remembered
        else:
            view = make()
            digest = hashlib.blake2b(self.identity + label + marshal.dumps(_freeze(view, cls)), digest_size=24).digest()
        if key is not None:
            if remembered != digest:
                self.added["derived", key] = digest
            self.derived[key] = digest
            self.digests[id(view)] = (view, digest)
        return view

    def save(self) -> None:
        """Keep this build's views: the new ones appended to the journal, or (when it is folded
        in) only this build's written whole, so that the file never grows far past one output's
        size (journal.py). The entries are let go of then: a hundred thousand tuples kept alive
        would slow every later garbage collection of the build."""
        if self.path is not None:
            entries: dict[Any, Any] = {**self.used, **{("derived", k): d for k, d in self.derived.items()}}
            journal.write(self.path, self.identity.decode(), entries, self.added, self.same)
        self.old, self.used, self.derived, self.added = {}, {}, {}, {}


def shape_digest(definitions: tuple[ir.Definition, ...], decoders: dict[str, str], owners: dict[str, str]) -> bytes:
    """What a types module's view reads about the API beyond its own definitions (see above)."""
    facts: list[Any] = [sorted(decoders.items()), sorted(owners.items())]
    for d in definitions:
        if isinstance(d, ir.Alias):
            facts.append((d.name, "Alias", d.target))
        elif isinstance(d, ir.KindUnion):
            facts.append((d.name, "KindUnion", tuple(a.type for a in d.arms)))
        else:
            facts.append((d.name, type(d).__name__))
    return hashlib.blake2b(repr(facts).encode("utf-8", "surrogatepass"), digest_size=24).digest()


# A view class -> its fields' names, and those of its fields that hold a tuple of views (of which class).
_NESTED: dict[type[Any], dict[str, type[Any]]] = {
    TypesModuleView: {
        "aliases": AliasView,
        "enums": EnumView,
        "models": ModelView,
        "tagged": TaggedView,
        "kinds": KindView,
    },
    ModelView: {"fields": FieldView},
    TypesIndexView: {name: IndexEntryView for name in ("enums", "models", "tagged", "kinds", "aliases")},
    MethodView: {name: ParamView for name in ("positional", "keyword", "query", "body_fields", "headers", "cookies")},
}
# fields that hold (label, views) pairs
_PAIRS: dict[type[Any], dict[str, type[Any]]] = {MethodView: {"overloads": ParamView}}
ViewT = TypeVar("ViewT")
_KIND = {TypesModuleView: "types", MethodView: "methods"}
_NAMES = {
    cls: tuple(f.name for f in dataclasses.fields(cls))
    for cls in (
        TypesModuleView,
        AliasView,
        EnumView,
        ModelView,
        FieldView,
        TaggedView,
        KindView,
        MethodView,
        ParamView,
        TypesIndexView,
        IndexEntryView,
    )
}
_GET = {cls: attrgetter(*names) for cls, names in _NAMES.items()}


def _freeze(view: Any, cls: type[Any]) -> tuple[Any, ...]:
    """A view as the tuple of its fields' values (views of views as tuples of those)."""
    values: tuple[Any, ...] = _GET[cls](view)
    nested, pairs = _NESTED.get(cls), _PAIRS.get(cls)
    if not nested:
        return values
    return tuple(
        tuple(_freeze(v, nested[name]) for v in value)
        if name in nested
        else tuple((label, tuple(_freeze(v, pairs[name]) for v in views)) for label, views in value)
        if pairs and name in pairs
        else value
        for name, value in zip(_NAMES[cls], values, strict=True)
    )


def _thaw(values: tuple[Any, ...], cls: type[Any], defer: bool = False) -> Any:
    """`_freeze` undone; a tuple of the wrong length (an entry of other code) raises ValueError.
    `defer`: the fields that hold views are read back when one of them is first read."""
    names = _NAMES[cls]
    nested, pairs = _NESTED.get(cls), _PAIRS.get(cls)
    if defer and nested and not pairs:
        fields = dict(zip(names, values, strict=True))
        later = {name: fields.pop(name) for name in nested}
        return _deferred(cls, fields, lambda: {k: tuple(_thaw(v, nested[k]) for v in later[k]) for k in later})
    if nested:
        values = tuple(
            tuple(_thaw(v, nested[name]) for v in value)
            if name in nested
            else tuple((label, tuple(_thaw(v, pairs[name]) for v in views)) for label, views in value)
            if pairs and name in pairs
            else value
            for name, value in zip(names, values, strict=True)
        )
    return _plain(cls, values)


class _Deferred:
    """A view some of whose fields are made when one of them is first read (`_fill` makes them).
    Mixed into a subclass of each view class (`_deferred`): it is that view in every way."""

    __slots__ = ()

    def __getattr__(self, name: str) -> Any:  # only called for a field not made yet
        fill = self.__dict__.pop("_fill", None)
        if fill is None:
            raise AttributeError(name)
        self.__dict__.update(fill())
        return getattr(self, name)

    _view: type[Any]  # the view class it is (set by `_deferred`)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, self._view):
            return NotImplemented
        return all(getattr(self, n) == getattr(other, n) for n in _NAMES[self._view])

    def __reduce__(self) -> tuple[Any, ...]:
        return _plain, (self._view, tuple(getattr(self, n) for n in _NAMES[self._view]))


_DEFERRED: dict[type[Any], type[Any]] = {}


def _deferred(cls: type[ViewT], fields: dict[str, Any], fill: Callable[[], dict[str, Any]]) -> ViewT:
    """A `cls` view with `fields`, whose other fields `fill()` makes when one is first read."""
    sub = _DEFERRED.get(cls)
    if sub is None:
        sub = _DEFERRED[cls] = type(cls.__name__, (_Deferred, cls), {"__hash__": cls.__hash__, "_view": cls})
    view = object.__new__(sub)
    view.__dict__.update(fields, _fill=fill)
    return view  # type: ignore[no-any-return]


def pending(view: Any) -> bool:
    """A view whose deferred fields are not made yet."""
    return "_fill" in getattr(view, "__dict__", ())


def _plain(cls: type[Any], values: tuple[Any, ...]) -> Any:
    """A `cls` view of these field values; frozen: the fields are set as the dataclass's own
    __init__ would, without calling it."""
    view = object.__new__(cls)
    view.__dict__.update(zip(_NAMES[cls], values, strict=True))
    return view
