# SPDX-License-Identifier: GPL-2.0-or-later
"""Random writes, zeroes and trims through an export land in the file exactly as a bytearray
model says; pipelined reads of the whole export then return the model's bytes."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from guimirror.engine.engine import Engine
from guimirror.nbd import protocol as p
from tests.nbd.raw_client import RawClient
from tests.nbd.tools import command

SIZE = 256 * 1024
BLOCK = 4096

offsets = st.integers(0, SIZE - 1)
operations = st.lists(
    st.one_of(
        st.tuples(st.just("write"), offsets, st.integers(1, 20000), st.integers(1, 255),
                  st.booleans()),
        st.tuples(st.just("zero"), offsets, st.integers(1, 40000), st.booleans()),
        st.tuples(st.just("trim"), st.integers(0, SIZE // BLOCK - 1), st.integers(1, 8)),
    ),
    min_size=1,
    max_size=25,
)


async def play(directory: Path, ops: list[tuple[Any, ...]]) -> tuple[bytes, bytes, bytes]:
    disk = directory / "disk.raw"
    with disk.open("wb") as f:
        f.write(bytes(range(256)) * (SIZE // 256))
    model = bytearray(disk.read_bytes())
    engine = Engine()
    try:
        await command(engine, "blockdev-add", {"driver": "file", "node-name": "f0",
                                               "filename": str(disk), "discard": "unmap"})
        await command(engine, "blockdev-add", {"driver": "raw", "node-name": "disk",
                                               "file": "f0", "discard": "unmap"})
        await command(engine, "nbd-server-start",
                      {"addr": {"type": "unix", "data": {"path": str(directory / "s")}}})
        await command(engine, "block-export-add", {"type": "nbd", "id": "e0",
                                                   "node-name": "disk", "writable": True})
        client = await RawClient.connect(str(directory / "s"))
        await client.go("disk", structured=True)
        for op in ops:
            if op[0] == "write":
                _, offset, length, byte, fua = op
                length = min(length, SIZE - offset)
                flags = p.CommandFlag.FUA if fua else 0
                reply = await client.request(p.Command.WRITE, offset, data=bytes([byte]) * length,
                                             flags=flags)
                model[offset : offset + length] = bytes([byte]) * length
            elif op[0] == "zero":
                _, offset, length, no_hole = op
                length = min(length, SIZE - offset)
                flags = p.CommandFlag.NO_HOLE if no_hole else 0
                reply = await client.request(p.Command.WRITE_ZEROES, offset, length, flags=flags)
                model[offset : offset + length] = bytes(length)
            else:
                _, block, count = op
                offset, length = block * BLOCK, min(count * BLOCK, SIZE - block * BLOCK)
                reply = await client.request(p.Command.TRIM, offset, length)
                model[offset : offset + length] = bytes(length)
            assert reply.error == 0, (op, reply)
        chunk = SIZE // 16
        for cookie in range(16):
            client.send(p.Command.READ, cookie, cookie * chunk, chunk)
        replies = [await client.reply() for _ in range(16)]
        read = b"".join(r.data for r in sorted(replies, key=lambda r: r.cookie))
        await client.close()
    finally:
        await engine.close()
    return bytes(model), read, disk.read_bytes()


@settings(max_examples=15, deadline=None)
@given(ops=operations)
def test_random_io_through_an_export_matches_a_model(ops: list[tuple[Any, ...]]) -> None:
    with tempfile.TemporaryDirectory(prefix="nbd-", dir="/tmp") as directory:
        model, read, file_bytes = asyncio.run(play(Path(directory), ops))
    assert read == model
    assert file_bytes == model
