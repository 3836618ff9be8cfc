# SPDX-License-Identifier: GPL-2.0-or-later
"""copy-mode=write-blocking: QEMU iotest 151's active-mirror cases."""

from __future__ import annotations

import asyncio
import errno
from collections.abc import Sequence
from pathlib import Path

import pytest

from guimirror.engine.backend import BlockBackend
from guimirror.engine.engine import Engine
from tests.engine.mirror_support import (
    EventLog,
    Extent,
    KiB,
    MiB,
    add_node,
    backend_on,
    complete_and_wait,
    engine_with_pair,
    job_info,
    make_image,
    mirror,
    run,
    same_content,
)


async def source_bitmap_count(engine: Engine) -> int | None:
    for node in await run(engine, "query-named-block-nodes", {}):
        if node.node_name == "src" and node.dirty_bitmaps:
            assert node.dirty_bitmaps[0].recording is False
            return int(node.dirty_bitmaps[0].count)
    return None


async def write_blocking_mirror(
    tmp_path: Path, extents: Sequence[Extent], buf_size: int, speed: int
) -> tuple[Engine, EventLog, Path, Path, BlockBackend]:
    """A 4 MiB source holding ``extents``, a user writing to it, and the write-blocking
    mirror ``j`` of it to an empty target (``speed=1`` holds the background copy)."""
    engine, log, src, tgt = await engine_with_pair(tmp_path, 4 * MiB, extents)
    user = backend_on(engine, "src")
    await mirror(
        engine,
        job_id="j",
        device="src",
        target="tgt",
        sync="full",
        copy_mode="write-blocking",
        buf_size=buf_size,
        speed=speed,
    )
    return engine, log, src, tgt, user


def test_active_io_before_during_and_after_ready(tmp_path: Path) -> None:
    async def scenario() -> None:
        engine, log, src, tgt = await engine_with_pair(tmp_path, 8 * MiB, ())
        user = backend_on(engine, "src")
        for i in range(4):
            await user.pwrite(i * MiB, bytes([i + 1]) * (512 * KiB))
        await user.pwrite_zeroes(3 * MiB, 64 * KiB)
        await mirror(
            engine,
            job_id="j",
            device="src",
            target="tgt",
            sync="full",
            copy_mode="write-blocking",
            filter_node_name="mirror-node",
            speed=16 * MiB,
        )
        for i in range(4, 8):
            await user.pwrite(i * MiB + 4096, bytes([i + 1]) * (300 * KiB))
        await user.pwrite_zeroes(5 * MiB, 128 * KiB)
        await log.wait("BLOCK_JOB_READY", "j")
        for i in range(8):
            await user.pwrite(i * MiB + 7, bytes([0x80 + i]) * (100 * KiB + 3))
            assert await source_bitmap_count(engine) == 0
        await user.pwrite_zeroes(6 * MiB, 64 * KiB)
        assert await source_bitmap_count(engine) == 0
        await user.pdiscard(7 * MiB, 64 * KiB)
        await user.flush()
        await run(engine, "job-complete", {"id": "j"})
        done = await log.wait("BLOCK_JOB_COMPLETED", "j")
        assert "error" not in done
        assert same_content(src, tgt)
        assert user.node.node_name == "tgt"
        await engine.close()

    asyncio.run(scenario())


def test_unaligned_write_into_a_dirty_area_while_stalled(tmp_path: Path) -> None:
    async def scenario() -> None:
        engine, log, src, tgt, user = await write_blocking_mirror(
            tmp_path, ((0, 2 * MiB, None),), buf_size=256 * KiB, speed=1
        )
        await user.pwrite(MiB + 42, b"\xff")
        info = await job_info(engine, "j")
        assert info is not None and info["status"] == "running"
        await run(engine, "block-job-set-speed", {"device": "j", "speed": 0})
        await complete_and_wait(engine, log, "j")
        assert same_content(src, tgt)
        await engine.close()

    asyncio.run(scenario())


def test_intersecting_active_writes(tmp_path: Path) -> None:
    async def scenario() -> None:
        engine, log, src, tgt, user = await write_blocking_mirror(
            tmp_path, ((0, 4 * MiB, None),), buf_size=256 * KiB, speed=1
        )
        writes = [(0, MiB, 1), (0, 2 * MiB, 2), (0, 2 * MiB, 3), (MiB, 2 * MiB, 4)]
        await asyncio.gather(*(user.pwrite(o, bytes([b]) * n) for o, n, b in writes))
        await run(engine, "block-job-set-speed", {"device": "j", "speed": 0})
        await complete_and_wait(engine, log, "j")
        assert same_content(src, tgt)
        await engine.close()

    asyncio.run(scenario())


def test_background_copy_progresses_under_active_load(tmp_path: Path) -> None:
    async def scenario() -> None:
        engine, log, src, tgt, user = await write_blocking_mirror(
            tmp_path, ((0, 4 * MiB, None),), buf_size=64 * KiB, speed=8 * MiB
        )
        stop = asyncio.Event()

        async def flood() -> None:
            offset = 2 * MiB
            while not stop.is_set():
                await user.pwrite(offset, b"\x33" * 4096)
                offset = 2 * MiB + (offset + 4096) % (2 * MiB)
                await asyncio.sleep(0)

        writer = asyncio.create_task(flood())
        remaining = []
        for _ in range(5):
            jobs = await run(engine, "query-jobs")
            if jobs:
                remaining.append(jobs[0].total_progress - jobs[0].current_progress)
            await asyncio.sleep(0.1)
        stop.set()
        await writer
        remaining = [left for left in remaining if left > 0]
        assert len(remaining) >= 2 and remaining[-1] < remaining[0]
        await complete_and_wait(engine, log, "j")
        assert same_content(src, tgt)
        await engine.close()

    asyncio.run(scenario())


@pytest.mark.parametrize("policy", ["report", "ignore"])
def test_failed_active_write_to_the_target(tmp_path: Path, policy: str) -> None:
    async def scenario() -> None:
        engine = Engine()
        log = EventLog(engine)
        src = make_image(tmp_path / "src.img", 4 * MiB, ((0, MiB, None),))
        tgt = make_image(tmp_path / "tgt.img", 4 * MiB)
        rule = {"event": "write_aio", "errno": errno.EIO, "once": True, "sector": 3 * MiB // 512}
        await add_node(
            engine, driver="raw", node_name="src", file={"driver": "file", "filename": str(src)}
        )
        await add_node(
            engine,
            driver="raw",
            node_name="tgt",
            file={
                "driver": "blkdebug",
                "inject-error": [rule],
                "image": {"driver": "file", "filename": str(tgt)},
            },
        )
        user = backend_on(engine, "src")
        await mirror(
            engine,
            job_id="j",
            device="src",
            target="tgt",
            sync="full",
            copy_mode="write-blocking",
            on_target_error=policy,
        )
        await log.wait("BLOCK_JOB_READY", "j")
        await user.pwrite(3 * MiB, b"\x99" * 4096)
        error = await log.wait("BLOCK_JOB_ERROR", "j")
        assert error == {"device": "j", "operation": "write", "action": policy}
        assert src.read_bytes()[3 * MiB : 3 * MiB + 4096] == b"\x99" * 4096
        if policy == "report":
            done = await log.wait("BLOCK_JOB_COMPLETED", "j")
            assert done["error"] == "Input/output error"
            assert user.node.node_name == "src"
        else:
            await run(engine, "job-complete", {"id": "j"})
            done = await log.wait("BLOCK_JOB_COMPLETED", "j")
            assert "error" not in done
            assert same_content(src, tgt)
        await engine.close()

    asyncio.run(scenario())
