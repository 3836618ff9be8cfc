# SPDX-License-Identifier: GPL-2.0-or-later
"""The job life cycle as QEMU 7.2 shows it: JOB_STATUS_CHANGE sequences, verbs and their errors."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from tests.engine.mirror_support import (
    engine_with_pair,
    error_of,
    job_info,
    mirror,
    run,
    same_content,
)
from tests.support import wait_until

COMPLETED_ORDER = [
    "created",
    "running",
    "ready",
    "BLOCK_JOB_READY",
    "waiting",
    "pending",
    "BLOCK_JOB_COMPLETED",
    "concluded",
    "null",
]


def test_complete_pivots_and_emits_qemus_sequence(tmp_path: Path) -> None:
    async def scenario() -> None:
        engine, log, src, tgt = await engine_with_pair(tmp_path)
        await mirror(engine, job_id="j", device="src", target="tgt", sync="full")
        ready = await log.wait("BLOCK_JOB_READY", "j")
        assert ready["len"] == ready["offset"] > 0
        await run(engine, "job-complete", {"id": "j"})
        done = await log.wait("BLOCK_JOB_COMPLETED", "j")
        await log.wait_status("j", "null")
        assert "error" not in done and done["offset"] == done["len"]
        assert log.names("j") == COMPLETED_ORDER
        assert await engine.query_block_jobs() == []
        assert same_content(src, tgt)
        await engine.close()

    asyncio.run(scenario())


def test_soft_cancel_after_ready_completes_without_pivot(tmp_path: Path) -> None:
    async def scenario() -> None:
        engine, log, src, tgt = await engine_with_pair(tmp_path)
        await mirror(engine, job_id="j", device="src", target="tgt", sync="full")
        await log.wait("BLOCK_JOB_READY", "j")
        await run(engine, "block-job-cancel", {"device": "j"})
        await log.wait_status("j", "null")
        assert log.names("j") == COMPLETED_ORDER
        assert same_content(src, tgt)
        await engine.close()

    asyncio.run(scenario())


def test_cancel_before_ready_and_forced_cancel_after_ready(tmp_path: Path) -> None:
    async def scenario() -> None:
        engine, log, _src, _tgt = await engine_with_pair(tmp_path)
        await mirror(
            engine, job_id="slow", device="src", target="tgt", sync="full", speed=1, buf_size=65536
        )
        await run(engine, "block-job-cancel", {"device": "slow"})
        cancelled = await log.wait("BLOCK_JOB_CANCELLED", "slow")
        await log.wait_status("slow", "null")
        assert log.names("slow") == [
            "created",
            "running",
            "aborting",
            "BLOCK_JOB_CANCELLED",
            "concluded",
            "null",
        ]
        assert cancelled["offset"] <= 65536
        await mirror(engine, job_id="j", device="src", target="tgt", sync="full")
        await log.wait("BLOCK_JOB_READY", "j")
        await run(engine, "block-job-cancel", {"device": "j", "force": True})
        await log.wait_status("j", "null")
        assert log.names("j") == [
            "created",
            "running",
            "ready",
            "BLOCK_JOB_READY",
            "aborting",
            "BLOCK_JOB_CANCELLED",
            "concluded",
            "null",
        ]
        await engine.close()

    asyncio.run(scenario())


def test_manual_finalize_and_dismiss(tmp_path: Path) -> None:
    async def scenario() -> None:
        engine, log, src, tgt = await engine_with_pair(tmp_path)
        await mirror(
            engine,
            job_id="j",
            device="src",
            target="tgt",
            sync="full",
            auto_finalize=False,
            auto_dismiss=False,
        )
        await log.wait("BLOCK_JOB_READY", "j")
        await run(engine, "job-complete", {"id": "j"})
        await log.wait("BLOCK_JOB_PENDING", "j")
        info = await job_info(engine, "j")
        assert info is not None
        assert (info["status"], info["paused"], info["ready"]) == ("pending", True, False)
        error = await error_of(engine, "job-dismiss", {"id": "j"})
        assert error.desc == "Job 'j' in state 'pending' cannot accept command verb 'dismiss'"
        await run(engine, "block-job-finalize", {"id": "j"})
        await log.wait_status("j", "concluded")
        assert (await job_info(engine, "j") or {})["status"] == "concluded"
        await run(engine, "job-dismiss", {"id": "j"})
        assert await job_info(engine, "j") is None
        assert log.names("j") == [
            "created",
            "running",
            "ready",
            "BLOCK_JOB_READY",
            "waiting",
            "pending",
            "BLOCK_JOB_PENDING",
            "BLOCK_JOB_COMPLETED",
            "concluded",
            "null",
        ]
        assert same_content(src, tgt)
        await engine.close()

    asyncio.run(scenario())


def test_cancel_in_pending_aborts_without_pivot(tmp_path: Path) -> None:
    async def scenario() -> None:
        engine, log, _src, _tgt = await engine_with_pair(tmp_path)
        await mirror(
            engine, job_id="j", device="src", target="tgt", sync="full", auto_finalize=False
        )
        await log.wait("BLOCK_JOB_READY", "j")
        await run(engine, "job-complete", {"id": "j"})
        await log.wait("BLOCK_JOB_PENDING", "j")
        await run(engine, "job-cancel", {"id": "j"})
        await log.wait_status("j", "null")
        assert log.names("j")[-5:] == [
            "BLOCK_JOB_PENDING",
            "aborting",
            "BLOCK_JOB_CANCELLED",
            "concluded",
            "null",
        ]
        nodes = {n.node_name for n in await run(engine, "query-named-block-nodes", {})}
        assert {"src", "tgt"} <= nodes
        await engine.close()

    asyncio.run(scenario())


def test_pause_resume_running_and_ready(tmp_path: Path) -> None:
    async def scenario() -> None:
        engine, log, src, tgt = await engine_with_pair(tmp_path)
        await mirror(
            engine,
            job_id="j",
            device="src",
            target="tgt",
            sync="full",
            speed=1024 * 1024,
            buf_size=65536,
        )
        await run(engine, "job-pause", {"id": "j"})
        await log.wait_status("j", "paused")
        first = await job_info(engine, "j")
        assert first is not None and first["paused"] and not first["busy"]
        error = await error_of(engine, "job-pause", {"id": "j"})
        assert error.desc == "Job is already paused"
        error = await error_of(engine, "block-job-cancel", {"device": "j"})
        assert error.desc == "The block job for device 'j' is currently paused"
        error = await error_of(engine, "job-complete", {"id": "j"})
        assert error.desc == "Job 'j' in state 'paused' cannot accept command verb 'complete'"
        await asyncio.sleep(0.3)
        assert (await job_info(engine, "j") or {})["offset"] == first["offset"]
        await run(engine, "job-resume", {"id": "j"})
        error = await error_of(engine, "job-resume", {"id": "j"})
        assert error.desc == "Can't resume a job that was not paused"
        await run(engine, "block-job-set-speed", {"device": "j", "speed": 0})
        await log.wait("BLOCK_JOB_READY", "j")
        await run(engine, "block-job-pause", {"device": "j"})
        await log.wait_status("j", "standby")
        info = await job_info(engine, "j")
        assert info is not None and (info["status"], info["ready"]) == ("standby", True)
        await run(engine, "job-complete", {"id": "j"})
        await asyncio.sleep(0.1)
        assert (await job_info(engine, "j") or {})["status"] == "standby"
        await run(engine, "block-job-resume", {"device": "j"})
        await log.wait_status("j", "null")
        assert log.names("j") == [
            "created",
            "running",
            "paused",
            "running",
            "ready",
            "BLOCK_JOB_READY",
            "standby",
            "ready",
            "waiting",
            "pending",
            "BLOCK_JOB_COMPLETED",
            "concluded",
            "null",
        ]
        assert len(log.find("BLOCK_JOB_READY", "j")) == 1
        assert same_content(src, tgt)
        await engine.close()

    asyncio.run(scenario())


def test_verb_errors_and_unknown_jobs(tmp_path: Path) -> None:
    async def scenario() -> None:
        engine, log, _src, _tgt = await engine_with_pair(tmp_path)
        await mirror(
            engine, job_id="busy", device="src", target="tgt", sync="full", speed=1, buf_size=65536
        )
        await wait_until(lambda: job_info(engine, "busy"))
        cases: list[tuple[str, dict[str, Any], str]] = [
            (
                "job-complete",
                {"id": "busy"},
                "Job 'busy' in state 'running' cannot accept command verb 'complete'",
            ),
            (
                "block-job-complete",
                {"device": "busy"},
                "Job 'busy' in state 'running' cannot accept command verb 'complete'",
            ),
            (
                "job-dismiss",
                {"id": "busy"},
                "Job 'busy' in state 'running' cannot accept command verb 'dismiss'",
            ),
            (
                "job-finalize",
                {"id": "busy"},
                "Job 'busy' in state 'running' cannot accept command verb 'finalize'",
            ),
            (
                "block-job-set-speed",
                {"device": "busy", "speed": -1},
                "Parameter 'speed' expects a non-negative value",
            ),
            ("job-resume", {"id": "busy"}, "Can't resume a job that was not paused"),
            ("job-complete", {"id": "nojob"}, "Job not found"),
        ]
        for command, args, desc in cases:
            error = await error_of(engine, command, args)
            assert (error.error_class, error.desc) == ("GenericError", desc), command
        error = await error_of(engine, "block-job-set-speed", {"device": "nojob", "speed": 1})
        assert (error.error_class, error.desc) == ("DeviceNotActive", "Block job 'nojob' not found")
        await run(engine, "block-job-set-speed", {"device": "busy", "speed": 4 * 1024 * 1024})
        assert (await job_info(engine, "busy") or {})["speed"] == 4 * 1024 * 1024
        await run(engine, "job-cancel", {"id": "busy"})
        await log.wait("BLOCK_JOB_CANCELLED", "busy")
        await engine.close()

    asyncio.run(scenario())


def test_close_cancels_running_jobs(tmp_path: Path) -> None:
    async def scenario() -> None:
        engine, log, _src, _tgt = await engine_with_pair(tmp_path)
        await mirror(engine, job_id="busy", device="src", target="tgt", sync="full", speed=1)
        await wait_until(lambda: job_info(engine, "busy"))
        await engine.close()
        assert "BLOCK_JOB_CANCELLED" in log.names("busy")
        assert engine.jobs == {}

    asyncio.run(scenario())
