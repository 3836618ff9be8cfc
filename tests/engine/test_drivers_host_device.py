# SPDX-License-Identifier: GPL-2.0-or-later
"""host_device on loop devices: size, data, BLKZEROOUT/BLKDISCARD, exclusive and mounted opens."""

from __future__ import annotations

import asyncio
import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from guimirror.engine.graph import BlockGraph
from guimirror.qapi.base import parse_arguments
from guimirror.qapi.blockdev import BlockdevOptions
from guimirror.qapi.errors import QAPIError

MiB = 1 << 20


def options(device: str, **extra: object) -> BlockdevOptions:
    return parse_arguments(
        BlockdevOptions, {"driver": "host_device", "node-name": "hd", "filename": device, **extra}
    )


def test_io_zeroes_and_discard(loop_device: Callable[[int], str]) -> None:
    device = loop_device(8 * MiB)

    async def scenario() -> None:
        graph = BlockGraph()
        node = await graph.add(options(device, discard="unmap"))
        assert node.length == 8 * MiB
        assert node.can_write_zeroes_with_unmap
        data = os.urandom(MiB)
        await node.pwrite(MiB, data)
        await node.flush()
        assert await node.pread(MiB, MiB) == data
        await node.pwrite_zeroes(MiB, 64 * 1024)
        await node.pwrite_zeroes(MiB + 64 * 1024, 64 * 1024, may_unmap=True)
        assert await node.pread(MiB, 128 * 1024) == bytes(128 * 1024)
        await node.pdiscard(2 * MiB - 4096, 4096)
        assert await node.pread(2 * MiB - 4096, 4096) == bytes(4096)
        assert await node.pread(MiB + 128 * 1024, 4) == data[128 * 1024 : 128 * 1024 + 4]
        second = BlockGraph()
        with pytest.raises(QAPIError) as raised:
            await second.add(options(device))
        assert raised.value.desc.startswith(f"Could not open '{device}'")
        await graph.close()
        await second.add(options(device))
        await second.close()

    asyncio.run(scenario())


def test_mounted_device_is_refused_as_a_writable_node(
    loop_device: Callable[[int], str], tmp_path: Path
) -> None:
    device = loop_device(16 * MiB)
    if subprocess.run(["mkfs.ext4", "-q", "-F", device], capture_output=True).returncode:
        pytest.skip("mkfs.ext4 failed")
    mount_point = tmp_path / "mnt"
    mount_point.mkdir()
    if subprocess.run(["mount", device, str(mount_point)], capture_output=True).returncode:
        pytest.skip("mount is not permitted here")
    try:

        async def scenario() -> None:
            graph = BlockGraph()
            with pytest.raises(QAPIError) as raised:
                await graph.add(options(device))
            assert raised.value.desc == (
                f"Could not open '{device}' for writing: it is mounted on '{mount_point}'"
            )
            reader = await graph.add(options(device, **{"read-only": True}))
            assert len(await reader.pread(1024, 1024)) == 1024
            await graph.close()

        asyncio.run(scenario())
    finally:
        subprocess.run(["umount", str(mount_point)], capture_output=True)
