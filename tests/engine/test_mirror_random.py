# SPDX-License-Identifier: GPL-2.0-or-later
"""Random writes through a BlockBackend (as an export writes) during a mirror, in both copy
modes, before and after READY, with random granularity, buf-size and speed: at completion
the target equals the source; after a soft cancel it equals the source as it was."""

from __future__ import annotations

import asyncio
import random
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.engine.mirror_support import (
    KiB,
    MiB,
    backend_on,
    engine_with_pair,
    mirror,
    run,
    same_content,
)

SIZE = 3 * MiB + 5 * KiB

write = st.tuples(st.integers(0, SIZE - 1), st.integers(1, 200 * KiB), st.sampled_from("wzd"))


@settings(max_examples=30, deadline=None)
@given(
    copy_mode=st.sampled_from(["background", "write-blocking"]),
    granularity=st.sampled_from([512, 4096, 65536, 1048576]),
    buf_size=st.sampled_from([0, 1, 100 * KiB, 2 * MiB]),
    speed=st.sampled_from([0, 32 * MiB, 256 * MiB]),
    before_ready=st.lists(write, max_size=12),
    after_ready=st.lists(write, max_size=12),
    finish=st.sampled_from(["complete", "soft-cancel"]),
    seed=st.integers(0, 2**32),
)
def test_random_writes_during_mirror(
    copy_mode: str,
    granularity: int,
    buf_size: int,
    speed: int,
    before_ready: list[tuple[int, int, str]],
    after_ready: list[tuple[int, int, str]],
    finish: str,
    seed: int,
) -> None:
    rng = random.Random(seed)

    async def apply(user: object, writes: list[tuple[int, int, str]]) -> None:
        from guimirror.engine.backend import BlockBackend

        assert isinstance(user, BlockBackend)
        tasks = []
        for offset, length, kind in writes:
            length = min(length, SIZE - offset)
            if kind == "w":
                tasks.append(user.pwrite(offset, rng.randbytes(length)))
            elif kind == "z":
                tasks.append(user.pwrite_zeroes(offset, length))
            else:
                tasks.append(user.pdiscard(offset, length))
        await asyncio.gather(*tasks)

    async def scenario(directory: Path) -> None:
        extents = ((0, 700 * KiB, None), (MiB + 3, 333 * KiB, None))
        engine, log, src, tgt = await engine_with_pair(directory, SIZE, extents)
        user = backend_on(engine, "src")
        await mirror(
            engine,
            job_id="j",
            device="src",
            target="tgt",
            sync="full",
            copy_mode=copy_mode,
            granularity=granularity,
            buf_size=buf_size,
            speed=speed,
        )
        await apply(user, before_ready)
        await log.wait("BLOCK_JOB_READY", "j")
        await apply(user, after_ready)
        if finish == "complete":
            await run(engine, "job-complete", {"id": "j"})
        else:
            await run(engine, "block-job-cancel", {"device": "j"})
        done = await log.wait("BLOCK_JOB_COMPLETED", "j")
        assert "error" not in done and done["offset"] == done["len"]
        assert same_content(src, tgt)
        assert user.node.node_name == ("tgt" if finish == "complete" else "src")
        await engine.close()

    with tempfile.TemporaryDirectory() as directory:
        asyncio.run(scenario(Path(directory)))
