# SPDX-License-Identifier: GPL-2.0-or-later
"""The client's side of NBD's fixed newstyle handshake, up to transmission.

In the order QEMU's client sends them: STARTTLS (when TLS is asked for, then the rest goes
over TLS), STRUCTURED_REPLY, SET_META_CONTEXT ``base:allocation``, and GO with a request for
the block sizes. A server that refuses structured replies or the meta context is still
served, with simple replies and no block status.
"""

from __future__ import annotations

import asyncio
import ssl
from dataclasses import dataclass

from guimirror.errors import GuimirrorError
from guimirror.nbd import protocol as p


class NBDError(GuimirrorError):
    """The server refused an option or a command, or broke the protocol; the text says which."""


@dataclass
class ExportInfo:
    """What the handshake learnt of the export and settled with the server."""

    size: int = 0
    flags: int = 0
    structured: bool = False
    base_allocation_id: int | None = None
    minimum_block: int = 1
    preferred_block: int = p.PREFERRED_BLOCK_SIZE
    maximum_block: int = p.MAX_BUFFER_SIZE

    @property
    def read_only(self) -> bool:
        return bool(self.flags & p.TransmissionFlag.READ_ONLY)

    def can(self, flag: p.TransmissionFlag) -> bool:
        return bool(self.flags & flag)


class _Refused(NBDError):
    def __init__(self, reply: int, message: str) -> None:
        super().__init__(message)
        self.reply = reply


class ClientHandshake:
    """Negotiates one connection; runs in the task that opens the client."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._reader = reader
        self._writer = writer

    async def run(
        self,
        export: str,
        tls: ssl.SSLContext | None = None,
        tls_hostname: str | None = None,
    ) -> ExportInfo:
        """Greeting to GO; with ``tls`` the connection is upgraded first (NBD_OPT_STARTTLS)."""
        head = await self._reader.readexactly(p.GREETING.size)
        magic, option_magic, flags = p.GREETING.unpack(head)
        if magic != p.NBDMAGIC or option_magic != p.IHAVEOPT:
            raise NBDError("the server does not speak NBD's newstyle handshake")
        if not flags & p.HandshakeFlag.FIXED_NEWSTYLE:
            raise NBDError("the server does not offer the fixed newstyle handshake")
        self._writer.write(
            p.CLIENT_FLAGS.pack(flags & (p.ClientFlag.FIXED_NEWSTYLE | p.ClientFlag.NO_ZEROES))
        )
        if tls is not None:
            await self._starttls(tls, tls_hostname)
        info = ExportInfo()
        info.structured = await self._structured_reply()
        if info.structured:
            info.base_allocation_id = await self._set_meta_context(export)
        await self._go(export, info)
        return info

    async def _starttls(self, context: ssl.SSLContext, hostname: str | None) -> None:
        try:
            await self._option(p.Option.STARTTLS)
        except _Refused as exc:
            raise NBDError(f"Server don't support STARTTLS option: {exc}") from exc
        await self._writer.start_tls(context, server_hostname=hostname)

    async def _structured_reply(self) -> bool:
        try:
            await self._option(p.Option.STRUCTURED_REPLY)
        except _Refused as exc:
            _raise_if_tls_required(exc, p.Option.STRUCTURED_REPLY)
            return False
        return True

    async def _set_meta_context(self, export: str) -> int | None:
        name = export.encode()
        context = p.BASE_ALLOCATION.encode()
        data = p.U32.pack(len(name)) + name + p.U32.pack(1) + p.U32.pack(len(context)) + context
        try:
            replies = await self._option(p.Option.SET_META_CONTEXT, data)
        except _Refused:
            return None
        for reply, payload in replies:
            if reply == p.OptionReply.META_CONTEXT and payload[4:] == context:
                return int(p.U32.unpack(payload[:4])[0])
        return None

    async def _go(self, export: str, info: ExportInfo) -> None:
        name = export.encode()
        data = p.U32.pack(len(name)) + name + p.U16.pack(1) + p.U16.pack(p.Info.BLOCK_SIZE)
        try:
            replies = await self._option(p.Option.GO, data)
        except _Refused as exc:
            _raise_if_tls_required(exc, p.Option.GO)
            raise NBDError(f"export '{export}' refused: {exc}") from exc
        for reply, payload in replies:
            if reply != p.OptionReply.INFO or len(payload) < 2:
                continue
            kind = p.U16.unpack(payload[:2])[0]
            if kind == p.Info.EXPORT and len(payload) >= p.INFO_EXPORT.size:
                _kind, info.size, flags = p.INFO_EXPORT.unpack(payload[: p.INFO_EXPORT.size])
                info.flags = flags
            elif kind == p.Info.BLOCK_SIZE and len(payload) >= p.INFO_BLOCK_SIZE.size:
                _kind, minimum, preferred, maximum = p.INFO_BLOCK_SIZE.unpack(
                    payload[: p.INFO_BLOCK_SIZE.size]
                )
                info.minimum_block = max(1, minimum)
                info.preferred_block = preferred
                info.maximum_block = min(maximum, p.MAX_BUFFER_SIZE)

    async def _option(self, option: p.Option, data: bytes = b"") -> list[tuple[int, bytes]]:
        """Send one option; the replies up to its ACK. An error reply raises _Refused."""
        self._writer.write(p.OPTION_HEADER.pack(p.IHAVEOPT, option, len(data)) + data)
        await self._writer.drain()
        replies: list[tuple[int, bytes]] = []
        while True:
            header = await self._reader.readexactly(p.OPTION_REPLY_HEADER.size)
            magic, replied, reply, length = p.OPTION_REPLY_HEADER.unpack(header)
            if magic != p.OPTION_REPLY_MAGIC or replied != option:
                raise NBDError("the server sent a malformed option reply")
            if length > p.MAX_OPTION_LENGTH:
                raise NBDError("the server sent an option reply too long to be one")
            payload = await self._reader.readexactly(length) if length else b""
            if reply & p.OPTION_REPLY_ERROR:
                message = payload.decode(errors="replace") or _reply_name(reply)
                raise _Refused(reply, message)
            if reply == p.OptionReply.ACK:
                return replies
            replies.append((reply, payload))


def _raise_if_tls_required(refused: _Refused, option: p.Option) -> None:
    """QEMU's words for a server that wants TLS from a client without tls-creds."""
    if refused.reply == p.OptionReply.ERR_TLS_REQD:
        raise NBDError(
            f"TLS negotiation required before option {int(option)} ({option.name.lower()})\n"
            f"Did you forget a valid tls-creds?\nserver reported: {refused}"
        ) from refused


def _reply_name(reply: int) -> str:
    try:
        return p.OptionReply(reply).name.lower().replace("_", " ")
    except ValueError:
        return f"error {reply & ~p.OPTION_REPLY_ERROR}"
