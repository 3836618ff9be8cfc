# SPDX-License-Identifier: GPL-2.0-or-later
"""The file driver on real files: data, holes and zeroes, O_DIRECT, flush, image locks."""

from __future__ import annotations

import asyncio
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from guimirror.engine.graph import BlockGraph
from guimirror.engine.node import BlockNode
from guimirror.qapi.base import parse_arguments
from guimirror.qapi.blockdev import BlockdevOptions
from guimirror.qapi.errors import QAPIError
from tests.support import require_tools

MiB = 1 << 20


def image(path: Path, size: int = 4 * MiB) -> Path:
    with open(path, "wb") as f:
        f.truncate(size)
    return path


async def add(graph: BlockGraph, **options: Any) -> BlockNode:
    raw = {key.replace("_", "-"): value for key, value in options.items()}
    return await graph.add(parse_arguments(BlockdevOptions, raw))


def allocated(path: Path) -> int:
    return os.stat(path).st_blocks * 512


@pytest.mark.parametrize("direct", [False, True])
def test_data_holes_and_zeroes(tmp_path: Path, direct: bool) -> None:
    path = image(tmp_path / "a.img")

    async def scenario() -> None:
        graph = BlockGraph()
        node = await add(
            graph,
            driver="raw",
            node_name="r",
            discard="unmap",
            file={"driver": "file", "filename": str(path), "cache": {"direct": direct}},
        )
        assert node.length == 4 * MiB
        assert node.can_write_zeroes_with_unmap
        assert (node.copy_fd() is None) == direct
        data = os.urandom(MiB)
        await node.pwrite(MiB + 123, data)  # unaligned: O_DIRECT pads it
        assert await node.pread(MiB + 123, MiB) == data
        status = await node.block_status(0, 4 * MiB)
        assert (status.data, status.zero, status.pnum) == (False, True, MiB)
        status = await node.block_status(MiB, 4 * MiB)
        assert status.data and status.pnum >= MiB
        await node.flush()
        before = allocated(path)
        await node.pwrite_zeroes(MiB, MiB, may_unmap=True)
        assert allocated(path) <= before - MiB  # punched: sparse stays sparse
        assert await node.pread(MiB, MiB) == bytes(MiB)
        await node.pwrite(0, b"\xff" * 65536)
        await node.pdiscard(0, 65536)
        assert await node.pread(0, 65536) == bytes(65536)
        await graph.close()

    asyncio.run(scenario())


def test_zeroes_without_unmap_stay_allocated_and_discard_ignore_keeps_data(tmp_path: Path) -> None:
    path = image(tmp_path / "a.img")

    async def scenario() -> None:
        graph = BlockGraph()
        await add(graph, driver="file", node_name="f", filename=str(path))
        node = await add(graph, driver="raw", node_name="r", file="f")
        assert not node.can_write_zeroes_with_unmap
        await node.pwrite(0, b"\x01" * MiB)
        await node.pwrite_zeroes(0, MiB, may_unmap=True)
        assert allocated(path) >= MiB
        assert await node.pread(0, MiB) == bytes(MiB)
        await node.pwrite(0, b"\x02" * 4096)
        await node.pdiscard(0, 4096)
        assert await node.pread(0, 4) == b"\x02" * 4
        with pytest.raises(OSError):
            await node.pread(4 * MiB - 1, 2)
        await graph.close()

    asyncio.run(scenario())


def test_read_only_node_refuses_writes(tmp_path: Path) -> None:
    path = image(tmp_path / "a.img")

    async def scenario() -> None:
        graph = BlockGraph()
        node = await add(graph, driver="file", node_name="f", filename=str(path), read_only=True)
        with pytest.raises(OSError) as raised:
            await node.pwrite(0, b"x")
        assert raised.value.errno == 30  # EROFS
        await graph.close()

    asyncio.run(scenario())


def test_two_graphs_never_both_write_one_image(tmp_path: Path) -> None:
    path = image(tmp_path / "a.img")

    async def scenario() -> None:
        first, second = BlockGraph(), BlockGraph()
        await add(first, driver="file", node_name="f", filename=str(path))
        with pytest.raises(QAPIError) as raised:
            await add(second, driver="file", node_name="f", filename=str(path))
        assert raised.value.desc == 'Failed to get "write" lock'
        reader = await add(
            second, driver="file", node_name="ro", filename=str(path), read_only=True
        )
        assert await reader.pread(0, 4) == bytes(4)
        await first.blockdev_del("f")
        await add(second, driver="file", node_name="f", filename=str(path))
        await first.close()
        await second.close()

    asyncio.run(scenario())


def test_locks_against_qemu(tmp_path: Path, qsd: Any) -> None:
    """qemu-io and qemu-storage-daemon are refused an image we write, and we theirs."""
    require_tools("qemu-io")
    path = image(tmp_path / "a.img")
    other = image(tmp_path / "b.img")

    async def scenario() -> None:
        graph = BlockGraph()
        await add(graph, driver="file", node_name="f", filename=str(path))
        io = await asyncio.to_thread(
            subprocess.run,
            ["qemu-io", "-f", "raw", "-c", "write 0 512", str(path)],
            capture_output=True,
            text=True,
        )
        assert io.returncode != 0 and 'Failed to get "write" lock' in io.stderr
        async with qsd() as daemon:
            address = {"type": "unix", "data": {"path": str(tmp_path / "nbd.sock")}}
            await daemon.run("nbd-server-start", {"addr": address})
            await daemon.run(
                "blockdev-add", {"driver": "file", "node-name": "f", "filename": str(path)}
            )
            reply = await daemon.run(
                "block-export-add", {"type": "nbd", "id": "e", "node-name": "f", "writable": True}
            )
            assert reply == ("error", 'Failed to get "write" lock')
            await daemon.run(
                "blockdev-add", {"driver": "file", "node-name": "g", "filename": str(other)}
            )
            reply = await daemon.run(
                "block-export-add", {"type": "nbd", "id": "e2", "node-name": "g", "writable": True}
            )
            assert reply == {}
            with pytest.raises(QAPIError) as raised:
                await add(graph, driver="file", node_name="g", filename=str(other))
            assert raised.value.desc == 'Failed to get shared "write" lock'
        await graph.close()

    asyncio.run(scenario())


def test_raw_window_maps_offsets_into_the_file(tmp_path: Path) -> None:
    path = image(tmp_path / "a.img")

    async def scenario() -> None:
        graph = BlockGraph()
        await add(graph, driver="file", node_name="f", filename=str(path))
        window = await add(graph, driver="raw", node_name="w", file="f", offset=MiB, size=MiB)
        whole = await add(graph, driver="raw", node_name="r", file="f")
        assert window.length == MiB and window.copy_fd() is None and whole.copy_fd() is not None
        await window.pwrite(0, b"head")
        await window.pwrite(MiB - 4, b"tail")
        with pytest.raises(OSError):
            await window.pwrite(MiB - 2, b"over")
        assert await whole.pread(MiB, 4) == b"head"
        assert await whole.pread(2 * MiB - 4, 4) == b"tail"
        status = await window.block_status(0, 4 * MiB)
        assert status.data and status.pnum <= MiB
        await graph.close()

    asyncio.run(scenario())
