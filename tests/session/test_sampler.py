"""The sampler on a real qemu-storage-daemon and on the built-in engine: throughput, dirty
clusters from the engine's own bitmap, ETA, events in the stream; and its arithmetic on
hand-made replies."""

from __future__ import annotations

import asyncio
import os
import tempfile
from collections.abc import Iterator

import pytest

from guimirror.qapi.base import parse_arguments
from guimirror.qapi.blockdev import BlockdevOptions
from guimirror.qapi.commands import BlockJobSetSpeed, JobCancel
from guimirror.qapi.errors import QAPIError
from guimirror.qapi.events import BlockJobCancelled, BlockJobReady, QAPIEvent
from guimirror.qapi.job import BlockJobInfo
from guimirror.qapi.mirror import BlockdevMirror, MirrorSyncMode
from guimirror.session.connection import ConnectionStateError
from guimirror.session.endpoint import BuiltinEndpoint, DaemonEndpoint, Endpoint
from guimirror.session.sampler import MAX_RATE_HZ, JobSample, Sampler, SamplerState

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


def _raw(node: str, path: str) -> BlockdevOptions:
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
            await client.blockdev_add(_raw("src", f"{images}/src.img"))
            await client.blockdev_add(_raw("tgt", f"{images}/tgt.img"))
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
    assert 15 <= polls <= 60, polls
    running = [s for s in samples if s.job_id == "j1" and s.status == "running"]
    assert len(running) >= 10
    for sample in running:
        assert not sample.dirty_estimated, "the mirror's bitmap is on the source node"
        assert sample.granularity == 65536
        assert sample.dirty_clusters == -(-sample.dirty_bytes // 65536)
        # len is 0 until the engine has scanned the source (a moment at the start).
        assert sample.len in (0, SIZE)
    # Once the source is scanned (len known), the dirty count only falls.
    scanned = [s for s in running if s.len == SIZE]
    assert len(scanned) >= 10
    counts = [s.dirty_bytes for s in scanned]
    assert counts[0] > counts[-1]
    assert counts == sorted(counts, reverse=True)
    # After a second at 8 MiB/s the smoothed throughput is of that order (noisy machine).
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
            await client.blockdev_add(_raw("src", f"{images}/src.img"))
            await client.blockdev_add(_raw("tgt", f"{images}/tgt.img"))
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


def _job(offset: int, length: int = 100 * MiB, **fields: object) -> BlockJobInfo:
    return BlockJobInfo.model_validate({
        "type": "mirror", "device": "j1", "len": length, "offset": offset, "busy": True,
        "paused": False, "speed": 0, "io-status": "ok", "ready": False, "status": "running",
        "auto-finalize": True, "auto-dismiss": True, **fields,
    })


class _NoClient:
    """Stands in for a client that started no mirror (the sampler reads only ``mirrors``)."""

    def __init__(self) -> None:
        self.mirrors: dict[str, object] = {}


def test_throughput_is_smoothed_and_the_estimate_is_flagged() -> None:
    sampler = Sampler(_NoClient(), smoothing_s=1.0)  # type: ignore[arg-type]
    first = sampler.samples_from([_job(0)], [], now=10.0)[0]
    assert first.throughput == 0.0 and first.eta is None
    assert first.dirty_estimated and first.granularity == 65536
    assert first.dirty_bytes == 100 * MiB and first.dirty_clusters == 1600
    values = [sampler.samples_from([_job(i * 10 * MiB)], [], now=10.0 + i)[0] for i in range(1, 9)]
    throughputs = [s.throughput for s in values]
    assert throughputs == sorted(throughputs)
    assert 9 * MiB < throughputs[-1] <= 10 * MiB
    assert values[-1].eta == pytest.approx(20 * MiB / throughputs[-1])
    ready = sampler.samples_from([_job(100 * MiB, ready=True, status="ready")], [], now=20.0)[0]
    assert ready.eta == 0.0 and ready.dirty_bytes == 0


def test_rate_is_bounded() -> None:
    sampler = Sampler(_NoClient())  # type: ignore[arg-type]
    assert sampler.rate_hz == 5.0
    sampler.rate_hz = MAX_RATE_HZ
    for bad in (0, -1, MAX_RATE_HZ + 1):
        with pytest.raises(QAPIError, match="at most 50 Hz"):
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
