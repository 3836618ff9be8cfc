# SPDX-License-Identifier: GPL-2.0-or-later
"""Jobs: the rows of the job panel, their plots, events and samples, and the job verbs."""

from __future__ import annotations

import time
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QAbstractButton, QFileDialog

from guimirror.qapi.commands import (
    BlockJobCancel,
    BlockJobChangeMirror,
    BlockJobSetSpeed,
    JobCancel,
    JobComplete,
    JobDismiss,
    JobFinalize,
    JobPause,
    JobResume,
)
from guimirror.qapi.events import (
    BlockJobCancelled,
    BlockJobCompleted,
    BlockJobError,
    BlockJobReady,
    JobStatusChange,
    QAPIEvent,
)
from guimirror.qapi.job import BlockJobInfo, JobStatus, JobType
from guimirror.qapi.mirror import MirrorCopyMode
from guimirror.session.client import SessionClient
from guimirror.session.convergence import HINT, ConvergenceWatch
from guimirror.session.outcomes import EndVerb, cancel_question, job_outcome
from guimirror.session.samples import JobSample
from guimirror.ui.ask import ask
from guimirror.ui.endpoint_links import BUILTIN, EndpointLinks
from guimirror.ui.job_panel import OUTCOMES, JobPanel, JobView
from guimirror.ui.plots import JobPlots
from guimirror.ui.tasks import TaskRunner
from guimirror.ui.translated import core_text

ACTIVE = {"created", "running", "paused", "ready", "standby", "waiting", "pending", "aborting"}
JobKey = tuple[str, str]
MEASURED_SAMPLES = 3
"""Bitmap readings (one a second) a convergence watch needs before it may show the hint."""
#: The job verbs of the row's buttons, as typed commands.
VERBS: dict[str, Any] = {
    "pause": (SessionClient.job_pause, JobPause),
    "resume": (SessionClient.job_resume, JobResume),
    "complete": (SessionClient.job_complete, JobComplete),
    "cancel": (SessionClient.job_cancel, JobCancel),
    "finalize": (SessionClient.job_finalize, JobFinalize),
    "dismiss": (SessionClient.job_dismiss, JobDismiss),
}


class JobsController(QObject):
    """Every job the window has seen, by (endpoint, job-id), in the job panel's rows and the
    plots; ``show_all_jobs`` checked plots every job at once (GUI thread; coroutines run in
    the caller's task)."""

    job_event = Signal(str, object)  # endpoint, QAPIEvent
    job_ended = Signal(str)  # endpoint
    changed = Signal()

    def __init__(self, links: EndpointLinks, job_panel: JobPanel, plots: JobPlots,
                 show_all_jobs: QAbstractButton, tasks: TaskRunner) -> None:
        super().__init__()
        self.links = links
        self.job_panel = job_panel
        self.plots = plots
        self.show_all_jobs = show_all_jobs
        self.tasks = tasks
        self.job_meta: dict[JobKey, dict[str, Any]] = {}
        self.job_views: dict[JobKey, JobView] = {}
        self.watches: dict[JobKey, ConvergenceWatch] = {}
        #: Seconds of growing dirty clusters before the not-converging hint shows.
        self.convergence_window = 10.0

    @staticmethod
    def plot_key(key: JobKey) -> str:
        return key[1] if key[0] == BUILTIN else f"{key[1]} ({key[0]})"

    def job(self, key: JobKey) -> JobView | None:
        """The row of a job the window has seen, else None."""
        return self.job_views.get(key)

    def job_keys(self) -> list[JobKey]:
        return list(self.job_views)

    def active_on(self, endpoint: str) -> list[JobView]:
        """The rows of an endpoint's active jobs."""
        return [view for _key, view in self.active_views(endpoint)]

    def running_on(self, endpoint: str) -> list[str]:
        """The job-ids of an endpoint's active jobs."""
        return [key[1] for key, _view in self.active_views(endpoint)]

    def active_jobs(self) -> list[JobKey]:
        return [key for key, view in self.job_views.items() if view.status in ACTIVE]

    def active_views(self, endpoint: str) -> list[tuple[JobKey, JobView]]:
        """The active jobs of one endpoint."""
        return [(key, view) for key, view in self.job_views.items()
                if key[0] == endpoint and view.status in ACTIVE]

    def forget_endpoint(self, endpoint: str) -> None:
        """Drop the rows of a removed endpoint."""
        for key in [key for key in self.job_views if key[0] == endpoint]:
            self.job_panel.remove_job(key)
            del self.job_views[key]

    def new_watch(self) -> ConvergenceWatch:
        """A convergence watch fed with the bitmap's counts, read once a second."""
        return ConvergenceWatch(self.convergence_window, min_samples=MEASURED_SAMPLES)

    def prepare(self, key: JobKey, meta: dict[str, Any]) -> None:
        """A fresh row, plot and watch for a job about to start (before its command is sent:
        its events, even a failure at once, may come before the reply)."""
        if key in self.job_views:  # an earlier job with this id has ended: a fresh row
            self.job_panel.remove_job(key)
            del self.job_views[key]
        self.job_meta[key] = meta
        self.watches[key] = self.new_watch()
        self.plots.series.pop(self.plot_key(key), None)

    def start_failed(self, key: JobKey) -> None:
        """blockdev-mirror was refused: forget what ``prepare`` noted."""
        self.job_meta.pop(key, None)

    def started(self, key: JobKey, speed: int) -> None:
        """blockdev-mirror was accepted: the row (unless its events made it already), the
        plot's speed limit, and the row selected."""
        self.plots.set_speed_limit(self.plot_key(key), speed)
        if key not in self.job_views:
            view = self.view(key)
            view.speed = speed
            self.job_panel.update_job(view)
        self.job_panel.select(key)

    def view(self, key: JobKey, job: BlockJobInfo | None = None) -> JobView:
        """The row of ``key`` brought up to date with ``job`` (query-block-jobs) and what
        the window knows of it (its command, its events, the graph)."""
        meta = self.job_meta.setdefault(key, {})
        view = self.job_views.get(key) or JobView(endpoint=key[0], job_id=key[1])
        link = self.links.get(key[0])
        ends = link.job_ends.get(key[1]) if link is not None else None
        view.device = str(meta.get("device") or (ends and ends.device) or view.device or "?")
        view.target = str(meta.get("target") or (ends and ends.target) or view.target or "?")
        if job is not None:
            view.status = str(job.status)
            view.ready = job.ready
            view.paused = job.paused
            view.offset, view.len = job.offset, job.len
            view.speed = job.speed
            view.io_status = str(job.io_status)
            view.auto_finalize, view.auto_dismiss = job.auto_finalize, job.auto_dismiss
            view.actively_synced = job.actively_synced
            if job.status in (JobStatus.PAUSED, JobStatus.STANDBY) or job.paused:
                view.eta, view.throughput = None, 0.0
        else:
            view.auto_finalize = bool(meta.get("auto-finalize", view.auto_finalize))
            view.auto_dismiss = bool(meta.get("auto-dismiss", view.auto_dismiss))
        view.error = str(meta.get("error") or "")
        view.copy_mode = str(meta.get("copy-mode") or view.copy_mode)
        self.job_views[key] = view
        return view

    def jobs_changed(self, endpoint: str, jobs: list[BlockJobInfo]) -> None:
        job_panel = self.job_panel
        present = set()
        for job in jobs:
            key = (endpoint, job.device)
            present.add(key)
            job_panel.update_job(self.view(key, job))
        for key, view in list(self.job_views.items()):
            if key[0] == endpoint and key not in present and view.status not in OUTCOMES:
                outcome = self.job_meta.get(key, {}).get("outcome") or "ended"
                view.status = outcome
                view.outcome = str(self.job_meta.get(key, {}).get("outcome-text") or "")
                view.paused = False
                view.eta, view.throughput = None, 0.0
                job_panel.update_job(view)
                self.job_ended.emit(endpoint)
        self.changed.emit()

    def sample(self, endpoint: str, sample: JobSample) -> None:
        key = (endpoint, sample.job_id)
        view = self.job_views.get(key)
        if view is None or view.status in OUTCOMES:
            return
        view.offset, view.len = sample.offset, sample.len
        view.throughput = 0.0 if sample.idle else sample.throughput
        view.throughput_avg = sample.average
        view.bursty = sample.bursty
        view.eta = sample.eta
        if not sample.dirty_estimated or view.estimate or view.instance != sample.instance:
            # Between two readings of the bitmap the row keeps the last measured count.
            view.dirty_clusters = float(sample.dirty_clusters)
            view.estimate = sample.dirty_estimated
        view.instance = sample.instance
        watch = self.watches.setdefault(key, self.new_watch())
        if not sample.dirty_estimated or view.estimate:
            diverging = watch.add(sample.time, float(sample.dirty_clusters))
            view.hint = core_text(HINT) if diverging else ""
        self.job_panel.update_job(view)
        self.plots.add_sample(self.plot_key(key), sample)
        self.plots.set_speed_limit(self.plot_key(key), view.speed)

    def event_received(self, endpoint: str, event: QAPIEvent) -> None:
        job_id = str(getattr(event, "id", None) or getattr(event, "device", ""))
        key = (endpoint, job_id)
        meta = self.job_meta.setdefault(key, {})
        if isinstance(event, BlockJobError):
            meta["error"] = f"{event.operation} error, action {event.action}"
        elif isinstance(event, BlockJobReady):
            meta["ready-seen"] = True
        elif isinstance(event, BlockJobCompleted):
            meta["outcome"] = "failed" if event.error else "completed"
            if event.error:
                meta["error"] = event.error
        elif isinstance(event, BlockJobCancelled):
            meta["outcome"] = "cancelled"
        if isinstance(event, BlockJobCompleted | BlockJobCancelled):
            view = self.job_views.get(key)
            meta["outcome-text"] = core_text(job_outcome(
                event=event.EVENT, device=str(meta.get("device") or event.device),
                target=str(meta.get("target") or (view.target if view is not None else "?")),
                ready_seen=bool(meta.get("ready-seen")) or (view is not None and view.ready),
                verb=meta.get("verb"), error=getattr(event, "error", None),
                ended_at=time.time(), offset=event.offset, length=event.len))
        elif isinstance(event, JobStatusChange) and event.status is JobStatus.RUNNING:
            meta["error"] = ""
        self.job_event.emit(endpoint, event)

    def job_selected(self, key: JobKey | None) -> None:
        if self.show_all_jobs.isChecked() or key is None:
            self.plots.show_job(None)
        else:
            self.plots.show_job(self.plot_key(key))

    async def job_verb(self, key: JobKey, verb: str) -> None:
        """Send a job verb; Cancel after READY asks: finish without pivot, or abort;
        change switches a mirror to copy-mode write-blocking."""
        link = self.links.get(key[0])
        if link is None:
            return
        view = self.job_views.get(key)
        job_id = key[1]
        meta = self.job_meta.setdefault(key, {})
        if verb == "change":
            await link.call(SessionClient.block_job_change, BlockJobChangeMirror(
                id=job_id, type=JobType.MIRROR, copy_mode=MirrorCopyMode.WRITE_BLOCKING))
            meta["copy-mode"] = MirrorCopyMode.WRITE_BLOCKING.value
            if view is not None:
                self.job_panel.update_job(self.view(key))
            return
        if verb == "cancel" and view is not None and not view.ready:
            answer = await ask(
                self.job_panel.window(), self.tr("Cancel a mirror before it is in sync"),
                core_text(cancel_question(job_id=job_id, device=view.device,
                                          target=view.target, offset=view.offset,
                                          length=view.len)),
                [(self.tr("Cancel job"), "destructive"), (self.tr("Keep running"), "reject")],
            )
            if answer != self.tr("Cancel job"):
                return
            meta["verb"] = EndVerb.CANCEL
        if verb == "cancel" and view is not None and view.ready:
            answer = await ask(
                self.job_panel.window(), self.tr("Cancel a READY mirror"),
                self.tr("Job '{0}' is in sync. Finish it without pivot (the source stays in use "
                        "and the target keeps a consistent copy), or abort it?").format(job_id),
                [(self.tr("Finish without pivot"), "accept"), (self.tr("Abort"), "destructive"),
                 (self.tr("Keep running"), "reject")],
            )
            if answer == self.tr("Finish without pivot"):
                meta["verb"] = EndVerb.FINISH
                await link.call(SessionClient.block_job_cancel,
                                BlockJobCancel(device=job_id, force=False))
            elif answer == self.tr("Abort"):
                meta["verb"] = EndVerb.CANCEL
                await link.call(SessionClient.job_cancel, JobCancel(id=job_id))
            return
        if verb == "complete":
            meta["verb"] = EndVerb.COMPLETE
        method, arguments = VERBS[verb]
        await link.call(method, arguments(id=job_id))

    async def set_speed(self, key: JobKey, speed: int) -> None:
        link = self.links.get(key[0])
        if link is None:
            return
        await link.call(SessionClient.block_job_set_speed,
                        BlockJobSetSpeed(device=key[1], speed=speed))
        self.plots.set_speed_limit(self.plot_key(key), speed)

    # --- plots export -----------------------------------------------------------------------

    def export_png(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self.plots.window(), self.tr("Export plots"),
                                              "guimirror.png", self.tr("PNG images (*.png)"))
        if path:
            self.plots.export_png(path)

    def export_csv(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self.plots.window(), self.tr("Export samples"),
                                              "guimirror.csv", self.tr("CSV (*.csv)"))
        if path:
            self.tasks.spawn(self._export_csv(path), self.tr("export CSV"))

    async def _export_csv(self, path: str) -> None:
        rows = await self.plots.export_csv(path)
        self.tasks.report(self.tr("wrote {0} samples to {1}").format(rows, path))
