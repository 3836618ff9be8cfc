# SPDX-License-Identifier: GPL-2.0-or-later
"""The sampler on a real qemu-storage-daemon and on the built-in engine: throughput, dirty
clusters from the engine's own bitmap, ETA, events in the stream; and its arithmetic on
hand-made replies."""

from __future__ import annotations

import asyncio
import os
import tempfile
from collections.abc import Iterator

import pytest

from guimirror.errors import GuimirrorError, StateError
from guimirror.qapi.base import parse_arguments
from guimirror.qapi.blockdev import BlockdevOptions
from guimirror.qapi.commands import BlockJobSetSpeed, JobCancel, JobDismiss
from guimirror.qapi.errors import QAPIError
from guimirror.qapi.events import BlockJobCancelled, BlockJobReady, JobStatusChange, QAPIEvent
from guimirror.qapi.job import JobStatus
from guimirror.qapi.mirror import BlockdevMirror, MirrorSyncMode
from guimirror.session.connection import ConnectionStateError
from guimirror.session.endpoint import BuiltinEndpoint, DaemonEndpoint, Endpoint
from guimirror.session.sampler import (
    MAX_RATE_HZ,
    EndpointSnapshot,
    JobSample,
    Sampler,
    SamplerRateError,
    SamplerState,
    SamplerStateError,
)

from ..support import require_tools

MiB = 1024 * 1024
SIZE = 16 * MiB


@pytest.fixture
def images() -> Iterator[str]:
    require_tools("qemu-storage-daemon")
    directory = tempfile.mkdtemp(prefix="gm-samp-")
    with open(os.path.join(directory, "src.img"), "wb") as f:
        f.write(os.urandom(SIZE))
    with open(os.path.join(directory, "tgt.img"), "wb") as f:
        f.truncate(SIZE)
    yield directory
    for name in os.listdir(directory):
        os.unlink(os.path.join(directory, name))
    os.rmdir(directory)


def raw_node(node: str, path: str) -> BlockdevOptions:
    """blockdev-add's options for a raw node over the image file ``path``."""
    return parse_arguments(
        BlockdevOptions,
        {"driver": "raw", "node-name": node, "file": {"driver": "file", "filename": path}},
    )


def _endpoint(engine: str) -> Endpoint:
    return DaemonEndpoint("qsd") if engine == "qemu" else BuiltinEndpoint("builtin")


async def _sampled_for(samples: list[JobSample], seconds: float) -> None:
    """Wait until the samples of the running job (its len known) span ``seconds``."""
    for _ in range(1000):
        scanned = [s for s in samples if s.status == "running" and s.len == SIZE]
        if scanned and scanned[-1].time - scanned[0].time >= seconds:
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the job did not run long enough to be sampled")


@pytest.mark.parametrize("engine", ["qemu", "builtin"])
def test_samples_follow_a_rate_limited_mirror(engine: str, images: str) -> None:
    speed = 8 * MiB

    async def scenario() -> tuple[list[JobSample], list[QAPIEvent], int]:
        async with _endpoint(engine) as endpoint:
            client = endpoint.client
            await client.blockdev_add(raw_node("src", f"{images}/src.img"))
            await client.blockdev_add(raw_node("tgt", f"{images}/tgt.img"))
            sampler = Sampler(client, rate_hz=20)
            samples: list[JobSample] = []
            sampler.add_sample_listener(samples.append)
            streamed: list[QAPIEvent] = []
            sampler.start()
            async with sampler.stream() as stream:
                await client.blockdev_mirror(BlockdevMirror(
                    job_id="j1", device="src", target="tgt", sync=MirrorSyncMode.FULL,
                    speed=speed, buf_size=1 * MiB,
                ))
                await _sampled_for(samples, 1.1)
                await client.block_job_set_speed(BlockJobSetSpeed(device="j1", speed=0))
                async for item in stream:
                    if isinstance(item, QAPIEvent):
                        streamed.append(item)
                        if isinstance(item, BlockJobReady):
                            break
            await client.job_cancel(JobCancel(id="j1"))
            await asyncio.sleep(0.2)
            await sampler.stop()
            assert sampler.state is SamplerState.IDLE
            return samples, streamed, sampler.polls

    samples, events, polls = asyncio.run(scenario())
    assert 15 <= polls <= 80, polls
    running = [s for s in samples if s.job_id == "j1" and s.status == "running"]
    assert len(running) >= 10
    from_bitmap = [s for s in running if not s.dirty_estimated]
    assert from_bitmap, "rounds that read the nodes find the mirror's bitmap on the source"
    for sample in running:
        assert sample.granularity == 65536
        assert sample.dirty_clusters == -(-sample.dirty_bytes // 65536)
        # len is 0 until the engine has scanned the source (a moment at the start).
        assert sample.len in (0, SIZE)
    # Once the source is scanned (len known), the dirty count only falls.
    scanned = [s for s in running if s.len == SIZE]
    assert len(scanned) >= 10
    assert scanned[0].dirty_bytes > scanned[-1].dirty_bytes
    counts = [s.dirty_bytes for s in scanned if not s.dirty_estimated]
    assert counts == sorted(counts, reverse=True)
    # After a second at 8 MiB/s the measured throughput is of that order (noisy machine).
    late = [s for s in scanned if s.time - scanned[0].time >= 0.9]
    assert late and speed / 4 < late[0].throughput < speed * 2, [
        (round(s.time, 3), s.len, s.offset, round(s.throughput)) for s in running]
    assert late[0].eta is not None and late[0].eta > 0
    assert any(isinstance(e, BlockJobReady) for e in events)
    ready = [s for s in samples if s.ready]
    assert all(s.eta == 0.0 for s in ready)


def test_events_reach_listeners_while_sampling(images: str) -> None:
    async def scenario() -> list[QAPIEvent]:
        async with DaemonEndpoint("qsd") as endpoint:
            client = endpoint.client
            await client.blockdev_add(raw_node("src", f"{images}/src.img"))
            await client.blockdev_add(raw_node("tgt", f"{images}/tgt.img"))
            sampler = Sampler(client, rate_hz=MAX_RATE_HZ)
            events: list[QAPIEvent] = []
            sampler.add_event_listener(events.append)
            sampler.start()
            await client.blockdev_mirror(BlockdevMirror(
                job_id="j1", device="src", target="tgt", sync=MirrorSyncMode.FULL,
                speed=1, buf_size=65536,
            ))
            await client.job_cancel(JobCancel(id="j1"))
            for _ in range(200):
                if any(isinstance(e, BlockJobCancelled) for e in events):
                    break
                await asyncio.sleep(0.01)
            await sampler.stop()
            return events

    events = asyncio.run(scenario())
    assert [type(e).EVENT for e in events][-4:] == [
        "JOB_STATUS_CHANGE", "BLOCK_JOB_CANCELLED", "JOB_STATUS_CHANGE", "JOB_STATUS_CHANGE"
    ]


class _NoClient:
    """Stands in for a client that started no mirror (the sampler reads only ``mirrors``)."""

    def __init__(self) -> None:
        self.mirrors: dict[str, object] = {}


def test_rate_is_bounded() -> None:
    sampler = Sampler(_NoClient())  # type: ignore[arg-type]
    assert sampler.rate_hz == 5.0
    assert issubclass(SamplerRateError, GuimirrorError)
    assert issubclass(SamplerStateError, StateError)
    assert not issubclass(SamplerStateError, QAPIError)
    sampler.rate_hz = MAX_RATE_HZ
    for bad in (0, -1, MAX_RATE_HZ + 1):
        with pytest.raises(SamplerRateError, match="at most 50 Hz"):
            sampler.rate_hz = bad


def test_sampler_stops_by_itself_when_the_endpoint_goes(images: str) -> None:
    async def scenario() -> Sampler:
        endpoint = DaemonEndpoint("qsd")
        await endpoint.open()
        sampler = Sampler(endpoint.client, rate_hz=MAX_RATE_HZ)
        sampler.start()
        await asyncio.sleep(0.1)
        await endpoint.close()
        for _ in range(100):
            if sampler.state is SamplerState.IDLE:
                break
            await asyncio.sleep(0.01)
        return sampler

    sampler = asyncio.run(scenario())
    assert sampler.state is SamplerState.IDLE
    assert isinstance(sampler.last_error, ConnectionStateError)
    assert sampler.polls >= 2


class _Counter:
    """Counts the commands a connection sends, by wrapping its ``execute``."""

    def __init__(self, endpoint: Endpoint) -> None:
        self.sent: list[tuple[float, str]] = []
        connection = endpoint.client.connection
        execute = connection.execute

        async def counted(command: str, arguments: object = None) -> object:
            self.sent.append((asyncio.get_running_loop().time(), command))
            return await execute(command, arguments)  # type: ignore[arg-type]

        connection.execute = counted  # type: ignore[method-assign]

    def between(self, start: float, end: float) -> list[str]:
        return [command for time, command in self.sent if start <= time < end]


@pytest.mark.parametrize("engine", ["qemu", "builtin"])
def test_one_job_at_5_hz_costs_at_most_rate_plus_one_commands_a_second(
    engine: str, images: str
) -> None:
    rate = 5.0

    async def scenario() -> tuple[list[str], list[EndpointSnapshot]]:
        async with _endpoint(engine) as endpoint:
            client = endpoint.client
            await client.blockdev_add(raw_node("src", f"{images}/src.img"))
            await client.blockdev_add(raw_node("tgt", f"{images}/tgt.img"))
            counter = _Counter(endpoint)
            sampler = Sampler(client, rate_hz=rate)
            snapshots: list[EndpointSnapshot] = []
            sampler.add_snapshot_listener(snapshots.append)
            sampler.start()
            await client.blockdev_mirror(BlockdevMirror(
                job_id="j1", device="src", target="tgt", sync=MirrorSyncMode.FULL,
                speed=1 * MiB, buf_size=1 * MiB,
            ))
            await asyncio.sleep(0.5)  # the job's first events and the rounds they ask for
            loop = asyncio.get_running_loop()
            start = loop.time()
            await asyncio.sleep(3.0)
            sent = counter.between(start, loop.time())
            await sampler.stop()
            await client.job_cancel(JobCancel(id="j1"))
            return sent, [s for s in snapshots if start <= s.time]

    sent, snapshots = asyncio.run(scenario())
    per_second = len(sent) / 3.0
    print(f"{engine}: {len(sent)} commands in 3 s ({per_second:.2f}/s): "
          f"{ {c: sent.count(c) for c in set(sent)} }")
    assert per_second <= rate + 1, sent
    assert sent.count("query-block-jobs") >= 3 * rate - 2
    # The bitmaps once a second; the exports only in requested rounds (no command, no event).
    assert 2 <= sent.count("query-named-block-nodes") <= 4
    assert sent.count("query-block-exports") == 0
    assert all(len(s.samples) == 1 and s.samples[0].job_id == "j1" for s in snapshots)
    assert any(s.nodes is None for s in snapshots) and any(s.nodes for s in snapshots)
    assert all(s.exports is None for s in snapshots)


def test_requests_during_a_round_coalesce_into_one_round(images: str) -> None:
    async def scenario() -> tuple[int, int, bool]:
        async with BuiltinEndpoint("builtin") as endpoint:
            sampler = Sampler(endpoint.client, rate_hz=1.0)
            snapshots: list[EndpointSnapshot] = []
            sampler.add_snapshot_listener(snapshots.append)
            first_round = asyncio.Event()
            sampler.add_snapshot_listener(lambda _s: first_round.set())
            sampler.start()
            await first_round.wait()
            await asyncio.sleep(0.1)
            before = sampler.polls
            for _ in range(5):
                sampler.request_round()
            await asyncio.sleep(0.3)
            after = sampler.polls
            full = snapshots[-1].nodes is not None and snapshots[-1].exports is not None
            await sampler.stop()
            return before, after, full

    before, after, full = asyncio.run(scenario())
    assert after - before == 1 and full


@pytest.mark.parametrize("engine", ["qemu", "builtin"])
def test_a_reused_job_id_is_a_new_instance_with_its_own_average(engine: str, images: str) -> None:
    speed = 10 * MiB

    async def scenario() -> list[JobSample]:
        async with _endpoint(engine) as endpoint:
            client = endpoint.client
            await client.blockdev_add(raw_node("src", f"{images}/src.img"))
            await client.blockdev_add(raw_node("tgt", f"{images}/tgt.img"))
            sampler = Sampler(client, rate_hz=5)
            samples: list[JobSample] = []
            sampler.add_sample_listener(samples.append)
            sampler.start()
            for run in range(2):
                async with client.events() as events:
                    await client.blockdev_mirror(BlockdevMirror(
                        job_id="j1", device="src", target="tgt", sync=MirrorSyncMode.FULL,
                        speed=0 if run == 0 else speed, buf_size=1 * MiB, auto_dismiss=False,
                    ))
                    async for event in events:
                        if isinstance(event, BlockJobReady):
                            break
                    await asyncio.sleep(0.5)
                    await client.job_cancel(JobCancel(id="j1"))
                    async for event in events:
                        if (isinstance(event, JobStatusChange)
                                and event.status is JobStatus.CONCLUDED):
                            break
                # Dismissed and re-created between two rounds: the created event tells.
                await client.job_dismiss(JobDismiss(id="j1"))
            await sampler.stop()
            return samples

    samples = asyncio.run(scenario())
    assert {s.instance for s in samples} == {1, 2}
    second = [s for s in samples if s.instance == 2]
    ready = next(s for s in second if s.ready)
    assert speed * 0.75 < ready.average < speed * 1.1, ready.average / MiB
    assert second[-1].average == ready.average
