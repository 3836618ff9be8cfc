# SPDX-License-Identifier: GPL-2.0-or-later
"""A job's samples: bounded however long the job runs, windows found by binary search, and
the CSV export's columns."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from guimirror.qapi.job import JobStatus
from guimirror.session import series as job_series
from guimirror.session.samples import JobSample
from guimirror.session.series import CSV_FIELDS, JobSeries, write_csv


def sample(time: float, **overrides: Any) -> JobSample:
    values: dict[str, Any] = {
        "job_id": "j", "time": time, "offset": int(time * 1000), "len": 1 << 40,
        "throughput": 2.5e6, "dirty_bytes": 65536 * 3, "dirty_clusters": 3,
        "granularity": 65536, "dirty_estimated": False, "status": JobStatus.RUNNING,
        "ready": False, "paused": False, "busy": True, "speed": 0, "io_status": "ok",
        "eta": 12.5, "average": 1.0,
    }
    values.update(overrides)
    return JobSample(**values)


def test_a_job_that_runs_for_days_costs_at_most_8_mib() -> None:
    series = JobSeries("j")
    series.add(sample(0.0))
    assert job_series.SAMPLE_CAP * series.nbytes / len(series._data) <= 8 * (1 << 20)


def test_a_long_job_keeps_its_recent_samples_and_thins_its_history(monkeypatch) -> None:
    monkeypatch.setattr(job_series, "SAMPLE_CAP", 1000)
    series = JobSeries("j")
    for number in range(10_000):
        series.add(sample(100.0 + number * 0.2))
    assert 500 <= len(series) <= 1000
    t = series.columns(None).time
    assert t[0] == 0.0  # the first sample stays
    assert np.all(np.diff(t) > 0)
    # The newest samples are all there, at the sampling step.
    recent = np.diff(t[-len(series) // 2 :])
    assert np.allclose(recent, 0.2)
    assert t[-1] == pytest.approx(9999 * 0.2)


def test_a_window_holds_exactly_the_last_seconds() -> None:
    series = JobSeries("j")
    times = np.cumsum(np.random.default_rng(7).uniform(0.01, 0.5, 3000)) + 50.0
    for time in times:
        series.add(sample(float(time)))
    for window in (0.0, 1.0, 30.0, 299.5, 1e9):
        t, throughput, dirty, measured, _ = series.columns(window)
        expected = times[times >= times[-1] - window] - times[0]
        assert np.allclose(t, expected)
        assert len(throughput) == len(dirty) == len(measured) == len(expected)
    assert len(series.columns(None)[0]) == 3000


def test_ready_is_marked_once_from_the_first_sample() -> None:
    series = JobSeries("j")
    series.add(sample(10.0))
    series.add(sample(12.5, ready=True, status=JobStatus.READY))
    series.add(sample(13.0, ready=True, status=JobStatus.READY))
    assert series.ready_at == 2.5


def test_the_csv_has_the_samples_in_qmp_terms(tmp_path: Path) -> None:
    series = JobSeries("mirror-a")
    series.add(sample(1.0))
    series.add(sample(2.0, status=JobStatus.READY, ready=True, eta=None, dirty_estimated=True,
                      bursty=True))
    other = JobSeries("mirror-b")
    other.add(sample(3.0, status=JobStatus.PAUSED))
    path = tmp_path / "samples.csv"
    assert write_csv(str(path), [series.snapshot(), other.snapshot()]) == 3
    with open(path, newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert tuple(rows[0]) == CSV_FIELDS
    assert [row["job-id"] for row in rows] == ["mirror-a", "mirror-a", "mirror-b"]
    assert [row["status"] for row in rows] == ["running", "ready", "paused"]
    assert rows[0]["offset"] == "1000" and rows[0]["len"] == str(1 << 40)
    assert rows[0]["dirty-clusters"] == "3" and rows[0]["throughput"] == "2500000.0"
    assert rows[1]["eta"] == "" and rows[1]["ready"] == "True" and rows[1]["estimate"] == "True"
    assert rows[0]["eta"] == "12.5" and rows[0]["ready"] == "False"
    assert rows[1]["bursty"] == "True" and rows[0]["bursty"] == "False"
    assert rows[0]["average"] == "1.0"


def test_the_window_tells_measured_dirty_clusters_from_estimates() -> None:
    series = JobSeries("j")
    series.add(sample(1.0))
    series.add(sample(1.2, dirty_estimated=True, bursty=True))
    series.add(sample(1.4))
    window = series.columns(None)
    assert window.measured.tolist() == [True, False, True]
    assert window.bursty and not series.columns(0.1).bursty
