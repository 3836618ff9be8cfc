# SPDX-License-Identifier: GPL-2.0-or-later
"""Seeded differential fuzz: random blockdev-mirror arguments, good and bad mixed, give the
same first error as a real qemu-storage-daemon (7.2 and 10.0), or are accepted by both.

Only graph-independent choices are drawn (the nodes exist, device and target differ), so every
difference is one of the models' or check functions'.
"""

from __future__ import annotations

import asyncio
import random
from typing import Any

import pytest
from qemu.qmp import ExecuteError, QMPClient

from guimirror.qapi.base import parse_arguments
from guimirror.qapi.errors import QAPIError
from guimirror.qapi.mirror import BlockdevMirror

from .test_against_qemu import NODES, daemon

pytestmark = pytest.mark.qemu

CASES = 300
SEED = 20261126
ABSENT = object()

# member: (valid values, invalid values); each member is invalid in about one case in twelve
CHOICES: dict[str, tuple[list[Any], list[Any]]] = {
    "job-id": (["JOB"], [ABSENT, "#bad", "", None, 5, "9z"]),
    "device": (["e-src"], [ABSENT, 5, None]),
    "target": (["e-tgt"], [ABSENT, True]),
    "replaces": ([ABSENT, "e-src"], [7]),
    "sync": (["full", "top", "none"], [ABSENT, "incremental", "bitmap", "bogus", 1]),
    "speed": ([ABSENT, 0, 1048576], [-1, "x", 1.5, True, 2**63]),
    "granularity": ([ABSENT, 0, 512, 65536, 2**26], [3000, 256, 2**27, -1, 2**32, "x", 1.5]),
    "buf-size": ([ABSENT, 0, 1, 4096], [-1, "x", 2**63]),
    "on-source-error": ([ABSENT, "report", "ignore", "stop", "enospc", "auto"], ["x", 0]),
    "on-target-error": ([ABSENT, "report", "stop"], ["bogus", False]),
    "filter-node-name": ([ABSENT, ABSENT, "ft"], ["#ft", "f" * 32, 3]),
    "copy-mode": ([ABSENT, "background", "write-blocking"], ["sync", 0]),
    "auto-finalize": ([ABSENT, True, False], ["yes", 1]),
    "auto-dismiss": ([ABSENT, True, False], [None]),
}
EXTRA: list[dict[str, Any]] = [{"foo": 1}, {"buf_size": 1}, {"job_id": "x"}]
INVALID = 1 / 12


def _cases() -> list[dict[str, Any]]:
    rng = random.Random(SEED)
    cases = []
    for number in range(CASES):
        raw: dict[str, Any] = {}
        for name, (valid, invalid) in CHOICES.items():
            value = rng.choice(invalid if rng.random() < INVALID else valid)
            if value == "JOB":
                value = f"j{number}"
            if value is not ABSENT:
                raw[name] = value
        if rng.random() < INVALID:
            raw |= rng.choice(EXTRA)
        items = list(raw.items())
        rng.shuffle(items)  # member order in the object must not matter
        cases.append(dict(items))
    return cases


def _ours(raw: dict[str, Any]) -> str | None:
    try:
        parse_arguments(BlockdevMirror, raw).check()
    except QAPIError as error:
        return error.desc
    return None


async def _theirs(client: QMPClient, raw: dict[str, Any]) -> str | None:
    try:
        await client.execute("blockdev-mirror", raw)
    except ExecuteError as error:
        return str(error)
    await _remove_job(client, raw["job-id"])
    return None


async def _remove_job(client: QMPClient, job_id: str) -> None:
    """Cancel an accepted job and wait until it is gone (dismissing it if it must be)."""
    await client.execute("job-cancel", {"id": job_id})
    async with asyncio.timeout(10):
        while True:
            reply: list[dict[str, Any]] = await client.execute("query-jobs")  # type: ignore[assignment]
            jobs = {job["id"]: job for job in reply}
            job = jobs.get(job_id)
            if job is None:
                return
            if job["status"] == "concluded":
                await client.execute("job-dismiss", {"id": job_id})
                return
            if job["status"] == "pending":
                await client.execute("job-finalize", {"id": job_id})
            await asyncio.sleep(0.005)


def test_random_mirror_arguments_agree_with_the_daemon(version: str) -> None:
    cases = _cases()

    async def scenario() -> tuple[list[tuple[dict[str, Any], str | None, str | None]], int]:
        differences = []
        accepted = 0
        async with daemon(version, *NODES) as client:
            for raw in cases:
                theirs = await _theirs(client, raw)
                ours = _ours(raw)
                accepted += theirs is None
                if theirs != ours:
                    differences.append((raw, theirs, ours))
        return differences, accepted

    differences, accepted = asyncio.run(scenario())
    assert differences == []
    assert CASES // 10 <= accepted <= CASES // 2, "the draw must mix accepted and refused ones"
