"""A helper process forked early, for work that would otherwise sit on the critical path.

The standard validator costs about half a second to import and a second to run. A child
forked at the start of a build imports it while this process loads and selects the spec,
then runs the job it is sent while this process builds, renders and formats: on two cores
the validator is then almost free. Jobs and results travel pickled over pipes.

Only where `os.fork` exists and this process has a single thread (forking a threaded process
can deadlock the child, e.g. on the import lock). Callers treat a failed child as "do it
here": `Child.start` returns None, or the collector raises `ChildFailed`.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import pickle
import signal
import threading
from collections.abc import Callable
from typing import Any


class ChildFailed(Exception):
    """The child sent no result (it died, or the job raised)."""


class Child:
    def __init__(self, pid: int, to_child: int, from_child: int) -> None:
        self._pid = pid
        self._to_child = to_child
        self._from_child = from_child
        self._done = False

    @classmethod
    def start(cls, preload: tuple[str, ...]) -> Child | None:
        """Fork a child that imports the `preload` modules, then waits for a job."""
        if not hasattr(os, "fork") or threading.active_count() != 1:
            return None
        try:
            down_read, down_write = os.pipe()
            up_read, up_write = os.pipe()
            pid = os.fork()
        except OSError:
            return None
        if pid == 0:  # the child: never returns, never runs the parent's exit handlers or flushes
            try:
                os.close(down_write)
                os.close(up_read)
                _serve(down_read, up_write, preload)
            finally:
                os._exit(0)
        os.close(down_read)
        os.close(up_write)
        return cls(pid, down_write, up_read)

    def submit(self, job: Callable[[Any], Any], payload: Any) -> Callable[[], Any]:
        """Send `job(payload)` (a module-level function and picklable data); the returned
        callable waits for its result, or raises ChildFailed. Call it exactly once."""
        to_child, self._to_child = self._to_child, -1  # the file object owns it from here
        try:
            with os.fdopen(to_child, "wb") as pipe:
                pipe.write(pickle.dumps((job, payload), protocol=pickle.HIGHEST_PROTOCOL))
        except OSError:
            pass  # the child is gone: the collector finds no result

        def collect() -> Any:
            from_child, self._from_child = self._from_child, -1
            try:
                with os.fdopen(from_child, "rb") as pipe:
                    data = pipe.read()
            finally:
                self._reap()
            try:
                return pickle.loads(data)
            except Exception as exc:  # empty or cut short: the child failed
                raise ChildFailed from exc

        return collect

    def cancel(self) -> None:
        """Stop a child whose job is not needed (e.g. the validator's result was cached)."""
        if self._done:
            return
        try:
            os.kill(self._pid, signal.SIGKILL)
        except OSError:
            pass
        for fd in (self._to_child, self._from_child):
            if fd >= 0:
                os.close(fd)
        self._to_child = self._from_child = -1
        self._reap()

    def _reap(self) -> None:
        if not self._done:
            self._done = True
            try:
                os.waitpid(self._pid, 0)
            except ChildProcessError:
                pass


def _serve(down: int, up: int, preload: tuple[str, ...]) -> None:
    chunks: list[bytes] = []
    # drain the job while importing, so that the parent's write never waits for the imports
    reader = threading.Thread(target=_drain, args=(down, chunks))
    reader.start()
    for name in preload:
        with contextlib.suppress(Exception):  # the job itself reports what is missing
            importlib.import_module(name)
    reader.join()
    data = b"".join(chunks)
    if not data:
        return  # cancelled
    job, payload = pickle.loads(data)
    result = pickle.dumps(job(payload), protocol=pickle.HIGHEST_PROTOCOL)
    with os.fdopen(up, "wb") as pipe:
        pipe.write(result)


def _drain(fd: int, chunks: list[bytes]) -> None:
    with os.fdopen(fd, "rb") as pipe:
        while chunk := pipe.read(1 << 16):
            chunks.append(chunk)
