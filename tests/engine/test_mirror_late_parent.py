# SPDX-License-Identifier: GPL-2.0-or-later
"""A node added by blockdev-add during a mirror with the source as its child by reference.

QEMU 7.2 accepts ``{"driver": "raw", "node-name": "late", "file": "src"}`` while ``src`` is
mirrored, writable, and its job's bitmap on ``src`` records writes through ``late`` in
copy-mode background (qemu-mirror.md 3.1); at the pivot ``late`` moves to the target, at a
cancel it stays on the source. In write-blocking mode QEMU 7.2 loses such writes (its bitmap
is disabled); the built-in engine gives ``late`` the filter, so it mirrors them actively.
"""

from __future__ import annotations

import asyncio
import functools
import json
from pathlib import Path
from typing import Any

import pytest

from guimirror.engine.engine import Engine
from guimirror.qapi.errors import QAPIError
from tests.engine.mirror_support import (
    EventLog,
    KiB,
    MiB,
    add_node,
    add_raw,
    backend_on,
    complete_and_wait,
    error_of,
    job_info,
    make_image,
    mirror,
    run,
    same_content,
)
from tests.engine.test_graph_against_qemu import normalized
from tests.support import wait_until

SIZE = 4 * MiB
BUF = 256 * KiB
MODES = ["background", "write-blocking"]


async def stalled_mirror_with_late_node(tmp_path: Path, mode: str) -> tuple[Engine, EventLog]:
    """src (random data) mirrored to tgt at speed 1: the first ``buf-size`` bytes are
    copied, then the job waits; then ``late`` is added over ``src`` by reference."""
    engine = Engine()
    log = EventLog(engine)
    await add_raw(engine, "src", make_image(tmp_path / "src.img", SIZE, ((0, SIZE, None),)))
    await add_raw(engine, "tgt", make_image(tmp_path / "tgt.img", SIZE))
    await mirror(
        engine, job_id="j", device="src", target="tgt", sync="full", copy_mode=mode,
        buf_size=BUF, speed=1,
    )

    async def first_pass_copied() -> bool:
        info = await job_info(engine, "j")
        return info is not None and info["offset"] >= BUF

    await wait_until(first_pass_copied)
    await add_node(engine, driver="raw", node_name="late", file="src")
    return engine, log


async def source_dirty_bytes(engine: Engine) -> int:
    for node in await run(engine, "query-named-block-nodes", {}):
        if node.node_name == "src":
            return int(node.dirty_bitmaps[0].count)
    raise AssertionError("no node src")


async def late_entry(engine: Engine) -> dict[str, Any]:
    for node in await run(engine, "query-named-block-nodes", {}):
        if node.node_name == "late":
            entry: dict[str, Any] = node.to_qmp()
            return entry
    raise AssertionError("no node late")


def file_child(entry: dict[str, Any]) -> dict[str, Any]:
    """The ``file`` child of a raw node, from its json: filename."""
    child: dict[str, Any] = json.loads(entry["file"].removeprefix("json:"))["file"]
    return child


async def reply_of(engine: Engine, command: str, arguments: dict[str, Any]) -> Any:
    """The command's reply as QMP shows it, or ``("error", desc)`` as DaemonClient.run."""
    try:
        reply = await run(engine, command, arguments)
    except QAPIError as error:
        return ("error", error.desc)
    if isinstance(reply, list):
        return [item.to_qmp() for item in reply]
    return {} if reply is None else reply.to_qmp()


def read_file(path: Path, offset: int, length: int) -> bytes:
    with open(path, "rb") as f:
        f.seek(offset)
        return f.read(length)


@pytest.mark.parametrize("mode", MODES)
def test_writes_through_a_late_node_reach_the_target(tmp_path: Path, mode: str) -> None:
    async def scenario() -> None:
        engine, log = await stalled_mirror_with_late_node(tmp_path, mode)
        src, tgt = tmp_path / "src.img", tmp_path / "tgt.img"
        assert file_child(await late_entry(engine))["file"]["filename"] == str(src)
        late = backend_on(engine, "late")
        dirty = await source_dirty_bytes(engine)
        await late.pwrite(0, b"\x5a" * (64 * KiB))
        await late.pwrite(2 * MiB + 42, b"\x6b" * (100 * KiB))
        await late.pwrite_zeroes(3 * MiB, 64 * KiB)
        if mode == "background":
            # Chunk 0 was copied in the first pass and is dirty again; the rest still was.
            assert await source_dirty_bytes(engine) == dirty + 64 * KiB
        else:
            assert read_file(tgt, 0, 64 * KiB) == b"\x5a" * (64 * KiB)
            assert read_file(tgt, 2 * MiB + 42, 100 * KiB) == b"\x6b" * (100 * KiB)
            assert read_file(tgt, 3 * MiB, 64 * KiB) == bytes(64 * KiB)
        await run(engine, "block-job-set-speed", {"device": "j", "speed": 0})
        done = await complete_and_wait(engine, log, "j")
        assert "error" not in done
        assert same_content(src, tgt)
        # The pivot moved late to the target, as bdrv_replace_node moves every parent.
        assert file_child(await late_entry(engine))["file"]["filename"] == str(tgt)
        await late.pwrite(MiB, b"\x7c" * 512)
        assert read_file(tgt, MiB, 512) == b"\x7c" * 512
        assert read_file(src, MiB, 512) != b"\x7c" * 512
        engine.graph.detach(late)
        await run(engine, "blockdev-del", {"node-name": "src"})
        error = await error_of(engine, "blockdev-del", {"node-name": "tgt"})
        assert error.desc == "Block device tgt is in use"
        await run(engine, "blockdev-del", {"node-name": "late"})
        await run(engine, "blockdev-del", {"node-name": "tgt"})
        await engine.close()

    asyncio.run(scenario())


@pytest.mark.parametrize("mode", MODES)
def test_a_late_node_reads_the_source_after_a_cancel(tmp_path: Path, mode: str) -> None:
    async def scenario() -> None:
        engine, log = await stalled_mirror_with_late_node(tmp_path, mode)
        src, tgt = tmp_path / "src.img", tmp_path / "tgt.img"
        late = backend_on(engine, "late")
        await late.pwrite(0, b"\x5a" * (64 * KiB))
        await late.pwrite(3 * MiB + 7, b"\x6b" * 4097)
        await run(engine, "block-job-set-speed", {"device": "j", "speed": 0})
        await log.wait("BLOCK_JOB_READY", "j")
        # A soft cancel after READY leaves the target an exact copy, and no pivot.
        await run(engine, "block-job-cancel", {"device": "j"})
        done = await log.wait("BLOCK_JOB_COMPLETED", "j")
        assert "error" not in done
        assert same_content(src, tgt)
        assert file_child(await late_entry(engine))["file"]["filename"] == str(src)
        await late.pwrite(MiB, b"\x7c" * 512)
        assert await late.pread(MiB, 512) == read_file(src, MiB, 512) == b"\x7c" * 512
        assert read_file(tgt, MiB, 512) != b"\x7c" * 512
        engine.graph.detach(late)
        error = await error_of(engine, "blockdev-del", {"node-name": "src"})
        assert error.desc == "Block device src is in use"
        await run(engine, "blockdev-del", {"node-name": "late"})
        await run(engine, "blockdev-del", {"node-name": "src"})
        await engine.close()

    asyncio.run(scenario())


def test_a_late_node_is_deleted_while_the_mirror_runs(tmp_path: Path) -> None:
    async def scenario() -> None:
        engine, log = await stalled_mirror_with_late_node(tmp_path, "background")
        error = await error_of(engine, "blockdev-del", {"node-name": "src"})
        assert error.desc == "Node 'src' is busy: block device is in use by block job: mirror"
        await run(engine, "blockdev-del", {"node-name": "late"})
        await run(engine, "block-job-set-speed", {"device": "j", "speed": 0})
        await complete_and_wait(engine, log, "j")
        assert same_content(tmp_path / "src.img", tmp_path / "tgt.img")
        await run(engine, "blockdev-del", {"node-name": "src"})
        await engine.close()

    asyncio.run(scenario())


def test_late_nodes_show_as_qemu_shows_them(tmp_path: Path, qsd: Any) -> None:
    """query-named-block-nodes' entries of nodes added during a mirror, against QEMU 7.2:
    over the source by reference, over the filter by its name, and their flat and nested
    views, during the mirror and after job-cancel or job-complete."""
    adds = [
        {"driver": "raw", "node-name": "late", "file": "src"},
        {"driver": "raw", "node-name": "late-ro", "read-only": True, "file": "src"},
        {"driver": "raw", "node-name": "late-window", "file": "src", "offset": 4096},
        {
            "driver": "blkdebug",
            "node-name": "late-dbg",
            "image": "src",
            "inject-error": [{"event": "read_aio", "sector": 2048, "once": True}],
        },
    ]
    late_names = [add["node-name"] for add in adds]

    async def entries(query: Any, names: list[str]) -> list[Any]:
        shown: list[Any] = []
        for flat in (False, True):
            listed = await query("query-named-block-nodes", {"flat": flat})
            shown += [normalized(e) for e in listed if e["node-name"] in names]
        return shown

    async def exports(query: Any) -> list[Any]:
        listed = await query("query-block-exports", {})
        return sorted((e["id"], e["node-name"]) for e in listed)

    async def script(command: Any, final: str) -> list[Any]:
        """The same commands on either engine; ``command`` returns a reply or an error."""
        seen: list[Any] = []
        make_image(tmp_path / "src.img", SIZE, ((0, SIZE, 0x5A),))
        make_image(tmp_path / "tgt.img", SIZE)
        for name in ("src", "tgt"):
            filename = str(tmp_path / f"{name}.img")
            await command("blockdev-add", {
                "driver": "raw", "node-name": name,
                "file": {"driver": "file", "node-name": f"{name}-file", "filename": filename},
            })
        await command("nbd-server-start", {
            "addr": {"type": "unix", "data": {"path": str(tmp_path / "nbd.sock")}}})
        await command("block-export-add", {"type": "nbd", "id": "early", "node-name": "src"})
        await command("blockdev-mirror", {
            "job-id": "j", "device": "src", "target": "tgt", "sync": "full", "speed": 1,
            "buf-size": BUF, "filter-node-name": "mf",
        })
        # An export added now names the source (the one before moved onto the filter).
        seen.append(await command("block-export-add", {
            "type": "nbd", "id": "late", "node-name": "src", "name": "late", "writable": True}))
        seen.append(await exports(command))
        for options in adds:
            seen.append(await command("blockdev-add", options))
        seen.append(await command("blockdev-add", {"driver": "raw", "node-name": "late-mf",
                                                   "file": "mf"}))
        seen.append(await command("blockdev-del", {"node-name": "src"}))
        seen += await entries(command, [*late_names, "late-mf"])
        await command("block-job-set-speed", {"device": "j", "speed": 0})

        async def ready() -> bool:
            jobs = await command("query-block-jobs", {})
            return bool(jobs and jobs[0]["ready"])

        await wait_until(ready)
        await command(f"job-{final}", {"id": "j"})

        async def gone() -> bool:
            return not await command("query-block-jobs", {})

        await wait_until(gone)
        seen += await entries(command, [*late_names, "late-mf"])
        seen.append(await exports(command))
        for export in ("early", "late"):
            await command("block-export-del", {"id": export})

        async def unexported() -> bool:
            return not await command("query-block-exports", {})

        await wait_until(unexported)
        for name in ("src", "tgt", *late_names, "late-mf", "src", "tgt"):
            seen.append(await command("blockdev-del", {"node-name": name}))
        return seen

    async def scenario() -> None:
        for final in ("cancel", "complete"):
            engine = Engine()
            try:
                mine = await script(functools.partial(reply_of, engine), final)
            finally:
                await engine.close()
            async with qsd() as daemon:
                theirs = await script(daemon.run, final)
            assert len(mine) == len(theirs)
            for index, (o, q) in enumerate(zip(mine, theirs, strict=True)):
                assert o == q, f"{final}, reply {index}:\n qemu: {q}\n ours: {o}"

    asyncio.run(scenario())
