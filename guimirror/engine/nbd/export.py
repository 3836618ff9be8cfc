# SPDX-License-Identifier: GPL-2.0-or-later
"""One NBD export: a name on the server, a BlockBackend to do its I/O through, its clients."""

from __future__ import annotations

import asyncio
from typing import Protocol

from guimirror.engine.backend import BlockBackend
from guimirror.nbd.protocol import TransmissionFlag


class ExportClient(Protocol):
    """What an export needs of a connected client: a way to close it.

    The connection module implements it; the export knows no more of it, so export, handshake,
    commands and connection import one another in one direction only.
    """

    async def close(self) -> None: ...


class NbdExport:
    """What clients see under ``name``: the backend's current node, writable or not.

    The backend is attached to the block graph by the export's owner, so writes pass through
    any filter the graph inserts and a pivot re-points the export without the clients noticing.
    ``writethrough`` flushes after every write, as QEMU's ``writethrough=true`` does.
    """

    def __init__(
        self,
        name: str,
        backend: BlockBackend,
        writable: bool,
        description: str = "",
        writethrough: bool = False,
    ) -> None:
        self.name = name
        self.backend = backend
        self.writable = writable
        self.description = description
        self.writethrough = writethrough
        self.clients: set[ExportClient] = set()

    @property
    def size(self) -> int:
        return self.backend.length

    @property
    def minimum_block_size(self) -> int:
        return max(1, self.backend.node.request_alignment)

    def transmission_flags(self, structured: bool) -> TransmissionFlag:
        """The flags sent with the export: what commands this export accepts."""
        flags = (
            TransmissionFlag.HAS_FLAGS
            | TransmissionFlag.SEND_FLUSH
            | TransmissionFlag.SEND_FUA
            | TransmissionFlag.CAN_MULTI_CONN
            | TransmissionFlag.SEND_CACHE
        )
        if self.writable:
            flags |= TransmissionFlag.SEND_TRIM | TransmissionFlag.SEND_WRITE_ZEROES
        else:
            flags |= TransmissionFlag.READ_ONLY
        if structured:
            flags |= TransmissionFlag.SEND_DF
        return flags

    async def disconnect_clients(self) -> None:
        """Close every client of this export after its in-flight requests finish.

        Runs in the task of the caller (a QMP command); the clients' tasks end on their own.
        """
        clients = list(self.clients)
        if clients:
            await asyncio.gather(*(client.close() for client in clients))
