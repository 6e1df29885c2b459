"""A build whose files need no reformatting does not import black at all (issue 15): the
runtime modules are copied as they are (black-clean: tests/test_format.py checks them), the
templates write black's layout, and line widths come from black's table read without black.
Takes ~3 s (one cold Conversations build in a subprocess)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import black
from black.strings import char_width

from conftest import ROOT
from convgen import format as fmt
from convgen.textwidth import str_width

BUILD = """
import sys
from convgen.cli import main
code = main(sys.argv[1:])
print("black imported" if "black" in sys.modules else "no black", code)
"""


def test_a_cold_section_build_imports_no_black(tmp_path: Path) -> None:
    args = ["build", "spec/openai.yaml", "--tag", "Conversations", "--package", "openai_conversations",
            "-o", str(tmp_path / "out"), "-q"]
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache"), "PATH": "/usr/bin:/bin", "NO_COLOR": "1"}
    result = subprocess.run([sys.executable, "-c", BUILD, *args], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=300)
    assert result.stdout.split() == ["no", "black", "0"], result.stdout + result.stderr
    built = tmp_path / "out" / "openai_conversations"
    committed = ROOT / "generated" / "openai_conversations"
    assert (built / "_runtime" / "http.py").read_bytes() == (committed / "_runtime" / "http.py").read_bytes()
    assert (built / "__init__.py").read_bytes() == (committed / "__init__.py").read_bytes()


def test_the_runtime_copied_verbatim_is_black_clean() -> None:
    runtime = sorted((ROOT / "templates" / "runtime").glob("*.py"))
    assert len(runtime) > 5
    changed = [p.name for p in runtime if black.format_str(p.read_text(), mode=fmt._mode()) != p.read_text()]
    assert changed == []


def test_verbatim_files_are_left_as_they_are() -> None:
    long = "x = call(" + ", ".join(f"argument_{i}" for i in range(20)) + ")\n"
    out, diags = fmt.format_files({"a.py": long, "b.py": long}, use_cache=False, verbatim={"b.py"})
    assert not diags and out["b.py"] == long and out["a.py"] != long


def test_widths_are_black_s() -> None:
    from black._width_table import WIDTH_TABLE

    # every edge of every range of black's table, and the first planes character by character
    codes = {c for start, end, _ in WIDTH_TABLE for c in (start - 1, start, end, end + 1)} | set(range(0x3400))
    chars = [chr(c) for c in sorted(codes) if 0 <= c < 0x110000 and not 0xD800 <= c <= 0xDFFF]
    assert [str_width(c) for c in chars] == [black.strings.str_width(c) for c in chars]
    assert all(char_width(c) == str_width(c) for c in chars if not c.isascii())
    line = "名前 = 'ä' + \U0001f600 * 3"
    assert str_width(line) == black.strings.str_width(line)
