"""libvirt's events on asyncio: one ``libvirtaio`` implementation for the whole process.

libvirt takes an event loop implementation once per process (a second registration raises),
and every libvirt connection is served by it. :func:`bind_running_loop` registers libvirtaio's
on the running loop the first time; later it moves the implementation to the loop now running
when no connection uses the former loop any more (an application that runs one loop never
sees this; successive ``asyncio.run`` calls do). Connections of two live loops at once are
refused. Runs in the event loop's thread.
"""

from __future__ import annotations

import asyncio
from typing import Any

from guimirror.errors import GuimirrorError

FREE_ROUNDS = 3
"""Loop iterations given to libvirt's free callbacks (tasks) after a connection closed."""

_users = 0


class LibvirtEventLoopError(GuimirrorError):
    """libvirt's events are bound to another event loop that still serves a connection."""


def bind_running_loop() -> Any:
    """libvirtaio's implementation, serving the running loop; count one more connection."""
    global _users
    import libvirtaio

    loop = asyncio.get_running_loop()
    impl = libvirtaio.getCurrentImpl()
    if impl is None:
        impl = libvirtaio.virEventRegisterAsyncIOImpl(loop=loop)
    elif impl.loop is not loop:
        if _users and not impl.loop.is_closed():
            raise LibvirtEventLoopError(
                "libvirt's events are served by another event loop that still has a libvirt "
                "connection; close that endpoint first"
            )
        impl.loop = loop
    _users += 1
    return impl


async def release() -> None:
    """One connection fewer (it is closed): let the tasks that free its callbacks run, before
    a loop that ends would cancel them (caller's task). libvirtaio's ``drain()`` is no help:
    it also waits for the frees a former loop never ran."""
    global _users
    _users = max(_users - 1, 0)
    for _ in range(FREE_ROUNDS):
        await asyncio.sleep(0)
