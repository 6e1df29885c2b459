"""Many independent pieces of work shared with one forked child, on machines with a second core.

Rendering and formatting a whole spec's client are thousands of files, each done on its own.
`shared` hands every other item to a child forked for the purpose, does the rest here, and
puts the results back in order. The child inherits everything already loaded (views,
compiled templates) and sends back only its results, pickled over a pipe; whatever it would
have changed besides (caches, memos) is left to this process, which sees every result.

Only where `os.fork` exists, this process has one thread (forking a threaded process can
deadlock the child), there is a second core, and the work is large enough to repay a fork
(`min_items`). A child that fails in any way (an exception in the work, a kill, a result cut
short) costs only time: its items are done here again, so errors surface from this process
exactly as they would without a child.
"""

from __future__ import annotations

import os
import pickle
import signal
import threading
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")


def shared(work: Callable[[Sequence[T]], list[R]], items: Sequence[T], *, min_items: int) -> list[R]:
    """`work(items)`, the odd-numbered items done by a forked child when that is worth it.
    `work` maps a sequence to one result per item; its results must pickle."""
    if len(items) < min_items or not _can_fork():
        return work(items)
    ours, theirs = items[0::2], items[1::2]  # interleaved: neighbouring files cost alike
    try:
        read_end, write_end = os.pipe()
    except OSError:
        return work(items)
    try:
        pid = os.fork()
    except OSError:
        os.close(read_end)
        os.close(write_end)
        return work(items)
    if pid == 0:  # the child: never returns, never runs the parent's exit handlers or flushes
        try:
            os.close(read_end)
            _send(write_end, work, theirs)
        finally:
            os._exit(0)
    os.close(write_end)
    try:
        mine = work(ours)
    except BaseException:
        _stop(pid, read_end)
        raise
    received = _receive(pid, read_end, len(theirs))
    their_results: list[R] = received if received is not None else work(theirs)
    merged: list[R] = []
    for index in range(len(items)):
        merged.append(mine[index // 2] if index % 2 == 0 else their_results[index // 2])
    return merged


def _can_fork() -> bool:
    return hasattr(os, "fork") and threading.active_count() == 1 and _cores() > 1


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))  # the cores this process may use (a container's limit)
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _send(fd: int, work: Callable[[Sequence[T]], list[R]], items: Sequence[T]) -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl-C: the parent cleans up, the child just goes
    try:
        data = pickle.dumps(work(items), protocol=pickle.HIGHEST_PROTOCOL)
    except BaseException:  # noqa: BLE001 - the parent does these items again and reports what fails
        return
    with os.fdopen(fd, "wb") as pipe:
        pipe.write(data)


def _receive(pid: int, fd: int, count: int) -> list[Any] | None:
    try:
        with os.fdopen(fd, "rb") as pipe:
            data = pipe.read()
    finally:
        _reap(pid)
    try:
        results = pickle.loads(data)
    except Exception:  # noqa: BLE001 - nothing or a cut-short result: the child failed
        return None
    return results if isinstance(results, list) and len(results) == count else None


def _stop(pid: int, fd: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:
        pass
    os.close(fd)
    _reap(pid)


def _reap(pid: int) -> None:
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass
