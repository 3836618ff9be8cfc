"""The samples of one job, kept compact for the plots and the CSV export.

A sample is one row of floats in the CSV's order (``COLUMNS``); the status is kept as an
index into the statuses seen. A job that runs for days must not cost memory or redraw time
without bound: past ``SAMPLE_CAP`` samples the older half is thinned to every other sample,
so the recent half stays at full resolution and the first hours stay in view at a coarser
step. A plot window is found by binary search. No Qt here; the plots use it in the GUI thread.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

CSV_FIELDS = (
    "job-id",
    "time",
    "offset",
    "len",
    "throughput",
    "dirty-bytes",
    "dirty-clusters",
    "estimate",
    "status",
    "ready",
    "eta",
)
"""The CSV export's columns: the sample's QMP-style keys, after the job's id."""

COLUMNS = CSV_FIELDS[1:]
_INTEGERS = frozenset({"offset", "len", "dirty-bytes", "dirty-clusters"})
_FLAGS = frozenset({"estimate", "ready"})
_TIME, _THROUGHPUT, _DIRTY = (COLUMNS.index(name) for name in
                              ("time", "throughput", "dirty-clusters"))

SAMPLE_CAP = 100_000
"""Samples kept per job (about 8 MiB): at 5 Hz more than five hours at full resolution."""


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

    def add(self, sample: Mapping[str, Any]) -> None:
        """Record one sample (QMP-style keys, see CSV_FIELDS)."""
        now = float(sample["time"])
        if self.t0 is None:
            self.t0 = now
        if sample.get("ready") and self.ready_at is None:
            self.ready_at = now - self.t0
        if self._count == len(self._data):
            self._make_room()
        status = str(sample.get("status", ""))
        if status not in self._statuses:
            self._statuses.append(status)
        values = {**sample, "status": self._statuses.index(status)}
        self._data[self._count] = [
            math.nan if values.get(name) is None else float(values[name]) for name in COLUMNS
        ]
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

    def columns(self, window: float | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Time since the first sample, throughput in bytes/s and dirty clusters, of the
        last ``window`` seconds (all with None)."""
        data = self._data[: self._count]
        start = 0
        if window is not None and self._count:
            times = data[:, _TIME]
            start = int(np.searchsorted(times, times[-1] - window, side="left"))
        data = data[start:]
        t0 = self.t0 if self.t0 is not None else 0.0
        return data[:, _TIME] - t0, data[:, _THROUGHPUT], data[:, _DIRTY]

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
                writer.writerow([job_id, *(_cell(name, value, statuses)
                                           for name, value in zip(COLUMNS, row, strict=True))])
            written += len(rows)
    return written


def _cell(name: str, value: float, statuses: tuple[str, ...]) -> Any:
    if name == "status":
        return statuses[int(value)]
    if math.isnan(value):
        return ""
    if name in _INTEGERS:
        return int(value)
    if name in _FLAGS:
        return bool(value)
    return value
