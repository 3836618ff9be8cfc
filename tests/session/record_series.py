# SPDX-License-Identifier: GPL-2.0-or-later
"""Record what ``query-block-jobs`` reports, round by round, for the sampler's estimator tests.

Each series is a JSON file under ``tests/session/data/``: the engine, its version, the
scenario's settings, and one row per round (the loop's monotonic time in seconds and the
round's ``query-block-jobs`` reply as the engine sent it). The tests replay the rows through
the sampler's estimators, so the recorded behaviour of the engines (QEMU's bursts included) is
what they are held to.

Scenarios, each on a dense random source of ``--size-mib`` MiB, mirrored to an empty raw target
with ``speed`` 5 MiB/s and the engine's default ``buf-size``:

- ``steady``: runs to READY, stays ready a few seconds, then ``job-cancel`` until the job is gone.
- ``pause``: runs, is paused (``job-pause``) for a few seconds, resumes, then is cancelled
  before READY.

    .venv/bin/python tests/session/record_series.py --engine qemu --scenario steady
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from guimirror.qapi.base import parse_arguments
from guimirror.qapi.blockdev import BlockdevOptions
from guimirror.qapi.commands import JobCancel, JobPause, JobResume
from guimirror.qapi.mirror import BlockdevMirror, MirrorSyncMode
from guimirror.session.client import SessionClient
from guimirror.session.endpoint import BuiltinEndpoint, DaemonEndpoint, Endpoint

MiB = 1024 * 1024
DATA = Path(__file__).parent / "data"
RATE_HZ = 5.0
SPEED = 5 * MiB
JOB_ID = "rec"


def _raw(node: str, path: str) -> BlockdevOptions:
    return parse_arguments(
        BlockdevOptions,
        {"driver": "raw", "node-name": node, "file": {"driver": "file", "filename": path}},
    )


class Recorder:
    """Polls ``query-block-jobs`` at RATE_HZ in a task of its own and keeps every reply."""

    def __init__(self, client: SessionClient) -> None:
        self.client = client
        self.rows: list[dict[str, Any]] = []
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        next_round = loop.time()
        while True:
            jobs = await self.client.execute("query-block-jobs")
            self.rows.append({"time": round(loop.time(), 4), "jobs": jobs})
            next_round = max(next_round + 1.0 / RATE_HZ, loop.time())
            await asyncio.sleep(next_round - loop.time())

    def job(self) -> dict[str, Any] | None:
        last = self.rows[-1]["jobs"] if self.rows else []
        return next((job for job in last if job["device"] == JOB_ID), None)

    async def until(self, done: Any, limit: float = 300.0) -> None:
        async with asyncio.timeout(limit):
            while not done(self.job()):  # noqa: ASYNC110 - the rows are the thing polled
                await asyncio.sleep(0.05)


async def record(endpoint: Endpoint, scenario: str, directory: str, size: int) -> dict[str, Any]:
    async with endpoint:
        client = endpoint.client
        version = await client.query_version()
        await client.blockdev_add(_raw("src", f"{directory}/src.img"))
        await client.blockdev_add(_raw("tgt", f"{directory}/tgt.img"))
        recorder = Recorder(client)
        recorder.start()
        await asyncio.sleep(0.5)
        await client.blockdev_mirror(BlockdevMirror(
            job_id=JOB_ID, device="src", target="tgt", sync=MirrorSyncMode.FULL, speed=SPEED,
        ))
        if scenario == "steady":
            await recorder.until(lambda job: job is not None and job["ready"])
            await asyncio.sleep(3.0)
        else:
            await asyncio.sleep(8.0)
            await client.job_pause(JobPause(id=JOB_ID))
            await asyncio.sleep(4.0)
            await client.job_resume(JobResume(id=JOB_ID))
            await asyncio.sleep(8.0)
        await client.job_cancel(JobCancel(id=JOB_ID))
        await recorder.until(lambda job: job is None)
        await asyncio.sleep(1.0)
        await recorder.stop()
        return {
            "engine": "qemu-storage-daemon" if isinstance(endpoint, DaemonEndpoint) else "builtin",
            "version": f"{version.qemu.major}.{version.qemu.minor}.{version.qemu.micro}",
            "scenario": scenario,
            "job-id": JOB_ID,
            "speed": SPEED,
            "size": size,
            "rate-hz": RATE_HZ,
            "rows": recorder.rows,
        }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=["qemu", "builtin"], required=True)
    parser.add_argument("--scenario", choices=["steady", "pause"], required=True)
    parser.add_argument("--size-mib", type=int, default=256)
    args = parser.parse_args()
    directory = tempfile.mkdtemp(prefix="gm-record-", dir="/var/tmp")
    try:
        with open(f"{directory}/src.img", "wb") as f:
            for _ in range(args.size_mib):
                f.write(os.urandom(MiB))
        with open(f"{directory}/tgt.img", "wb") as f:
            f.truncate(args.size_mib * MiB)
        endpoint: Endpoint = (
            DaemonEndpoint("record") if args.engine == "qemu" else BuiltinEndpoint("record")
        )
        series = asyncio.run(record(endpoint, args.scenario, directory, args.size_mib * MiB))
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    DATA.mkdir(exist_ok=True)
    out = DATA / f"{args.engine}-{args.scenario}.json"
    out.write_text(json.dumps(series, indent=None, separators=(",", ":")) + "\n")
    print(f"{out}: {len(series['rows'])} rounds")
    return 0


if __name__ == "__main__":
    sys.exit(main())
