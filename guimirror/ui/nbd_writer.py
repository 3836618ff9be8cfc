"""A small asyncio NBD client and the drill's write load: random data at a chosen rate.

The client speaks the fixed newstyle handshake with NBD_OPT_GO and simple replies, and only
the commands a writer needs (WRITE, FLUSH, DISC), so it works against qemu-storage-daemon's
and the built-in engine's exports alike. The write load runs as one asyncio task; the
socket I/O is asynchronous and the random data comes from ``random.randbytes`` (cheap, not
cryptographic: it only has to defeat zero detection). Qt-free.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import struct
import time
from dataclasses import dataclass

NBDMAGIC = b"NBDMAGIC"
IHAVEOPT = 0x49484156454F5054
REPLY_MAGIC = 0x3E889045565A9
FLAG_FIXED_NEWSTYLE = 1 << 0
FLAG_NO_ZEROES = 1 << 1
OPT_GO = 7
OPT_ABORT = 2
REP_ACK = 1
REP_INFO = 3
REP_ERROR_BIT = 1 << 31
INFO_EXPORT = 0
REQUEST_MAGIC = 0x25609513
SIMPLE_REPLY_MAGIC = 0x67446698
CMD_WRITE = 1
CMD_DISC = 2
CMD_FLUSH = 3
TRANSMISSION_READ_ONLY = 1 << 1


class NBDError(Exception):
    """The server refused an option or a command; the text says which and why."""


class NBDClient:
    """One connection to one export. ``connect`` then ``pwrite``/``flush``; ``close`` last.

    Every coroutine runs in the caller's task; requests are sent one at a time.
    """

    def __init__(self) -> None:
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._handle = 0
        self.size = 0
        self.read_only = False

    async def connect(self, export: str, path: str | None = None,
                      host: str | None = None, port: int | None = None) -> None:
        """Connect to a unix socket ``path`` or ``host:port`` and open ``export``."""
        if path is not None:
            self._reader, self._writer = await asyncio.open_unix_connection(path)
        else:
            self._reader, self._writer = await asyncio.open_connection(host, port)
        try:
            await self._handshake(export)
        except BaseException:
            await self.close(polite=False)
            raise

    async def _handshake(self, export: str) -> None:
        reader, writer = self._reader, self._writer
        assert reader is not None and writer is not None
        head = await reader.readexactly(18)
        magic, option_magic, flags = struct.unpack(">8sQH", head)
        if magic != NBDMAGIC or option_magic != IHAVEOPT:
            raise NBDError("the server does not speak NBD's newstyle handshake")
        if not flags & FLAG_FIXED_NEWSTYLE:
            raise NBDError("the server does not offer the fixed newstyle handshake")
        writer.write(struct.pack(">I", flags & (FLAG_FIXED_NEWSTYLE | FLAG_NO_ZEROES)))
        name = export.encode()
        data = struct.pack(">I", len(name)) + name + struct.pack(">H", 0)
        writer.write(struct.pack(">QII", IHAVEOPT, OPT_GO, len(data)) + data)
        await writer.drain()
        while True:
            magic, _option, reply, length = struct.unpack(">QIII", await reader.readexactly(20))
            payload = await reader.readexactly(length) if length else b""
            if magic != REPLY_MAGIC:
                raise NBDError("the server sent a malformed option reply")
            if reply & REP_ERROR_BIT:
                message = payload.decode(errors="replace") or f"error {reply & ~REP_ERROR_BIT}"
                raise NBDError(f"export '{export}' refused: {message}")
            if reply == REP_INFO and len(payload) >= 12:
                info_type, = struct.unpack(">H", payload[:2])
                if info_type == INFO_EXPORT:
                    self.size, transmission = struct.unpack(">QH", payload[2:12])
                    self.read_only = bool(transmission & TRANSMISSION_READ_ONLY)
            elif reply == REP_ACK:
                return

    async def _request(self, command: int, offset: int, data: bytes = b"",
                       length: int | None = None) -> None:
        reader, writer = self._reader, self._writer
        if reader is None or writer is None:
            raise NBDError("the NBD connection is closed")
        self._handle += 1
        size = len(data) if length is None else length
        writer.write(struct.pack(">IHHQQI", REQUEST_MAGIC, 0, command, self._handle, offset, size))
        if data:
            writer.write(data)
        await writer.drain()
        if command == CMD_DISC:
            return
        magic, error, handle = struct.unpack(">IIQ", await reader.readexactly(16))
        if magic != SIMPLE_REPLY_MAGIC or handle != self._handle:
            raise NBDError("the server sent a malformed reply")
        if error:
            raise NBDError(f"the server failed the request at offset {offset}: errno {error}")

    async def pwrite(self, offset: int, data: bytes) -> None:
        if self.read_only:
            raise NBDError("the export is read-only")
        await self._request(CMD_WRITE, offset, data)

    async def flush(self) -> None:
        await self._request(CMD_FLUSH, 0, length=0)

    async def close(self, polite: bool = True) -> None:
        writer = self._writer
        if writer is None:
            return
        if polite:
            with contextlib.suppress(OSError, NBDError, ConnectionError):
                await self._request(CMD_DISC, 0, length=0)
        writer.close()
        with contextlib.suppress(OSError, ConnectionError):
            await writer.wait_closed()
        self._reader = self._writer = None


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

    def __init__(self, client: NBDClient, rate: int, block_size: int = 64 * 1024,
                 seed: int | None = None) -> None:
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
            raise RuntimeError("the write load is already running")
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
