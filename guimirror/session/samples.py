# SPDX-License-Identifier: GPL-2.0-or-later
"""What the sampler delivers: a ``JobSample`` per job per round, and an ``EndpointSnapshot`` per
round with the jobs, nodes and exports as the engine reported them (guimirror.qapi models)."""

from __future__ import annotations

from dataclasses import dataclass

from guimirror.qapi.block_info import BlockDeviceInfo
from guimirror.qapi.commands import BlockExportInfo
from guimirror.qapi.job import BlockJobInfo, JobStatus


@dataclass(frozen=True)
class JobSample:
    """One job instance at one instant.

    ``time`` is the event loop's monotonic clock in seconds. ``instance`` counts the jobs that
    have carried ``job_id`` (1 for the first): a new instance begins when the id reappears
    after vanishing from ``query-block-jobs``, when ``offset`` falls, or on a
    ``JOB_STATUS_CHANGE`` to ``created`` for the id.

    ``throughput`` is bytes copied over the time between the two readings that bound them
    (a window of about a second; between burst ends when ``bursty``). It is 0 and ``idle`` is
    true while paused, once ready with nothing to copy, after the job ended, and while nothing
    moves. ``bursty`` says the engine reports ``offset`` in bursts (QEMU under a speed limit):
    the throughput is then the average over whole burst periods, not the instant's.

    ``average`` is bytes per second from the instance's first sample to this one. It stops at
    READY: after READY it stays the average of the copy up to READY, so writes the mirror
    follows afterwards do not dilute it.

    ``eta`` is seconds until ``offset`` reaches ``len`` at the rate of a window of recent
    progress (several seconds, several burst periods when bursty): 0 once ready (and after the
    work is done, waiting or pending), None while paused, after the job ended (concluded,
    aborting, null) and when nothing moved in the window.
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
    instance: int = 1
    average: float = 0.0
    idle: bool = False
    bursty: bool = False


@dataclass(frozen=True)
class EndpointSnapshot:
    """One round of the sampler: what the endpoint reported, at ``time`` (loop clock, seconds).

    ``nodes`` (``query-named-block-nodes``, flat) and ``exports`` (``query-block-exports``) are
    None when the round did not read them; ``jobs`` is read every round.
    """

    time: float
    jobs: tuple[BlockJobInfo, ...]
    nodes: tuple[BlockDeviceInfo, ...] | None
    exports: tuple[BlockExportInfo, ...] | None
    samples: tuple[JobSample, ...]
