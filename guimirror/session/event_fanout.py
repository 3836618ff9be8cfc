# SPDX-License-Identifier: GPL-2.0-or-later
"""One client's typed events, handed to its listeners and to its open streams.

Both clients (QMP's and libvirt's) deliver their events through an ``EventFanout``: callbacks
run in the task that delivers (the connection's reader, or the loop's turn a libvirt event
reached), and each ``events()`` stream holds every event from its entry on, in order.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable

from guimirror.qapi.events import QAPIEvent

logger = logging.getLogger(__name__)

EventCallback = Callable[[QAPIEvent], None]


class EventFanout:
    """Listeners and streams of typed events (the event loop's thread)."""

    def __init__(self) -> None:
        self._callbacks: list[EventCallback] = []
        self._queues: list[asyncio.Queue[QAPIEvent]] = []

    def add_event_listener(self, callback: EventCallback) -> None:
        """Call ``callback(event)`` with every event (name: ``type(event).EVENT``)."""
        self._callbacks.append(callback)

    def remove_event_listener(self, callback: EventCallback) -> None:
        with contextlib.suppress(ValueError):
            self._callbacks.remove(callback)

    @contextlib.asynccontextmanager
    async def events(self) -> AsyncIterator[AsyncIterator[QAPIEvent]]:
        """``async with client.events() as stream: async for event in stream: ...``

        The stream holds every event from entering the block on, in order.
        """
        queue: asyncio.Queue[QAPIEvent] = asyncio.Queue()
        self._queues.append(queue)

        async def stream() -> AsyncIterator[QAPIEvent]:
            while True:
                yield await queue.get()

        try:
            yield stream()
        finally:
            self._queues.remove(queue)

    def deliver(self, event: QAPIEvent) -> None:
        """Give ``event`` to each listener (logging one that raises), then to each stream."""
        for callback in list(self._callbacks):
            try:
                callback(event)
            except Exception:
                logger.exception("event callback %r failed on %s", callback, event.EVENT)
        for queue in self._queues:
            queue.put_nowait(event)
