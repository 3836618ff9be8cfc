# SPDX-License-Identifier: GPL-2.0-or-later
"""The client's send path over TCP to qemu-nbd: buffers the caller reuses at once, a write
cancelled once sent, and the enlarged socket send buffer."""

from __future__ import annotations

import asyncio
import socket
import subprocess
from pathlib import Path

import pytest

from guimirror.nbd.client import NBDClient
from tests.nbd.test_export_lifecycle import image
from tests.support import require_tools

MiB = 1024 * 1024
WRITERS = 8
WRITES_EACH = 4
WRITE_SIZE = 2 * MiB
"""64 MiB in all, many times what the socket holds: most of it waits in the transport."""
WMEM_MAX = Path("/proc/sys/net/core/wmem_max")


def pattern(index: int) -> bytes:
    return bytes([index % 251 + 1]) * WRITE_SIZE


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def connect(port: int) -> NBDClient:
    """Connect to qemu-nbd on ``port`` once it listens."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 20
    while True:
        client = NBDClient()
        try:
            await client.connect("disk", host="127.0.0.1", port=port)
            return client
        except OSError:
            if loop.time() > deadline:
                raise
            await asyncio.sleep(0.05)


@pytest.fixture
def qemu_nbd(tmp_path: Path):  # type: ignore[no-untyped-def]
    require_tools("qemu-nbd")
    disk = image(tmp_path / "disk.raw", WRITERS * WRITES_EACH * WRITE_SIZE + WRITE_SIZE)
    port = free_port()
    server = subprocess.Popen(
        ["qemu-nbd", "-f", "raw", "-x", "disk", "-b", "127.0.0.1", "-p", str(port),
         "--cache=writeback", str(disk)],
        stderr=subprocess.DEVNULL,
    )
    try:
        yield disk, port
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.mark.qemu
def test_buffers_reused_as_soon_as_each_write_returns_reach_qemu_nbd_intact(
    qemu_nbd: tuple[Path, int],
) -> None:
    disk, port = qemu_nbd

    async def writer(client: NBDClient, first: int) -> None:
        buffer = bytearray(WRITE_SIZE)
        for index in range(first, first + WRITES_EACH):
            buffer[:] = pattern(index)
            await client.pwrite(index * WRITE_SIZE, buffer)
            buffer[:] = bytes(WRITE_SIZE)  # garbage, had the transport kept a reference

    async def scenario() -> None:
        client = await connect(port)
        try:
            sock = client._writer.get_extra_info("socket")  # type: ignore[union-attr]
            wmem_max = int(await asyncio.to_thread(WMEM_MAX.read_text))
            assert sock.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF) >= min(
                2 * NBDClient.SEND_BUFFER, 2 * wmem_max
            )
            await asyncio.gather(*(writer(client, w * WRITES_EACH) for w in range(WRITERS)))
            await client.flush()
        finally:
            await client.close()

    asyncio.run(scenario())
    data = disk.read_bytes()
    for index in range(WRITERS * WRITES_EACH):
        assert data[index * WRITE_SIZE : (index + 1) * WRITE_SIZE] == pattern(index), index


@pytest.mark.qemu
def test_a_write_cancelled_once_sent_lands_whole_and_the_connection_stays_usable(
    qemu_nbd: tuple[Path, int],
) -> None:
    disk, port = qemu_nbd
    last = WRITERS * WRITES_EACH

    async def scenario() -> None:
        client = await connect(port)
        try:
            buffer = bytearray(pattern(1))
            # Ahead of it, enough data that the cancelled write's payload waits in the transport.
            ahead = [
                asyncio.create_task(client.pwrite(i * WRITE_SIZE, pattern(2))) for i in range(8)
            ]
            cancelled = asyncio.create_task(client.pwrite(last * WRITE_SIZE, buffer))
            await asyncio.sleep(0)  # both tasks have sent their requests: now cancel one
            cancelled.cancel()
            buffer[:] = pattern(3)
            with pytest.raises(asyncio.CancelledError):
                await cancelled
            await asyncio.gather(*ahead)
            await client.flush()
            assert client.connected
            assert await client.pread(last * WRITE_SIZE, WRITE_SIZE) == pattern(1)
        finally:
            await client.close()

    asyncio.run(scenario())
    assert disk.read_bytes()[last * WRITE_SIZE :] == pattern(1)
