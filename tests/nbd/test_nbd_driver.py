# SPDX-License-Identifier: GPL-2.0-or-later
"""The engine's ``nbd`` driver against four NBD servers: guimirror-daemon,
qemu-storage-daemon, qemu-nbd and nbdkit, each exporting a raw file on a unix socket.

blockdev-add of an nbd node, I/O through it (checked in the server's file), write zeroes
and trim that punch holes in that file, base:allocation block status, and a full mirror to
an nbd target whose result is byte-equal to the source and as sparse.
"""

from __future__ import annotations

import asyncio
import subprocess
from pathlib import Path

import pytest

from guimirror.engine.drivers.nbd import NbdNode
from guimirror.engine.engine import Engine
from guimirror.qapi.errors import QAPIError
from tests.engine.mirror_support import (
    EventLog,
    add_node,
    add_raw,
    allocated_bytes,
    complete_and_wait,
    make_image,
    mirror,
    run,
)
from tests.nbd.servers import EXPORT, SERVERS, serve
from tests.qmp.wire import stop, wait_for_socket

KiB = 1024
MiB = 1024 * KiB

pytestmark = pytest.mark.qemu


def nbd_options(socket_path: Path, name: str = "remote", **extra: object) -> dict[str, object]:
    return {"driver": "nbd", "node-name": name, "export": EXPORT,
            "server": {"type": "unix", "path": str(socket_path)}, **extra}  # fmt: skip


def nbd_node(engine: Engine, name: str = "remote") -> NbdNode:
    node = engine.graph.find_node(name)
    assert isinstance(node, NbdNode)
    return node


@pytest.mark.parametrize("server", SERVERS)
def test_io_through_an_nbd_node_reaches_the_servers_file(
    server: str, tmp_path: Path, sock_dir: Path
) -> None:
    image = make_image(tmp_path / "remote.raw", 8 * MiB, [(0, 1 * MiB, 0x11)])
    sock = sock_dir / "nbd.sock"

    async def scenario() -> None:
        engine = Engine()
        try:
            async with serve(server, image, sock):
                await add_node(engine, **nbd_options(sock, discard="unmap"))
                (info,) = [
                    n.to_qmp() for n in await run(engine, "query-named-block-nodes", {})
                ]
                assert (info["drv"], info["image"]["virtual-size"]) == ("nbd", 8 * MiB)
                assert info["file"] == f"nbd+unix:///{EXPORT}?socket={sock}"
                node = nbd_node(engine)
                assert await node.pread(0, 4 * KiB) == b"\x11" * 4 * KiB
                # many requests in flight on one connection, replies in any order
                writes = [node.pwrite(at, bytes([at // MiB + 0x40]) * 64 * KiB)
                          for at in range(2 * MiB, 6 * MiB, MiB)]  # fmt: skip
                await asyncio.gather(*writes)
                await node.flush()
                reads = await asyncio.gather(
                    *(node.pread(at, 64 * KiB) for at in range(2 * MiB, 6 * MiB, MiB))
                )
                assert reads == [bytes([i + 0x42]) * 64 * KiB for i in range(4)]
                hole = await node.block_status(7 * MiB, MiB)
                assert (hole.data, hole.zero) == (False, True)
                data = await node.block_status(0, 8 * MiB)
                assert data.data and data.pnum == MiB
                # zeroes that may unmap and a trim leave holes in the server's file
                await node.pwrite_zeroes(0, 512 * KiB, may_unmap=True)
                await node.pdiscard(512 * KiB, 512 * KiB)
                await node.pwrite_zeroes(2 * MiB, 64 * KiB, may_unmap=False)
                await node.flush()
                assert await node.pread(0, 512 * KiB) == bytes(512 * KiB)
                assert (await node.block_status(0, MiB)).data is False
                await run(engine, "blockdev-del", {"node-name": "remote"})
        finally:
            await engine.close()

    asyncio.run(scenario())
    content = image.read_bytes()
    assert content[:512 * KiB] == bytes(512 * KiB)
    assert content[3 * MiB:3 * MiB + 64 * KiB] == b"\x43" * 64 * KiB
    assert content[2 * MiB:2 * MiB + 64 * KiB] == bytes(64 * KiB)
    # the first MiB was 1 MiB of data; now only what the writes put there is allocated
    assert allocated_bytes(image) <= 4 * 64 * KiB + 64 * KiB


@pytest.mark.parametrize("server", SERVERS)
def test_a_full_mirror_to_an_nbd_target_is_byte_equal_and_stays_sparse(
    server: str, tmp_path: Path, sock_dir: Path
) -> None:
    size = 32 * MiB
    source = make_image(tmp_path / "src.raw", size,
                        [(0, 2 * MiB, None), (9 * MiB, 3 * MiB, None), (30 * MiB, 64 * KiB, 7)])
    target = make_image(tmp_path / "tgt.raw", size, [(20 * MiB, 2 * MiB, 0x99)])  # stale data
    sock = sock_dir / "nbd.sock"

    async def scenario() -> None:
        engine = Engine()
        log = EventLog(engine)
        try:
            async with serve(server, target, sock):
                await add_raw(engine, "src", source)
                await add_node(engine, **nbd_options(sock, name="tgt", discard="unmap"))
                await mirror(engine, job_id="j0", device="src", target="tgt", sync="full")
                completed = await complete_and_wait(engine, log, "j0")
                assert "error" not in completed
                await run(engine, "blockdev-del", {"node-name": "tgt"})
        finally:
            await engine.close()

    asyncio.run(scenario())
    compared = subprocess.run(["cmp", str(source), str(target)], capture_output=True, check=False)
    assert compared.returncode == 0, compared.stdout
    assert allocated_bytes(target) <= allocated_bytes(source) + 256 * KiB


def test_an_nbd_node_as_the_mirrors_source_is_copied_sparsely(
    tmp_path: Path, sock_dir: Path
) -> None:
    size = 16 * MiB
    remote = make_image(tmp_path / "remote.raw", size, [(MiB, MiB, None), (12 * MiB, MiB, 3)])
    local = make_image(tmp_path / "local.raw", size)
    sock = sock_dir / "nbd.sock"

    async def scenario() -> None:
        engine = Engine()
        log = EventLog(engine)
        try:
            async with serve("qemu-storage-daemon", remote, sock):
                await add_node(engine, **nbd_options(sock, name="src"))
                await add_raw(engine, "tgt", local)
                await mirror(engine, job_id="j0", device="src", target="tgt", sync="full")
                assert "error" not in await complete_and_wait(engine, log, "j0")
                await run(engine, "blockdev-del", {"node-name": "src"})
        finally:
            await engine.close()

    asyncio.run(scenario())
    assert local.read_bytes() == remote.read_bytes()
    assert allocated_bytes(local) <= 2 * MiB + 128 * KiB


def test_an_unreachable_server_fails_with_qemus_text_and_open_timeout_waits(
    sock_dir: Path, tmp_path: Path
) -> None:
    image = make_image(tmp_path / "late.raw", MiB)
    sock = sock_dir / "nbd.sock"

    async def scenario() -> None:
        engine = Engine()
        try:
            with pytest.raises(QAPIError) as refused:
                await add_node(engine, **nbd_options(sock))
            assert refused.value.desc == (
                f"Failed to connect to '{sock}': No such file or directory"
            )
            with pytest.raises(QAPIError) as inet:
                await add_node(engine, driver="nbd", node_name="x",
                               server={"type": "inet", "host": "127.0.0.1", "port": "1"})
            assert inet.value.desc == "Failed to connect to '127.0.0.1:1': Connection refused"

            async def late_server() -> None:
                await asyncio.sleep(1.5)
                async with serve("qemu-nbd", image, sock):
                    await asyncio.sleep(2.5)

            server = asyncio.create_task(late_server())
            await add_node(engine, **nbd_options(sock, **{"open-timeout": 10}))
            assert nbd_node(engine).length == MiB
            await run(engine, "blockdev-del", {"node-name": "remote"})
            await server
        finally:
            await engine.close()

    asyncio.run(scenario())


def test_requests_wait_reconnect_delay_for_a_restarted_server(
    sock_dir: Path, tmp_path: Path
) -> None:
    image = make_image(tmp_path / "disk.raw", MiB, [(0, MiB, 0x21)])
    sock = sock_dir / "nbd.sock"

    async def scenario() -> None:
        engine = Engine()
        try:
            async with serve("qemu-nbd", image, sock):
                await add_node(engine, **nbd_options(sock, **{"reconnect-delay": 10}))
                node = nbd_node(engine)
                assert await node.pread(0, 512) == b"\x21" * 512
            sock.unlink(missing_ok=True)

            async def restart() -> None:
                await asyncio.sleep(1.0)
                async with serve("qemu-nbd", image, sock):
                    await asyncio.sleep(3.0)

            server = asyncio.create_task(restart())
            await node.pwrite(4096, b"\x22" * 4096)
            await node.flush()
            await server
            node.reconnect_delay = 0
            with pytest.raises(OSError) as lost:
                await node.pread(0, 512)
            assert lost.value.errno == 5
            await run(engine, "blockdev-del", {"node-name": "remote"})
        finally:
            await engine.close()

    asyncio.run(scenario())
    assert image.read_bytes()[4096:8192] == b"\x22" * 4096


def test_a_read_only_export_needs_a_read_only_node(sock_dir: Path, tmp_path: Path) -> None:
    image = make_image(tmp_path / "ro.raw", MiB)
    sock = sock_dir / "nbd.sock"

    async def scenario() -> None:
        engine = Engine()
        process = await asyncio.create_subprocess_exec(
            "qemu-nbd", "-r", "-f", "raw", "-x", EXPORT, "-k", str(sock), "--persistent",
            str(image))  # fmt: skip
        try:
            await wait_for_socket(sock, process)
            with pytest.raises(QAPIError, match=r"^NBD export is read-only$"):
                await add_node(engine, **nbd_options(sock))
            await add_node(engine, **nbd_options(sock, **{"auto-read-only": True}))
            assert nbd_node(engine).read_only
            await stop(process)
        finally:
            await engine.close()
            if process.returncode is None:
                process.kill()
                await process.wait()

    asyncio.run(scenario())
