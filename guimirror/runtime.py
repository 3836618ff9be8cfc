# SPDX-License-Identifier: GPL-2.0-or-later
"""Process set-up for a long-running GUI: the GUI thread's turn at the GIL while the built-in
engine's worker threads are busy, and the garbage collector and the objects that live as long
as the application."""

from __future__ import annotations

import gc
import sys

SWITCH_INTERVAL = 0.0005
"""Seconds a thread that wants the GIL waits before the holder must hand it over."""

_long_lived_frozen = False


def shorten_gil_waits() -> None:
    """Make the GUI thread wait at most half a millisecond for the GIL, not Python's 5 ms.

    A repaint calls into Qt dozens of times and takes the GIL back after each call; with the
    built-in engine's workers busy copying, each of those takes could wait a whole switch
    interval, and a repaint grew into a 30-55 ms stall (benchmarks/gui_latency.py). The
    workers spend most of their time in I/O calls that drop the GIL anyway, so the copy
    does not slow down.
    """
    sys.setswitchinterval(SWITCH_INTERVAL)


def freeze_long_lived_objects() -> None:
    """Take the objects alive now (the imported modules, Qt wrappers, the window) out of the
    garbage collector's generations, once per process.

    They are some 90,000 objects that live as long as the application; while they sit in the
    oldest generation, every full collection scans them all, which stalls the event loop for
    30-50 ms in the middle of a mirror. Frozen, a full collection scans only what came later.
    Objects freed by reference counting are freed as before; the garbage of the moment is
    collected first, so none of it is frozen.
    """
    global _long_lived_frozen
    if not _long_lived_frozen:
        _long_lived_frozen = True
        gc.collect()
        gc.freeze()
