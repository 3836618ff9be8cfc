# SPDX-License-Identifier: GPL-2.0-or-later
"""The engine's worker threads: blocking calls run there, their results come back in batches.

``loop.run_in_executor`` wakes the event loop once per finished call (one write to its
self-pipe each, and a thread switch for each wakeup). Here a worker that finishes a call
appends the outcome to its loop's list and wakes the loop only when the list was empty; the
loop then resolves every future in the list in one callback. With many small calls in flight
(4 KiB NBD requests, 16 at a time) that is one wakeup per batch instead of one per call. The
threads take calls from one ``queue.SimpleQueue`` (whose blocking get waits without the GIL).
"""

from __future__ import annotations

import asyncio
import queue
import threading
import weakref
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


class _Completions:
    """The finished calls of one event loop, waiting to be delivered in its thread."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = weakref.ref(loop)  # the pool's map holds this object under the loop
        self._lock = threading.Lock()
        self._finished: list[tuple[asyncio.Future[Any], bool, Any]] = []

    def post(self, future: asyncio.Future[Any], ok: bool, outcome: Any) -> None:
        """Queue one outcome; runs in a worker thread."""
        with self._lock:
            self._finished.append((future, ok, outcome))
            wake = len(self._finished) == 1
        if not wake:
            return
        loop = self._loop()
        try:
            if loop is None:
                raise RuntimeError("event loop is gone")
            loop.call_soon_threadsafe(self._deliver)
        except RuntimeError:  # the loop is closed: nobody waits for these any more
            with self._lock:
                self._finished.clear()

    def _deliver(self) -> None:
        """Resolve every queued future; runs in the loop's thread."""
        with self._lock:
            finished, self._finished = self._finished, []
        for future, ok, outcome in finished:
            if future.cancelled():
                continue
            if ok:
                future.set_result(outcome)
            elif isinstance(outcome, StopIteration):  # a future refuses StopIteration
                future.set_exception(RuntimeError(f"worker call raised {outcome!r}"))
            else:
                future.set_exception(outcome)


_Call = tuple[_Completions, "asyncio.Future[Any]", Callable[..., Any], tuple[object, ...]]


class WorkerPool:
    """``workers`` daemon threads, started at the first call, serving every event loop."""

    def __init__(self, workers: int, name: str) -> None:
        self._workers = workers
        self._name = name
        self._calls: queue.SimpleQueue[_Call] = queue.SimpleQueue()
        self._started = False
        self._start_lock = threading.Lock()
        self._completions: weakref.WeakKeyDictionary[
            asyncio.AbstractEventLoop, _Completions
        ] = weakref.WeakKeyDictionary()

    async def run(self, fn: Callable[..., T], *args: object) -> T:
        """Run ``fn(*args)`` in a worker thread; called from a task of the loop that awaits it.

        Cancelling the caller does not stop a call that a worker has begun; its outcome is
        dropped.
        """
        loop = asyncio.get_running_loop()
        completions = self._completions.get(loop)
        if completions is None:
            completions = self._completions.setdefault(loop, _Completions(loop))
        if not self._started:
            self._start()
        future: asyncio.Future[T] = loop.create_future()
        self._calls.put((completions, future, fn, args))
        return await future

    def _start(self) -> None:
        with self._start_lock:
            if self._started:
                return
            for number in range(self._workers):
                name = f"{self._name}_{number}"
                threading.Thread(target=self._work, name=name, daemon=True).start()
            self._started = True

    def _work(self) -> None:
        """One worker thread: run calls until the process ends."""
        calls = self._calls
        while True:
            completions, future, fn, args = calls.get()
            try:
                outcome, ok = fn(*args), True
            except BaseException as error:  # delivered to the caller, as run_in_executor does
                outcome, ok = error, False
            completions.post(future, ok, outcome)
            del completions, future, fn, args, outcome
