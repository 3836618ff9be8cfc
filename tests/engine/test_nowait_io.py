# SPDX-License-Identifier: GPL-2.0-or-later
"""Small requests of the file driver in the loop's thread: page-cache reads (RWF_NOWAIT), and
reads and writes of a file in tmpfs.

A request that finishes without ever suspending took the inline path; one that suspends waited
for a worker. Reads are checked on the disk-backed directory of the tests (ext4 here: NOWAIT
reads), reads and writes in tmpfs (memory: inline up to INLINE_MAX).
"""

from __future__ import annotations

import asyncio
import errno
import os
import subprocess
import tempfile
from collections.abc import Awaitable, Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar

import pytest

from guimirror.engine import io
from guimirror.engine.drivers.posix import PosixNode
from guimirror.engine.engine import Engine
from tests.nbd.tools import command
from tests.support import require_root

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


def on_file_node(
        path: Path, body: Callable[[PosixNode], Awaitable[None]], direct: bool = False) -> None:
    """Run ``body`` on a ``file`` node over ``path`` in an engine of its own, closed after."""
    async def scenario() -> None:
        engine = Engine()
        try:
            await body(await file_node(engine, path, direct))
        finally:
            await engine.close()

    asyncio.run(scenario())


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

    async def scenario(node: PosixNode) -> None:
        drop_from_page_cache(path)
        suspended, got = await drive(node.pread(MiB + 512, 4 * KiB))
        assert suspended, "a read of data not in the page cache must wait for a worker"
        assert got == data[MiB + 512 : MiB + 512 + 4 * KiB]
        assert node.nowait_reads  # EAGAIN is no reason to stop trying
        suspended, again = await drive(node.pread(MiB + 512, 4 * KiB))
        assert not suspended and again == got  # now cached: served in the loop's thread
        suspended, got = await drive(node.pread(MiB, 2 * MiB))
        assert suspended and got == data[MiB : 3 * MiB]  # larger than INLINE_MAX
        warm(path)
        for offset, length in ((0, 1), (4 * MiB - 100, 100), (3 * MiB + 7, 64 * KiB)):
            suspended, got = await drive(node.pread(offset, length))
            assert not suspended and got == data[offset : offset + length]

    on_file_node(path, scenario)


def test_small_reads_and_writes_of_a_file_in_tmpfs_run_inline_and_larger_ones_in_a_worker(
        tmp_path: Path) -> None:
    with tempfile.TemporaryDirectory(dir="/dev/shm") as directory:
        path = Path(directory) / "disk.raw"
        data = bytearray(dense_image(path, MiB))

        async def scenario(node: PosixNode) -> None:
            assert node.in_memory
            suspended, got = await drive(node.pread(4096 + 3, 4096))
            assert not suspended and got == data[4099:8195]
            suspended, got = await drive(node.pread(0, io.INLINE_MAX + 1))
            assert suspended and got == data[: io.INLINE_MAX + 1]
            for offset, fua in ((8192, False), (3 * io.INLINE_MAX, True)):
                payload = os.urandom(io.INLINE_MAX)
                suspended, _ = await drive(node.pwrite(offset, payload, fua=fua))
                assert not suspended
                data[offset : offset + len(payload)] = payload
            payload = os.urandom(io.INLINE_MAX + 512)
            suspended, _ = await drive(node.pwrite(MiB - len(payload), payload))
            assert suspended
            data[MiB - len(payload) :] = payload
            suspended, got = await drive(node.pread(8192, 4096))
            assert not suspended and got == data[8192:12288]

        on_file_node(path, scenario)
        assert path.read_bytes() == data

    disk_path = tmp_path / "disk.raw"
    dense_image(disk_path, MiB)

    async def on_disk(node: PosixNode) -> None:
        assert not node.in_memory

    on_file_node(disk_path, on_disk)


def test_a_file_that_refuses_nowait_reads_stops_being_tried() -> None:
    with tempfile.TemporaryDirectory(dir="/dev/shm") as directory:
        path = Path(directory) / "disk.raw"
        data = dense_image(path, MiB)

        async def scenario(node: PosixNode) -> None:
            node.in_memory = False  # so the read tries RWF_NOWAIT, which tmpfs refuses
            suspended, got = await drive(node.pread(4096, 4096))
            assert suspended and got == data[4096:8192]
            assert not node.nowait_reads  # tmpfs answers EOPNOTSUPP: no second try

        on_file_node(path, scenario)


def test_an_inline_write_to_a_full_tmpfs_fails_with_enospc_and_the_node_stays_usable(
        tmp_path: Path) -> None:
    require_root("to mount a small tmpfs")
    mount_point = tmp_path / "small"
    mount_point.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mount_point)],
                   check=True)
    try:
        path = mount_point / "disk.raw"
        with open(path, "wb") as image:  # sparse: larger than the file system can hold
            image.truncate(4 * MiB)

        async def scenario(node: PosixNode) -> None:
            assert node.in_memory
            payload = b"\x6b" * io.INLINE_MAX
            written = 0
            with pytest.raises(OSError) as failure:
                while written < 4 * MiB:
                    suspended, _ = await drive(node.pwrite(written, payload))
                    assert not suspended
                    written += len(payload)
            assert failure.value.errno == errno.ENOSPC
            assert 0 < written < 4 * MiB
            suspended, got = await drive(node.pread(0, 4096))
            assert not suspended and got == payload[:4096]

        on_file_node(path, scenario)
    finally:
        subprocess.run(["umount", str(mount_point)], check=True)


def test_o_direct_reads_and_writes_to_a_disk_file_never_take_the_inline_path(
        tmp_path: Path) -> None:
    path = tmp_path / "disk.raw"
    data = dense_image(path)

    async def direct(node: PosixNode) -> None:
        for _ in range(2):
            suspended, got = await drive(node.pread(4096, 4096))
            assert suspended and got == data[4096:8192]
        suspended, _ = await drive(node.pwrite(8192, b"\x5a" * 4096))
        assert suspended

    async def buffered(node: PosixNode) -> None:
        for fua in (False, True):  # writes to a file on a disk always go to a worker
            suspended, _ = await drive(node.pwrite(12288, b"\xa5" * 4096, fua=fua))
            assert suspended

    on_file_node(path, direct, direct=True)
    on_file_node(path, buffered)
    assert path.read_bytes()[8192:16384] == b"\x5a" * 4096 + b"\xa5" * 4096
