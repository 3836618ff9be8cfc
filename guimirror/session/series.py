# SPDX-License-Identifier: GPL-2.0-or-later
"""The samples of one job, kept compact for the plots and the CSV export.

A ``JobSample`` is stored as one row of floats (``COLUMNS``): the status as an index into the
statuses seen, the flags (``estimate``, ``bursty``, ``ready``, ``idle``) as bits of one column.
A job that runs for days must not cost memory or redraw time without bound: past
``SAMPLE_CAP`` samples the older half is thinned to every other sample, so the recent half
stays at full resolution and the first hours stay in view at a coarser step (at most
``SAMPLE_CAP`` rows of ``len(COLUMNS)`` floats: 8 MB). A plot window is found by binary
search. No Qt here; the plots use it in the GUI thread.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable
from typing import Any, NamedTuple

import numpy as np

from guimirror.session.samples import JobSample

CSV_FIELDS = (
    "job-id",
    "time",
    "offset",
    "len",
    "throughput",
    "average",
    "dirty-bytes",
    "dirty-clusters",
    "estimate",
    "bursty",
    "status",
    "ready",
    "eta",
)
"""The CSV export's columns: the sample's fields in QMP's spelling, after the job's id."""

COLUMNS = ("time", "offset", "len", "throughput", "average", "dirty-bytes", "dirty-clusters",
           "eta", "status", "flags")
FLAGS = ("estimate", "bursty", "ready", "idle")
"""The bits of the ``flags`` column, lowest first."""
_INTEGERS = frozenset({"offset", "len", "dirty-bytes", "dirty-clusters"})
(_TIME, _THROUGHPUT, _DIRTY, _ETA, _STATUS, _FLAGS) = (
    COLUMNS.index(name) for name in ("time", "throughput", "dirty-clusters", "eta", "status",
                                     "flags"))
_ESTIMATE, _BURSTY = 1, 2

SAMPLE_CAP = 100_000
"""Samples kept per job (8 MB): at 5 Hz more than five hours at full resolution."""


class Window(NamedTuple):
    """The columns the plots draw, of the rows in a window."""

    time: np.ndarray
    """Seconds since the series' first sample."""
    throughput: np.ndarray
    dirty_clusters: np.ndarray
    measured: np.ndarray
    """True where the dirty clusters were read from the mirror's bitmap (not estimated)."""
    bursty: bool
    """The engine reported progress in bursts in some of these rows."""


class JobSeries:
    """The samples of one job, with where READY and the speed limit are."""

    def __init__(self, job_id: str) -> None:
        self.job_id = job_id
        self.t0: float | None = None
        self.ready_at: float | None = None
        """Seconds after the first sample when the job was first seen ready."""
        self.speed = 0
        self._data = np.empty((256, len(COLUMNS)))
        self._count = 0
        self._statuses: list[str] = []

    def __len__(self) -> int:
        return self._count

    @property
    def nbytes(self) -> int:
        """Memory the rows hold now."""
        return int(self._data.nbytes)

    def add(self, sample: JobSample) -> None:
        """Record one sample."""
        if self.t0 is None:
            self.t0 = sample.time
        if sample.ready and self.ready_at is None:
            self.ready_at = sample.time - self.t0
        if self._count == len(self._data):
            self._make_room()
        status = str(sample.status)
        if status not in self._statuses:
            self._statuses.append(status)
        flags = sum(1 << bit for bit, on in enumerate(
            (sample.dirty_estimated, sample.bursty, sample.ready, sample.idle)) if on)
        self._data[self._count] = (
            sample.time, sample.offset, sample.len, sample.throughput, sample.average,
            sample.dirty_bytes, sample.dirty_clusters,
            math.nan if sample.eta is None else sample.eta,
            self._statuses.index(status), flags,
        )
        self._count += 1

    def _make_room(self) -> None:
        if len(self._data) < SAMPLE_CAP:
            grown = np.empty((min(2 * len(self._data), SAMPLE_CAP), len(COLUMNS)))
            grown[: self._count] = self._data[: self._count]
            self._data = grown
            return
        half = self._count // 2
        kept = np.concatenate((self._data[:half:2], self._data[half : self._count]))
        self._data[: len(kept)] = kept
        self._count = len(kept)

    def columns(self, window: float | None) -> Window:
        """The rows of the last ``window`` seconds (all with None)."""
        data = self._data[: self._count]
        start = 0
        if window is not None and self._count:
            times = data[:, _TIME]
            start = int(np.searchsorted(times, times[-1] - window, side="left"))
        data = data[start:]
        t0 = self.t0 if self.t0 is not None else 0.0
        flags = data[:, _FLAGS].astype(np.int64)
        return Window(data[:, _TIME] - t0, data[:, _THROUGHPUT], data[:, _DIRTY],
                      (flags & _ESTIMATE) == 0, bool(np.any(flags & _BURSTY)))

    def snapshot(self) -> tuple[str, np.ndarray, tuple[str, ...]]:
        """A copy to write elsewhere (e.g. in a worker thread): id, rows and statuses."""
        return self.job_id, self._data[: self._count].copy(), tuple(self._statuses)


def write_csv(path: str, snapshots: Iterable[tuple[str, np.ndarray, tuple[str, ...]]]) -> int:
    """Write ``JobSeries.snapshot()``s as CSV (a worker thread's job); returns the rows."""
    written = 0
    with open(path, "w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(CSV_FIELDS)
        for job_id, rows, statuses in snapshots:
            for row in rows.tolist():
                writer.writerow([job_id, *_cells(row, statuses)])
            written += len(rows)
    return written


def _cells(row: list[float], statuses: tuple[str, ...]) -> list[Any]:
    values = dict(zip(COLUMNS, row, strict=True))
    flags = int(values.pop("flags"))
    cells: dict[str, Any] = {name: bool(flags >> bit & 1) for bit, name in enumerate(FLAGS)}
    for name, value in values.items():
        if name == "status":
            cells[name] = statuses[int(value)]
        elif math.isnan(value):
            cells[name] = ""
        else:
            cells[name] = int(value) if name in _INTEGERS else value
    return [cells[name] for name in CSV_FIELDS[1:]]
