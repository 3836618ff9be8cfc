# SPDX-License-Identifier: GPL-2.0-or-later
"""guimirror's NBD client: many requests in flight, structured replies, block status, TLS.

``NBDClient`` opens one export (unix socket or TCP, optionally over TLS) and then sends each
request as soon as it is asked for; one receiver task reads the replies and completes each
request by its cookie, so a mirror's concurrent operations share one connection. The
engine's ``nbd`` driver and the drill's write load (``WriteLoad`` below: random data at a
chosen rate) are its users. Qt-free.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import random
import socket
import ssl
import time
from dataclasses import dataclass, field

from guimirror.errors import StateError
from guimirror.nbd import protocol as p
from guimirror.nbd.negotiation import ClientHandshake, ExportInfo, NBDError

__all__ = ["NBDClient", "NBDConnectionLost", "NBDError", "NBDRequestError", "WriteLoad"]

class NBDRequestError(NBDError):
    """The server failed one request; ``errno`` is the error it replied (Linux numbers)."""

    def __init__(self, errno: int, message: str) -> None:
        super().__init__(message)
        self.errno = errno


class NBDConnectionLost(NBDError):
    """The connection ended (or broke the protocol) while requests were waiting for replies."""


class ClientState(enum.Enum):
    IDLE = "idle"
    CONNECTED = "connected"
    CLOSED = "closed"


@dataclass(eq=False)
class _Request:
    command: p.Command
    offset: int
    length: int
    done: asyncio.Future[None]
    data: bytearray | None = None
    extents: list[tuple[int, int]] = field(default_factory=list)
    error: NBDRequestError | None = None


class NBDClient:
    """One connection to one export: ``connect``, then requests from any task; ``close`` last.

    Requests may be issued concurrently from many tasks of the loop; replies are read by the
    client's receiver task. A request the server fails raises NBDRequestError (with the
    errno); a lost connection fails every waiting request with NBDConnectionLost.
    """

    CLOSE_TIMEOUT = 5.0
    """Seconds a close waits for the server to take the disconnect request and the socket."""

    SEND_BUFFER = 16 * 1024 * 1024
    """The socket send buffer asked for on TCP (SO_SNDBUF; the kernel caps it at twice
    net.core.wmem_max, 8 MiB by default, where TCP's own tuning stops at 4 MiB): writes go to
    the kernel at once instead of waiting, copied, in the transport's buffer, and the link
    keeps sending while the event loop is busy elsewhere."""

    def __init__(self) -> None:
        self.state = ClientState.IDLE
        self.info = ExportInfo()
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._receiver: asyncio.Task[None] | None = None
        self._requests: dict[int, _Request] = {}
        self._cookie = 0
        self._lost: str | None = None

    @property
    def size(self) -> int:
        return self.info.size

    @property
    def read_only(self) -> bool:
        return self.info.read_only

    @property
    def connected(self) -> bool:
        return self.state is ClientState.CONNECTED and self._lost is None

    async def connect(
        self,
        export: str,
        path: str | None = None,
        host: str | None = None,
        port: int | None = None,
        tls: ssl.SSLContext | None = None,
        tls_hostname: str | None = None,
    ) -> None:
        """Connect to a unix socket ``path`` or ``host:port`` and open ``export``.

        Runs in the caller's task, which also owns the receiver task it starts. With ``tls``
        the handshake upgrades the connection (``tls_hostname`` is checked against the
        server's certificate; default ``host``). Raises OSError when the server cannot be
        reached, NBDError when it refuses.
        """
        if self.state is not ClientState.IDLE:
            raise StateError(f"the NBD client is {self.state.value}, not idle")
        if path is not None:
            self._reader, self._writer = await asyncio.open_unix_connection(path)
        else:
            self._reader, self._writer = await asyncio.open_connection(host, port)
            _enlarge_send_buffer(self._writer, self.SEND_BUFFER)
        try:
            handshake = ClientHandshake(self._reader, self._writer)
            hostname = tls_hostname if tls_hostname is not None else host
            self.info = await handshake.run(export, tls, hostname)
        except BaseException:
            self._writer.close()
            self.state = ClientState.CLOSED
            raise
        self.state = ClientState.CONNECTED
        self._receiver = asyncio.get_running_loop().create_task(
            self._receive(), name=f"nbd-client-{export}"
        )

    # ----- requests ---------------------------------------------------------------------------

    async def pread(self, offset: int, length: int) -> bytes:
        request = await self._send(p.Command.READ, offset, length)
        assert request.data is not None
        return bytes(request.data)

    async def pwrite(
        self, offset: int, data: bytes | bytearray | memoryview, fua: bool = False
    ) -> None:
        if self.read_only:
            raise NBDError("the export is read-only")
        await self._send(p.Command.WRITE, offset, len(data), data, self._fua(fua))

    async def write_zeroes(
        self, offset: int, length: int, may_unmap: bool = False, fua: bool = False
    ) -> None:
        """NBD_CMD_WRITE_ZEROES; without ``may_unmap`` the range stays allocated (NO_HOLE)."""
        flags = self._fua(fua) | (0 if may_unmap else p.CommandFlag.NO_HOLE)
        await self._send(p.Command.WRITE_ZEROES, offset, length, flags=flags)

    async def trim(self, offset: int, length: int, fua: bool = False) -> None:
        await self._send(p.Command.TRIM, offset, length, flags=self._fua(fua))

    async def flush(self) -> None:
        await self._send(p.Command.FLUSH, 0, 0)

    async def block_status(self, offset: int, length: int) -> list[tuple[int, int]]:
        """The ``base:allocation`` extents from ``offset``: (length, AllocationState flags).

        Asks for one extent (REQ_ONE) as QEMU's client does; the server may give more.
        """
        if self.info.base_allocation_id is None:
            raise NBDError("the server offers no base:allocation block status")
        request = await self._send(
            p.Command.BLOCK_STATUS, offset, length, flags=p.CommandFlag.REQ_ONE
        )
        return request.extents

    def _fua(self, fua: bool) -> int:
        return p.CommandFlag.FUA if fua and self.info.can(p.TransmissionFlag.SEND_FUA) else 0

    async def _send(
        self,
        command: p.Command,
        offset: int,
        length: int,
        data: bytes | bytearray | memoryview = b"",
        flags: int = 0,
    ) -> _Request:
        """Send one request and wait for its reply; runs in the caller's task.

        The transport sends at once what the socket takes and copies the rest, so ``data``
        may change as soon as this returns or is cancelled. A request cancelled once sent
        stays known until its reply comes, so that the reply does not break the connection.
        """
        writer = self._writer
        if writer is None or self.state is not ClientState.CONNECTED:
            raise NBDError("the NBD connection is closed")
        if self._lost is not None:
            raise NBDConnectionLost(self._lost)
        self._cookie += 1
        cookie = self._cookie
        request = _Request(command, offset, length, asyncio.get_running_loop().create_future())
        if command == p.Command.READ:
            request.data = bytearray(length)
        self._requests[cookie] = request
        writer.write(p.REQUEST.pack(p.REQUEST_MAGIC, flags, command, cookie, offset, length))
        if data:
            writer.write(data)
        try:
            await writer.drain()
        except (OSError, ssl.SSLError) as exc:
            request.done.cancel()
            raise NBDConnectionLost(f"the NBD connection failed: {exc}") from exc
        except asyncio.CancelledError:
            request.done.cancel()
            raise
        await request.done
        if request.error is not None:
            raise request.error
        return request

    # ----- replies (the receiver task) ------------------------------------------------------

    async def _receive(self) -> None:
        """The receiver task: read replies until the connection ends, completing requests."""
        reader = self._reader
        assert reader is not None
        try:
            while True:
                magic = p.U32.unpack(await reader.readexactly(4))[0]
                if magic == p.SIMPLE_REPLY_MAGIC:
                    await self._simple_reply(reader)
                elif magic == p.STRUCTURED_REPLY_MAGIC:
                    await self._structured_chunk(reader)
                else:
                    raise NBDError(f"the server sent a reply with the bad magic {magic:#x}")
        except asyncio.CancelledError:
            self._fail_all("the NBD connection was closed")
            raise
        except asyncio.IncompleteReadError:
            self._fail_all("the NBD server closed the connection")
        except (OSError, ssl.SSLError, NBDError) as exc:
            self._fail_all(f"the NBD connection failed: {exc}")

    async def _simple_reply(self, reader: asyncio.StreamReader) -> None:
        error, cookie = p.SIMPLE_REPLY_REST.unpack(
            await reader.readexactly(p.SIMPLE_REPLY_REST.size)
        )
        request = self._request(cookie)
        if error:
            request.error = _request_error(request, error, "")
        elif request.command == p.Command.READ and request.length:
            assert request.data is not None
            request.data[:] = await reader.readexactly(request.length)
        self._finish(cookie)

    async def _structured_chunk(self, reader: asyncio.StreamReader) -> None:
        flags, kind, cookie, length = p.STRUCTURED_REPLY_REST.unpack(
            await reader.readexactly(p.STRUCTURED_REPLY_REST.size)
        )
        request = self._request(cookie)
        if length > p.MAX_BUFFER_SIZE + 64:
            raise NBDError(f"the server sent a reply chunk of {length} bytes")
        payload = await reader.readexactly(length) if length else b""
        if kind == p.ReplyType.OFFSET_DATA:
            self._place(request, p.U64.unpack(payload[:8])[0], payload[8:])
        elif kind == p.ReplyType.OFFSET_HOLE:
            offset, hole = p.HOLE_CHUNK.unpack(payload[: p.HOLE_CHUNK.size])
            self._place(request, offset, bytes(hole))
        elif kind == p.ReplyType.BLOCK_STATUS:
            context = p.U32.unpack(payload[:4])[0]
            if context == self.info.base_allocation_id:
                request.extents.extend(
                    p.EXTENT.unpack_from(payload, at) for at in range(4, length, p.EXTENT.size)
                )
        elif kind in (p.ReplyType.ERROR, p.ReplyType.ERROR_OFFSET):
            error, size = p.ERROR_CHUNK.unpack(payload[: p.ERROR_CHUNK.size])
            message = payload[p.ERROR_CHUNK.size : p.ERROR_CHUNK.size + size]
            if request.error is None:
                request.error = _request_error(request, error, message.decode(errors="replace"))
        elif kind != p.ReplyType.NONE and kind & (1 << 15):
            request.error = _request_error(request, p.NbdErrno.EIO, f"reply type {kind}")
        if flags & p.ReplyFlag.DONE:
            self._finish(cookie)

    def _place(self, request: _Request, offset: int, data: bytes) -> None:
        if request.data is None or not (
            request.offset <= offset and offset + len(data) <= request.offset + request.length
        ):
            raise NBDError("the server sent data outside the range that was read")
        start = offset - request.offset
        request.data[start : start + len(data)] = data

    def _request(self, cookie: int) -> _Request:
        request = self._requests.get(cookie)
        if request is None:
            raise NBDError(f"the server replied to the unknown request {cookie}")
        return request

    def _finish(self, cookie: int) -> None:
        request = self._requests.pop(cookie)
        if not request.done.done():
            request.done.set_result(None)

    def _fail_all(self, reason: str) -> None:
        self._lost = reason
        requests, self._requests = self._requests, {}
        for request in requests.values():
            if not request.done.done():
                request.done.set_exception(NBDConnectionLost(reason))

    # ----- closing ------------------------------------------------------------------------------

    async def close(self, polite: bool = True) -> None:
        """Say goodbye (NBD_CMD_DISC) unless the connection is gone, then close the socket."""
        writer = self._writer
        if writer is None or self.state is ClientState.CLOSED:
            self.state = ClientState.CLOSED
            return
        self.state = ClientState.CLOSED
        if polite and self._lost is None:
            with contextlib.suppress(OSError, ssl.SSLError):
                writer.write(p.REQUEST.pack(p.REQUEST_MAGIC, 0, p.Command.DISC, 0, 0, 0))
                async with asyncio.timeout(self.CLOSE_TIMEOUT):
                    await writer.drain()
        if self._receiver is not None:
            self._receiver.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._receiver
        writer.close()
        with contextlib.suppress(OSError, ssl.SSLError, ConnectionError, TimeoutError):
            async with asyncio.timeout(self.CLOSE_TIMEOUT):
                await writer.wait_closed()
        self._reader = self._writer = None


def _enlarge_send_buffer(writer: asyncio.StreamWriter, size: int) -> None:
    sock = writer.get_extra_info("socket")
    if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, size)


def _request_error(request: _Request, error: int, message: str) -> NBDRequestError:
    text = message or f"errno {error}"
    return NBDRequestError(
        error, f"the server failed {request.command.name} at offset {request.offset}: {text}"
    )


@dataclass
class WriteLoadStats:
    written: int = 0
    writes: int = 0
    started: float = 0.0
    error: str = ""

    @property
    def rate(self) -> float:
        elapsed = time.monotonic() - self.started
        return self.written / elapsed if elapsed > 0 else 0.0


class WriteLoad:
    """Writes random blocks at random offsets at ``rate`` bytes per second until stopped.

    ``start()`` spawns the writer task (caller's loop); ``stop()`` ends it and disconnects.
    ``rate`` may change while it runs.
    """

    SLICE = 0.1

    def __init__(
        self, client: NBDClient, rate: int, block_size: int = 64 * 1024, seed: int | None = None
    ) -> None:
        self.client = client
        self.rate = rate
        self.block_size = block_size
        self.stats = WriteLoadStats()
        self._random = random.Random(seed)
        self._task: asyncio.Task[None] | None = None

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def start(self) -> None:
        if self.running:
            raise StateError("the write load is already running")
        self.stats = WriteLoadStats(started=time.monotonic())
        self._task = asyncio.get_running_loop().create_task(self._run(), name="write-load")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self.client.close()

    async def _run(self) -> None:
        """The writer task: each 100 ms slice writes ``rate / 10`` bytes, then sleeps."""
        blocks = max(1, self.client.size // self.block_size)
        loop = asyncio.get_running_loop()
        budget = 0.0
        next_slice = loop.time()
        try:
            while True:
                budget += self.rate * self.SLICE
                while budget >= self.block_size:
                    offset = self._random.randrange(blocks) * self.block_size
                    length = min(self.block_size, self.client.size - offset)
                    await self.client.pwrite(offset, self._random.randbytes(length))
                    budget -= length
                    self.stats.written += length
                    self.stats.writes += 1
                next_slice += self.SLICE
                await asyncio.sleep(max(0.0, next_slice - loop.time()))
        except (NBDError, OSError, asyncio.IncompleteReadError) as err:
            self.stats.error = str(err) or type(err).__name__
