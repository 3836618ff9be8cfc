# SPDX-License-Identifier: GPL-2.0-or-later
"""Telling the user what a job did while the window is not watched.

A desktop notification (org.freedesktop.Notifications on the session bus) when a job reaches
READY, completes, fails, is cancelled or stops on an error policy; the tray's balloon when no
notification service answers. The window's title carries the active jobs' progress.

The Notify call goes out through ``gdbus call`` with every argument typed: PySide6's QtDBus
marshals a Python int as ``i`` and has no way to send the ``u`` of Notify's ``replaces_id``,
and notification services check the signature (``susssasa{sv}i``). GUI thread; the call runs
as a subprocess, awaited in the task that ``JobNotifications`` spawns.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication, QObject
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QSystemTrayIcon

from guimirror.qapi.events import (
    BlockErrorAction,
    BlockJobCancelled,
    BlockJobCompleted,
    BlockJobError,
    BlockJobReady,
    QAPIEvent,
)
from guimirror.ui.jobs_controller import JobsController
from guimirror.ui.settings import AppSettings
from guimirror.ui.tasks import TaskRunner
from guimirror.units import format_size

log = logging.getLogger(__name__)

SERVICE = "org.freedesktop.Notifications"
OBJECT_PATH = "/org/freedesktop/Notifications"
APP_NAME = "guimirror"
DESKTOP_ENTRY = "io.github.guimirror.GuiMirror"
CALL_TIMEOUT = 5.0


@dataclass(frozen=True)
class Notice:
    """One notification: a summary line, a body, and whether it wants the user now."""

    summary: str
    body: str
    urgent: bool = False


def job_notice(endpoint: str, event: QAPIEvent, device: str = "?",
               target: str = "?") -> Notice | None:
    """What to tell of a job event (None: nothing worth a notification)."""
    where = QCoreApplication.translate("job_notice", "{0} → {1} on {2}").format(
        device, target, endpoint)
    if isinstance(event, BlockJobReady):
        return Notice(QCoreApplication.translate("job_notice", "Mirror {0} is ready")
                      .format(event.device),
                      QCoreApplication.translate("job_notice",
                                                 "{0} is in sync; Complete pivots to {1}.")
                      .format(where, target))
    if isinstance(event, BlockJobCompleted) and event.error:
        return Notice(QCoreApplication.translate("job_notice", "Mirror {0} failed")
                      .format(event.device), f"{where}: {event.error}", urgent=True)
    if isinstance(event, BlockJobCompleted):
        return Notice(QCoreApplication.translate("job_notice", "Mirror {0} completed")
                      .format(event.device),
                      QCoreApplication.translate("job_notice", "{0}: {1} copied.")
                      .format(where, format_size(event.len)))
    if isinstance(event, BlockJobCancelled):
        copied = (QCoreApplication.translate("job_notice", "{0} of {1}")
                  .format(format_size(event.offset), format_size(event.len)) if event.len
                  else QCoreApplication.translate("job_notice", "nothing"))
        return Notice(QCoreApplication.translate("job_notice", "Mirror {0} cancelled")
                      .format(event.device),
                      QCoreApplication.translate("job_notice", "{0}: {1} copied.")
                      .format(where, copied))
    if isinstance(event, BlockJobError):
        operation = event.operation.value
        if event.action is BlockErrorAction.STOP:
            return Notice(QCoreApplication.translate("job_notice",
                                                     "Mirror {0} stopped on a {1} error")
                          .format(event.device, operation),
                          QCoreApplication.translate(
                              "job_notice",
                              "{0}: the error policy is stop; resume or cancel the job.")
                          .format(where),
                          urgent=True)
        if event.action is BlockErrorAction.REPORT:
            return Notice(QCoreApplication.translate("job_notice",
                                                     "Mirror {0} failed on a {1} error")
                          .format(event.device, operation),
                          QCoreApplication.translate(
                              "job_notice", "{0}: the error policy is report; the job ends.")
                          .format(where),
                          urgent=True)
    return None


def progress_title(jobs: JobsController, title: str = "guimirror") -> str:
    """``"42 % · guimirror"`` while jobs are active (their copied bytes over their lengths)."""
    views = [view for view in map(jobs.job, jobs.active_jobs()) if view is not None]
    length = sum(view.len for view in views)
    if not views or length <= 0:
        return title
    percent = int(100 * sum(min(view.offset, view.len) for view in views) / length)
    return f"{percent} % · {title}"


def gvariant_string(text: str) -> str:
    """``text`` as a GVariant text-format string literal."""
    escaped = text.replace("\\", "\\\\").replace("'", "\\'").replace("\n", "\\n")
    return f"'{escaped}'"


class DesktopNotifier:
    """Sends notices to the notification service of a D-Bus bus (``address``; None: the
    session bus), else to the tray. ``sent`` counts the notices each way went."""

    def __init__(self, address: str | None = None, icon: QIcon | None = None) -> None:
        self.address = address
        self.icon = icon or QIcon()
        self.tray: QSystemTrayIcon | None = None
        self.sent = {"desktop": 0, "tray": 0, "none": 0}

    def notify_command(self, notice: Notice) -> list[str]:
        bus = ["--address", self.address] if self.address else ["--session"]
        urgency = "'urgency': <byte 2>, " if notice.urgent else ""
        hints = f"{{{urgency}'desktop-entry': <{gvariant_string(DESKTOP_ENTRY)}>}}"
        return [
            "gdbus", "call", *bus, "--dest", SERVICE, "--object-path", OBJECT_PATH,
            "--method", f"{SERVICE}.Notify", gvariant_string(APP_NAME), "uint32 0",
            gvariant_string(DESKTOP_ENTRY), gvariant_string(notice.summary),
            gvariant_string(notice.body), "@as []", f"@a{{sv}} {hints}", "int32 -1",
        ]

    async def notify(self, notice: Notice) -> str:
        """Show ``notice``; which way it went: ``desktop``, ``tray`` or ``none`` (caller's
        task)."""
        way = "desktop" if await self._desktop(notice) else self._tray(notice)
        self.sent[way] += 1
        return way

    async def _desktop(self, notice: Notice) -> bool:
        try:
            process = await asyncio.create_subprocess_exec(
                *self.notify_command(notice), stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
        except OSError as err:
            log.info("no desktop notification: %s", err)
            return False
        try:
            async with asyncio.timeout(CALL_TIMEOUT):
                _, error = await process.communicate()
        except TimeoutError:
            process.kill()
            await process.wait()
            log.info("no desktop notification: the service did not answer")
            return False
        if process.returncode != 0:
            log.info("no desktop notification: %s", error.decode(errors="replace").strip())
        return process.returncode == 0

    def _tray(self, notice: Notice) -> str:
        if not QSystemTrayIcon.isSystemTrayAvailable():
            return "none"
        if self.tray is None:
            self.tray = QSystemTrayIcon(self.icon)
            self.tray.setToolTip(APP_NAME)
        self.tray.show()
        icon = (QSystemTrayIcon.MessageIcon.Warning if notice.urgent
                else QSystemTrayIcon.MessageIcon.Information)
        self.tray.showMessage(notice.summary, notice.body, icon)
        return "tray"


class JobNotifications(QObject):
    """Notifies the jobs' events (``jobs.job_event``) while the setting allows (GUI thread;
    each notice is sent in a task of its own)."""

    def __init__(self, jobs: JobsController, notifier: DesktopNotifier,
                 settings: AppSettings, tasks: TaskRunner) -> None:
        super().__init__()
        self.jobs = jobs
        self.notifier = notifier
        self.settings = settings
        self.tasks = tasks
        jobs.job_event.connect(self.job_event)

    def job_event(self, endpoint: str, event: QAPIEvent) -> None:
        if not self.settings.notifications:
            return
        job_id = str(getattr(event, "id", None) or getattr(event, "device", ""))
        view = self.jobs.job((endpoint, job_id))
        notice = job_notice(endpoint, event,
                            device=view.device if view is not None else "?",
                            target=view.target if view is not None else "?")
        if notice is not None:
            self.tasks.spawn(self.notifier.notify(notice), self.tr("notification"))
