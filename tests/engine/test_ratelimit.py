# SPDX-License-Identifier: GPL-2.0-or-later
"""QEMU's 100 ms-slice rate limiter, on a fake clock."""

from __future__ import annotations

from guimirror.engine.ratelimit import SLICE_NS, RateLimit

MIB = 1024 * 1024


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_000_000_000

    def __call__(self) -> int:
        return self.now


def test_no_limit_never_delays() -> None:
    limit = RateLimit(0, FakeClock())
    assert limit.calculate_delay(1 << 40) == 0


def test_quota_is_a_tenth_of_the_speed_and_delay_covers_the_slices_used() -> None:
    clock = FakeClock()
    limit = RateLimit(10 * MIB, clock)
    assert limit.slice_quota == MIB
    assert limit.calculate_delay(MIB // 2) == 0
    assert limit.calculate_delay(MIB // 2) == SLICE_NS
    assert limit.calculate_delay(3 * MIB) == 4 * SLICE_NS
    clock.now += 4 * SLICE_NS + 1
    assert limit.calculate_delay(4096) == 0


def test_long_run_rate_matches_the_speed() -> None:
    clock = FakeClock()
    limit = RateLimit(50 * MIB, clock)
    sent = 0
    start = clock.now
    while clock.now - start < 10 * 1_000_000_000:
        sent += MIB
        clock.now += limit.calculate_delay(MIB) + 1
    rate = sent / ((clock.now - start) / 1e9)
    assert abs(rate - 50 * MIB) / (50 * MIB) < 0.02


def test_speed_one_stalls_and_set_speed_zero_releases_at_once() -> None:
    clock = FakeClock()
    limit = RateLimit(1, clock)
    assert limit.calculate_delay(65536) > 3600 * 1_000_000_000
    limit.set_speed(0)
    assert limit.pending_delay() == 0
