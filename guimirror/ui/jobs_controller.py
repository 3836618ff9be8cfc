"""Jobs: the rows of the job panel, their plots, events and samples, and the job verbs."""

from __future__ import annotations

import time
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QAbstractButton, QFileDialog

from guimirror.session.convergence import HINT, ConvergenceWatch
from guimirror.session.outcomes import EndVerb, cancel_question, job_outcome
from guimirror.ui.ask import ask
from guimirror.ui.endpoint_links import BUILTIN, EndpointLinks
from guimirror.ui.job_panel import JobPanel, JobView
from guimirror.ui.plots import JobPlots
from guimirror.ui.tasks import TaskRunner

ACTIVE = {"created", "running", "paused", "ready", "standby", "waiting", "pending", "aborting"}
#: What a row shows once its job has left query-block-jobs.
OUTCOMES = {"completed", "cancelled", "failed", "ended"}
JobKey = tuple[str, str]


class JobsController(QObject):
    """Every job the window has seen, by (endpoint, job-id), in the job panel's rows and the
    plots; ``show_all_jobs`` checked plots every job at once (GUI thread; coroutines run in
    the caller's task)."""

    job_event = Signal(str, str, dict)  # endpoint, event name, data
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

    def prepare(self, key: JobKey, meta: dict[str, Any]) -> None:
        """A fresh row, plot and watch for a job about to start (before its command is sent:
        its events, even a failure at once, may come before the reply)."""
        if key in self.job_views:  # an earlier job with this id has ended: a fresh row
            self.job_panel.remove_job(key)
            del self.job_views[key]
        self.job_meta[key] = meta
        self.watches[key] = ConvergenceWatch(self.convergence_window)
        self.plots.series.pop(self.plot_key(key), None)

    def start_failed(self, key: JobKey) -> None:
        """blockdev-mirror was refused: forget what ``prepare`` noted."""
        self.job_meta.pop(key, None)

    def started(self, key: JobKey, speed: int) -> None:
        """blockdev-mirror was accepted: the row (unless its events made it already), the
        plot's speed limit, and the row selected."""
        self.plots.set_speed_limit(self.plot_key(key), speed)
        if key not in self.job_views:
            self.job_panel.update_job(self.view(key, {"device": key[1], "status": "created",
                                                      "speed": speed}))
        self.job_panel.select(key)

    def view(self, key: JobKey, job: dict[str, Any]) -> JobView:
        meta = self.job_meta.setdefault(key, {})
        view = self.job_views.get(key) or JobView(endpoint=key[0], job_id=key[1])
        view.device = str(meta.get("device") or view.device or "?")
        view.target = str(meta.get("target") or view.target or "?")
        view.status = str(job.get("status", view.status))
        view.ready = bool(job.get("ready", view.ready))
        view.paused = bool(job.get("paused", view.paused))
        view.offset = int(job.get("offset", view.offset))
        view.len = int(job.get("len", view.len))
        view.speed = int(job.get("speed", view.speed))
        view.io_status = str(job.get("io-status", view.io_status))
        view.auto_finalize = bool(job.get("auto-finalize", meta.get("auto-finalize", True)))
        view.auto_dismiss = bool(job.get("auto-dismiss", meta.get("auto-dismiss", True)))
        view.error = str(job.get("error") or meta.get("error") or "")
        self.job_views[key] = view
        return view

    def jobs_changed(self, endpoint: str, jobs: list[dict[str, Any]]) -> None:
        job_panel = self.job_panel
        present = set()
        for job in jobs:
            key = (endpoint, str(job.get("device")))
            present.add(key)
            job_panel.update_job(self.view(key, job))
        for key, view in list(self.job_views.items()):
            if key[0] == endpoint and key not in present and view.status not in OUTCOMES:
                outcome = self.job_meta.get(key, {}).get("outcome") or "ended"
                view.status = outcome
                view.outcome = str(self.job_meta.get(key, {}).get("outcome-text") or "")
                view.paused = False
                job_panel.update_job(view)
                self.job_ended.emit(endpoint)
        self.changed.emit()

    def sample(self, endpoint: str, job_id: str, sample: dict[str, Any]) -> None:
        key = (endpoint, job_id)
        view = self.job_views.get(key)
        if view is None:
            return
        view.offset, view.len = int(sample["offset"]), int(sample["len"])
        view.throughput = float(sample["throughput"])
        view.throughput_avg = float(sample.get("throughput-average", 0.0))
        view.eta = sample.get("eta")
        view.dirty_clusters = float(sample["dirty-clusters"])
        view.estimate = bool(sample.get("estimate"))
        watch = self.watches.setdefault(key, ConvergenceWatch(self.convergence_window))
        view.hint = HINT if watch.add(float(sample["time"]), view.dirty_clusters) else ""
        self.job_panel.update_job(view)
        self.plots.add_sample(self.plot_key(key), sample)
        self.plots.set_speed_limit(self.plot_key(key), view.speed)

    def event_received(self, endpoint: str, event: dict[str, Any]) -> None:
        name = str(event.get("event"))
        data = dict(event.get("data") or {})
        job_id = str(data.get("id", data.get("device", "")))
        key = (endpoint, job_id)
        meta = self.job_meta.setdefault(key, {})
        if name == "BLOCK_JOB_ERROR":
            meta["error"] = (f"{data.get('operation', '')} error, action "
                             f"{data.get('action', '')}")
        elif name == "BLOCK_JOB_READY":
            meta["ready-seen"] = True
        elif name == "BLOCK_JOB_COMPLETED":
            meta["outcome"] = "failed" if data.get("error") else "completed"
            if data.get("error"):
                meta["error"] = str(data["error"])
        elif name == "BLOCK_JOB_CANCELLED":
            meta["outcome"] = "cancelled"
        if name in ("BLOCK_JOB_COMPLETED", "BLOCK_JOB_CANCELLED"):
            view = self.job_views.get(key)
            stamp = event.get("timestamp") or {}
            meta["outcome-text"] = job_outcome(
                event=name, device=str(meta.get("device") or data.get("device", "?")),
                target=str(meta.get("target") or "?"),
                ready_seen=bool(meta.get("ready-seen")) or (view is not None and view.ready),
                verb=meta.get("verb"), error=data.get("error"),
                ended_at=float(stamp.get("seconds", 0)) or time.time(),
                offset=int(data.get("offset", 0)), length=int(data.get("len", 0)))
        elif name == "JOB_STATUS_CHANGE" and data.get("status") == "running":
            meta["error"] = ""
        self.job_event.emit(endpoint, name, data)

    def job_selected(self, key: JobKey | None) -> None:
        if self.show_all_jobs.isChecked() or key is None:
            self.plots.show_job(None)
        else:
            self.plots.show_job(self.plot_key(key))

    async def job_verb(self, key: JobKey, verb: str) -> None:
        """Send a job verb; Cancel after READY asks: finish without pivot, or abort."""
        link = self.links.get(key[0])
        if link is None:
            return
        view = self.job_views.get(key)
        job_id = key[1]
        meta = self.job_meta.setdefault(key, {})
        if verb == "cancel" and view is not None and not view.ready:
            answer = await ask(
                self.job_panel.window(), "Cancel a mirror before it is in sync",
                cancel_question(job_id=job_id, device=view.device, target=view.target,
                                offset=view.offset, length=view.len),
                [("Cancel job", "destructive"), ("Keep running", "reject")],
            )
            if answer != "Cancel job":
                return
            meta["verb"] = EndVerb.CANCEL
        if verb == "cancel" and view is not None and view.ready:
            answer = await ask(
                self.job_panel.window(), "Cancel a READY mirror",
                f"Job '{job_id}' is in sync. Finish it without pivot (the source stays in use "
                "and the target keeps a consistent copy), or abort it?",
                [("Finish without pivot", "accept"), ("Abort", "destructive"),
                 ("Keep running", "reject")],
            )
            if answer == "Finish without pivot":
                meta["verb"] = EndVerb.FINISH
                await link.execute("block-job-cancel", {"device": job_id, "force": False})
            elif answer == "Abort":
                meta["verb"] = EndVerb.CANCEL
                await link.execute("job-cancel", {"id": job_id})
            return
        if verb == "complete":
            meta["verb"] = EndVerb.COMPLETE
        await link.execute(f"job-{verb}", {"id": job_id})

    async def set_speed(self, key: JobKey, speed: int) -> None:
        link = self.links.get(key[0])
        if link is None:
            return
        await link.execute("block-job-set-speed", {"device": key[1], "speed": speed})
        self.plots.set_speed_limit(self.plot_key(key), speed)

    # --- plots export -----------------------------------------------------------------------

    def export_png(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self.plots.window(), "Export plots",
                                              "guimirror.png", "PNG images (*.png)")
        if path:
            self.plots.export_png(path)

    def export_csv(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self.plots.window(), "Export samples",
                                              "guimirror.csv", "CSV (*.csv)")
        if path:
            self.tasks.spawn(self._export_csv(path), "export CSV")

    async def _export_csv(self, path: str) -> None:
        rows = await self.plots.export_csv(path)
        self.tasks.report(f"wrote {rows} samples to {path}")
