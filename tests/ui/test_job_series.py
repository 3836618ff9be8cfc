"""A job's samples: bounded however long the job runs, windows found by binary search, and
the CSV export's columns."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from guimirror.ui import job_series
from guimirror.ui.job_series import CSV_FIELDS, JobSeries, write_csv


def sample(time: float, **overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "time": time, "offset": int(time * 1000), "len": 1 << 40, "throughput": 2.5e6,
        "dirty-bytes": 65536 * 3, "dirty-clusters": 3, "estimate": False, "status": "running",
        "ready": False, "eta": 12.5, "granularity": 65536, "throughput-average": 1.0,
    }
    values.update(overrides)
    return values


def test_a_long_job_keeps_its_recent_samples_and_thins_its_history(monkeypatch) -> None:
    monkeypatch.setattr(job_series, "SAMPLE_CAP", 1000)
    series = JobSeries("j")
    for number in range(10_000):
        series.add(sample(100.0 + number * 0.2))
    assert 500 <= len(series) <= 1000
    t, _, _ = series.columns(None)
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
        t, throughput, dirty = series.columns(window)
        expected = times[times >= times[-1] - window] - times[0]
        assert np.allclose(t, expected)
        assert len(throughput) == len(dirty) == len(expected)
    assert len(series.columns(None)[0]) == 3000


def test_ready_is_marked_once_from_the_first_sample() -> None:
    series = JobSeries("j")
    series.add(sample(10.0))
    series.add(sample(12.5, ready=True, status="ready"))
    series.add(sample(13.0, ready=True, status="ready"))
    assert series.ready_at == 2.5


def test_the_csv_has_the_samples_in_qmp_terms(tmp_path: Path) -> None:
    series = JobSeries("mirror-a")
    series.add(sample(1.0))
    series.add(sample(2.0, status="ready", ready=True, eta=None, estimate=True))
    other = JobSeries("mirror-b")
    other.add(sample(3.0, status="paused"))
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
