# SPDX-License-Identifier: GPL-2.0-or-later
"""The ``nbd`` protocol driver: a node over an export of an NBD server (QEMU's option names).

The node holds one ``NBDClient`` (guimirror.nbd.client) on which a mirror's operations run
concurrently. Reads, writes, write zeroes (unmapping only with discard=unmap, as QEMU's
BDRV_REQ_MAY_UNMAP), trim, flush and ``base:allocation`` block status map to the NBD
commands the server offers; what it does not offer falls back as in QEMU (zeroes written as
data, discards dropped, everything reported as data). Requests larger than the server's
maximum block size are split.

``open-timeout``: the open keeps trying to connect that many seconds. ``reconnect-delay``:
after the connection is lost, requests wait that many seconds for a new connection (tried
every second) before they fail with EIO; 0 fails them at once.
"""

from __future__ import annotations

import asyncio
import errno
import os
import ssl
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import quote

from guimirror.engine.drivers.common import DriverNode, check_request, check_writable
from guimirror.engine.node import BlockStatus
from guimirror.nbd import protocol as p
from guimirror.nbd.client import NBDClient, NBDConnectionLost, NBDError, NBDRequestError
from guimirror.qapi.blockdev import BlockdevOptionsNbd
from guimirror.qapi.errors import QAPIError
from guimirror.qapi.socket_address import InetSocketAddressVariant

T = TypeVar("T")

RETRY_INTERVAL = 1.0
"""Seconds between two connection attempts (open-timeout, reconnect-delay)."""

HOSTNAME_MISMATCH = 62
"""OpenSSL's X509_V_ERR_HOSTNAME_MISMATCH."""

MAX_ZERO_REQUEST = 1 << 30
"""The longest write-zeroes or trim request sent (lengths are 32-bit on the wire)."""


@dataclass(frozen=True)
class NbdAddress:
    """Where the server is and how to reach the export."""

    export: str
    path: str | None = None
    host: str | None = None
    port: int | None = None
    tls: ssl.SSLContext | None = None
    tls_hostname: str | None = None

    @property
    def server_name(self) -> str | None:
        """The name the server's certificate must carry: tls-hostname, else the host."""
        return self.tls_hostname if self.tls_hostname is not None else self.host

    def describe(self) -> str:
        return self.path if self.path is not None else f"{self.host}:{self.port}"

    async def connect(self) -> NBDClient:
        """A new client with the export open; OSError or NBDError when that fails."""
        client = NBDClient()
        await client.connect(
            self.export, self.path, self.host, self.port, self.tls, self.tls_hostname
        )
        return client


def address_of(options: BlockdevOptionsNbd, tls: ssl.SSLContext | None) -> NbdAddress:
    server = options.server
    export = options.export or ""
    if isinstance(server, InetSocketAddressVariant):
        try:
            port = int(server.port)
        except ValueError:
            raise QAPIError(
                f"Parameter 'port' expects a port number, not '{server.port}'"
            ) from None
        return NbdAddress(export, host=server.host, port=port, tls=tls,
                          tls_hostname=options.tls_hostname)  # fmt: skip
    if tls is not None and options.tls_hostname is None:
        raise QAPIError("No hostname for certificate validation")
    return NbdAddress(export, path=server.path, tls=tls, tls_hostname=options.tls_hostname)


async def connect_with_timeout(address: NbdAddress, open_timeout: int) -> NBDClient:
    """Connect, retrying every second for ``open_timeout`` seconds (QEMU's open-timeout).

    Runs in the blockdev-add task. Raises QAPIError with QEMU's text when it gives up.
    """
    deadline = time.monotonic() + open_timeout
    while True:
        try:
            return await address.connect()
        except (OSError, ssl.SSLError, asyncio.IncompleteReadError) as exc:
            failure = _connect_failure(address, exc)
        except NBDError as exc:
            raise QAPIError(str(exc)) from exc
        if time.monotonic() + RETRY_INTERVAL > deadline:
            raise failure
        await asyncio.sleep(RETRY_INTERVAL)


def _connect_failure(address: NbdAddress, exc: BaseException) -> QAPIError:
    if isinstance(exc, ssl.SSLCertVerificationError) and exc.verify_code == HOSTNAME_MISMATCH:
        return QAPIError(f"Certificate does not match the hostname {address.server_name}")
    if isinstance(exc, ssl.SSLError):
        reason = getattr(exc, "verify_message", None) or exc.reason or str(exc)
        return QAPIError(f"TLS handshake failed: {reason}")
    if isinstance(exc, asyncio.IncompleteReadError):
        after_tls = " (after TLS: did it refuse our certificate?)" if address.tls else ""
        return QAPIError(f"The NBD server closed the connection during the handshake{after_tls}")
    reason = os.strerror(exc.errno) if isinstance(exc, OSError) and exc.errno else str(exc)
    return QAPIError(f"Failed to connect to '{address.describe()}': {reason}")


@dataclass(eq=False)
class NbdNode(DriverNode):
    """``nbd``: a node whose storage is an export of an NBD server."""

    driver = "nbd"

    address: NbdAddress = field(default_factory=lambda: NbdAddress(""))
    client: NBDClient = field(default_factory=NBDClient)
    reconnect_delay: int = 0
    given: dict[str, Any] = field(default_factory=dict)
    _reconnecting: asyncio.Lock = field(default_factory=asyncio.Lock, repr=False)

    @property
    def length(self) -> int:
        return self.client.size

    @property
    def request_alignment(self) -> int:
        return self.client.info.minimum_block

    @property
    def supports_zero_unmap(self) -> bool:
        return self.client.info.can(p.TransmissionFlag.SEND_WRITE_ZEROES)

    def open_options(self) -> dict[str, Any]:
        return {"driver": self.driver, **self.given}

    def info_filename(self) -> str:
        """QEMU's nbd_refresh_filename: an NBD URI, unless TLS makes it json:{...}."""
        if self.address.tls is not None:
            return super().info_filename()
        export = quote(self.address.export, safe="/")
        if self.address.path is not None:
            return f"nbd+unix:///{export}?socket={self.address.path}"
        host = self.address.host or ""
        if ":" in host:
            host = f"[{host}]"
        return f"nbd://{host}:{self.address.port}/{export}"

    def has_dirty_flag(self) -> bool:
        return False

    async def pread(self, offset: int, length: int) -> bytes:
        check_request(self, offset, length)
        step = self.client.info.maximum_block
        if length <= step:
            return await self._call(NBDClient.pread, offset, length)
        parts = [
            await self._call(NBDClient.pread, at, min(step, offset + length - at))
            for at in range(offset, offset + length, step)
        ]
        return b"".join(parts)

    async def pwrite(
        self, offset: int, data: bytes | bytearray | memoryview, *, fua: bool = False
    ) -> None:
        check_writable(self)
        check_request(self, offset, len(data))
        view = memoryview(data).cast("B")
        step = self.client.info.maximum_block
        native_fua = self._native_fua(fua)
        try:
            for start in range(0, len(view), step):
                chunk = view[start : start + step]
                await self._call(NBDClient.pwrite, offset + start, chunk, native_fua)
        finally:
            self.written()
        if fua and not native_fua:
            await self.flush()

    async def pwrite_zeroes(
        self, offset: int, length: int, may_unmap: bool = False, *, fua: bool = False
    ) -> None:
        check_writable(self)
        check_request(self, offset, length)
        unmap = may_unmap and self.discard_unmap
        native_fua = self._native_fua(fua)
        try:
            if not self.client.info.can(p.TransmissionFlag.SEND_WRITE_ZEROES):
                step = self.client.info.maximum_block
                for at in range(offset, offset + length, step):
                    size = min(step, offset + length - at)
                    await self._call(NBDClient.pwrite, at, bytes(size), native_fua)
            else:
                for at in range(offset, offset + length, MAX_ZERO_REQUEST):
                    size = min(MAX_ZERO_REQUEST, offset + length - at)
                    await self._call(NBDClient.write_zeroes, at, size, unmap, native_fua)
        finally:
            self.written()
        if fua and not native_fua:
            await self.flush()

    def _native_fua(self, fua: bool) -> bool:
        """Whether to send a FUA write with NBD's FUA flag: asked for, flushes not disabled
        (cache.no-flush), and the server advertises SEND_FUA; else ``flush`` follows it."""
        return fua and not self.no_flush and self.client.info.can(p.TransmissionFlag.SEND_FUA)

    async def pdiscard(self, offset: int, length: int) -> None:
        check_writable(self)
        check_request(self, offset, length)
        if not self.discard_unmap or not self.client.info.can(p.TransmissionFlag.SEND_TRIM):
            return
        try:
            for at in range(offset, offset + length, MAX_ZERO_REQUEST):
                size = min(MAX_ZERO_REQUEST, offset + length - at)
                await self._call(NBDClient.trim, at, size)
        finally:
            self.written()

    async def flush(self) -> None:
        gen = self.write_gen
        if self.no_flush or gen == self.flushed_gen or self.read_only:
            return
        if self.client.info.can(p.TransmissionFlag.SEND_FLUSH):
            await self._call(NBDClient.flush)
        self.flushed_gen = gen

    async def block_status(self, offset: int, length: int) -> BlockStatus:
        length = max(0, min(length, self.length - offset, 0xFFFFFFFF & ~0xFFF))
        if self.client.info.base_allocation_id is None or length == 0:
            return BlockStatus(pnum=length, data=True, zero=False)
        extents = await self._call(NBDClient.block_status, offset, length)
        if not extents:
            raise OSError(errno.EIO, "the NBD server sent no extent")
        extent_length, flags = extents[0]
        return BlockStatus(
            pnum=max(1, min(extent_length, length)),
            data=not flags & p.AllocationState.HOLE,
            zero=bool(flags & p.AllocationState.ZERO),
        )

    async def close(self) -> None:
        await self.client.close()

    async def _call(self, request: Callable[..., Awaitable[T]], *args: object) -> T:
        """``request(client, *args)``; a lost connection waits for a reconnection first.

        Runs in the task of the I/O; raises OSError with the server's errno, EIO when the
        connection is gone for good.
        """
        deadline = time.monotonic() + self.reconnect_delay
        while True:
            client = self.client
            try:
                return await request(client, *args)
            except NBDRequestError as exc:
                raise OSError(exc.errno or errno.EIO, str(exc)) from exc
            except NBDConnectionLost as exc:
                if time.monotonic() >= deadline:
                    raise OSError(errno.EIO, str(exc)) from exc
            except NBDError as exc:
                raise OSError(errno.EIO, str(exc)) from exc
            await self._reconnect(client, deadline)

    async def _reconnect(self, lost: NBDClient, deadline: float) -> None:
        """Replace the lost client (once, whichever request notices first) before ``deadline``."""
        async with self._reconnecting:
            while self.client is lost and time.monotonic() < deadline:
                try:
                    client = await self.address.connect()
                except (OSError, ssl.SSLError, asyncio.IncompleteReadError, NBDError):
                    await asyncio.sleep(min(RETRY_INTERVAL, max(0.0, deadline - time.monotonic())))
                    continue
                if client.size != lost.size:
                    await client.close()
                    raise OSError(errno.EIO, "the export's size changed across the reconnection")
                await lost.close(polite=False)
                self.client = client


async def open_nbd(
    options: BlockdevOptionsNbd, node_name: str, read_only: bool, auto_read_only: bool,
    tls: ssl.SSLContext | None,
) -> NbdNode:  # fmt: skip
    """Connect to the export of a blockdev-add of driver ``nbd``; runs in that command's task.

    Raises QAPIError with QEMU's texts. Returns the node and whether it became read-only.
    """
    address = address_of(options, tls)
    client = await connect_with_timeout(address, options.open_timeout or 0)
    node = NbdNode(
        node_name=node_name,
        address=address,
        client=client,
        reconnect_delay=options.reconnect_delay or 0,
        given=_given(options),
    )
    if client.read_only and not read_only:
        if not auto_read_only:
            await client.close()
            raise QAPIError("NBD export is read-only")
        node.read_only = True
    return node


def _given(options: BlockdevOptionsNbd) -> dict[str, Any]:
    dumped = options.model_dump(by_alias=True, exclude_none=True)
    keep = ("server", "export", "tls-creds", "tls-hostname", "reconnect-delay", "open-timeout")
    return {key: dumped[key] for key in keep if key in dumped}
