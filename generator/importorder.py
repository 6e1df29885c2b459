"""The order ruff wants generated names in (isort's I001 for imports, RUF022 for `__all__`), so
that generated code needs no fixing: plan sorts every import and export list with these keys."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

_DIGITS = re.compile(r"(\d+)")


@cache  # sorting asks again for the same names
def natural(text: str) -> tuple[str | int, ...]:
    """`Get2` before `Get10`: runs of digits compare as numbers."""
    if _DIGITS.search(text) is None:  # most names: no digit to compare
        return (text,)
    return tuple(int(run) if i % 2 else run for i, run in enumerate(_DIGITS.split(text)))


@cache  # (the same few thousand names are sorted several times a build)
def member_key(name: str) -> tuple[int, tuple[str | int, ...], tuple[str | int, ...]]:
    """A name imported `from m import ...`: by type (CONSTANTS, Classes, functions; a one-letter
    `X` is a class), then case-insensitively (`CertificateUpdated` after `CertificatesActivated`)."""
    kind = 0 if len(name) > 1 and name.isupper() else 1 if name[:1].isupper() else 2
    return kind, natural(name.lower()), natural(name)


@cache
def module_key(module: str) -> tuple[tuple[str | int, ...], tuple[str | int, ...]]:
    return natural(module.lower()), natural(module)


def dunder_all(names: Any) -> list[str]:
    """In the order of ruff's RUF022: by type, then naturally and case-sensitively."""
    return sorted(names, key=lambda n: (member_key(n)[0], natural(n)))
