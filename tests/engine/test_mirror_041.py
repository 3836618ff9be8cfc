# SPDX-License-Identifier: GPL-2.0-or-later
"""QEMU iotest 041's scenarios that apply to raw, null-co and blkdebug nodes (qemu-mirror.md 6)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from guimirror.engine.engine import Engine
from tests.engine.mirror_support import (
    EventLog,
    KiB,
    MiB,
    add_node,
    add_raw,
    backend_on,
    complete_and_wait,
    engine_with_pair,
    error_of,
    job_info,
    make_image,
    mirror,
    run,
    same_content,
)

BUSY = "block device is in use by block job: mirror"


async def node_names(engine: Engine) -> dict[str, str]:
    return {n.node_name or "": n.drv for n in await run(engine, "query-named-block-nodes", {})}


@pytest.mark.parametrize("size", [4 * MiB, 1025 * KiB, 0], ids=["aligned", "unaligned", "zero"])
def test_complete_pivots_users_to_the_target(tmp_path: Path, size: int) -> None:
    async def scenario() -> None:
        extents = ((0, min(size, 300 * KiB), None),) if size else ()
        engine, log, src, tgt = await engine_with_pair(tmp_path, size, extents)
        user = backend_on(engine, "src")
        await mirror(engine, job_id="j", device="src", target="tgt", sync="full")
        assert user.node.driver == "mirror_top"
        await log.wait("BLOCK_JOB_READY", "j")
        await run(engine, "block-job-complete", {"device": "j"})
        done = await log.wait("BLOCK_JOB_COMPLETED", "j")
        assert "error" not in done and done["offset"] == done["len"]
        assert user.node.node_name == "tgt"
        assert same_content(src, tgt)
        assert "mirror_top" not in (await node_names(engine)).values()
        await engine.close()

    asyncio.run(scenario())


def test_cancel_leaves_users_on_the_source_and_removes_the_filter(tmp_path: Path) -> None:
    async def scenario() -> None:
        engine, log, _src, _tgt = await engine_with_pair(tmp_path)
        user = backend_on(engine, "src")
        await mirror(engine, job_id="j", device="src", target="tgt", sync="full", speed=1)
        names = await node_names(engine)
        filters = [name for name, drv in names.items() if drv == "mirror_top"]
        assert len(filters) == 1 and filters[0].startswith("#block")
        await run(engine, "job-cancel", {"id": "j"})
        await log.wait_status("j", "null")
        assert user.node.node_name == "src"
        assert "mirror_top" not in (await node_names(engine)).values()
        await engine.close()

    asyncio.run(scenario())


def test_explicit_filter_node_name(tmp_path: Path) -> None:
    async def scenario() -> None:
        engine, log, _src, _tgt = await engine_with_pair(tmp_path)
        await mirror(
            engine,
            job_id="j",
            device="src",
            target="tgt",
            sync="full",
            speed=1,
            filter_node_name="mirror-filter",
        )
        assert (await node_names(engine))["mirror-filter"] == "mirror_top"
        error = await error_of(engine, "blockdev-del", {"node-name": "src"})
        assert error.desc == f"Node 'src' is busy: {BUSY}"
        await run(engine, "job-cancel", {"id": "j"})
        await log.wait_status("j", "null")
        assert "mirror-filter" not in await node_names(engine)
        await engine.close()

    asyncio.run(scenario())


def test_small_buffer_and_small_granularity(tmp_path: Path) -> None:
    async def scenario() -> None:
        engine, log, src, tgt = await engine_with_pair(tmp_path)
        await mirror(engine, job_id="buf", device="src", target="tgt", sync="full", buf_size=4096)
        await log.wait("BLOCK_JOB_READY", "buf")
        await run(engine, "job-complete", {"id": "buf"})
        await log.wait_status("buf", "null")
        assert same_content(src, tgt)
        await engine.close()
        engine = Engine()
        log = EventLog(engine)
        big = make_image(tmp_path / "big.img", 10 * MiB, ((0, 10 * MiB, None),))
        copy = make_image(tmp_path / "copy.img", 10 * MiB)
        await add_raw(engine, "big", big)
        await add_raw(engine, "copy", copy)
        await mirror(engine, job_id="g", device="big", target="copy", sync="full", granularity=8192)
        await log.wait("BLOCK_JOB_READY", "g")
        await run(engine, "job-complete", {"id": "g"})
        await log.wait_status("g", "null")
        assert same_content(big, copy)
        await engine.close()

    asyncio.run(scenario())


def test_existing_target_junk_is_replaced_and_sparse_stays_sparse(tmp_path: Path) -> None:
    async def scenario() -> None:
        junk = ((0, 4 * MiB, 0x42),)
        engine, log, src, tgt = await engine_with_pair(tmp_path, target_extents=junk)
        await mirror(engine, job_id="j", device="src", target="tgt", sync="full")
        await log.wait("BLOCK_JOB_READY", "j")
        await run(engine, "job-complete", {"id": "j"})
        await log.wait_status("j", "null")
        assert same_content(src, tgt)
        await engine.close()
        second = tmp_path / "second"
        second.mkdir()
        engine, log, src, tgt = await engine_with_pair(second)
        await mirror(engine, job_id="j", device="src", target="tgt", sync="top")
        ready = await log.wait("BLOCK_JOB_READY", "j")
        # As QEMU counts: the holes too, though only the data was copied.
        assert ready["len"] == ready["offset"] == src.stat().st_size
        await run(engine, "job-complete", {"id": "j"})
        await log.wait_status("j", "null")
        assert same_content(src, tgt)
        assert (tgt.stat().st_blocks * 512) <= (src.stat().st_blocks * 512) * 1.1
        await engine.close()

    asyncio.run(scenario())


def test_sync_none_copies_only_new_writes(tmp_path: Path) -> None:
    async def scenario() -> None:
        engine, log, _src, tgt = await engine_with_pair(tmp_path)
        user = backend_on(engine, "src")
        await mirror(engine, job_id="j", device="src", target="tgt", sync="none")
        ready = await log.wait("BLOCK_JOB_READY", "j")
        assert ready["len"] == 0
        await user.pwrite(2 * MiB, b"\x77" * 4096)
        await run(engine, "job-complete", {"id": "j"})
        done = await log.wait("BLOCK_JOB_COMPLETED", "j")
        assert done["offset"] == done["len"] == 64 * KiB
        data = tgt.read_bytes()
        assert data[2 * MiB : 2 * MiB + 4096] == b"\x77" * 4096
        assert data[: 512 * KiB] == bytes(512 * KiB)
        await engine.close()

    asyncio.run(scenario())


def test_set_speed(tmp_path: Path) -> None:
    async def scenario() -> None:
        engine, log, _src, _tgt = await engine_with_pair(tmp_path)
        await mirror(engine, job_id="j", device="src", target="tgt", sync="full")
        assert (await job_info(engine, "j") or {}).get("speed") == 0
        await run(engine, "block-job-set-speed", {"device": "j", "speed": 8 * MiB})
        assert (await job_info(engine, "j") or {}).get("speed") == 8 * MiB
        await log.wait("BLOCK_JOB_READY", "j")
        await run(engine, "block-job-cancel", {"device": "j"})
        await log.wait("BLOCK_JOB_COMPLETED", "j")
        await log.wait_status("j", "null")
        await mirror(engine, job_id="k", device="src", target="tgt", sync="full", speed=4 * MiB)
        assert (await job_info(engine, "k") or {}).get("speed") == 4 * MiB
        error = await error_of(engine, "block-job-set-speed", {"device": "k", "speed": -1})
        assert error.desc == "Parameter 'speed' expects a non-negative value"
        await log.wait("BLOCK_JOB_READY", "k")
        await run(engine, "job-cancel", {"id": "k"})
        await log.wait_status("k", "null")
        before = len(log.events)
        error = await error_of(
            engine,
            "blockdev-mirror",
            {"job-id": "bad", "device": "src", "target": "tgt", "sync": "full", "speed": -1},
        )
        assert error.desc == "Parameter 'speed' expects a non-negative value"
        assert [e[1]["status"] for e in log.events[before:]] == ["created", "null"]
        assert await engine.query_block_jobs() == []
        assert "mirror_top" not in (await node_names(engine)).values()
        await engine.close()

    asyncio.run(scenario())


def test_refused_commands_in_qemus_order(tmp_path: Path) -> None:
    async def scenario() -> None:
        engine, log, _src, _tgt = await engine_with_pair(tmp_path)
        for name, size in [("small", 2 * MiB), ("other", 4 * MiB), ("tgt2", 4 * MiB)]:
            await add_raw(engine, name, make_image(tmp_path / f"{name}.img", size))
        await add_raw(engine, "ro", make_image(tmp_path / "ro.img", 4 * MiB), read_only=True)
        base = {"job-id": "j1", "device": "src", "target": "tgt", "sync": "full"}
        cases: list[tuple[dict[str, Any], str]] = [
            ({"device": "nope"}, "Cannot find device='nope' nor node-name='nope'"),
            ({"target": "nope"}, "Cannot find device='nope' nor node-name='nope'"),
            ({"device": "src-file"}, "Need a root block node"),
            ({"granularity": 3000}, "Parameter 'granularity' expects a power of 2"),
            ({"granularity": 256}, "Parameter 'granularity' expects a value in range [512B, 64MB]"),
            ({"replaces": "nope"}, "Failed to find node with node-name='nope'"),
            (
                {"replaces": "other"},
                "Cannot replace 'other' by a node mirrored from 'src', because it cannot be "
                "guaranteed that doing so would not lead to an abrupt change of visible data",
            ),
            ({"sync": "incremental"}, "Sync mode 'incremental' not supported"),
            ({"buf-size": -1}, "Invalid parameter 'buf-size'"),
            ({"target": "src"}, "Can't mirror node into itself"),
            ({"target": "small"}, "Source and target image have different sizes"),
            ({"filter-node-name": "#x"}, "Invalid node-name: '#x'"),
            ({"filter-node-name": "tgt"}, "Duplicate nodes with node-name='tgt'"),
            ({"job-id": "#bad"}, "Invalid job ID '#bad'"),
        ]
        for changes, desc in cases:
            error = await error_of(engine, "blockdev-mirror", {**base, **changes})
            assert error.desc == desc, changes
        error = await error_of(
            engine, "blockdev-mirror", {k: v for k, v in base.items() if k != "job-id"}
        )
        assert error.desc == "Invalid job ID ''"
        error = await error_of(engine, "blockdev-mirror", {**base, "target": "ro"})
        assert error.desc == "Block node is read-only"
        assert log.names("j1") == ["created", "null"]
        assert await engine.query_block_jobs() == []
        await mirror(engine, job_id="busy", device="src", target="tgt", sync="full", speed=1)
        error = await error_of(engine, "blockdev-mirror", {**base, "target": "tgt2"})
        assert error.desc.startswith("Need a root block node") and "'busy'" in error.desc
        error = await error_of(engine, "blockdev-mirror", {**base, "device": "other"})
        assert error.desc == f"Node 'tgt' is busy: {BUSY}"
        error = await error_of(
            engine,
            "blockdev-mirror",
            {**base, "job-id": "busy", "device": "other", "target": "tgt2"},
        )
        assert error.desc == "Job ID 'busy' already in use"
        await mirror(
            engine, job_id="r", device="other", target="tgt2", sync="full", replaces="other"
        )
        await log.wait("BLOCK_JOB_READY", "r")
        await run(engine, "job-cancel", {"id": "r"})
        await run(engine, "job-cancel", {"id": "busy"})
        await log.wait_status("busy", "null")
        await engine.close()

    asyncio.run(scenario())


def test_null_co_nodes(tmp_path: Path) -> None:
    async def scenario() -> None:
        engine = Engine()
        log = EventLog(engine)
        await add_node(engine, driver="null-co", node_name="nsrc", size=8 * MiB, read_zeroes=True)
        await add_node(engine, driver="null-co", node_name="ntgt", size=8 * MiB)
        error = await error_of(
            engine, "blockdev-mirror", {"device": "nsrc", "target": "ntgt", "sync": "full"}
        )
        assert error.desc == "Invalid job ID ''"
        await mirror(engine, job_id="n", device="nsrc", target="ntgt", sync="full")
        done = await complete_and_wait(engine, log, "n")
        assert "error" not in done
        await engine.close()

    asyncio.run(scenario())
