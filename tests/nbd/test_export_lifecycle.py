# SPDX-License-Identifier: GPL-2.0-or-later
"""Exports of the engine across their life: a mirror's pivot, DISC, connection limits, and
clients that break the protocol. Real nodes over real files, real NBD clients."""

from __future__ import annotations

import asyncio
import struct
from pathlib import Path
from typing import Any

import pytest

from guimirror.engine.engine import Engine
from guimirror.engine.nbd import NbdServer
from guimirror.nbd import protocol as p
from tests.nbd.raw_client import RawClient
from tests.nbd.tools import command, nbd_uri, run
from tests.support import require_tools, wait_until

MiB = 1024 * 1024


async def raw_node(engine: Engine, name: str, path: Path) -> None:
    await command(engine, "blockdev-add", {"driver": "file", "node-name": f"{name}-file",
                                           "filename": str(path)})
    await command(engine, "blockdev-add", {"driver": "raw", "node-name": name,
                                           "file": f"{name}-file"})


async def start_server(engine: Engine, socket_path: Path, **extra: Any) -> None:
    await command(engine, "nbd-server-start",
                  {"addr": {"type": "unix", "data": {"path": str(socket_path)}}, **extra})


async def export(engine: Engine, export_id: str, node: str, **extra: Any) -> None:
    await command(engine, "block-export-add",
                  {"type": "nbd", "id": export_id, "node-name": node, **extra})


def image(path: Path, size: int, fill: int = 0) -> Path:
    with path.open("wb") as f:
        if fill:
            f.write(bytes([fill]) * size)
        f.truncate(size)
    return path


@pytest.mark.qemu
def test_export_of_a_mirrored_source_serves_the_target_after_the_pivot(
    tmp_path: Path, sock_dir: Path
) -> None:
    require_tools("qemu-io", "qemu-img")
    src = image(tmp_path / "src.raw", 4 * MiB, fill=0x11)
    tgt = image(tmp_path / "tgt.raw", 4 * MiB)
    sock = sock_dir / "nbd.sock"
    uri = nbd_uri(sock, "src")

    async def scenario() -> list[str]:
        engine = Engine()
        events: list[Any] = []
        engine.add_event_listener(events.append)
        try:
            await raw_node(engine, "src", src)
            await raw_node(engine, "tgt", tgt)
            await start_server(engine, sock)
            await export(engine, "exp0", "src", name="src", writable=True)
            await command(engine, "blockdev-mirror", {"job-id": "j0", "device": "src",
                                                      "target": "tgt", "sync": "full",
                                                      "speed": 8 * MiB})
            during = await run("qemu-io", "-f", "raw", "-c", "write -P 0x22 3M 256k", uri)
            assert during.returncode == 0, during.output
            await wait_until(lambda: any(type(e).EVENT == "BLOCK_JOB_READY" for e in events))
            ready = await run("qemu-io", "-f", "raw", "-c", "write -P 0x33 0 64k", uri)
            assert ready.returncode == 0, ready.output
            await command(engine, "job-complete", {"id": "j0"})
            await wait_until(lambda: any(type(e).EVENT == "BLOCK_JOB_COMPLETED" for e in events))
            exports = [info.to_qmp() for info in await command(engine, "query-block-exports")]
            assert exports == [{"id": "exp0", "type": "nbd", "node-name": "tgt",
                                "shutting-down": False}]
            compare = await run("qemu-img", "compare", "-f", "raw", "-F", "raw", uri, str(tgt))
            assert compare.returncode == 0, compare.output
            after = await run("qemu-io", "-f", "raw", "-c", "write -P 0x44 1M 64k", uri)
            assert after.returncode == 0, after.output
            return [compare.output]
        finally:
            await engine.close()

    (compare,) = asyncio.run(scenario())
    assert "Images are identical." in compare
    source, target = src.read_bytes(), tgt.read_bytes()
    assert target[3 * MiB : 3 * MiB + 256 * 1024] == b"\x22" * 256 * 1024
    assert target[0 : 64 * 1024] == b"\x33" * 64 * 1024
    assert target[1 * MiB : 1 * MiB + 64 * 1024] == b"\x44" * 64 * 1024
    assert source[1 * MiB : 1 * MiB + 64 * 1024] == b"\x11" * 64 * 1024, "wrote the old source"
    assert source[0 : 64 * 1024] == b"\x33" * 64 * 1024


def test_disc_answers_requests_in_flight_then_closes(tmp_path: Path, sock_dir: Path) -> None:
    disk = image(tmp_path / "disk.raw", MiB)

    async def scenario() -> tuple[int, bytes]:
        engine = Engine()
        try:
            await raw_node(engine, "disk", disk)
            await start_server(engine, sock_dir / "nbd.sock")
            await export(engine, "e0", "disk", writable=True)
            client = await RawClient.connect(str(sock_dir / "nbd.sock"))
            await client.go("disk")
            client.send(p.Command.WRITE, 7, 4096, data=b"d" * 8192)
            client.send(p.Command.DISC, 8)
            reply = await client.reply()
            end = await asyncio.wait_for(client.reader.read(1), 5)
            await client.close()
            return reply.error, end
        finally:
            await engine.close()

    error, end = asyncio.run(scenario())
    assert (error, end) == (0, b"")
    assert disk.read_bytes()[4096 : 4096 + 8192] == b"d" * 8192


def test_max_connections_holds_further_clients_until_one_leaves(
    tmp_path: Path, sock_dir: Path
) -> None:
    disk = image(tmp_path / "disk.raw", MiB)
    sock = str(sock_dir / "nbd.sock")

    async def scenario() -> None:
        engine = Engine()
        try:
            await raw_node(engine, "disk", disk)
            await start_server(engine, sock_dir / "nbd.sock", **{"max-connections": 1})
            await export(engine, "e0", "disk")
            first = await RawClient.connect(sock)
            await first.go("disk")
            second_task = asyncio.create_task(RawClient.connect(sock))
            await asyncio.sleep(0.3)
            assert not second_task.done(), "a second client was greeted beyond max-connections"
            await first.close()
            second = await asyncio.wait_for(second_task, 5)
            await second.go("disk")
            assert (await second.request(p.Command.READ, 0, 512)).error == 0
            await second.close()
        finally:
            await engine.close()

    asyncio.run(scenario())


@pytest.mark.parametrize(
    "rude",
    [
        pytest.param(struct.pack(">I", 0x80), id="unknown-client-flags"),
        pytest.param(p.CLIENT_FLAGS.pack(3) + struct.pack(">QII", 0x1234, 7, 0), id="bad-magic"),
        pytest.param(p.CLIENT_FLAGS.pack(3) + p.OPTION_HEADER.pack(p.IHAVEOPT, 7, 1 << 30),
                     id="huge-option"),
        pytest.param(p.CLIENT_FLAGS.pack(0) + p.OPTION_HEADER.pack(p.IHAVEOPT, p.Option.LIST, 0),
                     id="option-without-fixed-newstyle"),
        pytest.param(p.CLIENT_FLAGS.pack(3) + p.OPTION_HEADER.pack(p.IHAVEOPT, 1, 4) + b"nope",
                     id="export-name-unknown"),
    ],
)
def test_a_client_that_breaks_the_handshake_is_dropped_and_others_are_served(
    rude: bytes, tmp_path: Path, sock_dir: Path
) -> None:
    disk = image(tmp_path / "disk.raw", MiB, fill=0x5A)
    sock = str(sock_dir / "nbd.sock")

    async def scenario() -> tuple[bytes, bytes]:
        engine = Engine()
        try:
            await raw_node(engine, "disk", disk)
            await start_server(engine, sock_dir / "nbd.sock")
            await export(engine, "e0", "disk")
            reader, writer = await asyncio.open_unix_connection(sock)
            await reader.readexactly(p.GREETING.size)
            writer.write(rude)
            leftover = await asyncio.wait_for(reader.read(), 5)
            writer.close()
            good = await RawClient.connect(sock)
            await good.go("disk")
            data = (await good.request(p.Command.READ, 0, 4)).data
            await good.close()
            server = engine.exports.server
            assert server is not None
            await wait_until(lambda: not server.exports["disk"].clients)
            return leftover, data
        finally:
            await engine.close()

    leftover, data = asyncio.run(scenario())
    assert leftover == b"", "the server answered a client it should have dropped"
    assert data == b"\x5a" * 4


def test_a_request_with_a_bad_magic_ends_the_connection(tmp_path: Path, sock_dir: Path) -> None:
    disk = image(tmp_path / "disk.raw", MiB)

    async def scenario() -> bytes:
        engine = Engine()
        try:
            await raw_node(engine, "disk", disk)
            await start_server(engine, sock_dir / "nbd.sock")
            await export(engine, "e0", "disk")
            client = await RawClient.connect(str(sock_dir / "nbd.sock"))
            await client.go("disk")
            client.writer.write(p.REQUEST.pack(0xDEADBEEF, 0, p.Command.READ, 1, 0, 512))
            end = await asyncio.wait_for(client.reader.read(), 5)
            await client.close()
            return end
        finally:
            await engine.close()

    assert asyncio.run(scenario()) == b""


@pytest.mark.qemu
def test_tcp_server_on_loopback_serves_qemu_io(tmp_path: Path) -> None:
    require_tools("qemu-io")
    disk = image(tmp_path / "disk.raw", MiB, fill=0x3C)

    async def scenario() -> str:
        engine = Engine()
        try:
            await raw_node(engine, "disk", disk)
            await command(engine, "nbd-server-start", {"addr": {"type": "inet", "data": {
                "host": "127.0.0.1", "port": "0"}}})
            await export(engine, "e0", "disk")
            server = engine.exports.server
            assert server is not None
            host, port = server.sockets[0].getsockname()[:2]
            assert host == "127.0.0.1"
            result = await run("qemu-io", "-r", "-f", "raw", "-c", "read -P 0x3c 0 64k",
                               f"nbd://127.0.0.1:{port}/disk")
            assert result.returncode == 0, result.output
            await command(engine, "nbd-server-stop")
            refused = await run("qemu-io", "-r", "-f", "raw", "-c", "read 0 512",
                                f"nbd://127.0.0.1:{port}/disk")
            assert refused.returncode == 1
            return result.output
        finally:
            await engine.close()

    output = asyncio.run(scenario())
    assert "read 65536/65536 bytes at offset 0" in output
    assert "Pattern verification failed" not in output


def test_a_client_silent_in_the_handshake_is_dropped_after_the_timeout(sock_dir: Path) -> None:
    async def scenario() -> tuple[bytes, float]:
        server = NbdServer(handshake_timeout=0.3)
        await server.start_unix(str(sock_dir / "nbd.sock"))
        try:
            reader, writer = await asyncio.open_unix_connection(str(sock_dir / "nbd.sock"))
            started = asyncio.get_running_loop().time()
            greeting = await reader.readexactly(p.GREETING.size)
            end = await asyncio.wait_for(reader.read(), 5)
            waited = asyncio.get_running_loop().time() - started
            writer.close()
            assert greeting.startswith(b"NBDMAGIC")
            return end, waited
        finally:
            await server.stop()

    end, waited = asyncio.run(scenario())
    assert end == b""
    assert 0.25 < waited < 4
