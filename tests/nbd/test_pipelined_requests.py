# SPDX-License-Identifier: GPL-2.0-or-later
"""Many requests in flight on one connection: every cookie is answered once, with its own data
or its own error, whatever order the replies leave in (they are batched into shared writes);
a FLUSH sent behind writes is answered, and qemu-io's asynchronous requests land in the file."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from guimirror.engine.engine import Engine
from guimirror.nbd import protocol as p
from tests.nbd.raw_client import RawClient, Reply
from tests.nbd.tools import command, nbd_uri, run
from tests.support import require_tools

BLOCK = 4096
BLOCKS = 96
SIZE = BLOCKS * BLOCK
TIMEOUT = 30.0


def pattern(block: int) -> bytes:
    """Block ``block``'s new content: distinct per block and per byte within it."""
    return bytes((block * 7 + i) % 251 for i in range(BLOCK))


@asynccontextmanager
async def exported(directory: Path) -> AsyncIterator[Path]:
    disk = directory / "disk.raw"
    disk.write_bytes(bytes(SIZE))
    engine = Engine()
    socket_path = directory / "nbd.sock"
    try:
        await command(engine, "blockdev-add", {"driver": "file", "node-name": "disk",
                                               "filename": str(disk)})
        await command(engine, "nbd-server-start",
                      {"addr": {"type": "unix", "data": {"path": str(socket_path)}}})
        await command(engine, "block-export-add", {"type": "nbd", "id": "e0",
                                                   "node-name": "disk", "writable": True})
        yield socket_path
    finally:
        await engine.close()


async def replies(client: RawClient, count: int, read_length: int = 0) -> dict[int, Reply]:
    """``count`` replies by cookie; a cookie answered twice fails the test."""
    answered: dict[int, Reply] = {}
    async with asyncio.timeout(TIMEOUT):
        for _ in range(count):
            reply = await client.reply(read_length)
            assert reply.cookie not in answered, f"cookie {reply.cookie} answered twice"
            answered[reply.cookie] = reply
    return answered


@pytest.mark.parametrize("structured", [True, False], ids=["structured", "simple"])
def test_requests_in_flight_are_each_answered_once(tmp_path: Path, structured: bool) -> None:
    async def scenario() -> bytes:
        async with exported(tmp_path) as socket_path:
            client = await RawClient.connect(str(socket_path))
            await client.go("disk", structured=structured)
            for block in range(BLOCKS):  # every write sent before any reply is read
                client.send(p.Command.WRITE, block, block * BLOCK, data=pattern(block))
            client.send(p.Command.FLUSH, 10_000)
            written = await replies(client, BLOCKS + 1)
            assert sorted(written) == [*range(BLOCKS), 10_000]
            assert all(reply.error == 0 for reply in written.values())

            if structured:
                # reads in reverse, each followed by one past the end: data and EINVAL mixed
                for block in reversed(range(BLOCKS)):
                    client.send(p.Command.READ, 20_000 + block, block * BLOCK, BLOCK)
                    client.send(p.Command.READ, 30_000 + block, SIZE - BLOCK + 1, BLOCK)
                read = await replies(client, 2 * BLOCKS)
                for block in range(BLOCKS):
                    assert read[20_000 + block].error == 0
                    assert read[20_000 + block].data == pattern(block), block
                    assert read[30_000 + block].error == p.NbdErrno.EINVAL
                    assert "exceeds size" in read[30_000 + block].message
            else:
                # a simple reply does not say its length: only same-size reads can pipeline
                for block in reversed(range(BLOCKS)):
                    client.send(p.Command.READ, 20_000 + block, block * BLOCK, BLOCK)
                read = await replies(client, BLOCKS, read_length=BLOCK)
                assert {c - 20_000: r.data for c, r in read.items()} == {
                    block: pattern(block) for block in range(BLOCKS)
                }
            await client.close()
        return (tmp_path / "disk.raw").read_bytes()

    assert asyncio.run(scenario()) == b"".join(pattern(block) for block in range(BLOCKS))


def test_qemu_io_asynchronous_requests_land_in_the_file(tmp_path: Path) -> None:
    require_tools("qemu-io")
    writes = [f"aio_write -P {0x40 + block} {block * BLOCK} {BLOCK}" for block in range(32)]
    reads = [f"aio_read -P {0x40 + block} {block * BLOCK} {BLOCK}" for block in range(32)]
    script = [*writes, "aio_flush", *reads, "aio_flush"]

    async def scenario() -> str:
        async with exported(tmp_path) as socket_path:
            argv = ["qemu-io", "-f", "raw"]
            for line in script:
                argv += ["-c", line]
            result = await run(*argv, nbd_uri(socket_path, "disk"))
            assert result.returncode == 0, result.output
            return result.output

    output = asyncio.run(scenario())
    assert "Pattern verification failed" not in output
    assert output.count("wrote 4096/4096 bytes") == 32
    assert output.count("read 4096/4096 bytes") == 32
    data = (tmp_path / "disk.raw").read_bytes()
    for block in range(32):
        assert data[block * BLOCK : (block + 1) * BLOCK] == bytes([0x40 + block]) * BLOCK
