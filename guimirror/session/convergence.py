# SPDX-License-Identifier: GPL-2.0-or-later
"""Is a mirror converging? The hint shown when dirty clusters keep growing for a while.

A mirror converges when it copies faster than the writers dirty the source. The sign that it
does not: over a stretch of ``window`` seconds, the dirty clusters never reach zero and their
trend (least-squares slope) rises. Qt-free and pure, so it is tested with plain numbers.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from guimirror.texts import Text

HINT = Text(
    "The mirror is not converging: dirty clusters keep growing. Lower the write load, "
    "raise the speed limit, or use copy-mode write-blocking."
)


@dataclass
class ConvergenceWatch:
    """Feed ``(time, dirty clusters)``; ``diverging`` says whether to show the hint."""

    window: float = 10.0
    min_samples: int = 5
    _points: deque[tuple[float, float]] = field(default_factory=deque)

    def add(self, time: float, dirty_clusters: float) -> bool:
        self._points.append((time, dirty_clusters))
        while self._points and self._points[0][0] < time - self.window:
            self._points.popleft()
        return self.diverging

    @property
    def diverging(self) -> bool:
        points = list(self._points)
        if len(points) < self.min_samples:
            return False
        if points[-1][0] - points[0][0] < self.window * 0.8:
            return False
        if min(dirty for _, dirty in points) <= 0:
            return False
        return slope(points) > 0 and points[-1][1] > points[0][1]


def slope(points: list[tuple[float, float]]) -> float:
    """The least-squares slope of y over x."""
    n = len(points)
    mean_x = sum(x for x, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    var = sum((x - mean_x) ** 2 for x, _ in points)
    if var == 0:
        return 0.0
    return sum((x - mean_x) * (y - mean_y) for x, y in points) / var
