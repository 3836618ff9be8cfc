"""Quitting: ask about running jobs, shut every endpoint down, then close the window."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QMessageBox

from guimirror.ui.ask import ask
from guimirror.ui.endpoint_link import EndpointKind

if TYPE_CHECKING:
    from guimirror.ui.main_window import MainWindow


class QuitFlow:
    """The window's close: a close request starts the flow in a window task; the window
    closes for real once the flow has shut everything down."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.quitting = False
        self.closed_ok = False
        #: Set once the window has closed after a shutdown.
        self.closed = asyncio.Event()

    def close_event(self, event: QCloseEvent) -> None:
        """The window's closeEvent (GUI thread)."""
        if self.closed_ok:
            event.accept()
            return
        event.ignore()
        if not self.quitting:
            self.quitting = True
            self.window.spawn(self.quit_flow(), "quit")

    async def quit_flow(self, ask_user: bool = True) -> bool:
        """Ask about running jobs, then shut every endpoint down and close the window."""
        window = self.window
        links = window.endpoints.links

        def kind(name: str) -> EndpointKind | None:
            link = links.get(name)
            return None if link is None else link.kind

        try:
            active = window.jobs.active_jobs()
            if active and ask_user:
                builtin = [job for name, job in active if kind(name) is EndpointKind.BUILTIN]
                qemu = [job for name, job in active if kind(name) is not EndpointKind.BUILTIN]
                lines = []
                if builtin:
                    lines.append(f"Jobs of the built-in engine stop with guimirror (cancelled, "
                                 f"never pivoted): {', '.join(builtin)}.")
                if qemu:
                    lines.append(f"QEMU jobs go on without guimirror: {', '.join(qemu)}. "
                                 f"A qemu-storage-daemon that guimirror started keeps "
                                 f"running them, and guimirror takes it over again at the "
                                 f"next start.")
                answer = await ask(window, "Quit with running jobs?", "\n".join(lines),
                                   [("Quit", "destructive"), ("Keep running", "reject")],
                                   QMessageBox.Icon.Warning)
                if answer != "Quit":
                    return False
            await self.shutdown()
        finally:
            self.quitting = False
        self.closed_ok = True
        window.close()
        self.closed.set()
        return True

    async def shutdown(self) -> None:
        """Stop the write load and close every endpoint: the built-in engine cancels its jobs
        (never a pivot), an attached QEMU keeps its jobs, and a daemon guimirror started
        quits, unless it runs jobs: then it runs on, and its socket is saved to take it over
        at the next start."""
        window = self.window
        window.settings.save_window_state(window.saveGeometry(), window.saveState())
        window.settings.sync()
        current = asyncio.current_task()
        pending = [task for task in window.tasks if task is not current and not task.done()]
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.wait(pending, timeout=5)
        if window.write_load.running is not None:
            await window.write_load.stop_load()
        busy = {name for name, _ in window.jobs.active_jobs()}
        for link in list(window.endpoints.links.values()):
            if link.kind is EndpointKind.DAEMON and link.connected and link.name in busy:
                await link.detach()
            else:
                await link.close()
        window.endpoints.save()
