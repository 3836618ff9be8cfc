# SPDX-License-Identifier: GPL-2.0-or-later
"""Throughput, average and ETA of one job instance, from the offsets the engine reports.

Every figure is bytes over the time between two readings that bound them, never an
exponential smoothing. QEMU updates ``offset`` in bursts when a job runs under a speed limit:
its rate limiter lets a whole ``buf-size`` through, then sleeps until the limit is paid back
(16 MiB every 3.2 s at 5 MiB/s on qemu-storage-daemon 7.2). A reading between two bursts
says nothing about the copy under way, so once a stall followed by a jump shows the reporting
is bursty, rates are measured between burst ends only, and flagged ``bursty``.

A phase is a stretch in which the job copies without a change of kind: running, or ready.
Pausing, resuming and reaching READY start a new phase, so no window spans a pause.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from guimirror.qapi.job import BlockJobInfo, JobStatus

WINDOW_S = 1.0
"""The throughput's window: bytes over at least this many seconds (more between bursts)."""
STALL_S = 0.5
"""An offset unchanged this long (over at least ``STALL_ROUNDS`` readings) and then moving
marks the reporting as bursty."""
STALL_ROUNDS = 2
ETA_MIN_S = 5.0
"""The ETA's window: at least this many seconds of progress ..."""
ETA_BURSTS = 3
"""... and at least this many burst periods of it."""
BURST_MEMORY = 3
"""A stall among the last this many gaps between moves keeps the reporting bursty."""
HISTORY_S = 120.0
ENDED = frozenset({JobStatus.CONCLUDED, JobStatus.ABORTING, JobStatus.NULL})
DONE = frozenset({JobStatus.WAITING, JobStatus.PENDING})
"""Statuses after the job's work is done, waiting to be finalized: the ETA is 0."""


@dataclass(frozen=True)
class Reading:
    """One reported ``offset`` at one instant (the event loop's clock, seconds)."""

    time: float
    offset: int


@dataclass(frozen=True)
class Rates:
    """What one reading of a job instance tells: see ``JobSample`` for the fields' meaning."""

    throughput: float
    idle: bool
    bursty: bool
    average: float
    eta: float | None


@dataclass
class JobTrack:
    """The readings of one job instance; ``update()`` takes each new one (the caller's task).

    ``speed`` is the job's limit: a jump larger than the limit allows since the reading
    before it will be paid back by the limiter's sleep of ``jump / speed`` seconds, so the
    jump is spread over that time (and flagged bursty) before a second burst can show it.
    """

    instance: int
    first: Reading | None = None
    ready_average: float | None = None
    phase: tuple[bool, bool] | None = None
    readings: list[Reading] = field(default_factory=list)

    def update(self, job: BlockJobInfo, now: float) -> Rates:
        reading = Reading(now, job.offset)
        if self.first is None:
            self.first = reading
        average = self._average(job, reading)
        paused = job.paused or job.status in (JobStatus.PAUSED, JobStatus.STANDBY)
        if job.status in ENDED or job.status in DONE or paused:
            self.readings.clear()
            self.phase = None
            eta = 0.0 if job.status in DONE else None
            return Rates(0.0, True, False, average, eta)
        phase = (job.ready, paused)
        if phase != self.phase:
            self.phase = phase
            self.readings.clear()
        if self.readings and now <= self.readings[-1].time:
            return Rates(0.0, True, False, average, 0.0 if job.ready else None)
        self.readings.append(reading)
        while self.readings and now - self.readings[0].time > HISTORY_S:
            del self.readings[0]
        return self._measure(job, now, average)

    def _average(self, job: BlockJobInfo, reading: Reading) -> float:
        if self.ready_average is not None:
            return self.ready_average
        assert self.first is not None
        elapsed = reading.time - self.first.time
        average = (reading.offset - self.first.offset) / elapsed if elapsed > 0 else 0.0
        if job.ready:
            self.ready_average = average
        return max(average, 0.0)

    def _measure(self, job: BlockJobInfo, now: float, average: float) -> Rates:
        readings = self.readings
        moves = [i for i in range(1, len(readings)) if readings[i].offset > readings[i - 1].offset]
        bursty = self._bursty(moves)
        if bursty:
            # A burst's end is its last moving reading: the next one did not move.
            ends = [readings[i] for i in moves if i + 1 < len(readings)
                    and readings[i + 1].offset == readings[i].offset]
        else:
            ends = [readings[i] for i in moves]
        eta: float | None = 0.0 if job.ready else None
        if not ends:
            return Rates(0.0, True, False, average, eta)
        anchor = readings[0]
        last = ends[-1]
        period = 0.0
        if bursty:
            # The first burst's period is measured from the phase's first reading.
            start, count = (ends[0], len(ends) - 1) if len(ends) > 1 else (anchor, 1)
            period = (last.time - start.time) / count
        # What the reported progress ran ahead of the limit, the limiter sleeps off: the job
        # is not stalled before that time is up.
        owed = ((last.offset - anchor.offset) / job.speed - (last.time - anchor.time)
                if job.speed > 0 else 0.0)
        overdue = now - last.time > max(STALL_S, 1.5 * period, owed)
        stalled = now - last.time > max(WINDOW_S, 3 * period, owed + WINDOW_S)
        current = readings[-1]

        def rate_over(window: float) -> tuple[float, bool]:
            """Bytes per second from the latest burst end at least ``window`` before the last
            end (else the earliest end, else the phase's first reading) up to the last end, or
            up to now once the next burst is overdue. True when a jump was spread."""
            earlier = [end for end in ends[:-1] if end.time <= last.time - window]
            ref = earlier[-1] if earlier else (ends[0] if len(ends) > 1 else anchor)
            until = current if overdue else last
            span = until.time - ref.time
            moved = until.offset - ref.offset
            spread = False
            if job.speed > 0 and moved / job.speed > span * 1.5:
                span, spread = moved / job.speed, True
            return (moved / span if span > 0 else 0.0), spread

        throughput, spread = (0.0, False) if stalled else rate_over(WINDOW_S)
        if not job.ready:
            eta_window = max(ETA_MIN_S, ETA_BURSTS * period)
            if now - last.time <= eta_window:
                eta_rate, _ = rate_over(eta_window)
                if eta_rate > 0:
                    since = 0.0 if overdue else now - last.time
                    copied = current.offset if overdue else last.offset
                    eta = max((job.len - copied) / eta_rate - since, 0.0)
        return Rates(throughput, throughput == 0.0, bursty or spread, average, eta)

    def _bursty(self, moves: list[int]) -> bool:
        """A stall (STALL_S and STALL_ROUNDS unchanged readings) before one of the last moves
        (the phase's first reading counts as a move: a phase may begin right after a burst)."""
        readings = self.readings
        marks = [0, *moves]
        for before, after in list(itertools.pairwise(marks))[-BURST_MEMORY:]:
            if (after - before > STALL_ROUNDS
                    and readings[after - 1].time - readings[before].time >= STALL_S):
                return True
        return False
