"""Stage 7, format: black-formatted output, in-process, without running black on every line.

The built-in templates emit code that is already in black's style (a test runs black over
every golden and fuzzed file and expects no change), except where a line depends on name lengths:
a statement longer than the line limit. So for trusted templates only those statements are
laid out again; everything else is kept. The statements are found without parsing the file
(logical.py: one regex pass), cut down to the long item when they are split one item a line
already; blackstyle.py lays out the common shapes as black does (on a whole OpenAI build all
of them: black is not imported), and black gets the rest, in one call per indentation level. Anything this
cannot handle (a long `else`/`except` clause, a body on its header's line other than a stub's
`...`, a long line inside a multi-line string) sends its whole file through black, as do all
files rendered from custom templates (`trusted=False`), which may be written in any style.
tests/test_format_identity.py and tests/test_blackstyle_shapes.py check the result against
black (benchmarks/bench_format.py on every file of whole builds).

Results are cached by content hash (but for files without a long line, which are quicker to
see than to read back), in one file per output (named by its top-level folders, like the render
memo's, and holding only its last build's results: writing a thousand small files cost a cold
whole-OpenAI build a quarter of a second), and when much is left to format both cores are used.
A file that is not valid Python is our bug (or a custom template's): an E405 diagnostic for
every file black sees whole, which is each file from custom templates and each trusted file
whose long statements cannot be cut out (the others are valid by test: every golden and
fuzzed output is compiled and imported).
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Collection
from itertools import compress, count
from pathlib import Path
from typing import TYPE_CHECKING

from . import blackstyle, cache, journal, logical
from .diagnostics import Diagnostic
from .logical import Snippet
from .textwidth import str_width

if TYPE_CHECKING:
    import black

LINE_LENGTH = 100
PARALLEL_MIN_LINES = 4000  # of whole-file work: below this a second process costs more than it saves
_SPLIT = "# convgen: split"
Result = tuple[str, "str | None"]  # (text, error)
# Lines black leaves as they are, however long: comments, collection items with no brackets
# to split at (`"key": "value",`, `"tag": Name.from_dict,`) and star imports.
_UNSPLITTABLE = re.compile(r'^ *(#.*|"[^"\\]*"(: *("[^"\\]*"|[A-Za-z_][\w.]*))?,|from [\w.]+ import \*)$')


def _mode(line_length: int = LINE_LENGTH) -> black.Mode:
    import black
    from black.mode import TargetVersion

    return black.Mode(line_length=line_length, target_versions={TargetVersion.PY311})


def cache_dir() -> Path:
    return cache.root() / f"black-{cache.black_version()}-{LINE_LENGTH}"


def format_files(
    files: dict[str, str],
    *,
    use_cache: bool = True,
    jobs: int | None = None,
    trusted: bool = True,
    verbatim: Collection[str] = (),
) -> tuple[dict[str, str], list[Diagnostic]]:
    """{path: text} with every Python file black-formatted. `trusted`: rendered by the
    built-in templates only, so black runs on the long statements alone. `verbatim`: paths
    copied unchanged from the built-in runtime, which is black-clean as it is (tests/test_format.py)
    and is left alone."""
    store = _Store(cache_dir(), files) if use_cache else None
    out = dict(files)
    todo: dict[str, str] = {}
    long: dict[str, tuple[list[str], list[int]]] = {}
    keys: dict[str, str] = {}
    for path, text in files.items():
        if not path.endswith(".py") or path in verbatim:
            continue
        if trusted:
            # what an earlier build found for this very text (a digest is cheaper than the search
            # for long lines); kept apart from black's whole-file results by the prefix
            key = keys[path] = "t:" + _digest(text) if store is not None else ""
            hit = store.get(key, clean=True) if store is not None else None
            if hit is not None:
                out[path] = hit if isinstance(hit, str) else text
                continue
            lines = text.split("\n")  # numbered as logical.py numbers them (not str.splitlines)
            found = long_lines(lines, text.isascii())
            if not found:
                # nothing for black to do; that the templates write valid Python is tested (every
                # golden and fuzzed output is compiled and imported), so it is not parsed here
                if store is not None:
                    store.put(key, True)
                continue
            long[path] = (lines, found)
        todo[path] = text
    if store is not None and not trusted:
        for path, text in list(todo.items()):
            keys[path] = key = _digest(text)
            hit = store.get(key)
            if isinstance(hit, str):
                out[path] = hit
                del todo[path]
    diags: list[Diagnostic] = []
    whole = todo
    if trusted:
        partial, whole = _format_long_statements(todo, long)
        for path, (formatted, error) in partial.items():
            _keep(out, diags, store, keys.get(path, ""), path, formatted, error)
    for path, (formatted, error) in _format_many(whole, jobs).items():
        _keep(out, diags, store, keys.get(path, ""), path, formatted, error)
    if store is not None:
        store.save()
    return out, diags


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _keep(
    out: dict[str, str],
    diags: list[Diagnostic],
    store: _Store | None,
    key: str,
    path: str,
    formatted: str,
    error: str | None,
) -> None:
    if error is not None:
        # located in the generated file; the CLI moves it to the template line that wrote it (see origin.py)
        line, column, message = _split_position(error)
        diags.append(Diagnostic("E405", f"{path}:{line}:{column}: {message}", file=path, line=line, column=column))
        return
    out[path] = formatted
    if store is not None:
        store.put(key, formatted)


# ---- trusted templates: black on the long statements only ---------------------------------
def _format_long_statements(
    todo: dict[str, str], long: dict[str, tuple[list[str], list[int]]]
) -> tuple[dict[str, Result], dict[str, str]]:
    """({path: result} done here, {path: text} that needs black on the whole file); `long`:
    each file's lines and the indexes of its long ones."""
    done: dict[str, Result] = {}
    whole: dict[str, str] = {}
    found: dict[str, list[Snippet]] = {}
    for path, text in todo.items():
        snippets = logical.snippets(text, *long[path])
        if snippets is None:
            whole[path] = text  # black sees it whole (and reports it when it is not Python)
        elif not snippets:
            done[path] = (text, None)
        else:
            found[path] = snippets
    formatted: dict[tuple[int, str], str] = {}
    for key in dict.fromkeys((s.indent, s.text) for snippets in found.values() for s in snippets):
        laid_out = blackstyle.layout(*key)  # the plainest shapes, as black lays them out
        if laid_out is not None:
            formatted[key] = laid_out
    formatted.update(
        _black_snippets(
            [key for snippets in found.values() for s in snippets if (key := (s.indent, s.text)) not in formatted]
        )
    )
    for path, snippets in found.items():
        if any((s.indent, s.text) not in formatted for s in snippets):
            whole[path] = todo[path]  # black refused a snippet: let it see the whole file
            continue
        lines = todo[path].split("\n")
        for snippet in reversed(snippets):  # from the bottom: earlier indexes stay valid
            lines[snippet.first : snippet.last + 1] = _kept(formatted[(snippet.indent, snippet.text)], snippet.drop)
        done[path] = ("\n".join(lines), None)
    return done, whole


def _kept(formatted: str, drop: tuple[int, int]) -> list[str]:
    """A snippet's formatted lines less those of its stand-in context."""
    if drop == (0, 0):
        return [formatted]
    lines = formatted.split("\n")
    return lines[drop[0] : len(lines) - drop[1]]


def long_lines(lines: list[str], is_ascii: bool) -> list[int]:
    """Indexes of the lines black would split (as few lines are long, their lengths are
    compared in C first; no character is wider than two columns, so with others than ASCII
    a line of half the limit may be long)."""
    limit = LINE_LENGTH if is_ascii else LINE_LENGTH // 2
    lengths = list(map(len, lines))
    if max(lengths) <= limit:
        return []
    candidates = compress(count(), map(limit.__lt__, lengths))
    return [i for i in candidates if too_long(lines[i]) and not _UNSPLITTABLE.match(lines[i])]


def width(line: str) -> int:
    """Columns as black counts them (East Asian wide characters take two)."""
    if line.isascii():
        return len(line)
    return max(len(line), str_width(line))  # `len` too: black measures some things by it


def too_long(line: str) -> bool:
    # no character is wider than two columns: most lines are decided by their length alone
    return 2 * len(line) > LINE_LENGTH and width(line) > LINE_LENGTH


def _black_snippets(snippets: list[tuple[int, str]]) -> dict[tuple[int, str], str]:
    """{(indent, snippet): its black-formatted lines, indented}: one black call per indent,
    with a split comment between statements. A group black refuses is left out."""
    if not snippets:
        return {}
    import black

    by_indent: dict[int, list[str]] = {}
    for indent, text in dict.fromkeys(snippets):
        by_indent.setdefault(indent, []).append(text)
    out: dict[tuple[int, str], str] = {}
    for indent, texts in by_indent.items():
        source = "".join(f"{text}\n{_SPLIT}\n" for text in texts)
        try:
            formatted = black.format_str(source, mode=_mode(max(LINE_LENGTH - indent, 1)))
        except Exception:  # noqa: BLE001 - black's own errors: the whole files get a second chance
            continue
        parts = formatted.split(f"{_SPLIT}\n")[: len(texts)]
        if len(parts) != len(texts):
            continue
        pad = " " * indent
        for text, part in zip(texts, parts, strict=True):
            body = [line for line in part.splitlines() if line.strip()]
            if text.endswith(logical.STAND_IN):
                body = body[:-1]  # the header's stand-in body
            out[(indent, text)] = "\n".join(f"{pad}{line}" for line in body)
    return out


# ---- whole files ----------------------------------------------------------------------------
def _format_many(todo: dict[str, str], jobs: int | None) -> dict[str, Result]:
    total_lines = sum(t.count("\n") for t in todo.values())
    workers = jobs if jobs is not None else min(2, os.cpu_count() or 1)
    if workers > 1 and total_lines >= PARALLEL_MIN_LINES and len(todo) > 1:
        from concurrent.futures import ProcessPoolExecutor  # only here: importing it costs ~20 ms a build

        items = sorted(todo.items())
        chunks = [dict(items[i::workers]) for i in range(workers)]
        try:
            with ProcessPoolExecutor(max_workers=workers) as pool:
                merged: dict[str, Result] = {}
                for part in pool.map(_format_chunk, chunks):
                    merged.update(part)
                return merged
        except (OSError, RuntimeError):
            pass  # no processes here (sandbox): format in this one
    return _format_chunk(todo)


def _format_chunk(todo: dict[str, str]) -> dict[str, Result]:
    out: dict[str, Result] = {}
    if not todo:
        return out
    import black

    mode = _mode()
    for path, text in todo.items():
        try:
            formatted = black.format_str(text, mode=mode)
            compile(formatted, path, "exec", dont_inherit=True)  # black parses; compile also checks names
            out[path] = (formatted, None)
        except Exception as exc:  # black raises its own parse errors; report, don't crash
            out[path] = (text, _invalid(exc))
    return out


def _invalid(exc: BaseException) -> str:
    """`LINE:COLUMN:message` (a string: results cross process boundaries and the cache)."""
    line, column = 1, 1
    if isinstance(exc, SyntaxError) and exc.lineno:
        line, column = exc.lineno, max(exc.offset or 1, 1)
    elif found := _BLACK_POSITION.search(str(exc)):  # black's InvalidInput: "cannot parse: 2:11"
        line, column = int(found[1]), int(found[2]) + 1
    first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return f"{line}:{column}:generated code is not valid Python: {first}"


_BLACK_POSITION = re.compile(r"^Cannot parse[^:]*: (\d+):(\d+)", re.IGNORECASE)


def _split_position(error: str) -> tuple[int, int, str]:
    line, column, message = error.split(":", 2)
    return int(line), int(column), message


class _Store:
    """The formatted texts of one output's last build, by the digest of the text formatted."""

    def __init__(self, folder: Path, files: dict[str, str]) -> None:
        slot = hashlib.sha256("\0".join(sorted({p.split("/", 1)[0] for p in files})).encode()).hexdigest()
        self.file = folder / "outputs" / f"{slot[:32]}.marshal"
        self.same, self.old = journal.read_for(self.file, _STORE_FORMAT)
        self.new: dict[str, str | bool] = {}
        self.added: dict[str, str | bool] = {}  # made this run: appended to the journal

    def get(self, key: str, clean: bool = False) -> str | bool | None:
        """The formatted text, or (with `clean`) True for a text found to need no formatting."""
        text = self.old.get(key)
        if not isinstance(text, str) and not (clean and text is True):
            return None
        self.new[key] = text
        return text

    def put(self, key: str, text: str | bool) -> None:
        self.new[key] = self.added[key] = text

    def save(self) -> None:
        journal.write(self.file, _STORE_FORMAT, self.new, self.added, self.same)


_STORE_FORMAT = "formatted texts 1"  # the header of a store's file (journal.py)
