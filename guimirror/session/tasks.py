# SPDX-License-Identifier: GPL-2.0-or-later
"""Ending a background task that was asked to stop."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

STOP_PATIENCE = 2.0
"""Seconds a task asked to stop may take to finish the round under way before it is
cancelled."""


async def finish_or_cancel(task: asyncio.Task[Any], patience: float = STOP_PATIENCE) -> None:
    """Let ``task``, already asked to stop, end on its own within ``patience`` seconds; then
    cancel it. Runs in the caller's task.

    A QMP command cancelled under way still gets its reply, for nobody (qemu.qmp warns of
    it), so a task that polls an engine is better left to finish its round.
    """
    try:
        async with asyncio.timeout(patience):
            await asyncio.shield(task)
    except TimeoutError:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
