# SPDX-License-Identifier: GPL-2.0-or-later
"""Endpoints: the engines guimirror talks to, each over QMP, any number at once.

Each is named by a URI (guimirror.session.uri) and made by guimirror.session.opening's
``open_endpoint``; ``endpoint.uri`` gives it back. Three kinds:

* :class:`BuiltinEndpoint` runs the built-in ``Engine`` in-process with its QMP server on one
  end of a socketpair (qemu.qmp connects to an already connected socket).
* :class:`DaemonEndpoint` starts a qemu-storage-daemon on a private QMP socket and stops it
  when closed; its stderr stays readable for the user. ``detach()`` leaves the daemon running
  with its jobs instead, and a later endpoint given its socket takes it over again.
* :class:`SocketEndpoint` attaches to a QMP server someone else runs (a VM or a daemon):
  a unix socket path, or TCP on a loopback address (the host is resolved when it opens, and
  every address it resolves to must be loopback). Closing only disconnects.

Every endpoint has explicit run states (:class:`EndpointState`); a request that its state does
not allow raises :class:`EndpointStateError` (a ``StateError``), an open that fails raises
:class:`EndpointError`; both are ``GuimirrorError``s, as is every error the GUI shows.
Opening an endpoint reads its version and :class:`~guimirror.session.capabilities.Capabilities`
and lists the jobs it already runs (``attached_jobs``), so a GUI that connects to a busy daemon
shows them (reattach).

``open()`` and ``close()`` run in the caller's task. A background task per endpoint watches
the QMP connection and moves the endpoint to ``LOST`` when the server hangs up.
"""

from __future__ import annotations

import abc
import asyncio
import contextlib
import enum
import functools
import ipaddress
import logging
import os
import socket
from collections.abc import Callable, Sequence
from typing import Any

from qemu.qmp import QMPError

from guimirror.errors import GuimirrorError, StateError
from guimirror.qapi.commands import VersionInfo
from guimirror.qapi.job import BlockJobInfo
from guimirror.session.capabilities import Capabilities, read_capabilities
from guimirror.session.client import SessionClient
from guimirror.session.connection import Address, ConnectionFailedError, QMPConnection
from guimirror.session.launcher import (
    DEFAULT_BINARY,
    DaemonLauncher,
    LauncherError,
    LauncherState,
)
from guimirror.session.uri import BuiltinURI, DaemonURI, EndpointURI, TcpURI, UnixURI
from guimirror.texts import Text

logger = logging.getLogger(__name__)

CONNECT_ATTEMPT = 3.0
"""Seconds one attempt to connect to a launched daemon may take."""
CONNECT_PATIENCE = 15.0
"""Seconds of attempts before a launched daemon that does not answer is given up."""
STARTUP_ATTEMPTS = 3
"""Daemons started in one open() when each dies of a signal while starting."""


class EndpointState(enum.Enum):
    """Where an endpoint is in its life (after qemu.qmp's Runstate)."""

    IDLE = "idle"
    OPENING = "opening"
    RUNNING = "running"
    CLOSING = "closing"
    LOST = "lost"
    """The server hung up or the daemon died; ``close()`` returns the endpoint to IDLE."""


class EndpointError(GuimirrorError):
    """An endpoint could not be opened (the reason, and a daemon's stderr, in ``desc``)."""


class EndpointStateError(StateError):
    """A request the endpoint's current state does not allow."""


StateListener = Callable[["Endpoint", EndpointState], None]


class Endpoint(abc.ABC):
    """One engine reached over QMP. Subclasses say how it starts, connects and stops."""

    kind: str = "endpoint"

    def __init__(self, name: str) -> None:
        self.name = name
        self._state = EndpointState.IDLE
        self._connection: QMPConnection | None = None
        self._client: SessionClient | None = None
        self._watch: asyncio.Task[None] | None = None
        self._state_listeners: list[StateListener] = []
        self.attached_jobs: list[BlockJobInfo] = []
        self.version: VersionInfo | None = None
        self._capabilities: Capabilities | None = None

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r} {self._state.value}>"

    # --- state -------------------------------------------------------------------------

    @property
    def state(self) -> EndpointState:
        return self._state

    def add_state_listener(self, listener: StateListener) -> None:
        """Call ``listener(endpoint, state)`` on every state change."""
        self._state_listeners.append(listener)

    def remove_state_listener(self, listener: StateListener) -> None:
        with contextlib.suppress(ValueError):
            self._state_listeners.remove(listener)

    def _set_state(self, state: EndpointState) -> None:
        if state is self._state:
            return
        self._state = state
        for listener in list(self._state_listeners):
            try:
                listener(self, state)
            except Exception:
                logger.exception("state listener %r failed", listener)

    def _require(self, *states: EndpointState, action: str) -> None:
        if self._state not in states:
            allowed = " or ".join(state.value for state in states)
            raise EndpointStateError(Text(
                "Endpoint '{name}' is {state}; {action} needs it {allowed}", name=self.name,
                state=self._state.value, action=action, allowed=allowed))

    @property
    @abc.abstractmethod
    def uri(self) -> EndpointURI:
        """The URI that opens this endpoint (again)."""

    @property
    def client(self) -> SessionClient:
        """The typed client; only while the endpoint runs."""
        self._require(EndpointState.RUNNING, action="a command")
        assert self._client is not None
        return self._client

    @property
    def capabilities(self) -> Capabilities:
        """The commands, arguments and events the engine serves, read when it opened."""
        self._require(EndpointState.RUNNING, EndpointState.LOST, action="its capabilities")
        assert self._capabilities is not None
        return self._capabilities

    # --- life --------------------------------------------------------------------------

    async def open(self) -> None:
        """Start (if this kind starts something), connect, and list the jobs already running."""
        self._require(EndpointState.IDLE, action="open")
        self._set_state(EndpointState.OPENING)
        connection = QMPConnection(self.name)
        try:
            await self._open_transport(connection)
            client = SessionClient(connection)
            self.version = await client.query_version()
            self._capabilities = await read_capabilities(client)
            self.attached_jobs = await client.query_block_jobs()
        except BaseException as error:
            # Explain before stopping: a daemon that died on its own says how.
            reason = error.desc if isinstance(error, GuimirrorError) else str(error)
            explanation = self._explain(Text("cannot open '{name}': {reason}", name=self.name,
                                               reason=reason))
            await connection.disconnect()
            await self._stop(None)
            self._set_state(EndpointState.IDLE)
            if isinstance(error, EndpointError) or not isinstance(error, Exception):
                raise
            raise EndpointError(explanation) from error
        self._connection = connection
        self._client = client
        self._watch = asyncio.create_task(self._watch_connection(connection))
        self._set_state(EndpointState.RUNNING)

    async def close(self) -> None:
        """Disconnect and stop what this endpoint started. Closing an idle endpoint is a no-op."""
        if self._state is EndpointState.IDLE:
            return
        self._require(EndpointState.RUNNING, EndpointState.LOST, action="close")
        self._set_state(EndpointState.CLOSING)
        await self._stop_watching()
        client, connection = self._client, self._connection
        try:
            await self._stop(client)
        finally:
            if connection is not None:
                await connection.disconnect()
            self._client = self._connection = None
            self._set_state(EndpointState.IDLE)

    async def _stop_watching(self) -> None:
        if self._watch is not None:
            self._watch.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watch
            self._watch = None

    async def __aenter__(self) -> Endpoint:
        await self.open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def _watch_connection(self, connection: QMPConnection) -> None:
        """Background task: the server hung up while the endpoint was running."""
        await connection.wait_disconnected()
        if self._state is EndpointState.RUNNING:
            logger.warning("endpoint %s lost its QMP connection", self.name)
            self._set_state(EndpointState.LOST)

    def _explain(self, message: str) -> str:
        return message

    async def _open_transport(self, connection: QMPConnection) -> None:
        """Start what must run, then connect ``connection`` to it."""
        address = await self._start()
        await self._connect(connection, address)

    async def _connect(self, connection: QMPConnection, address: Address) -> None:
        """Connect and negotiate (a kind that knows better may retry)."""
        await connection.connect(address)

    @abc.abstractmethod
    async def _start(self) -> Address:
        """Start what must run and return where to connect."""

    @abc.abstractmethod
    async def _stop(self, client: SessionClient | None) -> None:
        """Undo ``_start`` (``client`` is None when opening failed half-way)."""


class BuiltinEndpoint(Endpoint):
    """The built-in engine in this process, served over a socketpair.

    ``engine`` is created on open unless one is given (then the caller owns it and closes it).
    A client's ``quit`` ends this server as it ends a daemon: the engine the endpoint created
    cancels its jobs (never a pivot) and closes its exports, whose events come before the
    reply, then the server hangs up and the endpoint becomes LOST. A given engine is left
    running; only the server hangs up.
    """

    kind = "builtin"

    def __init__(self, name: str = "built-in", engine: Any | None = None) -> None:
        super().__init__(name)
        self._given_engine = engine
        self.engine: Any | None = engine
        self._server: Any | None = None
        self._hang_up: asyncio.Task[None] | None = None

    @property
    def uri(self) -> BuiltinURI:
        return BuiltinURI()

    async def _start(self) -> Address:
        from guimirror.engine.engine import Engine
        from guimirror.qmp.server import QMPServer

        if self.engine is None:
            self.engine = Engine()
        self._server = QMPServer(self.engine, on_quit=self._shut_down_on_quit)
        server_end, client_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            await self._server.serve_socket(server_end)
        except BaseException:
            server_end.close()
            client_end.close()
            raise
        self._hang_up = asyncio.create_task(self._hang_up_after_quit(self._server))
        return client_end

    async def _shut_down_on_quit(self) -> None:
        """Before the reply to quit (runs in the server connection's task): shut down the
        engine this endpoint created."""
        if self._given_engine is None and self.engine is not None:
            await self.engine.close()

    async def _hang_up_after_quit(self, server: Any) -> None:
        """Background task: once quit is answered, close the server, as a daemon exits."""
        await server.quit_requested.wait()
        await asyncio.sleep(0)
        await server.close()

    async def _stop(self, client: SessionClient | None) -> None:
        if self._hang_up is not None:
            if self._server is None or not self._server.quit_requested.is_set():
                self._hang_up.cancel()
            # A hang-up under way finishes before the server is closed again below.
            with contextlib.suppress(asyncio.CancelledError):
                await self._hang_up
            self._hang_up = None
        if self._server is not None:
            await self._server.close()
            self._server = None
        if self.engine is not None and self._given_engine is None:
            await self.engine.close()
            self.engine = None


class DaemonEndpoint(Endpoint):
    """A qemu-storage-daemon that guimirror starts (private socket) and stops on close.

    Given ``adopt``, the QMP socket of a daemon an earlier endpoint detached, opening takes
    that daemon over with its jobs; if it is gone, opening starts a new one
    (``adoption_error`` says why). While the daemon runs, ``uri`` names its socket
    (``qsd:?socket=...``): saved, it takes the daemon over again after a detach.
    """

    kind = "qemu-storage-daemon"

    def __init__(
        self, name: str = "qemu-storage-daemon", binary: str = DEFAULT_BINARY,
        extra_args: Sequence[str] = (), adopt: str | None = None,
    ) -> None:
        super().__init__(name)
        self.launcher = DaemonLauncher(binary, extra_args, name=name)
        self.adopt = adopt
        self.adoption_error = ""

    @property
    def uri(self) -> DaemonURI:
        binary = None if self.launcher.binary == DEFAULT_BINARY else self.launcher.binary
        socket_path = self.adopt
        if self.state is not EndpointState.IDLE and self.launcher.state is LauncherState.RUNNING:
            socket_path = self.launcher.socket_path
        return DaemonURI(binary, socket_path)

    @property
    def stderr(self) -> str:
        """What the daemon wrote on stderr (also after it exited)."""
        return self.launcher.stderr

    @property
    def runtime_dir(self) -> str:
        """The daemon's private directory, e.g. for an NBD server's socket."""
        return self.launcher.runtime_dir

    async def detach(self) -> str:
        """Disconnect and leave the daemon running with its jobs; returns its QMP socket."""
        self._require(EndpointState.RUNNING, action="detach")
        self._set_state(EndpointState.CLOSING)
        await self._stop_watching()
        path = self.launcher.socket_path
        try:
            if self._connection is not None:
                await self._connection.disconnect()
            await self.launcher.detach()
        finally:
            self._client = self._connection = None
            self._set_state(EndpointState.IDLE)
        return path

    async def _start(self) -> Address:
        if self.launcher.state in (LauncherState.EXITED, LauncherState.DETACHED):
            self.launcher = DaemonLauncher(
                self.launcher.binary, self.launcher.extra_args, name=self.name
            )
        try:
            return await self.launcher.start()
        except LauncherError as error:
            raise EndpointError(error.desc) from None

    async def _open_transport(self, connection: QMPConnection) -> None:
        """Start the daemon and connect; start it again if it crashed while starting.

        qemu-storage-daemon 7.2 now and then dies of SIGSEGV when a monitor connection
        arrives while it sets its monitors up. A daemon that has just started holds nothing
        yet, so starting a fresh one loses nothing.
        """
        if self.adopt is not None and await self._adopt(connection, self.adopt):
            return
        for attempt in range(1, STARTUP_ATTEMPTS + 1):
            try:
                await super()._open_transport(connection)
                return
            except (GuimirrorError, QMPError, OSError, EOFError, TimeoutError):
                status = self.launcher.returncode
                if status is None or status >= 0 or attempt == STARTUP_ATTEMPTS:
                    raise
                logger.warning(
                    "%s was killed by signal %d while starting; starting it again: %s",
                    self.launcher.binary, -status, self.stderr.strip(),
                )
                await connection.disconnect()
                await self.launcher.stop()

    async def _connect(self, connection: QMPConnection, address: Address) -> None:
        """Connect, retrying while the daemon lives: qemu-storage-daemon 7.2 now and then
        drops or never greets a connection that arrives while it sets a monitor up."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + CONNECT_PATIENCE
        while True:
            try:
                async with asyncio.timeout(CONNECT_ATTEMPT):
                    await connection.connect(address)
                return
            except (ConnectionFailedError, TimeoutError):
                await connection.disconnect()
                if self.launcher.exited or loop.time() > deadline:
                    raise
            await asyncio.sleep(0.05)

    async def _adopt(self, connection: QMPConnection, socket_path: str) -> bool:
        """Take over the daemon detached at ``socket_path``; False when it is gone."""
        self.adopt = None
        try:
            launcher = await DaemonLauncher.adopt(
                os.path.dirname(socket_path), self.launcher.binary, name=self.name
            )
        except LauncherError as error:
            self.adoption_error = error.desc
            return False
        try:
            async with asyncio.timeout(CONNECT_PATIENCE):
                await connection.connect(socket_path)
        except (ConnectionFailedError, TimeoutError) as error:
            # Not provably the daemon: leave that process alone.
            await connection.disconnect()
            launcher.forget()
            self.adoption_error = Text(
                "the daemon at '{socket}' does not answer: {reason}", socket=socket_path,
                reason=error.desc if isinstance(error, GuimirrorError) else str(error))
            return False
        self.launcher = launcher
        return True

    async def _stop(self, client: SessionClient | None) -> None:
        if self.launcher.adopted and client is None:
            # Opening failed half-way: the daemon ran (with its jobs) before this endpoint
            # took it over; leave it as it was.
            self.launcher.forget()
            return
        # quit goes over the launcher's own control monitor, whatever state this client is
        # in; an adopted daemon has none, so it goes over this client.
        quit_command = None
        if self.launcher.adopted and client is not None:
            quit_command = functools.partial(client.execute, "quit")
        await self.launcher.stop(quit_command)

    def _explain(self, message: str) -> str:
        status = self.launcher.returncode
        if status is not None and status < 0:
            message = Text("{message}; the daemon was killed by signal {signal}",
                           message=message, signal=-status)
        elif status is not None:
            message = Text("{message}; the daemon exited with {status}", message=message,
                           status=status)
        stderr = self.stderr.strip()
        if stderr:
            return Text("{message}; the daemon said: {stderr}", message=message, stderr=stderr)
        return message


class SocketEndpoint(Endpoint):
    """A QMP server that someone else runs: a unix socket path or (host, port) on loopback.

    A TCP host is resolved when the endpoint opens (in a worker thread); every address it
    resolves to must be a loopback address, and they are tried in the resolver's order
    (``localhost`` may be ::1 first and a server listen on 127.0.0.1 only).
    """

    kind = "socket"

    def __init__(self, name: str, address: str | tuple[str, int]) -> None:
        super().__init__(name)
        self.address = address

    @property
    def uri(self) -> UnixURI | TcpURI:
        if isinstance(self.address, tuple):
            host, port = self.address
            return TcpURI(host, port)
        return UnixURI(self.address)

    async def _open_transport(self, connection: QMPConnection) -> None:
        if not isinstance(self.address, tuple):
            await connection.connect(self.address)
            return
        addresses = await resolve_loopback(*self.address)
        for address in addresses[:-1]:
            try:
                await connection.connect(address)
                return
            except ConnectionFailedError:
                await connection.disconnect()
        await connection.connect(addresses[-1])

    async def _start(self) -> Address:
        return self.address

    async def _stop(self, client: SessionClient | None) -> None:
        return None


async def resolve_loopback(host: str, port: int) -> list[tuple[str, int]]:
    """The addresses of ``host`` (resolved in a worker thread, as the loop's getaddrinfo
    does); EndpointError unless there is one and every one is a loopback address."""
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as error:
        raise EndpointError(Text("cannot resolve '{host}': {reason}", host=host,
                                 reason=str(error))) from None
    addresses = list(dict.fromkeys((str(info[4][0]), int(info[4][1])) for info in infos))
    far = sorted({address for address, _ in addresses
                  if not ipaddress.ip_address(address).is_loopback})
    if not addresses:
        raise EndpointError(Text("QMP over TCP is offered on loopback addresses only; "
                                 "'{host}' has no address", host=host))
    if far:
        raise EndpointError(Text("QMP over TCP is offered on loopback addresses only; "
                                 "'{host}' is {addresses}", host=host, addresses=", ".join(far)))
    return addresses
