"""The one line an internal error (a bug of convgen, exit 70) prints without -v.

It names the stage that failed and the spec location being processed. The location is read
from the frames the exception passed through, innermost first: convgen's code keeps the JSON
pointer of what it works on in a local named like `ptr` or `at`, so no stage has to announce
where it is, and a crash deep in a recursion points at the deepest schema.
"""

from __future__ import annotations

from types import TracebackType
from typing import TYPE_CHECKING

from .diagnostics import printable

if TYPE_CHECKING:
    from .load import Spec

POINTER_LOCALS = ("ptr", "pointer", "at", "where", "base")
_PACKAGE = __name__.rpartition(".")[0]
_MAX_MESSAGE = 160


def describe(exc: BaseException, stage: str, spec: Spec | None) -> str:
    where = processing(exc.__traceback__)
    location = ""
    if where is not None:
        location = f" at {printable(where)}"
        source = _source_position(spec, where)
        if source:
            location += f" ({source})"
    elif spec is not None:
        location = f" on {printable(str(spec.path))}"
    message = printable(str(exc))
    if len(message) > _MAX_MESSAGE:
        message = message[: _MAX_MESSAGE - 3] + "..."
    what = f"{type(exc).__name__}: {message}" if message else type(exc).__name__
    return (
        f"convgen: internal error in {stage or 'convgen'}{location}: {what}"
        " (a bug: rerun with -v for the traceback and report it)"
    )


def processing(tb: TracebackType | None) -> str | None:
    """The JSON pointer held by the innermost convgen frame that has one."""
    frames = []
    while tb is not None:
        frames.append(tb.tb_frame)
        tb = tb.tb_next
    for frame in reversed(frames):
        if not str(frame.f_globals.get("__name__", "")).startswith(_PACKAGE + "."):
            continue
        for name in POINTER_LOCALS:
            value = frame.f_locals.get(name)
            if isinstance(value, str) and value.startswith(("/", "#/")):
                return value.removeprefix("#")
    return None


def _source_position(spec: Spec | None, where: str) -> str:
    if spec is None:
        return ""
    try:
        from .locate import Locator

        line, column = Locator(spec.text, is_json=spec.path.suffix.lower() == ".json").locate(where)
    except Exception:  # noqa: BLE001 - the report of one bug must not raise another
        return ""
    return f"{printable(str(spec.path))}:{line}:{column}"
