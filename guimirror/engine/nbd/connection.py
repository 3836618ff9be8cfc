# SPDX-License-Identifier: GPL-2.0-or-later
"""One client connection: handshake, then pipelined requests until DISC, EOF or close.

A reader loop in the connection's task reads requests and starts one task per request, up to
MAX_IN_FLIGHT at a time, so a client may have several requests in flight. Replies go out whole,
in completion order, as the protocol allows: a finished request queues its reply, and the
replies queued while the loop runs one round of callbacks leave in one write (one system call
for 16 small replies instead of 16).
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import logging
import ssl
import struct
from collections.abc import Callable, Iterable

from guimirror.engine.nbd import commands
from guimirror.engine.nbd.commands import Request, RequestError
from guimirror.engine.nbd.export import NbdExport
from guimirror.engine.nbd.handshake import (
    HANDSHAKE_TIMEOUT,
    Handshake,
    HandshakeError,
    Negotiated,
)
from guimirror.nbd import protocol as p

logger = logging.getLogger(__name__)

MAX_IN_FLIGHT = 16
"""Requests of one client running at once; the reader waits for a slot before reading more."""


JOIN_LIMIT = 256 * 1024
"""Reply parts up to this size are copied into one buffer with their neighbours; larger ones
(big READ payloads) are written on their own, without the copy."""

_OFFSET_DATA_HEADER = struct.Struct(">IHHQIQ")
"""A structured reply's header and the OFFSET_DATA chunk's offset, packed at once."""
_DONE = int(p.ReplyFlag.DONE)
_OFFSET_DATA = int(p.ReplyType.OFFSET_DATA)
_READ = int(p.Command.READ)
_WRITE = int(p.Command.WRITE)


class ConnectionState(enum.Enum):
    HANDSHAKE = "handshake"
    TRANSMISSION = "transmission"
    CLOSING = "closing"
    CLOSED = "closed"


CLOSE_TIMEOUT = 5.0
"""Seconds the connection waits for its socket to close (a TLS close_notify may go unanswered)."""


class ClientConnection:
    """A client of the NBD server, from its greeting to its disconnect.

    ``run`` is the connection's task (the stream server's client callback); ``close`` is
    called from another task (block-export-del, nbd-server-stop) and returns once the
    connection's task has finished its in-flight requests and closed the socket.
    """

    def __init__(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        find_export: Callable[[str], NbdExport | None],
        list_exports: Callable[[], Iterable[NbdExport]],
        handshake_timeout: float = HANDSHAKE_TIMEOUT,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self._handshake_timeout = handshake_timeout
        self._tls = tls
        self._reader = reader
        self._writer = writer
        self._find_export = find_export
        self._list_exports = list_exports
        self._loop = asyncio.get_running_loop()
        self._replies: list[bytes] = []
        self._flush_scheduled = False
        self._in_flight: set[asyncio.Task[None]] = set()
        self._slots = asyncio.Semaphore(MAX_IN_FLIGHT)
        self._task: asyncio.Task[None] | None = None
        self._done = asyncio.Event()
        self._reading = False
        self.state = ConnectionState.HANDSHAKE
        self.export: NbdExport | None = None

    async def run(self) -> None:
        """Serve the client until it leaves or ``close`` is called; runs in its own task."""
        self._task = asyncio.current_task()
        self._reading = True
        try:
            negotiated = await self._handshake()
            if negotiated is not None and self.state is ConnectionState.HANDSHAKE:
                self.state = ConnectionState.TRANSMISSION
                self.export = negotiated.export
                negotiated.export.clients.add(self)
                await self._transmission(negotiated)
        except asyncio.CancelledError:
            if self.state is not ConnectionState.CLOSING:
                raise
        finally:
            self._reading = False
            await self._finish()

    async def close(self) -> None:
        """Stop reading, let in-flight requests reply, then close; runs in the caller's task."""
        if self.state is ConnectionState.CLOSED:
            return
        if self.state is not ConnectionState.CLOSING:
            self.state = ConnectionState.CLOSING
            if self._task is None:
                self._writer.close()
                return
            if self._reading and self._task is not asyncio.current_task():
                self._task.cancel()
        await self._done.wait()

    async def _handshake(self) -> Negotiated | None:
        handshake = Handshake(
            self._reader, self._writer, self._find_export, self._list_exports,
            self._handshake_timeout, self._tls,
        )
        try:
            return await handshake.run()
        except (HandshakeError, asyncio.IncompleteReadError, TimeoutError, OSError) as e:
            logger.debug("NBD handshake ended: %s", e)
            return None

    async def _transmission(self, negotiated: Negotiated) -> None:
        reader = self._reader
        try:
            while True:
                header = await reader.readexactly(p.REQUEST.size)
                magic, flags, command, cookie, offset, length = p.REQUEST.unpack(header)
                if magic != p.REQUEST_MAGIC:
                    logger.debug("NBD client sent bad request magic %#x", magic)
                    return
                data = b""
                if command == _WRITE:
                    if length > p.MAX_BUFFER_SIZE:
                        logger.debug("NBD client sent a %d-byte write; disconnecting", length)
                        return
                    data = await reader.readexactly(length)
                elif command == p.Command.DISC:
                    return
                await self._slots.acquire()
                request = Request(flags, command, cookie, offset, length, data)
                task = self._loop.create_task(self._serve(request, negotiated))
                self._in_flight.add(task)
                task.add_done_callback(self._request_done)
        except (asyncio.IncompleteReadError, ConnectionError, ssl.SSLError):
            return

    def _request_done(self, task: asyncio.Task[None]) -> None:
        self._in_flight.discard(task)
        self._slots.release()

    async def _serve(self, request: Request, negotiated: Negotiated) -> None:
        """Run one request and queue its reply; runs in the request's own task.

        The task ends once the reply is queued, unless the socket's send buffer is full: then
        it waits for the client to read (its slot stays taken, so the reader stops reading).
        """
        export = negotiated.export
        structured = negotiated.structured
        try:
            commands.check(request, export, structured, negotiated.base_allocation)
            command = request.command
            if command == _READ:
                self._reply_read(request, structured, await commands.read(export, request))
            elif command == p.Command.BLOCK_STATUS:
                payload = await commands.block_status(export, request)
                header = p.structured_header(
                    request.cookie, p.ReplyType.BLOCK_STATUS, len(payload), True
                )
                self._reply(header, payload)
            else:
                if command == _WRITE:
                    await commands.write(export, request)
                elif command == p.Command.WRITE_ZEROES:
                    await commands.write_zeroes(export, request)
                elif command == p.Command.TRIM:
                    await commands.trim(export, request)
                elif command == p.Command.FLUSH:
                    await commands.flush(export)
                elif command == p.Command.CACHE:
                    await commands.cache(export, request)
                self._reply_done(request, structured)
        except RequestError as error:
            self._reply_error(request, structured, error.errno, error.message)
        except OSError as error:
            message = error.strerror or str(error)
            self._reply_error(request, structured, p.nbd_errno(error.errno), message)
        except Exception as error:
            # A node failing in a way its contract does not name: the client still gets its
            # reply (EIO) and the connection stays usable.
            logger.exception("NBD request %d failed unexpectedly", request.command)
            self._reply_error(request, structured, p.NbdErrno.EIO, str(error))
        if self._writer.transport.get_write_buffer_size():
            with contextlib.suppress(ConnectionError, ssl.SSLError):
                await self._writer.drain()

    def _reply_read(self, request: Request, structured: bool, data: bytes) -> None:
        if not structured:
            self._reply(p.simple_reply(request.cookie), data)
        elif not data:
            self._reply(p.structured_header(request.cookie, p.ReplyType.NONE, 0, True))
        else:
            header = _OFFSET_DATA_HEADER.pack(
                p.STRUCTURED_REPLY_MAGIC, _DONE, _OFFSET_DATA, request.cookie, 8 + len(data),
                request.offset,
            )
            self._reply(header, data)

    def _reply_done(self, request: Request, structured: bool) -> None:
        if structured:
            self._reply(p.structured_header(request.cookie, p.ReplyType.NONE, 0, True))
        else:
            self._reply(p.simple_reply(request.cookie))

    def _reply_error(
        self, request: Request, structured: bool, error: p.NbdErrno, message: str
    ) -> None:
        logger.debug("NBD request %d failed: %s (%s)", request.command, message, error.name)
        if structured:
            self._reply(p.structured_error(request.cookie, error, message))
        else:
            self._reply(p.simple_reply(request.cookie, error))

    def _reply(self, *parts: bytes) -> None:
        """Queue one whole reply; the loop writes it with the others of this round."""
        self._replies.extend(parts)
        if not self._flush_scheduled:
            self._flush_scheduled = True
            self._loop.call_soon(self._flush_replies)

    def _flush_replies(self) -> None:
        """Write every queued reply, small parts joined; a callback in the loop's thread."""
        self._flush_scheduled = False
        parts, self._replies = self._replies, []
        if not parts or self._writer.is_closing():
            return
        small: list[bytes] = []
        for part in parts:
            if len(part) <= JOIN_LIMIT:
                small.append(part)
                continue
            if small:
                self._writer.write(b"".join(small))
                small = []
            self._writer.write(part)
        if small:
            self._writer.write(b"".join(small))

    async def _finish(self) -> None:
        """Wait for in-flight requests, leave the export, close the socket (connection task)."""
        try:
            if self._in_flight:
                await asyncio.gather(*self._in_flight, return_exceptions=True)
        finally:
            self._flush_replies()
            if self.export is not None:
                self.export.clients.discard(self)
            self._writer.close()
            with contextlib.suppress(ConnectionError, OSError, TimeoutError):
                async with asyncio.timeout(CLOSE_TIMEOUT):  # a TLS peer may never answer
                    await self._writer.wait_closed()
            self.state = ConnectionState.CLOSED
            self._done.set()
