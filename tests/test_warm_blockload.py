"""blockload's one search for the shallow lines finds what a search of each region finds."""

from __future__ import annotations

from pathlib import Path

import pytest

from convgen import blockload
from convgen.blockload import _SHALLOW, _at_most, _lines, _Shallow, keyed_spans

_ROOT = Path(__file__).resolve().parent.parent
_SPECS = [_ROOT / "spec" / "openai.yaml", *sorted((_ROOT / "tests" / "corpus").rglob("*.yaml"))]


def _regions(text: str) -> list[tuple[int, int, int]]:
    """(start, end, indent) of every region load_blocks may cut, a few levels deep."""
    out = [(0, len(text), 0)]
    todo = [(0, len(text), 0, 0)]
    while todo:
        start, end, indent, level = todo.pop()
        spans = keyed_spans(text, start, end, indent)
        if spans is None or level > 3:
            continue
        for a, b in spans.values():
            body = text.find("\n", a, b) + 1
            first = blockload._CONTENT.search(text, body - 1, b) if body else None
            if first is not None and len(first.group(1)) > indent:
                out.append((body, b, len(first.group(1))))
                todo.append((body, b, len(first.group(1)), level + 1))
    return out


@pytest.mark.parametrize("path", _SPECS[:12], ids=lambda p: p.name)
def test_shallow_lines_are_each_regions_lines(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    shallow = _Shallow(text)
    regions = _regions(text)
    assert len(regions) > 1
    for start, end, indent in regions:
        for width in range(_SHALLOW + 1):
            assert shallow.at_most(width, start, end) == _lines(_at_most(width), text, start, end)
        if indent <= _SHALLOW:
            assert keyed_spans(text, start, end, indent, shallow) == keyed_spans(text, start, end, indent)


def test_edges_first_line_comments_blank_lines_and_the_text_end() -> None:
    text = "a:\n  # c\n\n  b: 1\n   \n  c:\n    d: 2\n#x\ne: 3"
    shallow = _Shallow(text)
    for start, end in [(0, len(text)), (3, len(text)), (3, text.index("e:")), (text.index("  c:"), len(text) - 1)]:
        for width in range(_SHALLOW + 1):
            assert shallow.at_most(width, start, end) == _lines(_at_most(width), text, start, end)
