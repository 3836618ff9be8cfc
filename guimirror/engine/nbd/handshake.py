# SPDX-License-Identifier: GPL-2.0-or-later
"""The fixed newstyle handshake: greeting, client flags and option haggling up to transmission.

The server side of the options qemu-io, qemu-img, qemu-nbd and nbdinfo send: EXPORT_NAME, GO,
INFO, LIST, ABORT, STRUCTURED_REPLY, LIST_META_CONTEXT and SET_META_CONTEXT (``base:allocation``
only), and STARTTLS when the server has TLS credentials: then every other option before it
is refused with ERR_TLS_REQD (EXPORT_NAME drops the connection), as QEMU's server does.
Without credentials STARTTLS is refused by policy; any other option as unsupported.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from guimirror.engine.nbd.export import NbdExport
from guimirror.nbd import protocol as p

HANDSHAKE_TIMEOUT = 10.0
"""Seconds a client may take from connecting to choosing an export (QEMU's default)."""


@dataclass
class Negotiated:
    """What the handshake settled: the export, the reply style and the meta contexts."""

    export: NbdExport
    structured: bool
    base_allocation: bool


class HandshakeError(Exception):
    """The client broke the protocol or asked to leave; the connection is closed without reply.

    Protocol control flow inside the connection's task: it ends that connection and never
    reaches a user, so it is not a :class:`guimirror.errors.GuimirrorError`.
    """


class _OptionError(Exception):
    """An option the server refuses with an error reply; the handshake goes on (control flow)."""

    def __init__(self, reply: p.OptionReply, message: str) -> None:
        super().__init__(message)
        self.reply = reply
        self.message = message


class Handshake:
    """One client's negotiation; runs in that client's connection task.

    ``find_export`` looks an export up by name (None when there is none); ``list_exports``
    gives every export for NBD_OPT_LIST.
    """

    def __init__(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        find_export: Callable[[str], NbdExport | None],
        list_exports: Callable[[], Iterable[NbdExport]],
        timeout: float = HANDSHAKE_TIMEOUT,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self._timeout = timeout
        self._tls = tls
        self._tls_started = False
        self._reader = reader
        self._writer = writer
        self._find_export = find_export
        self._list_exports = list_exports
        self._no_zeroes = False
        self._structured = False
        self._meta_export: str | None = None

    async def run(self) -> Negotiated:
        """Negotiate up to GO or EXPORT_NAME.

        Raises HandshakeError, IncompleteReadError, or TimeoutError after ``timeout`` seconds.
        """
        async with asyncio.timeout(self._timeout):
            return await self._negotiate()

    async def _negotiate(self) -> Negotiated:
        flags = p.HandshakeFlag.FIXED_NEWSTYLE | p.HandshakeFlag.NO_ZEROES
        self._writer.write(p.GREETING.pack(p.NBDMAGIC, p.IHAVEOPT, flags))
        await self._writer.drain()
        (client_flags,) = p.CLIENT_FLAGS.unpack(await self._reader.readexactly(4))
        known = p.ClientFlag.FIXED_NEWSTYLE | p.ClientFlag.NO_ZEROES
        if client_flags & ~int(known):
            raise HandshakeError(f"unknown client flags {client_flags:#x}")
        self._no_zeroes = bool(client_flags & p.ClientFlag.NO_ZEROES)
        fixed = bool(client_flags & p.ClientFlag.FIXED_NEWSTYLE)
        while True:
            header = await self._reader.readexactly(p.OPTION_HEADER.size)
            magic, option, length = p.OPTION_HEADER.unpack(header)
            if magic != p.IHAVEOPT:
                raise HandshakeError("bad option magic")
            if length > p.MAX_OPTION_LENGTH:
                raise HandshakeError(f"option {option} of {length} bytes is too long")
            data = await self._reader.readexactly(length)
            if option == p.Option.EXPORT_NAME:
                if self._tls is not None and not self._tls_started:
                    raise HandshakeError("EXPORT_NAME before TLS was negotiated")
                return await self._export_name(data)
            if not fixed:
                raise HandshakeError("a client without fixed newstyle may only send EXPORT_NAME")
            try:
                negotiated = await self._option(option, data)
            except _OptionError as error:
                await self._reply(option, error.reply, error.message.encode())
                continue
            if negotiated is not None:
                return negotiated

    async def _option(self, option: int, data: bytes) -> Negotiated | None:
        if option == p.Option.ABORT:
            await self._reply(option, p.OptionReply.ACK)
            raise HandshakeError("client aborted")
        if option == p.Option.LIST:
            await self._list(data)
            return None
        if option == p.Option.STARTTLS:
            await self._starttls(data)
            return None
        if self._tls is not None and not self._tls_started:
            raise _OptionError(
                p.OptionReply.ERR_TLS_REQD, f"Option 0x{option:x} not permitted before TLS"
            )
        if option in (p.Option.INFO, p.Option.GO):
            return await self._info(option, data)
        if option == p.Option.STRUCTURED_REPLY:
            if data:
                raise _OptionError(p.OptionReply.ERR_INVALID, "no payload expected in option")
            if self._structured:
                raise _OptionError(p.OptionReply.ERR_INVALID, "structured reply already negotiated")
            self._structured = True
            await self._reply(option, p.OptionReply.ACK)
            return None
        if option in (p.Option.LIST_META_CONTEXT, p.Option.SET_META_CONTEXT):
            await self._meta_context(option, data)
            return None
        raise _OptionError(p.OptionReply.ERR_UNSUP, f"Unsupported option {option}")

    async def _starttls(self, data: bytes) -> None:
        """Reply ACK, then run the TLS handshake on the connection (ssl.SSLError if it fails)."""
        if self._tls is None:
            raise _OptionError(p.OptionReply.ERR_POLICY, "TLS not configured")
        if self._tls_started:
            raise _OptionError(p.OptionReply.ERR_INVALID, "TLS already enabled")
        if data:
            raise _OptionError(p.OptionReply.ERR_INVALID, "no payload expected in option")
        await self._reply(p.Option.STARTTLS, p.OptionReply.ACK)
        await self._writer.start_tls(self._tls)
        self._tls_started = True

    async def _export_name(self, data: bytes) -> Negotiated:
        export = self._find_export(data.decode(errors="replace"))
        if export is None:
            raise HandshakeError("EXPORT_NAME of an unknown export")
        flags = export.transmission_flags(self._structured)
        reply = p.EXPORT_NAME_REPLY.pack(export.size, flags)
        if not self._no_zeroes:
            reply += bytes(124)
        self._writer.write(reply)
        await self._writer.drain()
        return self._negotiated(export)

    async def _list(self, data: bytes) -> None:
        if data:
            raise _OptionError(p.OptionReply.ERR_INVALID, "no payload expected in option")
        for export in self._list_exports():
            name = export.name.encode()
            payload = p.U32.pack(len(name)) + name + export.description.encode()
            await self._reply(p.Option.LIST, p.OptionReply.SERVER, payload)
        await self._reply(p.Option.LIST, p.OptionReply.ACK)

    async def _info(self, option: int, data: bytes) -> Negotiated | None:
        reader = _Payload(data)
        name = reader.string()
        count = reader.u16()
        requests = [reader.u16() for _ in range(count)]
        reader.end()
        export = self._find_export(name)
        if export is None:
            raise _OptionError(p.OptionReply.ERR_UNKNOWN, f"export '{name}' not present")
        if p.Info.NAME in requests:
            await self._reply(option, p.OptionReply.INFO, p.U16.pack(p.Info.NAME) + name.encode())
        if p.Info.DESCRIPTION in requests and export.description:
            description = p.U16.pack(p.Info.DESCRIPTION) + export.description.encode()
            await self._reply(option, p.OptionReply.INFO, description)
        # As QEMU: the real minimum only to a client that will obey it, else 1 (the nodes
        # handle unaligned requests themselves).
        will_obey = option == p.Option.INFO or p.Info.BLOCK_SIZE in requests
        minimum = export.minimum_block_size if will_obey else 1
        block_size = p.INFO_BLOCK_SIZE.pack(
            p.Info.BLOCK_SIZE, minimum, max(p.PREFERRED_BLOCK_SIZE, minimum), p.MAX_BUFFER_SIZE
        )
        await self._reply(option, p.OptionReply.INFO, block_size)
        flags = export.transmission_flags(self._structured)
        info = p.INFO_EXPORT.pack(p.Info.EXPORT, export.size, flags)
        await self._reply(option, p.OptionReply.INFO, info)
        await self._reply(option, p.OptionReply.ACK)
        if option == p.Option.GO:
            return self._negotiated(export)
        return None

    async def _meta_context(self, option: int, data: bytes) -> None:
        reader = _Payload(data)
        name = reader.string()
        count = reader.u32()
        queries = [reader.string() for _ in range(count)]
        reader.end()
        if option == p.Option.SET_META_CONTEXT and not self._structured:
            raise _OptionError(
                p.OptionReply.ERR_INVALID, "request option 'SET_META_CONTEXT' when structured "
                "reply is not negotiated"
            )
        if self._find_export(name) is None:
            raise _OptionError(p.OptionReply.ERR_UNKNOWN, f"export '{name}' not present")
        if option == p.Option.LIST_META_CONTEXT:
            selected = not queries or any(q in ("base:", p.BASE_ALLOCATION) for q in queries)
        else:
            selected = p.BASE_ALLOCATION in queries
            self._meta_export = name if selected else None
        if selected:
            payload = p.U32.pack(p.BASE_ALLOCATION_ID) + p.BASE_ALLOCATION.encode()
            await self._reply(option, p.OptionReply.META_CONTEXT, payload)
        await self._reply(option, p.OptionReply.ACK)

    def _negotiated(self, export: NbdExport) -> Negotiated:
        base_allocation = self._structured and self._meta_export == export.name
        return Negotiated(export, self._structured, base_allocation)

    async def _reply(self, option: int, reply: p.OptionReply, payload: bytes = b"") -> None:
        self._writer.write(p.option_reply(option, reply, payload))
        await self._writer.drain()


class _Payload:
    """Reads the fields of one option's payload; a short or overlong payload is ERR_INVALID."""

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._at = 0

    def _take(self, count: int) -> bytes:
        if self._at + count > len(self._data):
            raise _OptionError(p.OptionReply.ERR_INVALID, "option payload is too short")
        chunk = self._data[self._at : self._at + count]
        self._at += count
        return chunk

    def u16(self) -> int:
        value: int = p.U16.unpack(self._take(2))[0]
        return value

    def u32(self) -> int:
        value: int = p.U32.unpack(self._take(4))[0]
        return value

    def string(self) -> str:
        length = self.u32()
        if length > p.MAX_STRING_SIZE:
            raise _OptionError(p.OptionReply.ERR_INVALID, "string in option is too long")
        return self._take(length).decode(errors="replace")

    def end(self) -> None:
        if self._at != len(self._data):
            raise _OptionError(p.OptionReply.ERR_INVALID, "option payload has trailing bytes")
