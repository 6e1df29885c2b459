"""Runtime support for the generated models: sentinels, decode checks, errors, unknowns.

Hand-written and copied verbatim into every generated package. Decoding is straight-line
generated code calling these small checks; nothing here walks a model reflectively on the
success path. Errors are located (JSON path) only once something has gone wrong.
"""

from __future__ import annotations

import contextlib
import contextvars
import enum
import gc
from collections.abc import Callable, Iterator, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, ClassVar, Self, TypeAlias, TypeVar

if TYPE_CHECKING:
    import dataclasses

T = TypeVar("T")
Decoders: TypeAlias = dict[str | None, Callable[[Any], T]]  # a tagged union's decoder per tag


class Unset(enum.Enum):
    """The type of `UNSET`: a field that was absent from the JSON (as opposed to `null`)."""

    UNSET = "UNSET"

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "UNSET"


UNSET = Unset.UNSET
EMPTY: Mapping[str, Any] = MappingProxyType({})

# Lenient decoding: a union member that does not fit its schema becomes the union's Unknown
# variant (keeping the data and the error) instead of failing the whole response.
_lenient: contextvars.ContextVar[bool] = contextvars.ContextVar("lenient_decoding", default=False)


# Set while `choose` tries a less specific variant after the most specific one failed: then a
# nested unknown tag is an error, not an Unknown, so that malformed data of one variant is never
# silently taken for another (only data fully valid for the fallback variant is).
_guessing: contextvars.ContextVar[bool] = contextvars.ContextVar("convgen_guessing", default=False)


@contextlib.contextmanager
def lenient_decoding(enabled: bool = True) -> Iterator[None]:
    token = _lenient.set(enabled)
    try:
        yield
    finally:
        _lenient.reset(token)


def decode_with(decode: Callable[[Any], T], data: Any, lenient: bool) -> T:
    """`decode(data)` with lenient decoding on or off: what `lenient_decoding` does, without a
    generator-based context manager, whose cost shows on every event of a stream."""
    token = _lenient.set(lenient)
    try:
        return decode(data)
    finally:
        _lenient.reset(token)


class DecodeError(ValueError):
    """JSON that does not have the documented shape. `path` is like `data[3].content[0].text`."""

    def __init__(self, expected: str, value: Any, model: str = "", path: str = "") -> None:
        self.expected = expected
        self.value = value
        self.model = model
        self.path = path
        super().__init__(expected)

    # picklable (multiprocessing, pytest-xdist) with all its parts
    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.expected, self.value, self.model, self.path))

    def __str__(self) -> str:
        got = _describe(self.value)
        where = f" at {self.path}" if self.path else ""
        model = f"{self.model}: " if self.model else ""
        return f"{model}expected {self.expected}{where}, got {got}"

    def within(self, model: str, segment: str) -> DecodeError:
        """The same error seen from one level up: `model` is now the outermost one."""
        if not segment:
            return DecodeError(self.expected, self.value, model, self.path)
        path = segment + (
            "" if not self.path else self.path if self.path.startswith("[") else "." + self.path
        )
        return DecodeError(self.expected, self.value, model, path)

    @classmethod
    def wrap(cls, exc: BaseException, model: type, key: str, data: Any) -> DecodeError:
        """Turn whatever a generated `from_dict` raised into one located error."""
        name = model.__name__
        if not isinstance(data, Mapping):
            return cls("an object", data, name)
        if isinstance(exc, DecodeError):
            return exc.within(name, key)
        if isinstance(exc, KeyError) and key and key not in data:
            return cls(f"required field {key!r}", _Missing, name, key)
        return cls(f"a valid value ({type(exc).__name__}: {exc})", data.get(key), name, key)


class _MissingType:
    def __repr__(self) -> str:
        return "nothing"


_Missing = _MissingType()


def _describe(value: Any) -> str:
    if value is _Missing:
        return "nothing"
    kind = {
        str: "string",
        bool: "boolean",
        int: "integer",
        float: "number",
        list: "array",
        dict: "object",
    }.get(type(value))
    if value is None:
        return "null"
    text = repr(value)
    text = text if len(text) <= 60 else text[:57] + "..."
    return f"{kind} {text}" if kind else f"{type(value).__name__} {text}"


# ---- checks used by generated from_dict --------------------------------------------------
def string(v: Any) -> str:
    if v.__class__ is str:
        return v
    raise DecodeError("a string", v)


def integer(v: Any) -> int:
    if v.__class__ is int:
        return v
    raise DecodeError("an integer", v)


def number(v: Any) -> float:
    if v.__class__ is float or v.__class__ is int:
        return v
    raise DecodeError("a number", v)


def boolean(v: Any) -> bool:
    if v.__class__ is bool:
        return v
    raise DecodeError("a boolean", v)


def const(v: Any, expected: T) -> T:
    if v == expected and v.__class__ is expected.__class__:
        return expected
    raise DecodeError(repr(expected), v)


def identity(v: Any) -> Any:
    return v


def array(v: Any) -> list[Any]:
    if v.__class__ is list:
        return v
    raise DecodeError("an array", v)


def obj(v: Any) -> dict[str, Any]:
    if v.__class__ is dict:
        return v
    raise DecodeError("an object", v)


def list_of(v: Any, item: Callable[[Any], T]) -> list[T]:
    if v.__class__ is not list:
        raise DecodeError("an array", v)
    kind = _ONE_PASS.get(item)
    if kind is not None:
        # a list of primitives (token ids, logprob bytes, embeddings): one tight loop, no call per
        # item; a copy, so that changing the model does not change the caller's data
        if kind is float:
            for x in v:
                if x.__class__ is not float and x.__class__ is not int:
                    break
            else:
                return v[:]
        else:
            for x in v:
                if x.__class__ is not kind:
                    break
            else:
                return v[:]
    if gc.isenabled():
        # The outermost list of models pauses the cyclic garbage collector while it decodes: all
        # it builds stays alive until it returns, so the collections its thousands of new objects
        # would trigger (and the full ones they lead to) could free nothing, and cost half the
        # decode time of a page of small objects. Collection is only deferred: it is on again when
        # this list returns or raises (nested lists find it paused and leave it alone).
        gc.disable()
        try:
            return _items(v, item)
        finally:
            gc.enable()
    return _items(v, item)


collecting = gc.isenabled  # `to_dict` of a model with lists of models: pause while it encodes?


def paused(encode: Callable[[], T]) -> T:
    """`encode()` with the cyclic garbage collector paused (see `list_of`), for `to_dict`."""
    gc.disable()
    try:
        return encode()
    finally:
        gc.enable()


def _items(v: list[Any], item: Callable[[Any], T]) -> list[T]:
    # a loop, not a comprehension, so that a failure knows its index without decoding again
    # (decoding again at every level made errors deep in recursive data exponentially slow)
    out: list[T] = []
    append = out.append
    try:
        for x in v:
            append(item(x))
    except DecodeError as exc:
        raise exc.within(exc.model, f"[{len(out)}]") from None
    except Exception as exc:
        raise DecodeError(
            f"a valid item ({type(exc).__name__}: {exc})", v[len(out)], "", f"[{len(out)}]"
        ) from None
    return out


# the item checks `list_of` does in one loop: the exact type each accepts (`float`: int too)
_ONE_PASS: dict[Callable[[Any], Any], type] = {
    string: str,
    integer: int,
    number: float,
    boolean: bool,
}


def map_of(v: Any, value: Callable[[Any], T]) -> dict[str, T]:
    if v.__class__ is not dict:
        raise DecodeError("an object", v)
    out: dict[str, T] = {}
    k = ""
    try:
        for k, x in v.items():
            out[k] = value(x)
    except DecodeError as exc:
        raise exc.within(exc.model, str(k)) from None
    except Exception as exc:
        raise DecodeError(
            f"a valid value ({type(exc).__name__}: {exc})", v[k], "", str(k)
        ) from None
    return out


def lists(item: Callable[[Any], T]) -> Callable[[Any], list[T]]:
    return lambda v: list_of(v, item)


def maps(value: Callable[[Any], T]) -> Callable[[Any], dict[str, T]]:
    return lambda v: map_of(v, value)


def nullable(decode: Callable[[Any], T]) -> Callable[[Any], T | None]:
    return lambda v: None if v is None else decode(v)


def consts(expected: T) -> Callable[[Any], T]:
    return lambda v: const(v, expected)


def extras(data: Mapping[str, Any], known: frozenset[str]) -> Mapping[str, Any]:
    """Keys the schema does not know, kept so that `to_dict()` gives them back. (Generated
    code tests `data.keys() <= known` first: no call, and no set built, for the usual case.)"""
    if data.keys() <= known:
        return EMPTY
    return {k: v for k, v in data.items() if k not in known}


# ---- values that do not fit their schema (lenient decoding) ------------------------------
class Extra(dict[str, Any]):
    """The `extra` of a model decoded leniently with fields that did not fit their schema: the
    mapping holds the unknown keys as usual; `misfits` names each such field (attribute ->
    (JSON key, the error)). The field itself holds the value as received (`UNSET` if absent)."""

    misfits: dict[str, tuple[str, DecodeError]]

    def __init__(self, unknown: Mapping[str, Any]) -> None:
        super().__init__(unknown)
        self.misfits = {}

    def __bool__(self) -> bool:  # always taken: `to_dict` must give the misfits back as received
        return True


def misfit(obj: Any, data: Any, wire: str, attr: str, exc: Exception) -> Any:
    """A field whose value did not decode (raised `exc`): raise a located `DecodeError`
    (strict), or keep the value as received and note it in `obj.extra` (lenient)."""
    error = DecodeError.wrap(exc, type(obj), wire, data)
    if not _lenient.get() or _guessing.get():
        raise error from None
    extra = obj.extra
    if extra.__class__ is not Extra:
        extra = obj.extra = Extra(extra)
    extra.misfits[attr] = (wire, error)
    return data.get(wire, UNSET)


def misfits(model: Any) -> Mapping[str, DecodeError]:
    """The fields of a leniently decoded model that hold a value as received because it did not
    fit the schema, with why (attribute -> error); empty for a model that fits."""
    extra = getattr(model, "extra", None)
    return (
        {attr: error for attr, (_, error) in extra.misfits.items()}
        if isinstance(extra, Extra)
        else {}
    )


class _Hole(list[Any]):
    """Stands in for a misfit while the generated `to_dict` runs: every encoding accepts it."""

    def items(self) -> tuple[()]:
        return ()

    def to_dict(self) -> None:
        return None


_HOLE = _Hole()


def refit(obj: Any, exc: Exception | None = None) -> dict[str, Any]:
    """`to_dict` of a model with misfits: its fields as usual, each misfit as it is now (as
    received, unless changed since), absent ones left out. `exc`, raised by `to_dict`, is raised
    again when the model has no misfits (a value set by hand that does not fit)."""
    extra = obj.extra
    if not isinstance(extra, Extra):
        if exc is None:
            raise TypeError("refit() needs a model with misfits")
        raise exc
    holed = obj.__class__.__new__(obj.__class__)
    holed.__dict__.update(obj.__dict__)
    holed.extra = dict(extra)
    for attr in extra.misfits:
        setattr(holed, attr, _HOLE)
    out: dict[str, Any] = obj.__class__.to_dict(holed)
    for attr, (wire, _) in extra.misfits.items():
        value = getattr(obj, attr)
        if value is UNSET:
            out.pop(wire, None)
        else:
            out[wire] = encode(value)
    return out


def with_extra(out: dict[str, Any], obj: Any) -> dict[str, Any]:
    """The end of `to_dict` for a model with unknown keys (or misfits)."""
    extra = obj.extra
    if extra.__class__ is Extra:
        return refit(obj)
    out.update(extra)
    return out


# ---- enums -------------------------------------------------------------------------------
class OpenEnum(enum.StrEnum):
    """A string enum whose decoder keeps unknown values as plain `str` (the API grows)."""

    @classmethod
    def decode(cls, v: Any) -> Self | str:
        member = cls._value2member_map_.get(v) if v.__class__ is str else None
        if member is not None:
            return member  # type: ignore[return-value]
        if v.__class__ is str:
            return v
        raise DecodeError(f"a {cls.__name__} string", v)


# ---- models and unions -------------------------------------------------------------------
class Model:
    """Base of every generated model: value equality and a repr without absent fields."""

    __slots__ = ()
    __hash__ = None  # type: ignore[assignment]  # models are mutable
    if TYPE_CHECKING:  # set by `model`: `dataclasses.fields`, `asdict` and `replace` take models
        __dataclass_fields__: ClassVar[dict[str, dataclasses.Field[Any]]]

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self.__dict__ == other.__dict__

    def __repr__(self) -> str:
        shown = ", ".join(
            f"{k}={v!r}"
            for k, v in self.__dict__.items()
            if v is not UNSET and not (k == "extra" and not len(v))
        )
        return f"{type(self).__name__}({shown})"


ModelT = TypeVar("ModelT", bound=Model)

if TYPE_CHECKING:

    def model(cls: type[ModelT]) -> type[ModelT]:
        """Makes a generated model a dataclass (its own `__init__`, equality and repr kept).

        Type checkers see a plain class with that `__init__`: the same constructor, without the
        dataclass analysis of thousands of classes that made checking a user's script slower.
        """
        return cls

else:

    def model(cls):
        from dataclasses import dataclass  # imported with the first types module, not the client

        return dataclass(init=False, repr=False, eq=False)(cls)


class Unknown(Model):
    """A union member this client does not know (yet): the data is kept exactly as received.

    `error` is set when lenient decoding turned a malformed known member into an Unknown.
    """

    tag_property = ""

    def __init__(self, raw: Mapping[str, Any], error: DecodeError | None = None) -> None:
        self.raw = raw
        self.error = error

    @property
    def tag(self) -> Any:
        return self.raw.get(self.tag_property, UNSET)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        return cls(data)

    def to_dict(self) -> dict[str, Any]:
        return dict(self.raw)

    def __eq__(self, other: object) -> bool:
        # value equality: the same data (and the same complaint, if any) is the same Unknown
        if other.__class__ is not self.__class__ or not isinstance(other, Unknown):
            return NotImplemented
        return self.raw == other.raw and _same_error(self.error, other.error)


def _same_error(a: DecodeError | None, b: DecodeError | None) -> bool:
    return a is b or (a is not None and b is not None and str(a) == str(b))


def tagged(
    data: Any,
    prop: str,
    table: Mapping[Any, Callable[[Any], T]],
    unknown: Callable[[Any, DecodeError | None], T],
) -> T:
    """Decode a tagged-union member by one dict lookup on its tag."""
    if data.__class__ is not dict:
        raise DecodeError("an object", data)
    tag = data.get(prop)
    decode = table.get(tag) if tag is None or tag.__class__ is str else None
    if decode is None:
        if _guessing.get():
            raise DecodeError(f"a known {prop!r}", tag)
        return unknown(data, None)
    try:
        return decode(data)
    except DecodeError as exc:
        return unfit(data, exc, unknown)


def unfit(data: Any, exc: DecodeError, unknown: Callable[[Any, DecodeError | None], T]) -> T:
    """A member with a known tag that does not fit its schema: `exc` again (strict), or the
    data kept as the union's Unknown with the error (under `lenient_decoding()`). For a
    generated decoder's fast path, which has the error already: no need to decode again."""
    if not _lenient.get() or _guessing.get():
        raise exc
    return unknown(data, exc)


def choose(*candidates: tuple[Callable[[Any], T], frozenset[str]]) -> Callable[[Any], T]:
    """For variants sharing a tag (most specific first): the first whose required keys are
    present decodes the data; if it does not fit, the next ones whose keys are present are
    tried strictly (no unknown tags inside, no lenient decoding), so data valid for a less
    specific variant never fails (a `message` with an id but role `user` is no `OutputMessage`)
    and a malformed specific one is not taken for another; then the first error is raised.
    With no variant's keys present, the least specific decides (and names what is missing).
    Under lenient decoding every variant is first tried strictly; when none fits, the one the
    strict decode would have named decodes leniently (its misfits kept as received)."""
    last = candidates[-1][0]

    def pick(data: Any) -> T:
        if not _lenient.get() or _guessing.get():
            return fit(data)
        token = _lenient.set(False)
        try:
            return fit(data)
        except DecodeError:
            pass
        finally:
            _lenient.reset(token)
        if data.__class__ is not dict:
            return last(data)
        for decode, required in candidates:
            if required.issubset(data):
                return decode(data)
        return last(data)

    def fit(data: Any) -> T:
        first: DecodeError | None = None
        for decode, required in candidates:
            if not required.issubset(data):
                continue
            if first is None:
                try:
                    return decode(data)
                except DecodeError as exc:
                    first = exc
                continue
            token = _guessing.set(True)
            try:
                return decode(data)
            except DecodeError:
                pass
            finally:
                _guessing.reset(token)
        if first is None:
            return last(data)
        raise first

    return pick


def encode(value: Any) -> Any:
    """JSON-ready form of anything a request may carry: models, dicts, lists, scalars."""
    to_dict = getattr(value, "to_dict", None)
    if to_dict is not None:
        return to_dict()
    if isinstance(value, Mapping):
        return {str(k): encode(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [encode(v) for v in value]
    if isinstance(value, enum.Enum):
        return value.value
    return value
