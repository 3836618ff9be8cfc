# SPDX-License-Identifier: GPL-2.0-or-later
"""The sampler's estimators on recorded ``query-block-jobs`` series (tests/session/data, made by
record_series.py): qemu-storage-daemon 7.2 and the built-in engine mirroring 256 MiB at
``speed`` 5 MiB/s (both report offset in bursts of a buf-size), a paused phase, a cancel; and on
hand-made readings for what the recordings cannot show (smooth reporting, ended statuses)."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import pytest

from guimirror.qapi.job import BlockJobInfo
from guimirror.session.sampler import JobSample, Sampler

MiB = 1024 * 1024
DATA = Path(__file__).parent / "data"
SERIES = ["qemu-steady", "builtin-steady", "qemu-pause", "builtin-pause"]
SETTLE_S = 5.0
"""The ETA is held to its error bound from this many seconds after the job's first sample."""


class _NoClient:
    """Stands in for a client that started no mirror (the sampler reads only ``mirrors``)."""

    def __init__(self) -> None:
        self.mirrors: dict[str, object] = {}


def _replay(name: str) -> tuple[dict[str, Any], list[JobSample]]:
    series = json.loads((DATA / f"{name}.json").read_text())
    sampler = Sampler(_NoClient())  # type: ignore[arg-type]
    samples: list[JobSample] = []
    for row in series["rows"]:
        jobs = [BlockJobInfo.model_validate(job) for job in row["jobs"]]
        samples += sampler.samples_from(jobs, None, row["time"])
    return series, samples


def _slope(samples: list[JobSample]) -> float:
    """Least-squares bytes per second of offset over time: the series' true rate."""
    n = len(samples)
    mean_t = sum(s.time for s in samples) / n
    mean_o = sum(s.offset for s in samples) / n
    num = sum((s.time - mean_t) * (s.offset - mean_o) for s in samples)
    return num / sum((s.time - mean_t) ** 2 for s in samples)


@pytest.mark.parametrize("name", ["qemu-steady", "builtin-steady"])
def test_eta_follows_the_true_remaining_time_without_jumps(name: str) -> None:
    _series, samples = _replay(name)
    ready_at = next(s.time for s in samples if s.ready)
    start = samples[0].time
    running = [s for s in samples if not s.ready and s.time - start >= SETTLE_S]
    assert len(running) > 100
    period = 3.3  # the longest burst period of the two engines (QEMU: 16 MiB at 5 MiB/s)
    for sample in running:
        truth = ready_at - sample.time
        assert sample.eta is not None
        # QEMU reports READY one burst period after the last burst: hence the period's slack.
        assert abs(sample.eta - truth) <= 0.1 * truth + period, (sample.time, sample.eta, truth)
    steady = [s.eta for s in running if s.eta is not None and s.eta >= 10.0]
    for before, after in itertools.pairwise(steady):
        assert after <= 2 * before and before <= 2 * after, (before, after)
    assert all(s.eta == 0.0 for s in samples if s.ready)


@pytest.mark.parametrize("name", SERIES)
def test_throughput_is_the_true_rate_without_false_peaks(name: str) -> None:
    series, samples = _replay(name)
    limit = series["speed"]
    running = [s for s in samples if s.status == "running" and not s.ready]
    # The true rate of the stretch before any pause (a pause's gap is no rate of copying).
    paused_at = min((s.time for s in samples if s.paused), default=float("inf"))
    truth = _slope([s for s in running if s.time < paused_at])
    measured = [s for s in running if not s.idle]
    mean = sum(s.throughput for s in measured) / len(measured)
    assert mean == pytest.approx(truth, rel=0.1), (mean / MiB, truth / MiB)
    assert max(s.throughput for s in samples) <= 1.5 * limit
    # Both engines report in buf-size bursts at this limit; the samples say so.
    assert all(s.bursty for s in measured)


@pytest.mark.parametrize("name", ["qemu-pause", "builtin-pause"])
def test_paused_and_cancelled_jobs_have_no_eta_and_no_throughput(name: str) -> None:
    _series, samples = _replay(name)
    paused = [s for s in samples if s.paused]
    assert len(paused) >= 15
    assert all(s.eta is None and s.throughput == 0.0 and s.idle for s in paused)
    # After resuming, the rate is measured again, without the pause in its window.
    resumed = [s for s in samples if s.time > paused[-1].time and not s.idle]
    assert resumed and all(s.throughput == pytest.approx(5 * MiB, rel=0.1) for s in resumed)
    assert {s.instance for s in samples} == {1}


def _job(offset: int, length: int = 100 * MiB, **fields: object) -> BlockJobInfo:
    return BlockJobInfo.model_validate({
        "type": "mirror", "device": "j1", "len": length, "offset": offset, "busy": True,
        "paused": False, "speed": 0, "io-status": "ok", "ready": False, "status": "running",
        "auto-finalize": True, "auto-dismiss": True, **fields,
    })


def test_smooth_reporting_is_measured_exactly() -> None:
    sampler = Sampler(_NoClient())  # type: ignore[arg-type]
    rate = 7 * MiB
    samples = [sampler.samples_from([_job(int(rate * i / 5))], None, 10.0 + i / 5)[0]
               for i in range(40)]
    assert samples[0].throughput == 0.0 and samples[0].idle and samples[0].eta is None
    assert samples[0].dirty_estimated and samples[0].dirty_clusters == 1600
    for sample in samples[5:]:
        assert sample.throughput == pytest.approx(rate, rel=1e-3)
        assert not sample.bursty and not sample.idle
        assert sample.average == pytest.approx(rate, rel=1e-3)
        assert sample.eta == pytest.approx((100 * MiB - sample.offset) / rate, rel=1e-3)


def test_a_jump_ahead_of_the_limit_is_spread_over_the_limiters_sleep() -> None:
    sampler = Sampler(_NoClient())  # type: ignore[arg-type]
    speed = 5 * MiB
    sampler.samples_from([_job(0, speed=speed)], None, 1.0)
    [jump] = sampler.samples_from([_job(16 * MiB, speed=speed)], None, 1.2)
    assert jump.bursty and jump.throughput == pytest.approx(speed)


def test_the_limiters_sleep_after_a_first_burst_is_not_idle() -> None:
    """A 2 MiB/s job that reported 10 MiB at once copies on while the limiter sleeps it off:
    the readings before its next burst show it moving at the limit, not idle at 0 B/s."""
    sampler = Sampler(_NoClient())  # type: ignore[arg-type]
    speed = 2 * MiB
    sampler.samples_from([_job(0, speed=speed)], None, 1.0)
    for i in range(1, 25):  # 10 MiB at 1.2 s, then nothing until 5.8 s
        [sample] = sampler.samples_from([_job(10 * MiB, speed=speed)], None, 1.0 + i / 5)
        assert not sample.idle and sample.throughput == pytest.approx(speed, rel=0.25), i
    # long past what the limiter owed, an unmoving job is idle
    [late] = sampler.samples_from([_job(10 * MiB, speed=speed)], None, 9.0)
    assert late.idle and late.throughput == 0.0


def test_eta_is_none_once_the_job_ended_and_zero_when_done() -> None:
    sampler = Sampler(_NoClient())  # type: ignore[arg-type]
    for i in range(10):
        sampler.samples_from([_job(i * MiB)], None, i / 5)
    for status in ("aborting", "concluded", "null"):
        [ended] = sampler.samples_from([_job(10 * MiB, status=status)], None, 3.0)
        assert ended.eta is None and ended.throughput == 0.0 and ended.idle
    [pending] = sampler.samples_from([_job(100 * MiB, status="pending")], None, 4.0)
    assert pending.eta == 0.0


def test_a_new_instance_when_the_offset_falls_or_the_id_returns() -> None:
    sampler = Sampler(_NoClient())  # type: ignore[arg-type]
    for i in range(10):
        [sample] = sampler.samples_from([_job(i * MiB)], None, i / 5)
    assert sample.instance == 1
    [fallen] = sampler.samples_from([_job(0)], None, 2.2)
    assert fallen.instance == 2 and fallen.average == 0.0 and fallen.throughput == 0.0
    assert sampler.samples_from([], None, 2.4) == []
    [back] = sampler.samples_from([_job(5 * MiB)], None, 2.6)
    assert back.instance == 3


def test_the_average_stops_at_ready() -> None:
    sampler = Sampler(_NoClient())  # type: ignore[arg-type]
    for i in range(11):
        sampler.samples_from([_job(i * 10 * MiB)], None, float(i))
    [ready] = sampler.samples_from(
        [_job(100 * MiB, ready=True, status="ready")], None, 10.0 + 1e-3)
    [later] = sampler.samples_from([_job(100 * MiB, ready=True, status="ready")], None, 60.0)
    assert ready.average == pytest.approx(10 * MiB, rel=1e-3)
    assert later.average == ready.average
    assert later.throughput == 0.0 and later.idle and later.eta == 0.0
