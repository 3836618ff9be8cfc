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
import time
from dataclasses import dataclass

from guimirror.errors import GuimirrorError, StateError
from guimirror.nbd import protocol as p


class NBDError(GuimirrorError):
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
        head = await reader.readexactly(p.GREETING.size)
        magic, option_magic, flags = p.GREETING.unpack(head)
        if magic != p.NBDMAGIC or option_magic != p.IHAVEOPT:
            raise NBDError("the server does not speak NBD's newstyle handshake")
        if not flags & p.HandshakeFlag.FIXED_NEWSTYLE:
            raise NBDError("the server does not offer the fixed newstyle handshake")
        writer.write(p.CLIENT_FLAGS.pack(flags & (p.ClientFlag.FIXED_NEWSTYLE
                                                  | p.ClientFlag.NO_ZEROES)))
        name = export.encode()
        data = p.U32.pack(len(name)) + name + p.U16.pack(0)
        writer.write(p.OPTION_HEADER.pack(p.IHAVEOPT, p.Option.GO, len(data)) + data)
        await writer.drain()
        while True:
            header = await reader.readexactly(p.OPTION_REPLY_HEADER.size)
            magic, _option, reply, length = p.OPTION_REPLY_HEADER.unpack(header)
            payload = await reader.readexactly(length) if length else b""
            if magic != p.OPTION_REPLY_MAGIC:
                raise NBDError("the server sent a malformed option reply")
            if reply & p.OPTION_REPLY_ERROR:
                message = payload.decode(errors="replace") or \
                    f"error {reply & ~p.OPTION_REPLY_ERROR}"
                raise NBDError(f"export '{export}' refused: {message}")
            if reply == p.OptionReply.INFO and len(payload) >= p.INFO_EXPORT.size:
                info_type, size, transmission = p.INFO_EXPORT.unpack(
                    payload[:p.INFO_EXPORT.size])
                if info_type == p.Info.EXPORT:
                    self.size = size
                    self.read_only = bool(transmission & p.TransmissionFlag.READ_ONLY)
            elif reply == p.OptionReply.ACK:
                return

    async def _request(self, command: int, offset: int, data: bytes = b"",
                       length: int | None = None) -> None:
        reader, writer = self._reader, self._writer
        if reader is None or writer is None:
            raise NBDError("the NBD connection is closed")
        self._handle += 1
        size = len(data) if length is None else length
        writer.write(p.REQUEST.pack(p.REQUEST_MAGIC, 0, command, self._handle, offset, size))
        if data:
            writer.write(data)
        await writer.drain()
        if command == p.Command.DISC:
            return
        reply = await reader.readexactly(p.SIMPLE_REPLY.size)
        magic, error, handle = p.SIMPLE_REPLY.unpack(reply)
        if magic != p.SIMPLE_REPLY_MAGIC or handle != self._handle:
            raise NBDError("the server sent a malformed reply")
        if error:
            raise NBDError(f"the server failed the request at offset {offset}: errno {error}")

    async def pwrite(self, offset: int, data: bytes) -> None:
        if self.read_only:
            raise NBDError("the export is read-only")
        await self._request(p.Command.WRITE, offset, data)

    async def flush(self) -> None:
        await self._request(p.Command.FLUSH, 0, length=0)

    async def close(self, polite: bool = True) -> None:
        writer = self._writer
        if writer is None:
            return
        if polite:
            with contextlib.suppress(OSError, NBDError, ConnectionError):
                await self._request(p.Command.DISC, 0, length=0)
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
