"""The standard validator's check of each `default` against its schema (specwalk.py), remembered
by content like the meta-schema checks (metamemo.py).

Upstream resolves the schema's path through jsonschema-path and builds a validator for each of
the OpenAI spec's 600 defaults: a fifth of a warm run's time, for the same answers every run.
Where the schema holds no reference (no `$ref`, no `$dynamicRef`, no discriminator: nothing
that reads another part of the document), the outcome depends only on the schema's text, the
default's and the validator's kind: it is remembered by a digest of those, the errors of a
default that fails rebuilt as the meta-schema check's are (standardmeta.record / rebuilt).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from . import metamemo
from .specwalk import DefaultCheck, Parts
from .standardmeta import keys_all, rebuilt, record, string_keys


def checker(root: Any, default_keyword: Any) -> DefaultCheck:
    """specwalk's default check: upstream's `default_keyword` at `root`'s path plus the
    schema's parts, or what it gave before for the same texts."""
    kind = type(default_keyword)
    value_cls = getattr(default_keyword, "value_validator_cls", None)
    meta = f"default|{kind.__module__}.{kind.__qualname__}|{getattr(value_cls, '__qualname__', '')}"

    def check(parts: Parts, schema: Any, default: Any) -> Iterator[Any]:
        digest = _key(meta, schema, default)
        if metamemo.passed(digest):
            return iter(())
        remembered = _rebuilt_all(metamemo.failure(digest), default)
        if remembered is not None:
            return iter(remembered)
        errors = list(default_keyword(root._clone_with_parts(parts), default))
        if not errors:
            metamemo.remember(digest)
        else:
            records = [record(error, default) for error in errors]
            if all(r is not None for r in records):
                metamemo.remember_failure(digest, {"errors": records})
        return iter(errors)

    return check


def _key(meta: str, schema: Any, default: Any) -> str | None:
    """The memo's digest, or None when the outcome may depend on more than these texts."""
    if not (_self_contained(schema) and string_keys(default)):
        return None
    try:
        text = json.dumps(schema, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError):
        return None
    return metamemo.key(f"{meta}|{text}", default)


def _self_contained(schema: Any) -> bool:
    """Whether checking against `schema` reads nothing else: no key such as `$ref`, `$dynamicRef`
    or `$id` (any key beginning with `$`), nor a `discriminator` (OAS 3.0's names schemas); and
    only string keys (JSON spells the keys 1 and "1" alike: only then does the text tell apart)."""
    return keys_all(schema, _reads_nothing_else)


def _reads_nothing_else(key: Any) -> bool:
    return isinstance(key, str) and not key.startswith("$") and key != "discriminator"


def _rebuilt_all(kept: Any, default: Any) -> list[Any] | None:
    if not (isinstance(kept, dict) and list(kept) == ["errors"] and isinstance(kept["errors"], list)):
        return None
    errors = [rebuilt(r, default) for r in kept["errors"]]
    return errors if errors and all(e is not None for e in errors) else None
