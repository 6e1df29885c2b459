"""The template global `wrap_as_black` lays a statement out exactly as black does (the templates
call it instead of running black), and the `wrapped` macro of black_style.jinja gives the same.
Every shape (a call, a display, an import) at the indents the templates use, with items short
and long, is compared with black's own layout of the one-line statement, wherever its lines fit
(a line still too long is black's to split: the format stage runs it on those). And the render
memo's key covers the function's code. Under a second."""

from __future__ import annotations

from pathlib import Path

import black
import pytest

from convgen import format as fmt
from convgen import rendermemo
from convgen.linewrap import assign_as_black, wrap_as_black
from convgen.render import environment

INDENTS = (0, 4, 8, 12, 16)


def _items(n: int, width: int) -> list[str]:
    return [f'"k{i}": value_{"x" * width}_{i}' for i in range(n)]


def _fits(text: str) -> bool:
    return all(len(line) <= fmt.LINE_LENGTH for line in text.splitlines())


def _black(statement: str, indent: int) -> str:
    """black's layout of `statement` at `indent` (inside as many nested blocks)."""
    opening = "".join("    " * level + f"if c{level}:\n" for level in range(indent // 4))
    out = black.format_str(opening + " " * indent + statement + "\n", mode=fmt._mode())
    return "\n".join(out.splitlines()[indent // 4 :])


@pytest.mark.parametrize("indent", INDENTS)
@pytest.mark.parametrize("n,width", [(1, 2), (1, 80), (3, 4), (3, 30), (8, 10)])
def test_display_and_call_as_black(indent: int, n: int, width: int) -> None:
    items = _items(n, width)
    display = wrap_as_black("query = {", items, "}", indent, kind="display")
    assert not _fits(display) or display == _black("query = {" + ", ".join(items) + "}", indent)
    args = [i.replace('"', "").replace(": ", "=") for i in items]
    call = wrap_as_black("result = call(", args, ")", indent)
    assert not _fits(call) or call == _black("result = call(" + ", ".join(args) + ")", indent)


@pytest.mark.parametrize("indent", (0, 4))
@pytest.mark.parametrize("n,width", [(2, 4), (6, 12), (12, 20)])
def test_import_as_black(indent: int, n: int, width: int) -> None:
    names = [f"Name{i}{'x' * width}" for i in range(n)]
    head = "from ..types.some_module import "
    text = wrap_as_black(head, names, "", indent, kind="import")
    assert text == _black(head + ", ".join(names), indent)


def test_the_macro_writes_what_the_global_does() -> None:
    env = environment()
    template = env.from_string(
        '{% from "black_style.jinja" import wrapped %}'
        '{{ wrapped("query={", items, "},", 12, kind="display") }}|{{ wrapped("f(", args, ")", 8) }}|'
    )
    items, args = _items(4, 20), ["a" * 30, "b" * 40, "c" * 50]
    expected = wrap_as_black("query={", items, "},", 12, kind="display") + "\n|" + wrap_as_black("f(", args, ")", 8)
    assert template.render(items=items, args=args) == expected + "\n|"


def test_the_render_memo_is_keyed_by_its_code(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A warm build must not reuse texts that an older `wrap_as_black` wrote."""
    here = Path(rendermemo.__file__).parent
    for name in ("render.py", "format.py", "linewrap.py"):
        (tmp_path / name).write_bytes((here / name).read_bytes())
    monkeypatch.setattr(rendermemo, "_HERE", tmp_path)
    before = rendermemo._base_digest([])
    (tmp_path / "linewrap.py").write_text((here / "linewrap.py").read_text() + "\n# changed\n")
    assert rendermemo._base_digest([]) != before


@pytest.mark.parametrize("indent", (8, 12))
@pytest.mark.parametrize("width", (10, 20, 25, 30, 60))
def test_assign_as_black(indent: int, width: int) -> None:
    """A decode's assignment: a conditional expression too long for one line goes in parentheses
    on a line of its own, as black puts it, whenever black's layout is a line-fitting one."""
    key = "k" + "x" * width
    expr = f'v if (v := data["{key}"]).__class__ is str else _r.string(v)'
    text = assign_as_black("obj.attribute", expr, True, indent)
    assert not _fits(text) or text == _black(f"obj.attribute = {expr}", indent)
    plain = assign_as_black("obj.attribute", "x" * width, False, indent)
    assert plain == " " * indent + "obj.attribute = " + "x" * width
    if width in (20, 25) and indent == 12:  # too long on one line, fits in parentheses
        assert text.split("\n")[0] == " " * indent + "obj.attribute = ("
