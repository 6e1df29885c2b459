"""Which template line wrote a given line of the output: for code that is not valid Python.

Nothing is tracked while rendering (that would slow every build for a rare error). When the
format stage finds a generated file it cannot parse (E405, located in the generated file), the
file's template is rendered again, chunk by chunk: after each chunk the generator of the
innermost template being rendered (an `{% include %}` renders another one) is paused at the
`yield` that produced it, and the compiled template's own line table (`debug_info`, as Jinja
uses for its tracebacks) turns that position into a line of that template. The error then points at the
template: E405 for a built-in one (convgen's bug), E407 for a custom one (the user's to fix).
"""

from __future__ import annotations

import re
import types
from pathlib import Path
from typing import Any

import jinja2

from .diagnostics import Diagnostic
from .render import BUILTIN, environment
from .views import Job

_NEAR = 5  # lines between a statement's tag and the text it yields
_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)


def relocate(diags: list[Diagnostic], jobs: list[Job], user_templates: Path | None) -> list[Diagnostic]:
    """`diags` with each E405 on a generated file moved to the template line that wrote it."""
    by_path = {job.path: job for job in jobs}
    env: jinja2.Environment | None = None
    out = []
    for diag in diags:
        job = by_path.get(diag.file)
        if diag.code != "E405" or job is None:
            out.append(diag)
            continue
        if env is None:
            env = environment(user_templates)
        try:
            file, line = template_line(env, job, user_templates, diag.line, diag.column)
        except Exception:  # noqa: BLE001 - locating is a courtesy: the generated position stays
            out.append(diag)
            continue
        builtin = Path(file).resolve().is_relative_to(BUILTIN.resolve())
        out.append(Diagnostic("E405" if builtin else "E407", diag.message, file=file, line=line, column=1))
    return out


def template_line(
    env: jinja2.Environment, job: Job, user_templates: Path | None, line: int, column: int
) -> tuple[str, int]:
    """(template file, line) that wrote `line`:`column` (1-based) of the job's output."""
    if not job.template:  # a file copied verbatim (runtime/*.py): the same line of its source
        source = (
            user_templates / job.source
            if user_templates is not None and (user_templates / job.source).is_file()
            else BUILTIN / job.source
        )
        return str(source), line
    active: list[Any] = []  # generators of the templates being rendered, innermost last
    _track_templates(env, active)
    template = env.get_template(job.template)
    target = _offset(template.render(**job.context), line, column)
    gen = template.root_render_func(template.new_context(job.context))
    position = 0
    found = (template.filename or job.template, 1)
    for chunk in gen:
        end = position + len(chunk)
        if chunk and position <= target < end or not chunk and position == target:
            frame = active[-1].gi_frame if active else None
            if frame is not None:
                found = _frame_line(frame, chunk, target - position)
            break
        position = end
    return found


def _track_templates(env: jinja2.Environment, active: list[Any]) -> None:
    """Make every template `env` loads (the top one and those it includes) record its render
    generator in `active` while it runs. (Jinja renders an include in a plain `for` loop, so the
    paused outer generator does not lead to the inner one.)"""
    load = env.get_template

    def get_template(*args: Any, **kwargs: Any) -> jinja2.Template:
        template = load(*args, **kwargs)
        render_func = template.root_render_func
        if getattr(render_func, "_tracked", False):
            return template

        def tracked(context: Any) -> Any:
            gen = render_func(context)
            active.append(gen)
            try:
                yield from gen
            finally:
                active.remove(gen)

        tracked._tracked = True  # type: ignore[attr-defined]
        template.root_render_func = tracked
        return template

    env.get_template = get_template  # type: ignore[method-assign]


def _offset(text: str, line: int, column: int) -> int:
    lines = text.split("\n")
    line = min(max(line, 1), len(lines))
    return sum(len(prev) + 1 for prev in lines[: line - 1]) + min(max(column - 1, 0), len(lines[line - 1]))


def _frame_line(frame: types.FrameType, chunk: str, at: int) -> tuple[str, int]:
    """Template file and line of the character `at` of `chunk`, which a paused render frame
    just yielded. The frame's line is that of the statement; when the chunk is the template's
    own text (found in the source from that line on) the line breaks ahead of `at` count."""
    filename = frame.f_code.co_filename
    table = [
        tuple(map(int, pair.split("=")))
        for pair in str(frame.f_globals.get("debug_info", "")).split("&")
        if "=" in pair
    ]
    line = next((tpl for tpl, code in reversed(table) if code <= frame.f_lineno), 1)
    try:
        source = Path(filename).read_text(encoding="utf-8").split("\n")
    except OSError:
        return filename, line
    rest = _TAG.sub(lambda m: re.sub(r"[^\n]", "\0", m.group()), "\n".join(source[line - 1 :]))  # text only
    start = rest.find(chunk) if chunk.strip() else -1
    # found close by (the statement's line is that of the tag before it): the template's text, not a value
    if start >= 0 and rest.count("\n", 0, start) <= _NEAR:
        line += rest.count("\n", 0, start) + chunk.count("\n", 0, at)
    return filename, line
