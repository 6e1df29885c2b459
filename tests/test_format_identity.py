"""The format stage gives exactly black's output on real generated code (issue 15).

Black stays the reference: every Python file of a build is formatted by the format stage
(which runs black only on the long statements it cannot lay out itself) and by black on the
whole file, and the two must be byte-identical. The sections are chosen for their long
constructs (overloads, long imports, long parameters, long decoders); the whole-spec check
is `python benchmarks/bench_format.py` (about two minutes of black). Takes ~10 s.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from format_support import differences, rendered

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("spec", "tags"),
    [
        ("spec/openai.yaml", ("Audio", "Moderations")),
        ("tests/corpus/uspto.yaml", ()),
    ],
)
def test_format_stage_equals_black_on_every_file(spec: str, tags: tuple[str, ...]) -> None:
    files = rendered(ROOT / spec, tags=tags)
    assert differences(files) == []
