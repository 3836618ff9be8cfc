# SPDX-License-Identifier: GPL-2.0-or-later
"""The sampler finds each mirror's dirty bitmap wherever the engine lists it: on the source
node (QEMU 7.2, the built-in engine) or on the mirror's filter node (QEMU 10.0), with two
mirrors running at once."""

from __future__ import annotations

import asyncio
import os
import tempfile
from collections.abc import Iterator

import pytest

from guimirror.qapi.mirror import BlockdevMirror, MirrorSyncMode
from guimirror.session.endpoint import BuiltinEndpoint, DaemonEndpoint, Endpoint
from guimirror.session.sampler import FLAT, JobSample, Sampler

from ..support import QEMU_VERSIONS, require_qemu
from .test_sampler import raw_node

MiB = 1024 * 1024
SIZE = 8 * MiB
#: job-id -> (source, target, granularity): the granularities tell the bitmaps apart.
MIRRORS = {"j1": ("a", "a-copy", 64 * 1024), "j2": ("b", "b-copy", 256 * 1024)}


@pytest.fixture
def images() -> Iterator[str]:
    directory = tempfile.mkdtemp(prefix="gm-bitmaps-")
    for source, target, _ in MIRRORS.values():
        with open(os.path.join(directory, f"{source}.img"), "wb") as f:
            f.write(os.urandom(SIZE))
        with open(os.path.join(directory, f"{target}.img"), "wb") as f:
            f.truncate(SIZE)
    yield directory
    for name in os.listdir(directory):
        os.unlink(os.path.join(directory, name))
    os.rmdir(directory)


@pytest.mark.parametrize("engine", [*(f"qemu-{v}" for v in QEMU_VERSIONS), "builtin"])
def test_each_mirror_gets_its_own_bitmap(engine: str, images: str) -> None:
    endpoint: Endpoint
    if engine == "builtin":
        endpoint = BuiltinEndpoint("builtin")
    else:
        endpoint = DaemonEndpoint("qsd", binary=require_qemu(engine.removeprefix("qemu-")))

    async def scenario() -> tuple[list[JobSample], dict[str, dict[str, int]]]:
        async with endpoint:
            client = endpoint.client
            for source, target, _ in MIRRORS.values():
                await client.blockdev_add(raw_node(source, f"{images}/{source}.img"))
                await client.blockdev_add(raw_node(target, f"{images}/{target}.img"))
            for job_id, (source, target, granularity) in MIRRORS.items():
                # 1 byte/s: the bitmaps stay dirty while they are read
                await client.blockdev_mirror(BlockdevMirror(
                    job_id=job_id, device=source, target=target, sync=MirrorSyncMode.FULL,
                    speed=1, granularity=granularity, buf_size=1 * MiB,
                ))
            for _ in range(500):  # until both have scanned their source
                if len([job for job in await client.query_block_jobs() if job.len]) == 2:
                    break
                await asyncio.sleep(0.02)
            jobs = await client.query_block_jobs()
            nodes = await client.query_named_block_nodes(FLAT)
            holders = {
                node.node_name or "": {
                    "granularity": bitmap.granularity, "count": bitmap.count,
                    "filter": node.drv == "mirror_top"}
                for node in nodes for bitmap in node.dirty_bitmaps or ()
            }
            samples = Sampler(client).samples_from(jobs, nodes, 0.0)
            for job_id in MIRRORS:
                await client.execute("job-cancel", {"id": job_id})
            return samples, holders

    samples, holders = asyncio.run(scenario())
    # Where this engine lists the bitmaps.
    on_filters = {holder["filter"] for holder in holders.values()}
    assert on_filters == {engine == "qemu-10.0"}, holders
    if engine != "qemu-10.0":
        assert set(holders) == {source for source, _, _ in MIRRORS.values()}
    assert len(holders) == 2
    by_granularity = {holder["granularity"]: holder["count"] for holder in holders.values()}
    assert {sample.job_id for sample in samples} == set(MIRRORS)
    for sample in samples:
        granularity = MIRRORS[sample.job_id][2]
        assert not sample.dirty_estimated, sample
        assert sample.granularity == granularity
        assert sample.dirty_bytes == by_granularity[granularity] > 0
