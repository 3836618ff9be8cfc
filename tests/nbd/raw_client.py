# SPDX-License-Identifier: GPL-2.0-or-later
"""A small NBD client written from the spec, for what the real clients never send.

The real clients (qemu-io, qemu-img, nbdinfo) drive the common paths; this one sends requests
back to back, malformed options and out-of-range commands, and reads the raw replies.
"""

from __future__ import annotations

import asyncio
import contextlib
import struct
from dataclasses import dataclass

from guimirror.nbd import protocol as p


@dataclass
class OptionAnswer:
    reply: int
    payload: bytes


@dataclass
class Reply:
    """One reply: ``error`` is the NBD errno (0 on success); ``data`` a READ's bytes or a
    BLOCK_STATUS payload; ``message`` the text of a structured error."""

    cookie: int
    error: int
    data: bytes = b""
    message: str = ""


class RawClient:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.structured = False
        self.size = 0
        self.flags = 0

    @classmethod
    async def connect(cls, path: str, no_zeroes: bool = True) -> RawClient:
        reader, writer = await asyncio.open_unix_connection(path)
        client = cls(reader, writer)
        magic, opt_magic, _flags = p.GREETING.unpack(await reader.readexactly(p.GREETING.size))
        assert (magic, opt_magic) == (p.NBDMAGIC, p.IHAVEOPT)
        flags = p.ClientFlag.FIXED_NEWSTYLE | (p.ClientFlag.NO_ZEROES if no_zeroes else 0)
        writer.write(p.CLIENT_FLAGS.pack(flags))
        return client

    def send_option(self, option: int, payload: bytes = b"") -> None:
        self.writer.write(p.OPTION_HEADER.pack(p.IHAVEOPT, option, len(payload)) + payload)

    async def read_option_reply(self) -> OptionAnswer:
        header = await self.reader.readexactly(p.OPTION_REPLY_HEADER.size)
        magic, _option, reply, length = p.OPTION_REPLY_HEADER.unpack(header)
        assert magic == p.OPTION_REPLY_MAGIC
        return OptionAnswer(reply, await self.reader.readexactly(length))

    async def option(self, option: int, payload: bytes = b"") -> list[OptionAnswer]:
        """Send one option and collect its replies up to ACK or an error."""
        self.send_option(option, payload)
        answers = []
        while True:
            answer = await self.read_option_reply()
            answers.append(answer)
            if answer.reply == p.OptionReply.ACK or answer.reply & (1 << 31):
                return answers

    async def go(self, name: str, structured: bool = True, meta: bool = False) -> None:
        if structured:
            assert (await self.option(p.Option.STRUCTURED_REPLY))[-1].reply == p.OptionReply.ACK
            self.structured = True
        if meta:
            query = p.BASE_ALLOCATION.encode()
            payload = name_payload(name) + p.U32.pack(1) + p.U32.pack(len(query)) + query
            answers = await self.option(p.Option.SET_META_CONTEXT, payload)
            assert answers[-1].reply == p.OptionReply.ACK
        answers = await self.option(p.Option.GO, name_payload(name) + p.U16.pack(0))
        assert answers[-1].reply == p.OptionReply.ACK, answers
        for answer in answers:
            if answer.reply == p.OptionReply.INFO and answer.payload[:2] == b"\0\0":
                _, self.size, self.flags = p.INFO_EXPORT.unpack(answer.payload)

    def send(
        self, command: int, cookie: int, offset: int = 0, length: int = 0, data: bytes = b"",
        flags: int = 0,
    ) -> None:
        if command == p.Command.WRITE:
            length = len(data)
        header = p.REQUEST.pack(p.REQUEST_MAGIC, flags, command, cookie, offset, length)
        self.writer.write(header + data)

    async def reply(self, read_length: int = 0) -> Reply:
        """Read one whole reply; ``read_length`` is needed for a simple reply to a READ."""
        (magic,) = struct.unpack(">I", await self.reader.readexactly(4))
        if magic == p.SIMPLE_REPLY_MAGIC:
            error, cookie = struct.unpack(">IQ", await self.reader.readexactly(12))
            data = await self.reader.readexactly(read_length) if not error else b""
            return Reply(cookie, error, data)
        assert magic == p.STRUCTURED_REPLY_MAGIC, hex(magic)
        reply = Reply(0, 0)
        while True:
            flags, kind, cookie, length = struct.unpack(">HHQI", await self.reader.readexactly(16))
            payload = await self.reader.readexactly(length)
            reply.cookie = cookie
            if kind == p.ReplyType.OFFSET_DATA:
                reply.data += payload[8:]
            elif kind == p.ReplyType.OFFSET_HOLE:
                reply.data += bytes(p.U32.unpack(payload[8:12])[0])
            elif kind == p.ReplyType.BLOCK_STATUS:
                reply.data += payload
            elif kind == p.ReplyType.ERROR:
                reply.error = p.U32.unpack(payload[:4])[0]
                (size,) = p.U16.unpack(payload[4:6])
                reply.message = payload[6 : 6 + size].decode()
            if flags & p.ReplyFlag.DONE:
                return reply
            (magic,) = struct.unpack(">I", await self.reader.readexactly(4))
            assert magic == p.STRUCTURED_REPLY_MAGIC

    async def request(self, command: int, offset: int = 0, length: int = 0, data: bytes = b"",
                      flags: int = 0) -> Reply:
        self.send(command, 1, offset, length, data, flags)
        return await self.reply(length if command == p.Command.READ else 0)

    async def close(self) -> None:
        self.writer.close()
        with contextlib.suppress(ConnectionError):
            await self.writer.wait_closed()


def name_payload(name: str) -> bytes:
    encoded = name.encode()
    return p.U32.pack(len(encoded)) + encoded
