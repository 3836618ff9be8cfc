# SPDX-License-Identifier: GPL-2.0-or-later
"""Small page-cache requests of the file driver in the loop's thread (RWF_NOWAIT).

A read that finishes without ever suspending took the inline path; one that suspends waited
for a worker. Reads are checked on the disk-backed directory of the tests (ext4 here: NOWAIT
reads) and in tmpfs (no NOWAIT at all).
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

from guimirror.engine.drivers.posix import PosixNode
from guimirror.engine.engine import Engine
from tests.nbd.tools import command

KiB = 1024
MiB = 1024 * KiB
T = TypeVar("T")


async def drive(coro: Coroutine[Any, Any, T]) -> tuple[bool, T]:
    """Run ``coro`` to its end as a task would: (whether it ever suspended, its result)."""
    suspended = False
    while True:
        try:
            future = coro.send(None)
        except StopIteration as stop:
            return suspended, stop.value
        suspended = True
        await asyncio.wait([future])


async def file_node(engine: Engine, path: Path, direct: bool = False) -> PosixNode:
    await command(engine, "blockdev-add", {"driver": "file", "node-name": "disk",
                                           "filename": str(path), "cache": {"direct": direct}})
    node = engine.graph.find_node("disk")
    assert isinstance(node, PosixNode)
    return node


def dense_image(path: Path, size: int = 4 * MiB) -> bytes:
    data = os.urandom(size)
    path.write_bytes(data)
    return data


def drop_from_page_cache(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)


def warm(path: Path) -> None:
    with open(path, "rb", buffering=0) as image:
        while image.read(MiB):
            pass


def test_cached_read_is_inline_and_a_dropped_one_falls_back_with_the_same_data(
        tmp_path: Path) -> None:
    path = tmp_path / "disk.raw"
    data = dense_image(path)

    async def scenario() -> None:
        engine = Engine()
        try:
            node = await file_node(engine, path)
            drop_from_page_cache(path)
            suspended, got = await drive(node.pread(MiB + 512, 4 * KiB))
            assert suspended, "a read of data not in the page cache must wait for a worker"
            assert got == data[MiB + 512 : MiB + 512 + 4 * KiB]
            assert node.nowait_reads  # EAGAIN is no reason to stop trying
            suspended, again = await drive(node.pread(MiB + 512, 4 * KiB))
            assert not suspended and again == got  # now cached: served in the loop's thread
            suspended, got = await drive(node.pread(MiB, 2 * MiB))
            assert suspended and got == data[MiB : 3 * MiB]  # larger than NOWAIT_MAX
            warm(path)
            for offset, length in ((0, 1), (4 * MiB - 100, 100), (3 * MiB + 7, 64 * KiB)):
                suspended, got = await drive(node.pread(offset, length))
                assert not suspended and got == data[offset : offset + length]
        finally:
            await engine.close()

    asyncio.run(scenario())


def test_tmpfs_stops_trying_after_its_first_refusal() -> None:
    with tempfile.TemporaryDirectory(dir="/dev/shm") as directory:
        path = Path(directory) / "disk.raw"
        data = dense_image(path, MiB)

        async def scenario() -> None:
            engine = Engine()
            try:
                node = await file_node(engine, path)
                suspended, got = await drive(node.pread(4096, 4096))
                assert suspended and got == data[4096:8192]
                assert not node.nowait_reads  # tmpfs answers EOPNOTSUPP: no second try
            finally:
                await engine.close()

        asyncio.run(scenario())


def test_o_direct_reads_and_all_writes_never_take_the_inline_path(tmp_path: Path) -> None:
    path = tmp_path / "disk.raw"
    data = dense_image(path)

    async def scenario() -> None:
        engine = Engine()
        try:
            node = await file_node(engine, path, direct=True)
            for _ in range(2):
                suspended, got = await drive(node.pread(4096, 4096))
                assert suspended and got == data[4096:8192]
            suspended, _ = await drive(node.pwrite(8192, b"\x5a" * 4096))
            assert suspended
            await command(engine, "blockdev-del", {"node-name": "disk"})
            node = await file_node(engine, path)
            for fua in (False, True):  # writes always go to a worker
                suspended, _ = await drive(node.pwrite(12288, b"\xa5" * 4096, fua=fua))
                assert suspended
        finally:
            await engine.close()

    asyncio.run(scenario())
    assert path.read_bytes()[8192:16384] == b"\x5a" * 4096 + b"\xa5" * 4096
