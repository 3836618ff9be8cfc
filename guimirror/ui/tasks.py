# SPDX-License-Identifier: GPL-2.0-or-later
"""The window's tasks: user actions run as asyncio tasks whose failures are reported, never
raised, and the one place those reports go out from (``reported``). GUI thread."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

from PySide6.QtCore import QObject, Signal
from qemu.qmp import QMPError

from guimirror.errors import GuimirrorError
from guimirror.ui.translated import core_text, error_text

log = logging.getLogger(__name__)


class TaskRunner(QObject):
    """Spawns the window's tasks and reports what went wrong in them."""

    reported = Signal(str)

    def __init__(self) -> None:
        super().__init__()
        self.tasks: set[asyncio.Task[Any]] = set()
        self.last_error = ""

    def spawn(self, coro: Coroutine[Any, Any, Any], what: str) -> asyncio.Task[Any]:
        """Run ``coro`` as a task of its own; its failure is reported as ``what: ...``."""
        task = asyncio.get_running_loop().create_task(self._guard(coro, what))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        # A task cancelled before it ran (at quit) never started ``coro``: close it, or
        # Python warns that it was never awaited.
        task.add_done_callback(lambda _task: coro.close())
        return task

    def others(self) -> list[asyncio.Task[Any]]:
        """The unfinished tasks other than the caller's."""
        current = asyncio.current_task()
        return [task for task in self.tasks if task is not current and not task.done()]

    async def _guard(self, coro: Coroutine[Any, Any, Any], what: str) -> Any:
        """The spawned task: ``coro``, its guimirror errors turned into a report."""
        try:
            return await coro
        except GuimirrorError as err:
            self.report(f"{what}: {core_text(err.desc)}")
        # The session is to wrap qemu.qmp's errors and the socket's OSError in guimirror's
        # own; until it does, they reach here as they are.
        except QMPError as err:  # e.g. the connection went away under a command
            self.report(f"{what}: {err}")
        except (OSError, RuntimeError, ValueError) as err:
            log.exception("%s failed", what)
            self.report(f"{what}: {error_text(err)}")
        return None

    def report(self, text: str) -> None:
        self.last_error = text
        self.reported.emit(text)
