"""The sampler: polls an endpoint's jobs and block nodes at a set rate and turns them into
per-job samples (throughput, dirty bytes and clusters, ETA) for the plots, with the events.

Dirty clusters come from the mirror's dirty bitmap: QEMU 7.2 lists it, anonymous, under the
``dirty-bitmaps`` of the mirror's source node in ``query-named-block-nodes`` (``count`` in
bytes). Where an engine shows no bitmap, the sampler estimates ``(len - offset) / granularity``
and flags the sample as an estimate.

The GUI consumes samples through plain callbacks or ``async with sampler.stream()``; no Qt here.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import logging
import math
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import TypeVar

from guimirror.qapi.block_info import BlockDeviceInfo, BlockDirtyInfo
from guimirror.qapi.commands import QueryNamedBlockNodes
from guimirror.qapi.errors import QAPIError
from guimirror.qapi.events import QAPIEvent
from guimirror.qapi.job import BlockJobInfo, JobStatus
from guimirror.session.client import SessionClient
from guimirror.session.connection import ConnectionStateError
from guimirror.session.tasks import finish_or_cancel

logger = logging.getLogger(__name__)

DEFAULT_RATE_HZ = 5.0
MAX_RATE_HZ = 50.0
DEFAULT_SMOOTHING_S = 1.0
"""Time constant of the throughput's exponential smoothing."""
FLAT = QueryNamedBlockNodes(flat=True)
"""The sampler needs no backing chains: ``flat`` spares the engine describing them each poll."""
FALLBACK_GRANULARITY = 65536
"""QEMU's granularity for a raw target, used when neither a bitmap nor the command tells."""


@dataclass(frozen=True)
class JobSample:
    """One job at one instant.

    ``time`` is the event loop's monotonic clock in seconds. ``throughput`` is bytes per
    second, smoothed. ``eta`` is seconds until ``offset`` reaches ``len`` at that throughput
    (0 once ready, None while nothing moves).
    """

    job_id: str
    time: float
    offset: int
    len: int
    throughput: float
    dirty_bytes: int
    dirty_clusters: int
    granularity: int
    dirty_estimated: bool
    status: JobStatus
    ready: bool
    paused: bool
    busy: bool
    speed: int
    io_status: str
    eta: float | None


SampleCallback = Callable[[JobSample], None]
EventCallback = Callable[[QAPIEvent], None]
ItemT = TypeVar("ItemT", JobSample, QAPIEvent)


class SamplerState(enum.Enum):
    IDLE = "idle"
    RUNNING = "running"
    STOPPING = "stopping"


class SamplerStateError(QAPIError):
    """A request the sampler's state does not allow."""


@dataclass
class _JobTrack:
    time: float
    offset: int
    throughput: float


class Sampler:
    """Polls one client's ``query-block-jobs`` and ``query-named-block-nodes``.

    ``start()`` runs the polling loop in a task of its own; ``poll_once()`` takes one round
    in the caller's task (the loop uses it too). Callbacks run in the polling task (samples)
    and in the connection's reader task (events).
    """

    def __init__(
        self,
        client: SessionClient,
        rate_hz: float = DEFAULT_RATE_HZ,
        smoothing_s: float = DEFAULT_SMOOTHING_S,
    ) -> None:
        self.client = client
        self._rate_hz = DEFAULT_RATE_HZ
        self.rate_hz = rate_hz
        self.smoothing_s = smoothing_s
        self._state = SamplerState.IDLE
        self._task: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()
        self._tracks: dict[str, _JobTrack] = {}
        self._sample_callbacks: list[SampleCallback] = []
        self._event_callbacks: list[EventCallback] = []
        self._queues: list[asyncio.Queue[JobSample | QAPIEvent]] = []
        self.polls = 0
        self.poll_seconds = 0.0
        """Wall time spent in poll rounds (their queries' round trips), for measurements."""
        self.last_error: Exception | None = None

    # --- settings and state ------------------------------------------------------------

    @property
    def rate_hz(self) -> float:
        return self._rate_hz

    @rate_hz.setter
    def rate_hz(self, value: float) -> None:
        if not 0 < value <= MAX_RATE_HZ:
            raise QAPIError(f"the sampling rate must be above 0 and at most {MAX_RATE_HZ:g} Hz")
        self._rate_hz = float(value)

    @property
    def state(self) -> SamplerState:
        return self._state

    def add_sample_listener(self, callback: SampleCallback) -> None:
        self._sample_callbacks.append(callback)

    def remove_sample_listener(self, callback: SampleCallback) -> None:
        with contextlib.suppress(ValueError):
            self._sample_callbacks.remove(callback)

    def add_event_listener(self, callback: EventCallback) -> None:
        self._event_callbacks.append(callback)

    def remove_event_listener(self, callback: EventCallback) -> None:
        with contextlib.suppress(ValueError):
            self._event_callbacks.remove(callback)

    @contextlib.asynccontextmanager
    async def stream(self) -> AsyncIterator[AsyncIterator[JobSample | QAPIEvent]]:
        """Samples and events in the order they were taken or arrived, from entry on."""
        queue: asyncio.Queue[JobSample | QAPIEvent] = asyncio.Queue()
        self._queues.append(queue)

        async def items() -> AsyncIterator[JobSample | QAPIEvent]:
            while True:
                yield await queue.get()

        try:
            yield items()
        finally:
            self._queues.remove(queue)

    # --- life --------------------------------------------------------------------------

    def start(self) -> None:
        """Begin polling in a new task (call from a coroutine or a running loop)."""
        if self._state is not SamplerState.IDLE:
            raise SamplerStateError(f"the sampler is {self._state.value}; it cannot start")
        self.client.add_event_listener(self._on_event)
        self._state = SamplerState.RUNNING
        self._stopping.clear()
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        """Stop polling once the poll under way (if any) is answered, and wait for the polling
        task; stopping an idle sampler is a no-op."""
        if self._state is SamplerState.IDLE:
            return
        self._state = SamplerState.STOPPING
        self._stopping.set()
        self.client.remove_event_listener(self._on_event)
        task, self._task = self._task, None
        if task is not None:
            await finish_or_cancel(task)
        self._state = SamplerState.IDLE

    async def _run(self) -> None:
        """The polling task: one round per period, never more often than the rate."""
        loop = asyncio.get_running_loop()
        next_poll = loop.time()
        while not self._stopping.is_set():
            try:
                await self.poll_once()
            except (ConnectionStateError, OSError, EOFError) as error:
                self.last_error = error
                logger.warning("sampler stops, the connection is gone: %s", error)
                self._state = SamplerState.IDLE
                self.client.remove_event_listener(self._on_event)
                return
            except QAPIError as error:
                self.last_error = error
                logger.warning("sampler poll failed: %s", error.desc)
            except Exception as error:
                self.last_error = error
                logger.exception("sampler stops after an unexpected error")
                self._state = SamplerState.IDLE
                self.client.remove_event_listener(self._on_event)
                return
            next_poll = max(next_poll + 1.0 / self._rate_hz, loop.time())
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(next_poll - loop.time()):
                    await self._stopping.wait()

    # --- one round ---------------------------------------------------------------------

    async def poll_once(self) -> list[JobSample]:
        """Query jobs (and, while there are jobs, block nodes), deliver and return samples."""
        loop = asyncio.get_running_loop()
        started = loop.time()
        jobs = await self.client.query_block_jobs()
        nodes = await self.client.query_named_block_nodes(FLAT) if jobs else []
        now = loop.time()
        self.polls += 1
        self.poll_seconds += now - started
        samples = self.samples_from(jobs, nodes, now)
        for sample in samples:
            self._deliver(sample, self._sample_callbacks, "sample callback %r failed")
        return samples

    def samples_from(
        self, jobs: list[BlockJobInfo], nodes: list[BlockDeviceInfo], now: float
    ) -> list[JobSample]:
        """Samples for ``jobs`` at time ``now``; updates the throughput tracks."""
        bitmaps = self._bitmaps_by_job(jobs, nodes)
        samples = []
        for job in jobs:
            throughput = self._throughput(job, now)
            bitmap = bitmaps.get(job.device)
            if bitmap is not None:
                granularity = bitmap.granularity
                dirty_bytes = bitmap.count
                estimated = False
            else:
                record = self.client.mirrors.get(job.device)
                granularity = (record.granularity if record else 0) or FALLBACK_GRANULARITY
                dirty_bytes = max(job.len - job.offset, 0)
                estimated = True
            remaining = max(job.len - job.offset, 0)
            if job.ready:
                eta: float | None = 0.0
            elif throughput > 0:
                eta = remaining / throughput
            else:
                eta = None
            samples.append(JobSample(
                job_id=job.device, time=now, offset=job.offset, len=job.len,
                throughput=throughput, dirty_bytes=dirty_bytes,
                dirty_clusters=math.ceil(dirty_bytes / granularity), granularity=granularity,
                dirty_estimated=estimated, status=job.status, ready=job.ready, paused=job.paused,
                busy=job.busy, speed=job.speed, io_status=str(job.io_status), eta=eta,
            ))
        for gone in set(self._tracks) - {job.device for job in jobs}:
            del self._tracks[gone]
        return samples

    def _throughput(self, job: BlockJobInfo, now: float) -> float:
        track = self._tracks.get(job.device)
        if track is None or job.offset < track.offset or now <= track.time:
            self._tracks[job.device] = _JobTrack(now, job.offset, 0.0)
            return 0.0
        elapsed = now - track.time
        instant = (job.offset - track.offset) / elapsed
        weight = 1.0 - math.exp(-elapsed / self.smoothing_s)
        track.throughput += weight * (instant - track.throughput)
        track.time, track.offset = now, job.offset
        return track.throughput

    def _bitmaps_by_job(
        self, jobs: list[BlockJobInfo], nodes: list[BlockDeviceInfo]
    ) -> dict[str, BlockDirtyInfo]:
        """Each mirror's anonymous bitmap, found on its source node (or filter node).

        For a job this client started, the source is known. For a job found on attaching,
        the one anonymous bitmap is its when there is exactly one mirror and one such bitmap.
        """
        anonymous: dict[str, BlockDirtyInfo] = {}
        for node in nodes:
            for bitmap in node.dirty_bitmaps or ():
                if bitmap.name is None and node.node_name is not None:
                    anonymous[node.node_name] = bitmap
        found: dict[str, BlockDirtyInfo] = {}
        for job in jobs:
            record = self.client.mirrors.get(job.device)
            if record is not None and record.device in anonymous:
                found[job.device] = anonymous[record.device]
        mirrors = [job for job in jobs if job.type == "mirror"]
        if not found and len(mirrors) == 1 and len(anonymous) == 1:
            found[mirrors[0].device] = next(iter(anonymous.values()))
        return found

    def _on_event(self, event: QAPIEvent) -> None:
        self._deliver(event, self._event_callbacks, "event callback %r failed")

    def _deliver(
        self, item: ItemT, callbacks: list[Callable[[ItemT], None]], failure: str
    ) -> None:
        """Give ``item`` to each callback (logging ``failure`` if one raises), then each stream."""
        for callback in list(callbacks):
            try:
                callback(item)
            except Exception:
                logger.exception(failure, callback)
        for queue in self._queues:
            queue.put_nowait(item)
