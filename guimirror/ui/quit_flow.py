# SPDX-License-Identifier: GPL-2.0-or-later
"""Quitting: ask about running jobs, shut every endpoint down, then close the window."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QMessageBox, QWidget

from guimirror.ui.ask import ask
from guimirror.ui.endpoint_link import EndpointKind
from guimirror.ui.endpoint_links import EndpointLinks
from guimirror.ui.tasks import TaskRunner
from guimirror.ui.write_load_panel import WriteLoadPanel

JobKey = tuple[str, str]


class QuitFlow:
    """The close of ``window``: a close request starts the flow in a task; the window closes
    for real once the flow has shut everything down. ``save_layout()`` remembers the
    window's layout, ``active_jobs()`` tells the (endpoint, job-id) of the running jobs."""

    def __init__(self, window: QWidget, links: EndpointLinks, write_load: WriteLoadPanel,
                 active_jobs: Callable[[], list[JobKey]], save_layout: Callable[[], None],
                 tasks: TaskRunner) -> None:
        self.window = window
        self.links = links
        self.write_load = write_load
        self.active_jobs = active_jobs
        self.save_layout = save_layout
        self.tasks = tasks
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
            self.tasks.spawn(self.quit_flow(), QCoreApplication.translate("QuitFlow", "quit"))

    async def quit_flow(self, ask_user: bool = True) -> bool:
        """Ask about running jobs, then shut every endpoint down and close the window."""
        links = self.links.links

        def kind(name: str) -> EndpointKind | None:
            link = links.get(name)
            return None if link is None else link.kind

        try:
            active = self.active_jobs()
            if active and ask_user:
                builtin = [job for name, job in active if kind(name) is EndpointKind.BUILTIN]
                qemu = [job for name, job in active if kind(name) is not EndpointKind.BUILTIN]
                lines = []
                if builtin:
                    lines.append(QCoreApplication.translate(
                        "QuitFlow", "Jobs of the built-in engine stop with guimirror (cancelled, "
                        "never pivoted): {0}.").format(", ".join(builtin)))
                if qemu:
                    lines.append(QCoreApplication.translate(
                        "QuitFlow", "QEMU jobs go on without guimirror: {0}. A "
                        "qemu-storage-daemon that guimirror started keeps running them, and "
                        "guimirror takes it over again at the next start.").format(
                            ", ".join(qemu)))
                lines.extend(self.daemons_left_running(active))
                quit_label = QCoreApplication.translate("QuitFlow", "Quit")
                answer = await ask(self.window,
                                   QCoreApplication.translate("QuitFlow",
                                                              "Quit with running jobs?"),
                                   "\n".join(lines),
                                   [(quit_label, "destructive"),
                                    (QCoreApplication.translate("QuitFlow", "Keep running"),
                                     "reject")],
                                   QMessageBox.Icon.Warning)
                if answer != quit_label:
                    return False
            await self.shutdown()
        finally:
            self.quitting = False
        self.closed_ok = True
        self.window.close()
        self.closed.set()
        return True

    def daemons_left_running(self, active: list[JobKey]) -> list[str]:
        """One line per daemon guimirror runs (started or taken over) that quitting leaves
        running because it has jobs: its socket, its jobs and what it holds open."""
        lines = []
        for link in self.links.links.values():
            jobs = [job for name, job in active if name == link.name]
            if link.kind is not EndpointKind.DAEMON or not link.connected or not jobs:
                continue
            held = sorted(f"{node.node_name} ({node.file})" for node in link.nodes
                          if node.node_name and not node.node_name.startswith("#"))
            lines.append(QCoreApplication.translate(
                "QuitFlow", "The qemu-storage-daemon '{0}' (QMP socket {1}) runs on with {2} "
                "and keeps open: {3}.").format(
                    link.name, link.address, ", ".join(jobs),
                    ", ".join(held) or QCoreApplication.translate("QuitFlow", "no named node")))
        return lines

    async def shutdown(self) -> None:
        """Stop the write load and close every endpoint: the built-in engine cancels its jobs
        (never a pivot), an attached QEMU keeps its jobs, and a daemon guimirror started
        quits, unless it runs jobs: then it runs on, and its socket is saved to take it over
        at the next start."""
        self.save_layout()
        pending = self.tasks.others()
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.wait(pending, timeout=5)
        if self.write_load.running is not None:
            await self.write_load.stop_load()
        busy: dict[str, list[str]] = {}
        for name, job_id in self.active_jobs():
            busy.setdefault(name, []).append(job_id)
        for link in list(self.links.links.values()):
            if link.kind is EndpointKind.DAEMON and link.connected and link.name in busy:
                await link.detach()
                self.tasks.report(QCoreApplication.translate(
                    "QuitFlow", "{0} runs on with {1}; its QMP socket is {2}").format(
                        link.name, ", ".join(busy[link.name]), link.address))
            else:
                await link.close()
        self.links.save()
