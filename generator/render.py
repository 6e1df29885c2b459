"""Stage 6, render: render jobs -> {relative path: text}, in memory.

Templates come from the user's folder first (`--templates`), then the built-in ones (precompiled:
see precompiled.py);
undefined names fail loudly; a template error becomes a located diagnostic.
"""

from __future__ import annotations

from importlib.util import find_spec
from pathlib import Path
from typing import Any

import jinja2

from .diagnostics import Diagnostic
from .precompiled import BuiltinLoader
from .views import Job

_SPEC = find_spec("convgen.templates")
assert _SPEC is not None and _SPEC.submodule_search_locations, "convgen is installed without its templates"
BUILTIN = Path(list(_SPEC.submodule_search_locations)[0])


def environment(user_templates: Path | None = None) -> jinja2.Environment:
    loaders: list[jinja2.BaseLoader] = []
    if user_templates is not None:
        loaders.append(jinja2.FileSystemLoader(str(user_templates)))
    loaders.append(BuiltinLoader(BUILTIN))  # from their precompiled modules while those match
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
        auto_reload=False,  # one build: no template changes under it (and no stat of its file per job)
    )
    env.filters["toml"] = toml_string
    env.globals["fits"] = fits
    from .linewrap import assign_as_black, wrap_as_black  # (it imports `fits` from here)

    env.globals["wrap_as_black"] = wrap_as_black
    env.globals["assign_as_black"] = assign_as_black
    env.filters["docstring_end"] = docstring_end
    return env


def docstring_end(text: str, indent: int) -> str:
    """The inside of a docstring at `indent` (its later lines indented already) plus, as black
    does, a line break before the closing quotes when they would make its last line too long."""
    if "\n" in text and len(text.rsplit("\n", 1)[1]) + 3 > (_LIMIT or _limit()):
        return text + "\n" + " " * indent
    return text


def fits(line: str, indent: int = 0) -> bool:
    """Whether `line`, indented by `indent`, stays within black's line length: templates use
    it to write a long statement the way black would, so that black need not run on it.
    Measured exactly as black measures (East Asian wide characters take two columns)."""
    if "\n" in line:
        return False
    if line.isascii():
        return indent + len(line) <= (_LIMIT or _limit())
    from .textwidth import str_width

    return indent + str_width(line) <= _limit()


_LIMIT = 0  # format.LINE_LENGTH once read: templates ask thousands of times, and importing format loads black


def _limit() -> int:
    global _LIMIT
    from .format import LINE_LENGTH

    _LIMIT = LINE_LENGTH
    return _LIMIT


def toml_string(value: object) -> str:
    """A TOML basic string. (JSON's `\\ud83d\\ude80` for an emoji is not valid TOML; DEL must be escaped.)"""
    out = []
    for ch in str(value):
        code = ord(ch)
        if ch in '"\\':
            out.append("\\" + ch)
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\u{code:04X}")
        elif 0xD800 <= code <= 0xDFFF:
            out.append("\\uFFFD")  # a lone surrogate cannot be written as UTF-8 at all
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def render(
    jobs: list[Job],
    user_templates: Path | None = None,
    cache: Path | None = None,
    known: dict[int, tuple[Any, bytes]] | None = None,
) -> tuple[dict[str, str], list[Diagnostic]]:
    """With a `cache` folder, compiled templates are kept there, and a job whose template and
    context are those of a job of the last build gets that build's text (see rendermemo).
    `known`: id of a context value -> (the value, a digest of all it is made from), from planmemo."""
    env = environment(user_templates)
    memo = None
    if cache is not None:
        from .rendermemo import Memo, bytecode_cache

        env.bytecode_cache = bytecode_cache(cache)
        memo = Memo(cache, jobs, env, [BUILTIN] if user_templates is None else [user_templates, BUILTIN], known)
    out: dict[str, str] = {}
    diags: list[Diagnostic] = []
    for job in jobs:
        if not job.template:
            out[job.path] = _static(job.source, user_templates)
            continue
        key = memo.key(job) if memo is not None else None
        remembered = memo.get(key) if memo is not None else None
        if remembered is not None:
            out[job.path] = remembered
            continue
        try:
            text = env.get_template(job.template).render(**job.context)
        except jinja2.TemplateSyntaxError as exc:
            diags.append(
                Diagnostic(
                    "E403",
                    f"template syntax error: {exc.message}",
                    file=exc.filename or job.template,
                    line=exc.lineno or 1,
                    column=1,
                )
            )
            continue
        except jinja2.TemplateError as exc:
            file, line = _template_frame(exc, job.template)
            diags.append(
                Diagnostic("E403", f"template error rendering {job.path}: {exc}", file=file, line=line, column=1)
            )
            continue
        out[job.path] = text
        if memo is not None:
            memo.put(key, text)
    if memo is not None:
        memo.save()
    return out, diags


def copied(jobs: list[Job], user_templates: Path | None = None) -> frozenset[str]:
    """The paths of jobs that copy a built-in runtime file as it is (not one the user's templates
    replace): the format stage leaves them alone."""
    return frozenset(
        job.path
        for job in jobs
        if not job.template and (user_templates is None or not (user_templates / job.source).is_file())
    )


def _static(source: str, user_templates: Path | None) -> str:
    if user_templates is not None and (user_templates / source).is_file():
        return (user_templates / source).read_text(encoding="utf-8")
    return (BUILTIN / source).read_text(encoding="utf-8")


def _template_frame(exc: BaseException, fallback: str) -> tuple[str, int]:
    """The template file and line the error happened on, from the traceback Jinja rewrites."""
    tb = exc.__traceback__
    found = (fallback, 1)
    while tb is not None:
        name = tb.tb_frame.f_code.co_filename
        if name.endswith(".jinja"):
            found = (name, tb.tb_lineno)
        tb = tb.tb_next
    return found
