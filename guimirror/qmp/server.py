# SPDX-License-Identifier: GPL-2.0-or-later
"""The QMP server of the built-in engine: transports, connections, commands and events.

One ``QMPServer`` serves one engine over unix sockets, TCP on a loopback address, or already
connected sockets (a socketpair end, for the GUI that runs the engine in-process). Like a
QEMU monitor, each listening socket serves one client at a time: a further client is
connected but gets its greeting only when the one before it has left. Every connection gets
QEMU's greeting, negotiates capabilities, and once in command mode receives every event of
the engine.

Run states: ``new`` until a transport starts, ``running`` while serving, ``closing`` and
then ``closed`` after ``close()``; starting a transport on a closed server raises
``StateError``. All methods run in the event loop's task that calls them; each connection
runs in its own task, and engine events are written from whichever task emits them.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import os
import socket
import stat
import tempfile
from collections.abc import Awaitable, Callable
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from guimirror.errors import GuimirrorError, StateError
from guimirror.qapi.errors import QAPIError
from guimirror.qmp import protocol
from guimirror.qmp.dispatch import EngineCommand, engine_commands
from guimirror.qmp.json_stream import JSONMessageStream

if TYPE_CHECKING:
    from guimirror.engine.engine import Engine

log = logging.getLogger(__name__)

READ_CHUNK = 65536
CLOSE_TIMEOUT = 5.0


class ServerState(Enum):
    NEW = "new"
    RUNNING = "running"
    CLOSING = "closing"
    CLOSED = "closed"


class TransportError(GuimirrorError):
    """A transport was refused: an unsafe socket directory or a non-loopback address."""


class _Connection:
    """One client: its parser, its negotiation state and its writer."""

    def __init__(self, writer: asyncio.StreamWriter) -> None:
        self.writer = writer
        self.stream = JSONMessageStream()
        self.negotiated = False
        self.oob = False

    def send(self, message: dict[str, Any]) -> None:
        if not self.writer.is_closing():
            self.writer.write(protocol.encode(message))


class QMPServer:
    """Serve ``engine`` (an Engine, or None for the protocol commands alone) over QMP.

    A client's ``quit`` first awaits ``on_quit`` (the owner's shutdown: cancelled jobs and
    deleted exports send their events now), then sets ``quit_requested`` and replies, so the
    reply comes after the shutdown's events, as from qemu-storage-daemon. The server then
    reads no more requests; its owner calls ``close()``, which hangs up.
    """

    # How long close() waits for a running command, and for a client to take its last bytes.
    close_timeout = CLOSE_TIMEOUT

    def __init__(self, engine: Engine | None = None, package: str = protocol.PACKAGE,
                 on_quit: Callable[[], Awaitable[None]] | None = None) -> None:
        self.engine = engine
        self.package = package
        self.on_quit = on_quit
        self.state = ServerState.NEW
        self.quit_requested = asyncio.Event()
        self._closing = asyncio.Event()
        self._listeners: list[asyncio.AbstractServer] = []
        self._unix_paths: list[Path] = []
        self._connections: set[_Connection] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._waiting: set[asyncio.Task[None]] = set()
        self._commands: dict[str, EngineCommand] = {}
        if engine is not None:
            self._commands = engine_commands(engine)
            engine.add_event_listener(self._on_event)

    @property
    def command_names(self) -> list[str]:
        """Every command a negotiated client may execute."""
        return [*protocol.PROTOCOL_COMMANDS, *self._commands]

    # --- transports ----------------------------------------------------------------

    def _require_open(self) -> None:
        if self.state in (ServerState.CLOSING, ServerState.CLOSED):
            raise StateError(f"QMP server is {self.state.value}")
        self.state = ServerState.RUNNING

    async def start_unix(self, path: str | os.PathLike[str]) -> None:
        """Listen on a unix socket in a directory ``check_socket_directory`` accepts; its
        warning, if any, goes to the log."""
        self._require_open()
        socket_path = Path(path)
        sock, warning = await asyncio.to_thread(bind_unix_socket, socket_path)
        if warning is not None:
            log.warning("QMP socket %s: %s", socket_path, warning)
        server = await asyncio.start_unix_server(self._one_at_a_time(), sock=sock)
        self._listeners.append(server)
        self._unix_paths.append(socket_path)

    async def start_tcp(self, host: str = "127.0.0.1", port: int = 0) -> tuple[str, int]:
        """Listen on TCP on a loopback address only; the address actually bound."""
        self._require_open()
        infos = await asyncio.get_running_loop().getaddrinfo(
            host, port, type=socket.SOCK_STREAM)
        for *_, sockaddr in infos:
            if not ipaddress.ip_address(sockaddr[0]).is_loopback:
                raise TransportError(
                    f"refusing to serve QMP on {host}: TCP is offered on loopback addresses only")
        server = await asyncio.start_server(self._one_at_a_time(), host, port)
        self._listeners.append(server)
        bound = server.sockets[0].getsockname()
        return str(bound[0]), int(bound[1])

    async def serve_socket(self, sock: socket.socket) -> None:
        """Serve one already connected stream socket (e.g. a socketpair end) in a new task."""
        self._require_open()
        reader, writer = await asyncio.open_connection(sock=sock)
        task = asyncio.create_task(self._serve(reader, writer))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def close(self) -> None:
        """Stop listening and close every connection; the engine stays with its owner."""
        if self.state is ServerState.CLOSED:
            return
        self.state = ServerState.CLOSING
        self._closing.set()
        if self.engine is not None:
            self.engine.remove_event_listener(self._on_event)
        for server in self._listeners:
            server.close()
        for waiting in list(self._waiting):
            waiting.cancel()
        for connection in list(self._connections):
            connection.writer.close()
        # A closed transport ends each connection's read loop; a command still running in
        # the engine gets a moment to finish before its task is cancelled.
        if self._tasks:
            _done, pending = await asyncio.wait(list(self._tasks), timeout=self.close_timeout)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
        for server in self._listeners:
            await server.wait_closed()
        for path in self._unix_paths:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
        self._listeners.clear()
        self.state = ServerState.CLOSED

    # --- connections ---------------------------------------------------------------

    def _one_at_a_time(
        self,
    ) -> Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]:
        """A listener's client callback: its clients are served in turn, as by a QEMU monitor."""
        turn = asyncio.Lock()

        async def serve_in_turn(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            """The client's task: wait for the clients before it to leave, then serve it."""
            task = asyncio.current_task()
            assert task is not None
            self._tasks.add(task)
            self._waiting.add(task)
            try:
                async with turn:
                    self._waiting.discard(task)
                    if self.state is ServerState.RUNNING:
                        await self._serve(reader, writer)
            except asyncio.CancelledError:
                if not self._closing.is_set():
                    raise
            finally:
                self._waiting.discard(task)
                self._tasks.discard(task)
                writer.close()

        return serve_in_turn

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """One connection, from greeting to end of input (runs in the connection's task)."""
        current = asyncio.current_task()
        if current is not None:
            self._tasks.add(current)
        connection = _Connection(writer)
        self._connections.add(connection)
        try:
            connection.send(protocol.greeting(self.package))
            await writer.drain()
            while True:
                if self.quit_requested.is_set():
                    # Like QEMU after quit: read no more, but keep delivering the events
                    # of the shutdown until the owner closes the server.
                    await self._closing.wait()
                    break
                data = await reader.read(READ_CHUNK)
                if not data:
                    break
                for message in connection.stream.feed(data):
                    connection.send(await self._handle(connection, message))
                    if self.quit_requested.is_set():
                        break
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            self._connections.discard(connection)
            if current is not None:
                self._tasks.discard(current)
            writer.close()
            try:
                async with asyncio.timeout(self.close_timeout):
                    await writer.wait_closed()
            except (ConnectionError, TimeoutError):
                # A client that reads nothing must not hold the server: drop what is left.
                writer.transport.abort()

    async def _handle(self, connection: _Connection, message: Any) -> dict[str, Any]:
        """The reply to one message (a parsed value, or the QAPIError of bad JSON)."""
        if isinstance(message, QAPIError):
            return {"error": message.to_qmp()}
        has_id, request_id = protocol.reply_id(message)
        try:
            result = await self._execute(connection, message)
            reply: dict[str, Any] = {"return": result}
        except QAPIError as error:
            if not connection.negotiated and error.error_class == "CommandNotFound":
                error = QAPIError(protocol.NEGOTIATION_NEEDED, "CommandNotFound")
            reply = {"error": error.to_qmp()}
        if has_id:
            reply["id"] = request_id
        return reply

    async def _execute(self, connection: _Connection, message: Any) -> Any:
        request = protocol.check_request(message, allow_oob=connection.oob)
        name = request.command
        available = name in protocol.PROTOCOL_COMMANDS or name in self._commands
        known = name == "qmp_capabilities" or (connection.negotiated and available)
        if not known:
            raise QAPIError(f"The command {name} has not been found", "CommandNotFound")
        if request.oob:
            raise QAPIError(f"The command {name} does not support OOB")
        if name == "qmp_capabilities":
            enable = protocol.capabilities_to_enable(request.arguments)
            if connection.negotiated:
                raise QAPIError(protocol.NEGOTIATION_DONE, "CommandNotFound")
            connection.negotiated = True
            connection.oob = "oob" in enable
            return {}
        if name in protocol.PROTOCOL_COMMANDS:
            protocol.check_no_arguments(request.arguments)
            if name == "query-version":
                return protocol.version_info(self.package)
            if name == "query-commands":
                return [{"name": command} for command in self.command_names]
            await self._quit()
            return {}
        try:
            return await self._commands[name].run(request.arguments)
        except QAPIError:
            raise
        except Exception as error:
            log.exception("command %s failed", name)
            raise QAPIError(f"{name} failed: {error}") from error

    async def _quit(self) -> None:
        """Run the owner's shutdown, then stop reading (runs in the quitting connection's
        task; the reply follows). quit cannot fail: a failing shutdown is only logged."""
        if self.on_quit is not None and not self.quit_requested.is_set():
            try:
                await self.on_quit()
            except Exception:
                log.exception("shutdown on quit failed")
        self.quit_requested.set()

    # --- events --------------------------------------------------------------------

    def _on_event(self, event: Any) -> None:
        """Send an engine event to every negotiated client (runs in the emitter's task)."""
        self.broadcast(type(event).EVENT, event.to_qmp())

    def broadcast(self, name: str, data: dict[str, Any] | None) -> None:
        """Send an event to every client in command mode, as QEMU does."""
        message = protocol.event_message(name, data)
        for connection in list(self._connections):
            if connection.negotiated:
                connection.send(message)


def check_socket_directory(directory: Path) -> str | None:
    """Refuse ``directory`` for a QMP socket, or accept it; the warning to give, if any.

    Refused (``TransportError``), because someone else could remove or replace our socket
    there and answer the clients in our place:

    - a directory anyone besides its owner can write (o+w, or g+w: the group need not be
      ours alone) unless it has the sticky bit, which lets only a file's owner, the
      directory's owner and root remove or rename a file (``/tmp``, 1777, is accepted);
    - a directory owned by another user than us or root, unless we are root.

    Accepted: 0700, 0750, 0755, 1777, the qemu-storage-daemon examples (``path=qmp.sock``
    in a 0755 directory, a socket under ``/run``). The socket is 0600 (0660 in a directory
    shared with its group: g+x, no o+x), so others cannot connect; the warning says when
    others can reach its name all the same (every directory from ``/`` down is o+x), and
    when they could also take that name while we are not there (a sticky o+w directory).
    Runs in a worker thread or at start-up.
    """
    info = directory.stat()
    mode = info.st_mode
    writable_by_others = bool(mode & (stat.S_IWGRP | stat.S_IWOTH))
    if writable_by_others and not mode & stat.S_ISVTX:
        raise TransportError(
            f"{directory} is writable by others ({stat.filemode(mode)}) without the sticky "
            f"bit: they could replace the socket")
    euid = os.geteuid()
    if euid != 0 and info.st_uid not in (euid, 0):
        raise TransportError(
            f"{directory} belongs to another user (uid {info.st_uid}), who could replace "
            f"the socket")
    if not all(os.stat(part).st_mode & stat.S_IXOTH for part in (directory, *directory.parents)):
        return None
    warning = (f"others can reach {directory} ({stat.filemode(mode)}); only the socket's mode "
               f"keeps them out")
    if writable_by_others:
        warning += ", and they can take the socket's name while the daemon is not running"
    return warning


def bind_unix_socket(socket_path: Path) -> tuple[socket.socket, str | None]:
    """A unix socket bound at ``socket_path`` in a directory ``check_socket_directory``
    accepts, and its warning (runs in a worker thread).

    The socket is 0600, or 0660 in a directory shared with its group (g+x but not o+x,
    e.g. root:guimirror 0750 under /run): the group's members connect. A root daemon
    hands the socket to the directory's owner so that user's GUI can connect.
    """
    directory = socket_path.parent.resolve()
    warning = check_socket_directory(directory)
    info = directory.stat()
    group_shared = bool(info.st_mode & stat.S_IXGRP) and not info.st_mode & stat.S_IXOTH
    with contextlib.suppress(FileNotFoundError):
        if stat.S_ISSOCK(socket_path.lstat().st_mode):
            socket_path.unlink()
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    # The mode comes from the umask at bind, and ownership from lchown: nothing here follows
    # a symlink that the directory's owner might put in the socket's place.
    old_umask = os.umask(0o117 if group_shared else 0o177)
    try:
        sock.bind(str(socket_path))
    except OSError:
        sock.close()
        raise
    finally:
        os.umask(old_umask)
    if group_shared:
        os.chown(socket_path, -1, info.st_gid, follow_symlinks=False)
    if os.geteuid() == 0 and info.st_uid != 0:
        os.chown(socket_path, info.st_uid, info.st_gid, follow_symlinks=False)
    return sock, warning


def private_socket_dir() -> Path:
    """A new directory only this user can enter (mode 0700), for a private QMP socket."""
    return Path(tempfile.mkdtemp(prefix="guimirror-qmp-"))
