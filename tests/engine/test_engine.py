# SPDX-License-Identifier: GPL-2.0-or-later
"""The Engine facade: the mirror's bitmap in query-named-block-nodes, exports writing through
the mirror filter and moving to the target at the pivot, and a failure that leaves the engine
usable."""

from __future__ import annotations

import asyncio
from pathlib import Path

from guimirror.engine.mirror import MirrorJob
from tests.engine.mirror_support import (
    KiB,
    MiB,
    backend_on,
    engine_with_pair,
    job_info,
    mirror,
    run,
    same_content,
)
from tests.support import require_tools


async def source_bitmaps(engine: object) -> list[dict[str, object]]:
    for node in await run(engine, "query-named-block-nodes", {}):  # type: ignore[arg-type]
        if node.node_name == "src":
            return [b.to_qmp() for b in node.dirty_bitmaps or []]
    raise AssertionError("no node src")


def test_dirty_bitmap_is_anonymous_on_the_source_node_and_counts_bytes(tmp_path: Path) -> None:
    async def scenario() -> None:
        engine, log, _src, _tgt = await engine_with_pair(tmp_path, 4 * MiB, ((0, 4 * MiB, None),))
        user = backend_on(engine, "src")
        await mirror(
            engine,
            job_id="j",
            device="src",
            target="tgt",
            sync="full",
            speed=1,
            buf_size=64 * KiB,
            granularity=64 * KiB,
        )
        await asyncio.sleep(0.05)
        bitmaps = await source_bitmaps(engine)
        assert bitmaps == [
            {
                "count": 4 * MiB - 64 * KiB,
                "granularity": 64 * KiB,
                "recording": True,
                "busy": False,
                "persistent": False,
            }
        ]
        for node in await run(engine, "query-named-block-nodes", {}):
            if node.node_name != "src":
                assert not node.dirty_bitmaps, node.node_name
        await run(engine, "block-job-set-speed", {"device": "j", "speed": 0})
        await log.wait("BLOCK_JOB_READY", "j")
        assert (await source_bitmaps(engine))[0]["count"] == 0
        await run(engine, "job-pause", {"id": "j"})
        await log.wait_status("j", "standby")
        await user.pwrite(100 * KiB, b"x" * 100)
        assert (await source_bitmaps(engine))[0]["count"] == 64 * KiB
        await run(engine, "job-cancel", {"id": "j"})
        await log.wait_status("j", "null")
        assert await source_bitmaps(engine) == []
        await engine.close()

    asyncio.run(scenario())


def test_a_failed_job_leaves_the_engine_usable(tmp_path: Path) -> None:
    async def scenario() -> None:
        engine, log, src, tgt = await engine_with_pair(tmp_path)
        await mirror(
            engine, job_id="j", device="src", target="tgt", sync="full", speed=1, buf_size=64 * KiB
        )
        job = engine.jobs["j"]
        assert isinstance(job, MirrorJob)
        await asyncio.sleep(0.1)
        job.in_flight_bitmap = None  # type: ignore[assignment]  # a bug inside the job
        await run(engine, "block-job-set-speed", {"device": "j", "speed": 0})
        done = await log.wait("BLOCK_JOB_COMPLETED", "j")
        assert "error" in done
        await log.wait_status("j", "null")
        assert await job_info(engine, "j") is None
        await mirror(engine, job_id="k", device="src", target="tgt", sync="full")
        await log.wait("BLOCK_JOB_READY", "k")
        await run(engine, "job-complete", {"id": "k"})
        await log.wait_status("k", "null")
        assert same_content(src, tgt)
        await engine.close()

    asyncio.run(scenario())


def test_nbd_exports_write_through_the_filter_and_follow_the_pivot(tmp_path: Path) -> None:
    require_tools("qemu-io")

    async def qemu_io(socket: Path, command: str, export: str = "src") -> None:
        process = await asyncio.create_subprocess_exec(
            "qemu-io",
            "-f",
            "raw",
            f"nbd+unix:///{export}?socket={socket}",
            "-c",
            command,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        output, _ = await process.communicate()
        assert process.returncode == 0, output.decode(errors="replace")

    async def scenario() -> None:
        engine, log, src, tgt = await engine_with_pair(tmp_path)
        socket = tmp_path / "nbd.sock"
        await run(
            engine, "nbd-server-start", {"addr": {"type": "unix", "data": {"path": str(socket)}}}
        )
        await run(
            engine,
            "block-export-add",
            {"type": "nbd", "id": "exp", "node-name": "src", "name": "src", "writable": True},
        )
        await mirror(engine, job_id="j", device="src", target="tgt", sync="full")
        await qemu_io(socket, "write -P 0x61 512k 1M")
        await log.wait("BLOCK_JOB_READY", "j")
        await qemu_io(socket, "write -P 0x62 2M 64k")
        await run(
            engine,
            "block-export-add",
            {"type": "nbd", "id": "late", "node-name": "src", "name": "late", "writable": True},
        )
        await qemu_io(socket, "write -P 0x64 3M 100k", export="late")
        await run(engine, "job-complete", {"id": "j"})
        await log.wait("BLOCK_JOB_COMPLETED", "j")
        assert same_content(src, tgt)
        exports = [e.to_qmp() for e in await run(engine, "query-block-exports")]
        assert [e["node-name"] for e in exports] == ["tgt", "tgt"]
        await qemu_io(socket, "write -P 0x63 0 4k")
        assert tgt.read_bytes()[:4096] == b"\x63" * 4096
        assert src.read_bytes()[:4096] != b"\x63" * 4096
        await engine.close()

    asyncio.run(scenario())
