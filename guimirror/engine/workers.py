# SPDX-License-Identifier: GPL-2.0-or-later
"""The engine's worker threads: blocking calls run there, their results come back in batches.

``loop.run_in_executor`` wakes the event loop once per finished call (one write to its
self-pipe each, and a thread switch for each wakeup). Here a worker that finishes a call
appends the outcome to its loop's list and wakes the loop only when the list was empty; the
loop then resolves every future in the list in one callback. With many small calls in flight
(4 KiB NBD requests, 16 at a time) that is one wakeup per batch instead of one per call. In
the other direction the loop's thread wakes at most one sleeping worker per burst of calls
(see WorkerPool).
"""

from __future__ import annotations

import asyncio
import collections
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
    """``workers`` daemon threads, started at the first call, serving every event loop.

    Waking a sleeping thread is a system call, and the loop's thread would pay one per call if
    it woke a worker for each. It wakes at most one (while no wakeup is pending); a worker that
    takes a call and sees more waiting wakes the next sleeper. A burst of calls thus spreads
    over as many threads as it keeps busy, and the loop's thread pays one wakeup per burst.
    """

    def __init__(self, workers: int, name: str) -> None:
        self._workers = workers
        self._name = name
        self._lock = threading.Lock()
        self._calls: collections.deque[_Call] = collections.deque()
        self._sleeping: list[threading.Lock] = []
        """One held lock per sleeping worker, which waits to acquire it; the last to sleep
        is woken first (its stack is warm)."""
        self._waking = False
        """A sleeper was woken and has not yet looked at the calls."""
        self._started = False
        self._completions: weakref.WeakKeyDictionary[
            asyncio.AbstractEventLoop, _Completions
        ] = weakref.WeakKeyDictionary()

    async def run(self, fn: Callable[..., T], *args: object) -> T:
        """Run ``fn(*args)`` in a worker thread; called from a task of the loop that awaits it.

        Cancelling the caller skips the call if no worker has begun it (as run_in_executor
        does); a call already running finishes and its outcome is dropped.
        """
        loop = asyncio.get_running_loop()
        completions = self._completions.get(loop)
        if completions is None:
            completions = self._completions.setdefault(loop, _Completions(loop))
        if not self._started:
            self._start()
        future: asyncio.Future[T] = loop.create_future()
        with self._lock:
            self._calls.append((completions, future, fn, args))
            sleeper = self._sleeper()
        if sleeper is not None:
            sleeper.release()
        return await future

    def _sleeper(self) -> threading.Lock | None:
        """The sleeper to wake, if calls wait and no wakeup is pending; under ``_lock``."""
        if self._waking or not self._sleeping or not self._calls:
            return None
        self._waking = True
        return self._sleeping.pop()

    def _start(self) -> None:
        with self._lock:
            if self._started:
                return
            self._started = True
        for number in range(self._workers):
            name = f"{self._name}_{number}"
            threading.Thread(target=self._work, name=name, daemon=True).start()

    def _work(self) -> None:
        """One worker thread: run calls until the process ends."""
        wakeup = threading.Lock()
        wakeup.acquire()
        lock, calls = self._lock, self._calls
        while True:
            with lock:
                if calls:
                    completions, future, fn, args = calls.popleft()
                    sleeper = self._sleeper()
                else:
                    self._sleeping.append(wakeup)
                    sleeper = None
                    fn = None
            if fn is None:
                wakeup.acquire()
                with lock:
                    self._waking = False
                continue
            if sleeper is not None:
                sleeper.release()
            if future.cancelled():  # its caller left before the call began: skip it
                del completions, future, fn, args
                continue
            try:
                outcome, ok = fn(*args), True
            except BaseException as error:  # delivered to the caller, as run_in_executor does
                outcome, ok = error, False
            completions.post(future, ok, outcome)
            del completions, future, fn, args, outcome
