# SPDX-License-Identifier: GPL-2.0-or-later
"""One QMP connection: commands as plain JSON, QEMU's errors as one exception, events to callbacks.

This is the untyped layer under :class:`guimirror.session.client.SessionClient`. It wraps
qemu.qmp's ``QMPClient`` (created here, inside a coroutine, as qemu.qmp requires) and adds
four things: an error reply becomes :class:`QMPCommandError` (a ``QAPIError`` carrying QEMU's
``class`` and ``desc``), events go to plain callbacks in the order they arrive, a guard that
names the connection's state when a command is given while it is not connected, and qemu.qmp's
own errors (``ConnectError``, ``ExecInterruptedError``, its ``StateError``, EOF and socket
errors) become guimirror's: :class:`ConnectionFailedError` when connecting fails,
:class:`ConnectionLostError` when the connection ends under a command. Every error raised here
is a ``GuimirrorError``.
"""

from __future__ import annotations

import contextlib
import logging
import socket
from collections.abc import Callable, Mapping
from typing import Any

from qemu.qmp import EventListener, ExecuteError, QMPClient, QMPError, Runstate
from qemu.qmp.message import Message

from guimirror.errors import GuimirrorError, StateError
from guimirror.qapi.errors import QAPIError
from guimirror.texts import Text

logger = logging.getLogger(__name__)

#: Where a QMP server listens: a unix socket path, a (host, port) pair, or a connected socket.
Address = str | tuple[str, int] | socket.socket

#: A raw event: ``{"event": NAME, "data": {...}, "timestamp": {...}}``.
RawEvent = Mapping[str, Any]


class QMPCommandError(QAPIError):
    """A QMP command failed: QEMU's error ``class`` and ``desc``, and the command that failed."""

    def __init__(self, desc: str, error_class: str = "GenericError", command: str = "") -> None:
        super().__init__(desc, error_class)
        self.command = command


class ConnectionStateError(StateError):
    """A command or request that the connection's current state does not allow."""


class ConnectionLostError(ConnectionStateError):
    """The connection ended (the server hung up, or the socket broke) under a command."""


class ConnectionFailedError(GuimirrorError):
    """Connecting to a QMP server, or negotiating with it, failed."""


class _CallbackListener(EventListener):
    """Hands every event to the connection's callbacks as it is read; queues nothing."""

    def __init__(self, dispatch: Callable[[RawEvent], None]) -> None:
        super().__init__()
        self._dispatch = dispatch

    def accept(self, event: Message) -> bool:
        self._dispatch(dict(event))
        return False


class QMPConnection:
    """A QMP connection to one server.

    ``connect()`` and ``disconnect()`` run in the caller's task. Event callbacks run in
    qemu.qmp's reader task, before the reply of any command that the server answered after
    emitting the event, so callbacks see events in the server's order.
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self._qmp: QMPClient | None = None
        self._listeners: list[Callable[[RawEvent], None]] = []

    @property
    def runstate(self) -> Runstate:
        return Runstate.IDLE if self._qmp is None else self._qmp.runstate

    @property
    def greeting(self) -> Mapping[str, Any] | None:
        if self._qmp is None or self._qmp.greeting is None:
            return None
        return dict(self._qmp.greeting._raw)

    async def connect(self, address: Address) -> None:
        """Connect and negotiate capabilities. Runs in the caller's task."""
        if self._qmp is not None and self._qmp.runstate is not Runstate.IDLE:
            raise ConnectionStateError(Text(
                "QMP connection '{name}' is {state}; disconnect it first", name=self.name,
                state=self._qmp.runstate.name.lower()))
        qmp = QMPClient(self.name)
        qmp.register_listener(_CallbackListener(self._dispatch))
        try:
            await qmp.connect(address)
        except (QMPError, OSError, EOFError) as error:
            with contextlib.suppress(QMPError, OSError, EOFError):
                await qmp.disconnect()
            raise ConnectionFailedError(Text(
                "cannot connect to the QMP server of '{name}': {reason}", name=self.name,
                reason=str(error))) from error
        self._qmp = qmp

    async def disconnect(self) -> None:
        """Close the connection; a server that already hung up is not an error."""
        qmp = self._qmp
        if qmp is None:
            return
        with contextlib.suppress(QMPError, EOFError, OSError):
            await qmp.disconnect()
        self._qmp = None

    async def wait_disconnected(self) -> None:
        """Return once the connection is no longer running (the server hung up, or we did)."""
        qmp = self._qmp
        while qmp is not None and qmp.runstate is Runstate.RUNNING:
            await qmp.runstate_changed()

    async def execute(self, command: str, arguments: Mapping[str, Any] | None = None) -> Any:
        """Run ``command`` and return its ``return`` member (JSON).

        Raises QMPCommandError when the server refuses it, ConnectionStateError when the
        connection is not running, ConnectionLostError when it ends under the command.
        """
        qmp = self._qmp
        if qmp is None or qmp.runstate is not Runstate.RUNNING:
            state = self.runstate.name.lower()
            raise ConnectionStateError(Text(
                "QMP connection '{name}' is {state}; it cannot run '{command}'",
                name=self.name, state=state, command=command))
        try:
            return await qmp.execute(command, arguments)
        except ExecuteError as err:
            info = err.error.error
            raise QMPCommandError(info.desc, info.class_, command) from None
        except (QMPError, OSError, EOFError) as err:
            # The connection ended (or broke) while the command was under way.
            raise ConnectionLostError(Text(
                "QMP connection '{name}' ended during '{command}': {reason}", name=self.name,
                command=command, reason=str(err) or type(err).__name__)) from err

    def add_event_listener(self, listener: Callable[[RawEvent], None]) -> None:
        """Call ``listener(raw_event)`` for every event from now on."""
        self._listeners.append(listener)

    def remove_event_listener(self, listener: Callable[[RawEvent], None]) -> None:
        with contextlib.suppress(ValueError):
            self._listeners.remove(listener)

    def _dispatch(self, event: RawEvent) -> None:
        for listener in list(self._listeners):
            try:
                listener(event)
            except Exception:
                logger.exception("event listener %r failed on %s", listener, event.get("event"))
