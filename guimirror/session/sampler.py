# SPDX-License-Identifier: GPL-2.0-or-later
"""The sampler: the one poller of an endpoint. Each round reads the jobs (and, when due, the
block nodes and the exports) in one round trip, and delivers an ``EndpointSnapshot`` with a
``JobSample`` per job (throughput, average, dirty bytes and clusters, ETA, per job instance).

Rounds come at ``rate_hz``, and at once when ``request_round()`` asks (after a command's reply,
and on every event the sampler receives); requests made while a round is under way make one
next round. A periodic round reads ``query-block-jobs`` and, once a second,
``query-named-block-nodes`` (the dirty bitmaps); ``query-block-exports`` is read only in
requested rounds, since only commands and events change the exports. A requested round reads
all three. So one job sampled at 5 Hz costs 6 commands a second: the rate plus one.

Dirty clusters come from the mirror's dirty bitmap: QEMU 7.2 lists it, anonymous, under the
``dirty-bitmaps`` of the mirror's source node in ``query-named-block-nodes`` (``count`` in
bytes). In a round that did not read the nodes, or where an engine shows no bitmap, the sampler
takes ``len - offset`` (the job's own count of what remains: dirty plus in flight) and flags the
sample as an estimate.

The GUI consumes snapshots and samples through plain callbacks or ``async with
sampler.stream()``; no Qt here.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import logging
import math
from collections.abc import AsyncIterator, Callable, Sequence
from typing import TypeVar

from guimirror.errors import GuimirrorError, StateError
from guimirror.qapi.block_info import BlockDeviceInfo, BlockDirtyInfo
from guimirror.qapi.commands import QueryNamedBlockNodes
from guimirror.qapi.errors import QAPIError
from guimirror.qapi.events import JobStatusChange, QAPIEvent
from guimirror.qapi.job import BlockJobInfo, JobStatus
from guimirror.session.block_client import BlockJobClient
from guimirror.session.connection import ConnectionStateError
from guimirror.session.rates import JobTrack
from guimirror.session.samples import EndpointSnapshot, JobSample
from guimirror.session.tasks import finish_or_cancel
from guimirror.texts import Text

logger = logging.getLogger(__name__)

__all__ = [
    "DEFAULT_RATE_HZ", "MAX_RATE_HZ", "EndpointSnapshot", "JobSample", "Sampler",
    "SamplerRateError", "SamplerState", "SamplerStateError",
]

DEFAULT_RATE_HZ = 5.0
MAX_RATE_HZ = 50.0
SLOW_PERIOD_S = 1.0
"""A periodic round reads the nodes (their dirty bitmaps) this often."""
FLAT = QueryNamedBlockNodes(flat=True)
"""The sampler needs no backing chains: ``flat`` spares the engine describing them each poll."""
FALLBACK_GRANULARITY = 65536
"""QEMU's granularity for a raw target, used when neither a bitmap nor the command tells."""

SampleCallback = Callable[[JobSample], None]
SnapshotCallback = Callable[[EndpointSnapshot], None]
EventCallback = Callable[[QAPIEvent], None]
ItemT = TypeVar("ItemT", JobSample, QAPIEvent)


class SamplerState(enum.Enum):
    IDLE = "idle"
    RUNNING = "running"
    STOPPING = "stopping"


class SamplerStateError(StateError):
    """A request the sampler's state does not allow."""


class SamplerRateError(GuimirrorError):
    """A sampling rate out of bounds."""


class Sampler:
    """Polls one client's jobs, block nodes and exports.

    ``start()`` runs the polling loop in a task of its own; ``take_round()`` (and
    ``poll_once()``) takes one round in the caller's task (the loop uses it too). Snapshot and
    sample callbacks run in the task that takes the round; event callbacks in the connection's
    reader task.
    """

    def __init__(self, client: BlockJobClient, rate_hz: float = DEFAULT_RATE_HZ) -> None:
        self.client = client
        self._rate_hz = DEFAULT_RATE_HZ
        self.rate_hz = rate_hz
        self._state = SamplerState.IDLE
        self._task: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()
        self._wake = asyncio.Event()
        self._full_round = True
        """The next round reads every list: the first round, and every requested one."""
        self._slow_due = 0.0
        self._tracks: dict[str, JobTrack] = {}
        self._instances: dict[str, int] = {}
        self._created: set[str] = set()
        self._sample_callbacks: list[SampleCallback] = []
        self._snapshot_callbacks: list[SnapshotCallback] = []
        self._event_callbacks: list[EventCallback] = []
        self._queues: list[asyncio.Queue[JobSample | QAPIEvent]] = []
        self.polls = 0
        self.commands = 0
        """Commands sent by the rounds, for measurements."""
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
            raise SamplerRateError(Text("the sampling rate must be above 0 and at most {limit} Hz",
                                        limit=f"{MAX_RATE_HZ:g}"))
        self._rate_hz = float(value)

    @property
    def state(self) -> SamplerState:
        return self._state

    def add_snapshot_listener(self, callback: SnapshotCallback) -> None:
        """Call ``callback(snapshot)`` after every round."""
        self._snapshot_callbacks.append(callback)

    def remove_snapshot_listener(self, callback: SnapshotCallback) -> None:
        with contextlib.suppress(ValueError):
            self._snapshot_callbacks.remove(callback)

    def add_sample_listener(self, callback: SampleCallback) -> None:
        """Call ``callback(sample)`` for every job of every round."""
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

    def request_round(self) -> None:
        """Ask for a round reading every list, as soon as the one under way (if any) is
        answered. Requests before that round begins make one round. Sync; any task."""
        self._full_round = True
        self._wake.set()

    # --- life --------------------------------------------------------------------------

    def start(self) -> None:
        """Begin polling in a new task (call from a coroutine or a running loop)."""
        if self._state is not SamplerState.IDLE:
            raise SamplerStateError(Text("the sampler is {state}; it cannot start",
                                         state=self._state.value))
        self.client.add_event_listener(self._on_event)
        self._state = SamplerState.RUNNING
        self._stopping.clear()
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        """Stop polling once the round under way (if any) is answered, and wait for the polling
        task; stopping an idle sampler is a no-op."""
        if self._state is SamplerState.IDLE:
            return
        self._state = SamplerState.STOPPING
        self._stopping.set()
        self._wake.set()
        self.client.remove_event_listener(self._on_event)
        task, self._task = self._task, None
        if task is not None:
            await finish_or_cancel(task)
        self._state = SamplerState.IDLE

    def _ended(self, error: Exception) -> None:
        self.last_error = error
        self._state = SamplerState.IDLE
        self.client.remove_event_listener(self._on_event)

    async def _run(self) -> None:
        """The polling task: one round per period, or sooner when a round is requested."""
        loop = asyncio.get_running_loop()
        next_round = loop.time()
        while not self._stopping.is_set():
            try:
                await self.take_round()
            except (ConnectionStateError, OSError, EOFError) as error:
                logger.warning("sampler stops, the connection is gone: %s", error)
                self._ended(error)
                return
            except QAPIError as error:
                self.last_error = error
                logger.warning("sampler round failed: %s", error.desc)
            except Exception as error:
                logger.exception("sampler stops after an unexpected error")
                self._ended(error)
                return
            next_round = max(next_round + 1.0 / self._rate_hz, loop.time())
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(next_round - loop.time()):
                    await self._wake.wait()
            self._wake.clear()

    # --- one round ---------------------------------------------------------------------

    async def poll_once(self) -> tuple[JobSample, ...]:
        """Take one round in the caller's task and return its samples."""
        return (await self.take_round()).samples

    async def take_round(self) -> EndpointSnapshot:
        """Read the jobs (and the lists due) in one round trip; deliver and return the snapshot.
        Runs in the caller's task."""
        loop = asyncio.get_running_loop()
        started = loop.time()
        read_nodes, read_exports = self._lists_due(started)
        jobs, nodes, exports = await asyncio.gather(
            self.client.query_block_jobs(),
            self.client.query_named_block_nodes(FLAT) if read_nodes else _nothing(),
            self.client.query_block_exports() if read_exports else _nothing(),
        )
        now = loop.time()
        self.polls += 1
        self.commands += 1 + read_nodes + read_exports
        self.poll_seconds += now - started
        snapshot = EndpointSnapshot(
            time=now, jobs=tuple(jobs),
            nodes=None if nodes is None else tuple(nodes),
            exports=None if exports is None else tuple(exports),
            samples=tuple(self.samples_from(jobs, nodes, now)),
        )
        for callback in list(self._snapshot_callbacks):
            try:
                callback(snapshot)
            except Exception:
                logger.exception("snapshot callback %r failed", callback)
        for sample in snapshot.samples:
            self._deliver(sample, self._sample_callbacks, "sample callback %r failed")
        return snapshot

    def _lists_due(self, now: float) -> tuple[bool, bool]:
        """Which slower lists this round reads: both on request; else the nodes (their dirty
        bitmaps) once a second, and the exports never (only commands and events change them,
        and both request a round)."""
        if self._full_round:
            self._full_round = False
            self._slow_due = now + SLOW_PERIOD_S
            return True, True
        if now < self._slow_due:
            return False, False
        self._slow_due = now + SLOW_PERIOD_S
        return True, False

    def samples_from(
        self, jobs: Sequence[BlockJobInfo], nodes: Sequence[BlockDeviceInfo] | None, now: float
    ) -> list[JobSample]:
        """Samples for ``jobs`` at time ``now`` (``nodes`` None when not read); updates the
        job instances and their tracks."""
        bitmaps = self._bitmaps_by_job(jobs, nodes or ())
        samples = []
        for job in jobs:
            track = self._track(job)
            rates = track.update(job, now)
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
            samples.append(JobSample(
                job_id=job.device, time=now, offset=job.offset, len=job.len,
                throughput=rates.throughput, dirty_bytes=dirty_bytes,
                dirty_clusters=math.ceil(dirty_bytes / granularity), granularity=granularity,
                dirty_estimated=estimated, status=job.status, ready=job.ready, paused=job.paused,
                busy=job.busy, speed=job.speed, io_status=str(job.io_status), eta=rates.eta,
                instance=track.instance, average=rates.average, idle=rates.idle,
                bursty=rates.bursty,
            ))
        for gone in set(self._tracks) - {job.device for job in jobs}:
            del self._tracks[gone]
        return samples

    def _track(self, job: BlockJobInfo) -> JobTrack:
        """The job's instance: a new one when the id is new since the last round, when its
        offset fell, or after a ``created`` event for it."""
        track = self._tracks.get(job.device)
        fell = (
            track is not None and track.readings and job.offset < track.readings[-1].offset
        )
        if track is None or fell or job.device in self._created:
            self._created.discard(job.device)
            instance = self._instances.get(job.device, 0) + 1
            self._instances[job.device] = instance
            track = self._tracks[job.device] = JobTrack(instance)
        return track

    def _bitmaps_by_job(
        self, jobs: Sequence[BlockJobInfo], nodes: Sequence[BlockDeviceInfo]
    ) -> dict[str, BlockDirtyInfo]:
        """Each mirror's anonymous bitmap: on its source node (QEMU 7.2, the built-in engine)
        or on the ``mirror_top`` filter above the source (QEMU 10.0), which shows the
        source's file name.

        For a job this client started, the source is known. For a job found on attaching,
        the one anonymous bitmap is its when there is exactly one mirror and one such bitmap.
        """
        anonymous: dict[str, BlockDirtyInfo] = {}
        on_filters: dict[str, list[BlockDirtyInfo]] = {}
        files: dict[str, str] = {}
        for node in nodes:
            if node.node_name is None:
                continue
            files[node.node_name] = node.file
            for bitmap in node.dirty_bitmaps or ():
                if bitmap.name is None:
                    anonymous[node.node_name] = bitmap
                    if node.drv == "mirror_top":
                        on_filters.setdefault(node.file, []).append(bitmap)
        found: dict[str, BlockDirtyInfo] = {}
        for job in jobs:
            record = self.client.mirrors.get(job.device)
            if record is None:
                continue
            if record.device in anonymous:
                found[job.device] = anonymous[record.device]
                continue
            above = on_filters.get(files.get(record.device, ""), [])
            if len(above) == 1:
                found[job.device] = above[0]
        mirrors = [job for job in jobs if job.type == "mirror"]
        if not found and len(mirrors) == 1 and len(anonymous) == 1:
            found[mirrors[0].device] = next(iter(anonymous.values()))
        return found

    def _on_event(self, event: QAPIEvent) -> None:
        """Runs in the connection's reader task: note a new job instance, ask for a round,
        hand the event on."""
        if isinstance(event, JobStatusChange) and event.status is JobStatus.CREATED:
            self._created.add(event.id)
        self.request_round()
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


async def _nothing() -> None:
    return None
