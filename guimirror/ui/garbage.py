# SPDX-License-Identifier: GPL-2.0-or-later
"""Python's cycle collector, run in the GUI thread only.

Left alone, the collector runs in whichever thread happens to allocate, a worker thread of
``asyncio.to_thread`` included, and destroys the QObjects in the cycles it frees there; Qt
does not allow that for objects of the GUI thread ("Timers cannot be stopped from another
thread", and at times a crash). So the automatic collector is turned off and a timer of the
GUI thread collects each generation once its threshold is passed, as the collector would.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

INTERVAL_MS = 1000


class GuiThreadCollector(QObject):
    """Collects garbage on a timer of the GUI thread while started (GUI thread)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setInterval(INTERVAL_MS)
        self._timer.timeout.connect(self.collect)

    def start(self) -> None:
        gc.disable()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()
        gc.enable()

    def collect(self) -> int:
        """Collect the oldest generation whose threshold is passed; the objects freed."""
        counts, thresholds = gc.get_count(), gc.get_threshold()
        for generation in (2, 1, 0):
            if counts[generation] > thresholds[generation]:
                return gc.collect(generation)
        return 0
