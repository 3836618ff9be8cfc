# SPDX-License-Identifier: GPL-2.0-or-later
"""The NBD server: one listening socket, the exports by name, and the connected clients.

Listens on a unix socket or on a TCP address (the caller picks the host; loopback unless told
otherwise). Each client gets its own task (ClientConnection.run). ``max_connections`` makes
further clients wait before their greeting, as connections wait in QEMU's listen backlog.
A client that has not chosen an export ``handshake_timeout`` seconds after connecting is
dropped, as QEMU's ``handshake-max-seconds`` does. With a ``tls`` context every client must
negotiate TLS (NBD_OPT_STARTTLS) before anything else.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import os
import socket
import ssl

from guimirror.engine.nbd.connection import ClientConnection
from guimirror.engine.nbd.export import NbdExport
from guimirror.engine.nbd.handshake import HANDSHAKE_TIMEOUT
from guimirror.errors import StateError


class ServerState(enum.Enum):
    IDLE = "idle"
    RUNNING = "running"
    STOPPING = "stopping"
    STOPPED = "stopped"


class NbdServer:
    """Serves ``exports`` to NBD clients; all methods run in the engine's loop task."""

    def __init__(
        self,
        max_connections: int = 0,
        handshake_timeout: float = HANDSHAKE_TIMEOUT,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self.state = ServerState.IDLE
        self.tls = tls
        self._handshake_timeout = handshake_timeout
        self.exports: dict[str, NbdExport] = {}
        self._max_connections = max_connections
        self._slots = asyncio.Semaphore(max_connections) if max_connections > 0 else None
        self._server: asyncio.Server | None = None
        self._unix_path: str | None = None
        self._clients: set[ClientConnection] = set()
        self._client_tasks: set[asyncio.Task[None]] = set()

    @property
    def sockets(self) -> list[socket.socket]:
        """The listening sockets (to learn the port of a TCP server started on port 0)."""
        if self._server is None:
            return []
        return list(self._server.sockets)

    async def start_unix(self, path: str) -> None:
        """Listen on the unix socket ``path`` (an existing socket file there is replaced).

        Raises OSError when the socket cannot be bound.
        """
        self._require(ServerState.IDLE)
        self._server = await asyncio.start_unix_server(self._on_client, path=path)
        self._unix_path = path
        self.state = ServerState.RUNNING

    async def start_tcp(self, host: str, port: int) -> None:
        """Listen on ``host``:``port``; raises OSError when the address cannot be bound."""
        self._require(ServerState.IDLE)
        self._server = await asyncio.start_server(
            self._on_client, host=host, port=port, reuse_address=True
        )
        self.state = ServerState.RUNNING

    def add_export(self, export: NbdExport) -> None:
        """Offer ``export`` to new clients under its name (the caller checked it is free)."""
        self._require(ServerState.RUNNING)
        self.exports[export.name] = export

    def hide_export(self, export: NbdExport) -> None:
        """Offer ``export`` to no new client; its connected clients stay until closed."""
        if self.exports.get(export.name) is export:
            del self.exports[export.name]

    def find_export(self, name: str) -> NbdExport | None:
        return self.exports.get(name)

    async def stop(self) -> None:
        """Stop listening, disconnect every client (in-flight requests finish first), and
        remove the unix socket file."""
        self._require(ServerState.RUNNING)
        self.state = ServerState.STOPPING
        try:
            if self._server is not None:
                self._server.close()
            clients = list(self._clients)
            if clients:
                await asyncio.gather(*(client.close() for client in clients))
            if self._client_tasks:
                await asyncio.gather(*self._client_tasks, return_exceptions=True)
            self.exports.clear()
            if self._server is not None:
                await self._server.wait_closed()
        finally:
            if self._unix_path is not None:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(self._unix_path)
            self.state = ServerState.STOPPED

    async def _on_client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """The client's task: wait for a connection slot, then serve the client."""
        task = asyncio.current_task()
        assert task is not None
        self._client_tasks.add(task)
        try:
            if self._slots is None:
                await self._serve(reader, writer)
            else:
                async with self._slots:
                    await self._serve(reader, writer)
        finally:
            self._client_tasks.discard(task)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.state is not ServerState.RUNNING:
            writer.close()
            return
        client = ClientConnection(
            reader, writer, self.find_export, self.exports.values, self._handshake_timeout,
            self.tls,
        )
        self._clients.add(client)
        try:
            await client.run()
        finally:
            self._clients.discard(client)

    def _require(self, state: ServerState) -> None:
        if self.state is not state:
            raise StateError(f"NBD server is {self.state.value}, not {state.value}")
