# SPDX-License-Identifier: GPL-2.0-or-later
"""The mirror's copy through reused aligned buffers (io.BufferPool, io.copy_through)."""

from __future__ import annotations

import asyncio
import os
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from guimirror.engine import io
from guimirror.engine.engine import Engine
from tests.engine.mirror_support import (
    EventLog,
    KiB,
    MiB,
    add_driver_pair,
    complete_and_wait,
    make_image,
    mirror,
    same_content,
)
from tests.support import require_root, require_tools


@pytest.fixture
def sector_4k_device(tmp_path: Path) -> Iterator[Callable[[Path], str]]:
    """``attach(image)``: a loop device with 4096-byte logical blocks over ``image``."""
    require_root()
    require_tools("losetup")
    devices: list[str] = []

    def attach(image: Path) -> str:
        result = subprocess.run(
            ["losetup", "--find", "--show", "--sector-size", "4096", str(image)],
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            pytest.skip(f"no loop device: {result.stderr.strip()}")
        devices.append(result.stdout.strip())
        return devices[-1]

    yield attach
    for device in devices:
        subprocess.run(["losetup", "--detach", device], capture_output=True)


def test_a_pool_makes_buffers_for_the_copies_in_flight_only() -> None:
    pool = io.BufferPool(MiB)
    first, second = pool.take(), pool.take()
    pool.give(first)
    third = pool.take()
    assert third is first and pool.allocated == 2
    assert len(third) == MiB
    assert io.ctypes.addressof(io.ctypes.c_char.from_buffer(third)) % os.sysconf("SC_PAGESIZE") == 0
    pool.give(second)
    pool.give(third)
    pool.close()


def test_a_mirror_allocates_no_buffer_per_copy(tmp_path: Path) -> None:
    """32 copies of 1 MiB under a 2 MiB buf-size: two buffers, reused, and O_DIRECT on both."""
    size = 32 * MiB
    src = make_image(tmp_path / "src.img", size, ((0, size, None),))
    tgt = make_image(tmp_path / "tgt.img", size)

    async def scenario() -> None:
        engine = Engine()
        log = EventLog(engine)
        await add_driver_pair(engine, "file", src, tgt, cache={"direct": True})
        await mirror(
            engine, job_id="j", device="src", target="tgt", sync="full", buf_size=2 * MiB
        )
        job = engine.jobs["j"]
        done = await complete_and_wait(engine, log, "j")
        assert "error" not in done and done["offset"] == size
        assert 1 <= job.buffers.allocated <= 2  # type: ignore[attr-defined]
        await engine.close()

    asyncio.run(scenario())
    assert same_content(src, tgt)


def test_direct_copies_follow_the_devices_logical_block_size(
    tmp_path: Path, sector_4k_device: Callable[[Path], str]
) -> None:
    """Aligned ranges go straight through; a range inside 4 KiB blocks is read, patched and
    written whole, leaving its neighbours alone."""
    size = MiB
    source = make_image(tmp_path / "src.img", size, ((0, size, None),))
    backing = make_image(tmp_path / "dev.img", size, ((0, size, 0x42),))
    device = sector_4k_device(backing)
    dst_fd = os.open(device, os.O_RDWR | os.O_DIRECT)
    src_fd = os.open(source, os.O_RDONLY)
    pool = io.BufferPool(64 * KiB)
    buf = pool.take()
    try:
        assert io.blk_sector_size(dst_fd) == 4096
        dst = io.PlainFd(dst_fd, 4096, direct=True)
        src = io.PlainFd(src_fd)
        io.copy_through(src, dst, 8192, 16384, buf)
        io.copy_through(src, dst, 4096 + 512, 1000, buf)
        with pytest.raises(OSError):  # the unaligned request the fallback keeps away
            os.pwritev(dst_fd, [memoryview(buf)[:1000]], 4096 + 512)
    finally:
        pool.give(buf)
        pool.close()
        os.close(src_fd)
        os.close(dst_fd)
    data, got = source.read_bytes(), Path(device).read_bytes()
    assert got[8192 : 8192 + 16384] == data[8192 : 8192 + 16384]
    assert got[4096 + 512 : 4096 + 1512] == data[4096 + 512 : 4096 + 1512]
    assert got[4096 : 4096 + 512] == b"\x42" * 512
    assert got[4096 + 1512 : 8192] == b"\x42" * (8192 - 4096 - 1512)
    assert got[8192 + 16384 :] == b"\x42" * (size - 8192 - 16384)


def test_a_partial_last_block_under_o_direct(tmp_path: Path) -> None:
    """A file whose size is no multiple of the block: the tail is copied, nothing past it."""
    size = MiB + 1000
    src = make_image(tmp_path / "src.img", size, ((0, size, None),))
    tgt = make_image(tmp_path / "tgt.img", size, ((0, size, 0x42),))

    async def scenario() -> None:
        engine = Engine()
        log = EventLog(engine)
        await add_driver_pair(engine, "file", src, tgt, cache={"direct": True})
        await mirror(engine, job_id="j", device="src", target="tgt", sync="full")
        done = await complete_and_wait(engine, log, "j")
        assert "error" not in done and done["offset"] == size
        await engine.close()

    asyncio.run(scenario())
    assert os.path.getsize(tgt) == size
    assert same_content(src, tgt)


def test_a_read_error_is_the_sources(tmp_path: Path) -> None:
    """copy_through tells a failed read (ReadError) from a failed write (OSError)."""
    image = make_image(tmp_path / "img", MiB, ((0, MiB, None),))
    write_only = os.open(image, os.O_WRONLY)
    read_only = os.open(image, os.O_RDONLY)
    pool = io.BufferPool(MiB)
    buf = pool.take()
    try:
        with pytest.raises(io.ReadError):
            io.copy_through(io.PlainFd(write_only), io.PlainFd(write_only), 0, 4096, buf)
        with pytest.raises(OSError) as raised:
            io.copy_through(io.PlainFd(read_only), io.PlainFd(read_only), 0, 4096, buf)
        assert not isinstance(raised.value, io.ReadError)
    finally:
        pool.give(buf)
        pool.close()
        os.close(write_only)
        os.close(read_only)
