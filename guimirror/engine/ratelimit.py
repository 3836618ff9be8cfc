# SPDX-License-Identifier: GPL-2.0-or-later
"""QEMU's rate limiter (include/qemu/ratelimit.h): a byte quota per 100 ms slice.

Bytes are accounted when an operation is issued; once a slice's quota is used up the caller
sleeps until the slice the accounted bytes reach has ended. ``speed`` 0 means no limit.
Runs in the job's task; the clock is injectable for tests.
"""

from __future__ import annotations

import time
from collections.abc import Callable

SLICE_NS = 100_000_000


class RateLimit:
    """Bytes per second as a quota of ``speed / 10`` bytes per 100 ms slice."""

    def __init__(self, speed: int = 0, clock: Callable[[], int] = time.monotonic_ns) -> None:
        self._clock = clock
        self.speed = 0
        self.slice_quota = 0
        self.slice_start_ns = 0
        self.slice_end_ns = 0
        self.dispatched = 0
        self.set_speed(speed)

    def set_speed(self, speed: int) -> None:
        """A new limit in bytes per second; 0 removes the limit. Takes effect at once."""
        if speed < 0:
            raise ValueError("speed must not be negative")
        self.speed = speed
        self.slice_quota = max(speed * SLICE_NS // 1_000_000_000, 1) if speed else 0

    def calculate_delay(self, nbytes: int) -> int:
        """Account ``nbytes`` and return how many nanoseconds to wait before the next op."""
        if not self.slice_quota:
            return 0
        now = self._clock()
        if self.slice_end_ns < now:
            self.slice_start_ns = now
            self.slice_end_ns = now + SLICE_NS
            self.dispatched = 0
        self.dispatched += nbytes
        return self.pending_delay(now)

    def pending_delay(self, now: int | None = None) -> int:
        """The wait the bytes accounted so far still require (0 when within the quota)."""
        if not self.slice_quota or self.dispatched < self.slice_quota:
            return 0
        if now is None:
            now = self._clock()
        slices = self.dispatched // self.slice_quota
        self.slice_end_ns = self.slice_start_ns + slices * SLICE_NS
        return max(self.slice_end_ns - now, 0)
