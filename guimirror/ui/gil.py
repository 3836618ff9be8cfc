"""The GUI thread's turn at the GIL while the built-in engine's worker threads are busy."""

from __future__ import annotations

import sys

SWITCH_INTERVAL = 0.0005
"""Seconds a thread that wants the GIL waits before the holder must hand it over."""


def shorten_gil_waits() -> None:
    """Make the GUI thread wait at most half a millisecond for the GIL, not Python's 5 ms.

    A repaint calls into Qt dozens of times and takes the GIL back after each call; with the
    built-in engine's workers busy copying, each of those takes could wait a whole switch
    interval, and a repaint grew into a 30-55 ms stall (benchmarks/gui_latency.py). The
    workers spend most of their time in I/O calls that drop the GIL anyway, so the copy
    does not slow down.
    """
    sys.setswitchinterval(SWITCH_INTERVAL)
