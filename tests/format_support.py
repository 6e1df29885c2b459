"""Rendered (not yet formatted) files of a spec, and their comparison with black run on each
whole file: the reference the format stage must match byte for byte (issue 15).

Used by tests/test_format_identity.py and benchmarks/bench_format.py.
"""

from __future__ import annotations

from pathlib import Path

import black
from convgen import format as fmt
from convgen.build import build
from convgen.load import load
from convgen.plan import plan
from convgen.views import Options
from convgen.render import render
from convgen.select import Selection, select


def rendered(
    spec: Path, *, tags: tuple[str, ...] = (), prefixes: tuple[str, ...] = (), package: str = "pkg"
) -> dict[str, str]:
    """{path: text} as the render stage leaves it for the format stage (the built-in templates)."""
    loaded, diags = load(spec, tags, prefixes)
    assert loaded is not None, diags
    section, diags = select(loaded.doc, Selection(tags, prefixes))
    assert section is not None, diags
    api, _ = build(section, None)
    files, diags = render(plan(api, Options(package=package)), None)
    assert not diags, diags
    return files


def black_whole(text: str) -> str:
    return black.format_str(text, mode=fmt._mode())


def differences(files: dict[str, str]) -> list[str]:
    """The Python files whose formatted text is not exactly black's on the whole file."""
    out, diags = fmt.format_files(files, use_cache=False, jobs=1)
    assert diags == []
    return [path for path, text in files.items() if path.endswith(".py") and out[path] != black_whole(text)]
