# SPDX-License-Identifier: GPL-2.0-or-later
"""The fault matrix: on-*-error policy x failing operation x errno, with blkdebug nodes.

Each case injects one error (``once``) into a source read, a target write or a target flush
and checks the events, the job's status and io-status, and the data at the end: a reported
error fails the job with strerror's text and leaves the source untouched; ignore and stop
(after resume) finish with a target identical to the source (iotest 041 TestReadErrors,
TestWriteErrors).
"""

from __future__ import annotations

import asyncio
import errno
import hashlib
from pathlib import Path

import pytest

from guimirror.engine.engine import Engine
from tests.engine.mirror_support import (
    EventLog,
    MiB,
    add_node,
    complete_and_wait,
    job_info,
    make_image,
    mirror,
    run,
    same_content,
)

POLICIES = ("report", "ignore", "stop", "enospc")
FAULTS = {
    "source-read": ("read_aio", "on-source-error", "read"),
    "target-write": ("write_aio", "on-target-error", "write"),
    "target-flush": ("flush_to_disk", "on-target-error", "write"),
}
ERRNOS = {"EIO": errno.EIO, "ENOSPC": errno.ENOSPC}


def expected_action(policy: str, code: int) -> str:
    if policy in ("enospc", "auto"):
        return "stop" if code == errno.ENOSPC else "report"
    return policy


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("errno_name", sorted(ERRNOS))
@pytest.mark.parametrize("fault", sorted(FAULTS))
@pytest.mark.parametrize("policy", POLICIES)
def test_fault_matrix(tmp_path: Path, policy: str, fault: str, errno_name: str) -> None:
    code = ERRNOS[errno_name]
    event, option, operation = FAULTS[fault]
    action = expected_action(policy, code)

    async def scenario() -> None:
        engine = Engine()
        log = EventLog(engine)
        src = make_image(tmp_path / "src.img", 2 * MiB, ((0, 2 * MiB, None),))
        tgt = make_image(tmp_path / "tgt.img", 2 * MiB)
        before = digest(src)
        rule = {"event": event, "errno": code, "once": True}
        faulty = "src" if fault == "source-read" else "tgt"
        for name, path in (("src", src), ("tgt", tgt)):
            file: dict[str, object] = {"driver": "file", "filename": str(path)}
            if name == faulty:
                file = {"driver": "blkdebug", "image": file, "inject-error": [rule]}
            await add_node(engine, driver="raw", node_name=name, file=file)
        await mirror(
            engine,
            job_id="j",
            device="src",
            target="tgt",
            sync="full",
            buf_size=256 * 1024,
            **{option.replace("-", "_"): policy},
        )
        error = await log.wait("BLOCK_JOB_ERROR", "j")
        assert error == {"device": "j", "operation": operation, "action": action}
        if action == "report":
            done = await log.wait("BLOCK_JOB_COMPLETED", "j")
            assert done["error"] == (
                "No space left on device" if code == errno.ENOSPC else "Input/output error"
            )
            assert "BLOCK_JOB_READY" not in log.names("j")
        else:
            if action == "stop":
                await log.wait("JOB_STATUS_CHANGE", "j", match=lambda d: d["status"] == "paused")
                info = await job_info(engine, "j")
                assert info is not None
                assert (info["status"], info["paused"]) == ("paused", True)
                assert info["io-status"] == ("nospace" if code == errno.ENOSPC else "failed")
                await asyncio.sleep(0.05)
                assert "BLOCK_JOB_READY" not in log.names("j")
                await run(engine, "job-resume", {"id": "j"})
                info = await job_info(engine, "j")
                assert info is not None and info["io-status"] == "ok"
            done = await complete_and_wait(engine, log, "j")
            assert "error" not in done
            assert same_content(src, tgt)
            assert len(log.find("BLOCK_JOB_ERROR", "j")) == 1
        await log.wait_status("j", "null")
        assert digest(src) == before
        await engine.close()

    asyncio.run(scenario())
