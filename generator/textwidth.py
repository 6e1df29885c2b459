"""The width of a line as black measures it (East Asian wide characters take two columns),
without importing black: importing any of its modules imports the whole package (~0.1 s), and a
build whose files need no formatting should not pay for it. The table is black's own
(black/_width_table.py, plain data), read from the installed black's folder, so that widths
follow the installed version; black.strings.char_width is the reference (tests/test_textwidth.py).
"""

from __future__ import annotations

import ast
from bisect import bisect_right
from importlib.util import find_spec
from pathlib import Path

_TABLE: tuple[list[int], list[int], list[int]] | None = None  # starts, ends, widths: sorted, disjoint


def str_width(line: str) -> int:
    if line.isascii():
        return len(line)
    starts, ends, widths = _TABLE or _table()
    total = 0
    for char in line:
        code = ord(char)
        at = bisect_right(starts, code) - 1
        if at >= 0 and code <= ends[at]:
            total += max(widths[at], 0)  # black counts a negative width (a control character) as 0
        else:
            total += 1
    return total


def _table() -> tuple[list[int], list[int], list[int]]:
    global _TABLE
    rows = _read_rows()
    _TABLE = ([r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows])
    return _TABLE


def _read_rows() -> list[tuple[int, int, int]]:
    spec = find_spec("black")  # finds the package without running it
    folder = list(spec.submodule_search_locations or ()) if spec is not None else []
    source = Path(folder[0]) / "_width_table.py" if folder else None
    if source is not None and source.is_file():
        tree = ast.parse(source.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.AnnAssign | ast.Assign) and node.value is not None:
                target = node.target if isinstance(node, ast.AnnAssign) else node.targets[0]
                if isinstance(target, ast.Name) and target.id == "WIDTH_TABLE":
                    rows: list[tuple[int, int, int]] = ast.literal_eval(node.value)
                    return sorted(rows)
    from black._width_table import WIDTH_TABLE  # a black installed without its sources

    return sorted(WIDTH_TABLE)
