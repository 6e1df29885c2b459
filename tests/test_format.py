"""The format stage: black's output without running black on what the templates already
write in black's style (issue 6: a cold build formats only the long statements).

Each case compares `format_files` with black run on the whole file: the result must be
byte-identical, whichever path the stage took.
"""

from __future__ import annotations

from pathlib import Path

import black
import pytest
from convgen import format as fmt
from convgen.format import format_files

from conftest import GENERATED

FEATURES = Path(__file__).resolve().parent / "features" / "expected"
LONG = "x" * 70


def _black(text: str) -> str:
    return black.format_str(text, mode=fmt._mode())


def _golden_files() -> list[Path]:
    return sorted([*GENERATED.rglob("*.py"), *FEATURES.rglob("*.py")])


def test_every_golden_file_is_exactly_as_black_writes_it() -> None:
    files = _golden_files()
    assert len(files) > 150  # ~210 since the types come packed into files (typelayout.py)
    unstable = [str(p) for p in files if _black(p.read_text(encoding="utf-8")) != p.read_text(encoding="utf-8")]
    assert unstable == []


CASES = {
    "simple statements at several depths": (
        f"import os\n\n{LONG}_a = os.path.join('aaaaaaaaaaaaaaaa', 'bbbbbbbbbbbbbbbbbbbbbbbb', 'cccccccccccc')\n\n\n"
        f"class C:\n    def f(self, v):\n        if v:\n            self.{LONG} = v if v is None else str(v) if v.__class__ is int else v\n"
        f"        return [{LONG}, {LONG}]\n"
    ),
    "a long def header": f"def f(a: int, {LONG}: str, b_{LONG}: bytes) -> dict[str, int]:\n    return {{}}\n",
    "a long line inside a statement already split": f"x = [\n    {LONG}({LONG}, {LONG}),\n]\n",
    "a long class header (whole file)": f"class A({LONG}_base, {LONG}_mixin, metaclass={LONG}_meta):\n    pass\n",
    "a long with header and a long except": (
        f"try:\n    pass\nexcept (ValueError, TypeError, KeyError, {LONG}_Error, {LONG}_Other) as exc:\n    raise\n"
    ),
    "a long decorator (whole file)": f"@{LONG}_decorator({LONG}, {LONG})\ndef f():\n    return 1\n",
    "a long header of a decorated def": f"@cache\ndef f(a: int, {LONG}: str, b_{LONG}: bytes) -> dict[str, int]:\n    return {{}}\n",
    "a long docstring line is left alone": f'def f():\n    """{LONG} {LONG} {LONG}"""\n    return 1\n',
    "wide characters count twice": f"x = '{'名' * 45}' + '{'前' * 20}'\n",
    "nothing to do": "x = 1\n",
    "a long parameter in a def header already split": (
        f"class C:\n    def f(\n        self,\n        {LONG}: dict[str, int] | list[int] | None | bytes | bytearray = None,\n"
        f"    ) -> None:\n        return None\n"
    ),
    "a long class header with a docstring body": f'class A({LONG}_base, {LONG}_mixin):\n    """Doc."""\n\n    x = 1\n',
    "a long item in a display already split": (
        f"def f(self):\n    return {{\n        'a': None if self.{LONG} is None else dict(self.{LONG}_other),\n    }}\n"
    ),
    "a comment between a long header and its body": (
        f"def f(a: int, {LONG}: str, b_{LONG}: bytes) -> dict[str, int]:\n    # why\n    return {{}}\n"
    ),
    "a multi-line string in a long statement (whole file)": (
        f'def f():\n    x = call({LONG}, {LONG}, """\nleft edge\n\n""")\n    return x\n'
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_trusted_formatting_equals_black_on_the_whole_file(name: str) -> None:
    source = CASES[name]
    # `trusted` presumes black-style structure; these cases are written in it except for
    # their long lines (and quotes, which the case below leaves to black)
    expected = _black(source)
    source = source.replace("'", '"')
    out, diags = format_files({"m.py": source}, use_cache=False, jobs=1)
    assert diags == []
    assert out["m.py"] == expected


def test_custom_templates_get_black_on_every_file() -> None:
    messy = "x = {  'a':1 }\ndef f( a ):\n  return a\n"
    trusted, _ = format_files({"m.py": messy}, use_cache=False, jobs=1, trusted=True)
    untrusted, _ = format_files({"m.py": messy}, use_cache=False, jobs=1, trusted=False)
    assert trusted["m.py"] == messy  # short lines: the built-in templates' promise is relied on
    assert untrusted["m.py"] == _black(messy)


@pytest.mark.parametrize("trusted", [True, False])
def test_invalid_python_is_an_E405_diagnostic(trusted: bool) -> None:
    # trusted files are parsed when they have a long line for black (the others are valid
    # by test: every golden and fuzzed output is compiled and imported); custom ones always
    bad = f"def f(:\n    x = [{LONG}, {LONG}]\n" if trusted else "def f(:\n"
    out, diags = format_files({"bad.py": bad, "ok.md": "# hi\n"}, use_cache=False, jobs=1, trusted=trusted)
    assert [d.code for d in diags] == ["E405"] and diags[0].file == "bad.py"
    assert "not valid Python" in diags[0].message
    assert out["ok.md"] == "# hi\n"


def test_results_are_cached_by_content(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    source = f"{LONG}_a = call({LONG}, {LONG}, {LONG})\n"
    expected = _black(source)
    first, _ = format_files({"m.py": source})
    calls: list[str] = []
    monkeypatch.setattr(black, "format_str", lambda *a, **k: calls.append("called") or "")
    second, _ = format_files({"m.py": source})
    assert first["m.py"] == second["m.py"] == expected and calls == []
