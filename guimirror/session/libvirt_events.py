# SPDX-License-Identifier: GPL-2.0-or-later
"""libvirt's events on asyncio: one ``libvirtaio`` implementation for the whole process.

libvirt takes an event loop implementation once per process (a second registration raises),
and every libvirt connection is served by it. :func:`bind_running_loop` registers libvirtaio's
on the running loop the first time; later it moves the implementation to the loop now running
when no connection uses the former loop any more (an application that runs one loop never
sees this; successive ``asyncio.run`` calls do). Connections of two live loops at once are
refused. Runs in the event loop's thread.

libvirt calls its event implementation from the thread that makes a libvirt call, and every
call runs in a worker thread here: libvirtaio then touches the loop from that thread. It is
given the loop through :class:`LoopFromAnyThread`, which carries those touches over to the
loop's thread (a Qt loop's socket notifiers and timers belong to it).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Coroutine
from concurrent.futures import Future
from typing import Any

from guimirror.errors import GuimirrorError
from guimirror.texts import Text

FREE_ROUNDS = 5
"""Loop iterations given to libvirt's free callbacks (tasks) after a connection closed."""

_users = 0


class LibvirtEventLoopError(GuimirrorError):
    """libvirt's events are bound to another event loop that still serves a connection."""


class LoopFromAnyThread:
    """An event loop as libvirtaio uses it, callable from any thread.

    Watching a file descriptor (``add_reader``... ``remove_writer``) records what is wanted
    and applies it in the loop's thread, at once when called there, else soon after: the
    last wish for a descriptor wins, in whatever order the threads came. ``create_task``
    (libvirtaio's timers and free callbacks) runs the coroutine in the loop's thread and
    returns a future that may be cancelled from any thread. Everything else is the loop's.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self._thread = threading.get_ident()
        self._lock = threading.Lock()
        self._wanted: dict[tuple[str, int], tuple[Callable[..., Any], tuple[Any, ...]] | None]
        self._wanted = {}

    def __getattr__(self, name: str) -> Any:
        return getattr(self.loop, name)

    def add_reader(self, fd: int, callback: Callable[..., Any], *args: Any) -> None:
        self._want("reader", fd, (callback, args))

    def remove_reader(self, fd: int) -> bool:
        self._want("reader", fd, None)
        return True

    def add_writer(self, fd: int, callback: Callable[..., Any], *args: Any) -> None:
        self._want("writer", fd, (callback, args))

    def remove_writer(self, fd: int) -> bool:
        self._want("writer", fd, None)
        return True

    def create_task(self, coroutine: Coroutine[Any, Any, Any]) -> Future[Any]:
        if self.loop.is_closed():
            # A connection of a loop that has ended frees what it can no more: dropped.
            coroutine.close()
            dropped: Future[Any] = Future()
            dropped.cancel()
            return dropped
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop)

    def _want(self, kind: str, fd: int,
              watch: tuple[Callable[..., Any], tuple[Any, ...]] | None) -> None:
        with self._lock:
            self._wanted[(kind, fd)] = watch
        if threading.get_ident() == self._thread:
            self._apply(kind, fd)
        elif not self.loop.is_closed():
            self.loop.call_soon_threadsafe(self._apply, kind, fd)

    def flush(self) -> None:
        """In the loop's thread: apply every wish not applied yet (a closed connection's
        descriptors are unwatched before its loop may end)."""
        with self._lock:
            pending = list(self._wanted)
        for kind, fd in pending:
            self._apply(kind, fd)

    def _apply(self, kind: str, fd: int) -> None:
        """In the loop's thread: the last wish for ``fd``, unless applied already."""
        with self._lock:
            if (kind, fd) not in self._wanted:
                return
            watch = self._wanted.pop((kind, fd))
        if self.loop.is_closed():
            # libvirt frees a connection of a loop that has ended: nothing is watched any more.
            return
        if watch is None:
            getattr(self.loop, f"remove_{kind}")(fd)
        else:
            getattr(self.loop, f"add_{kind}")(fd, watch[0], *watch[1])


def bind_running_loop() -> Any:
    """libvirtaio's implementation, serving the running loop; count one more connection."""
    global _users
    import libvirtaio

    loop = asyncio.get_running_loop()
    impl = libvirtaio.getCurrentImpl()
    if impl is None:
        impl = libvirtaio.virEventRegisterAsyncIOImpl(loop=LoopFromAnyThread(loop))
    else:
        served = impl.loop.loop if isinstance(impl.loop, LoopFromAnyThread) else impl.loop
        if served is not loop:
            if _users and not served.is_closed():
                raise LibvirtEventLoopError(Text(
                    "libvirt's events are served by another event loop that still has a "
                    "libvirt connection; close that endpoint first"))
            impl.loop = LoopFromAnyThread(loop)
    _users += 1
    return impl


async def release() -> None:
    """One connection fewer (it is closed): let the tasks that free its callbacks run, before
    a loop that ends would cancel them (caller's task). libvirtaio's ``drain()`` is no help:
    it also waits for the frees a former loop never ran."""
    global _users
    import libvirtaio

    _users = max(_users - 1, 0)
    impl = libvirtaio.getCurrentImpl()
    if impl is not None and isinstance(impl.loop, LoopFromAnyThread):
        impl.loop.flush()
    for _ in range(FREE_ROUNDS):
        await asyncio.sleep(0)
