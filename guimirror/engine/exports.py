# SPDX-License-Identifier: GPL-2.0-or-later
"""Block exports: nbd-server-start, nbd-server-stop, block-export-add, block-export-del and
query-block-exports, with qemu-storage-daemon 7.2's checks, their order and their texts.

An export is deleted, and BLOCK_EXPORT_DELETED emitted, once its last client is gone, as in
QEMU: at once (before the command's reply) when it has no client, otherwise in a task of its
own after block-export-del mode=hard replied. The next command on exports (and nbd-server-stop,
close()) first waits for those tasks, as QEMU's main loop has deleted such an export by the
time it reads the next command.

Every export does its I/O through a BlockBackend attached to the block graph, so writes made
during a mirror pass through the mirror filter and a pivot re-points the export to the target.
"""

from __future__ import annotations

import asyncio
import enum
import ipaddress
import re
import socket
import ssl
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from guimirror.engine.backend import BlockBackend
from guimirror.engine.nbd import NbdExport, NbdServer
from guimirror.nbd.protocol import MAX_STRING_SIZE
from guimirror.qapi.errors import QAPIError
from guimirror.qapi.events import BlockExportDeleted

if TYPE_CHECKING:
    from guimirror.engine.node import BlockNode
    from guimirror.qapi.commands import (
        BlockExportAdd,
        BlockExportDel,
        BlockExportInfo,
        NbdServerStart,
    )

_ID_PATTERN = re.compile(r"[A-Za-z][A-Za-z0-9._-]*\Z")
"""QEMU's id_wellformed(): a letter, then letters, digits, '-', '.', '_'."""

UNSUPPORTED_EXPORT_TYPES = ("vhost-user-blk", "fuse", "vduse-blk")


class NodeGraph(Protocol):
    """What the export manager needs of the block graph (guimirror.engine.graph.BlockGraph)."""

    def find_node(self, node_name: str) -> BlockNode | None: ...

    def attach(self, backend: BlockBackend) -> None: ...

    def detach(self, backend: BlockBackend) -> None: ...


class ExportState(enum.Enum):
    RUNNING = "running"
    SHUTTING_DOWN = "shutting-down"


@dataclass(eq=False)
class BlockExport:
    """One entry of query-block-exports: an id, its backend and the NBD export it serves."""

    id: str
    backend: BlockBackend
    nbd: NbdExport
    state: ExportState = ExportState.RUNNING

    @property
    def node_name(self) -> str:
        """The node the export serves now: the target after a pivot, as in QEMU."""
        return self.backend.shown_node.node_name


ServerTls = Callable[[str], Awaitable[ssl.SSLContext]]
"""The engine's lookup of a tls-creds object by id: the server's TLS context it describes."""

PLAINTEXT_REFUSED = (
    "NBD server on the non-loopback address '{host}' refused without tls-creds: its clients' "
    "data would cross the network in the clear. Add a tls-creds-x509 object and pass "
    "tls-creds, or start guimirror-daemon with --nbd-allow-plaintext"
)


class ExportManager:
    """The NBD server and the block exports of one engine.

    Every method runs in the engine's event loop task that handles the QMP command; client
    connections run in their own tasks and their I/O in the nodes' worker threads.
    ``server_tls`` resolves nbd-server-start's tls-creds. ``allow_plaintext``: listen on
    an address that is not loopback without TLS (refused unless set).
    """

    def __init__(
        self,
        graph: NodeGraph,
        emit: Callable[[BlockExportDeleted], None] = lambda _: None,
        server_tls: ServerTls | None = None,
    ) -> None:
        self._graph = graph
        self._emit = emit
        self._server_tls = server_tls
        self.allow_plaintext = False
        self._server: NbdServer | None = None
        self._exports: dict[str, BlockExport] = {}
        self._deletions: set[asyncio.Task[None]] = set()

    @property
    def server(self) -> NbdServer | None:
        """The running NBD server, if any (its ``sockets`` tell a TCP server's port)."""
        return self._server

    async def nbd_server_start(self, args: NbdServerStart) -> None:
        """nbd-server-start: ``addr`` is a SocketAddressLegacy (``{type, data: {...}}``)."""
        raw = args.to_qmp()
        addr = raw["addr"]
        flat = {"type": addr["type"], **addr.get("data", {})}
        await self.start_server(flat, raw.get("tls-creds"), raw.get("max-connections", 0))

    async def start_server(
        self, addr: Mapping[str, Any], tls_creds: str | None = None, max_connections: int = 0
    ) -> None:
        """Start the NBD server on a flat SocketAddress (``{type: unix, path}`` or ``{type:
        inet, host, port}``), as the command line's ``--nbd-server addr.type=...`` gives it."""
        if self._server is not None:
            raise QAPIError("NBD server already running")
        tls = None
        if tls_creds is not None:
            if self._server_tls is None:
                raise QAPIError(f"No TLS credentials with id '{tls_creds}'")
            tls = await self._server_tls(tls_creds)
        elif addr.get("type") == "inet" and not self.allow_plaintext:
            await _refuse_plaintext(str(addr["host"]))
        server = NbdServer(max_connections, tls=tls)
        await self._listen(server, addr.get("type"), addr)
        self._server = server

    @staticmethod
    async def _listen(server: NbdServer, kind: object, addr: Mapping[str, Any]) -> None:
        """Bind the server's socket; QEMU's texts when that fails."""
        if kind == "unix":
            path = str(addr["path"])
            try:
                await server.start_unix(path)
            except OSError as error:
                raise QAPIError(
                    f"Failed to bind socket to {path}: {error.strerror or error}"
                ) from None
        elif kind == "inet":
            host, port = str(addr["host"]), str(addr["port"])
            try:
                loop = asyncio.get_running_loop()
                found = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
            except socket.gaierror as error:
                raise QAPIError(
                    f"address resolution failed for {host}:{port}: {error.strerror}"
                ) from None
            try:
                await server.start_tcp(host, int(found[0][4][1]))
            except OSError as error:
                raise QAPIError(
                    f"Failed to find an available port: {error.strerror or error}"
                ) from None
        elif kind == "fd":
            raise QAPIError("only QEMU supports file descriptor passing")
        else:
            raise QAPIError(f"NBD server address type '{kind}' is not supported")

    async def nbd_server_stop(self) -> None:
        """nbd-server-stop: remove every NBD export, disconnect its clients, stop listening."""
        await self.settle()
        server = self._require_server()
        for export in list(self._exports.values()):
            self._request_shutdown(server, export)
        await self.settle()
        self._server = None
        await server.stop()

    async def block_export_add(self, args: BlockExportAdd) -> None:
        """block-export-add type=nbd: export a node under ``name`` (default: its node-name)."""
        await self.settle()
        raw = args.to_qmp()
        export_id = str(raw.get("id", ""))
        if not _ID_PATTERN.match(export_id):
            raise QAPIError("Invalid block export id")
        if export_id in self._exports:
            raise QAPIError(f"Block export id '{export_id}' is already in use")
        if raw.get("type") != "nbd":
            raise QAPIError("No driver found for the requested export type")
        node_name = str(raw["node-name"])
        node = self._graph.find_node(node_name)
        if node is None:
            raise QAPIError(f"Cannot find device='' nor node-name='{node_name}'")
        if "iothread" in raw:
            raise QAPIError(f'iothread "{raw["iothread"]}" not found')
        writable = bool(raw.get("writable", False))
        if writable and node.read_only:
            raise QAPIError("Cannot export read-only node as writable")
        server = self._require_server()
        name = str(raw.get("name", node_name))
        description = str(raw.get("description", ""))
        if len(name.encode()) > MAX_STRING_SIZE:
            raise QAPIError(f"export name '{name}' too long")
        if len(description.encode()) > MAX_STRING_SIZE:
            raise QAPIError(f"description '{description}' too long")
        if server.find_export(name) is not None:
            raise QAPIError(f"NBD server already has export named '{name}'")
        for bitmap in raw.get("bitmaps", []):
            raise QAPIError(f"Bitmap '{bitmap}' is not found")
        backend = BlockBackend(node, writable=writable)
        self._graph.attach(backend)
        export = NbdExport(
            name, backend, writable, description, bool(raw.get("writethrough", False))
        )
        server.add_export(export)
        self._exports[export_id] = BlockExport(export_id, backend, export)

    async def block_export_del(self, args: BlockExportDel) -> None:
        """block-export-del: ``mode=safe`` (default) refuses while clients are connected,
        ``mode=hard`` disconnects them, and the export is deleted after the reply."""
        await self.settle()
        raw = args.to_qmp()
        export_id = str(raw["id"])
        export = self._exports.get(export_id)
        if export is None:
            raise QAPIError(f"Export '{export_id}' is not found")
        if export.state is ExportState.SHUTTING_DOWN:
            raise QAPIError(f"Export '{export_id}' is already shutting down")
        if raw.get("mode", "safe") == "safe" and export.nbd.clients:
            raise QAPIError(f"export '{export_id}' still in use")
        self._request_shutdown(self._require_server(), export)

    async def query_block_exports(self) -> list[BlockExportInfo]:
        """query-block-exports: newest first, as QEMU lists them."""
        from guimirror.qapi.commands import BlockExportInfo

        await self.settle()
        return [
            BlockExportInfo.model_validate(
                {
                    "id": export.id,
                    "type": "nbd",
                    "node-name": export.node_name,
                    "shutting-down": export.state is ExportState.SHUTTING_DOWN,
                }
            )
            for export in reversed(self._exports.values())
        ]

    async def close(self) -> None:
        """Remove every export and stop the server (engine shutdown); never raises QAPIError."""
        if self._server is not None:
            await self.nbd_server_stop()

    async def settle(self) -> None:
        """Wait until the exports whose clients are being disconnected are deleted."""
        while self._deletions:
            await asyncio.wait(set(self._deletions))

    def _request_shutdown(self, server: NbdServer, export: BlockExport) -> None:
        """Hide ``export`` from new clients; delete it now if it has no client, otherwise
        once a task of its own has disconnected them."""
        export.state = ExportState.SHUTTING_DOWN
        server.hide_export(export.nbd)
        if not export.nbd.clients:
            self._delete(export)
            return
        task = asyncio.create_task(self._delete_after_clients(export))
        self._deletions.add(task)
        task.add_done_callback(self._deletions.discard)

    async def _delete_after_clients(self, export: BlockExport) -> None:
        """The deletion task of an export that had clients (QEMU's refcount reaching 0)."""
        try:
            await export.nbd.disconnect_clients()
        finally:
            self._delete(export)

    def _delete(self, export: BlockExport) -> None:
        self._graph.detach(export.backend)
        del self._exports[export.id]
        self._emit(BlockExportDeleted(id=export.id))

    def _require_server(self) -> NbdServer:
        if self._server is None:
            raise QAPIError("NBD server not running")
        return self._server


async def _refuse_plaintext(host: str) -> None:
    """Refuse a TCP address without TLS unless every address it resolves to is loopback."""
    try:
        found = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except socket.gaierror:
        return  # _listen reports the resolution failure with QEMU's text
    if host == "" or not all(ipaddress.ip_address(str(entry[4][0])).is_loopback for entry in found):
        raise QAPIError(PLAINTEXT_REFUSED.format(host=host))
