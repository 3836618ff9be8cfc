# SPDX-License-Identifier: GPL-2.0-or-later
"""TaskRunner: a task cancelled before it ran (as at quit) leaves no coroutine unawaited."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import warnings
from typing import Any

from guimirror.ui.tasks import TaskRunner


def test_a_task_cancelled_before_it_ran_leaves_no_coroutine_unawaited(qapp: Any) -> None:
    ran: list[str] = []

    async def work() -> None:
        ran.append("work")

    async def main() -> None:
        task = TaskRunner().spawn(work(), "work")
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        asyncio.run(main())
        gc.collect()
    assert ran == []
    assert not [w for w in caught if "never awaited" in str(w.message)], caught
