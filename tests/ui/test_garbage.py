# SPDX-License-Identifier: GPL-2.0-or-later
"""The cycle collector runs in the GUI thread only, on its timer."""

from __future__ import annotations

import gc
import threading
from typing import Any

from guimirror.ui.garbage import GuiThreadCollector


class Cycle:
    def __init__(self) -> None:
        self.me = self

    def __del__(self) -> None:
        FREED.append(threading.current_thread().name)


FREED: list[str] = []


def test_cycles_made_in_a_worker_thread_are_freed_in_the_gui_thread(qtbot: Any) -> None:
    collector = GuiThreadCollector()
    collector.start()
    try:
        assert not gc.isenabled()

        def allocate() -> None:
            for _ in range(5 * gc.get_threshold()[0]):
                Cycle()

        worker = threading.Thread(target=allocate, name="worker")
        worker.start()
        worker.join()
        assert FREED == [], "the automatic collector ran in the worker"
        qtbot.waitUntil(lambda: bool(FREED), timeout=5000)
        assert set(FREED) == {threading.current_thread().name}
    finally:
        collector.stop()
    assert gc.isenabled()
    FREED.clear()
