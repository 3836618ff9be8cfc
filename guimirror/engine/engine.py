# SPDX-License-Identifier: GPL-2.0-or-later
"""The built-in engine's API: one coroutine per QMP command, and an event stream.

Each method takes the command's argument model from ``guimirror.qapi.commands`` (none for a
command without arguments) and returns the command's return model, a list of them, or None
for ``{}``. Errors are ``QAPIError`` with QEMU's texts. Every method runs in the task of the
caller (the QMP server's command task, or a test); jobs run in their own tasks and call the
event listeners from there.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from guimirror.engine.backend import BlockBackend
from guimirror.engine.exports import ExportManager
from guimirror.engine.graph import BlockGraph
from guimirror.engine.job import Job
from guimirror.engine.mirror import start_mirror
from guimirror.engine.node import BlockNode
from guimirror.engine.objects import ObjectStore
from guimirror.qapi.errors import QAPIError
from guimirror.qapi.job import BlockJobInfo, JobInfo, JobStatus

if TYPE_CHECKING:
    from guimirror.qapi.block_info import BlockDeviceInfo
    from guimirror.qapi.blockdev import BlockdevOptions
    from guimirror.qapi.commands import (
        BlockdevDel,
        BlockExportAdd,
        BlockExportDel,
        BlockExportInfo,
        BlockJobCancel,
        BlockJobChange,
        BlockJobComplete,
        BlockJobDismiss,
        BlockJobFinalize,
        BlockJobPause,
        BlockJobResume,
        BlockJobSetSpeed,
        JobCancel,
        JobComplete,
        JobDismiss,
        JobFinalize,
        JobPause,
        JobResume,
        NbdServerStart,
        QueryNamedBlockNodes,
    )
    from guimirror.qapi.events import QAPIEvent
    from guimirror.qapi.mirror import BlockdevMirror
    from guimirror.qapi.objects import ObjectAdd, ObjectDel

log = logging.getLogger(__name__)

EventListener = Callable[["QAPIEvent"], None]


class MirroredGraph:
    """The graph as the export manager sees it: a user that attaches to a node with a mirror
    filter above it is attached to the filter, so its writes are mirrored too; a node that
    blockdev-add gives that node as a child gets the filter the same way
    (``BlockGraph.stand_in``).
    """

    def __init__(self, graph: BlockGraph) -> None:
        self.graph = graph

    def find_node(self, node_name: str) -> BlockNode | None:
        return self.graph.find_node(node_name)

    def attach(self, backend: BlockBackend) -> None:
        stand_in = self.graph.stand_in(backend.node)
        backend.stands_in = stand_in is not backend.node
        backend.node = stand_in
        self.graph.attach(backend)

    def detach(self, backend: BlockBackend) -> None:
        self.graph.detach(backend)


class EngineClosedError(QAPIError):
    """A command arrived after ``close()``.

    A QAPIError because it is a command's error reply: the QMP server sends it to the client
    as ``GenericError`` with this text, like any other refusal of the engine.
    """

    def __init__(self) -> None:
        super().__init__("The engine is shut down")


class Engine:
    """The block graph, its jobs and exports, behind the QMP commands' shapes."""

    def __init__(self) -> None:
        self.graph = BlockGraph()
        self.objects = ObjectStore()
        self.graph.client_tls = self.objects.client_context
        self.exports = ExportManager(
            MirroredGraph(self.graph), self._emit, self.objects.server_context
        )
        self.jobs: dict[str, Job] = {}
        self._listeners: list[EventListener] = []
        self._closed = False

    # ----- events --------------------------------------------------------------------------

    def add_event_listener(self, listener: EventListener) -> None:
        self._listeners.append(listener)

    def remove_event_listener(self, listener: EventListener) -> None:
        self._listeners.remove(listener)

    def _emit(self, event: object) -> None:
        for listener in list(self._listeners):
            try:
                listener(event)  # type: ignore[arg-type]
            except Exception:
                log.exception("event listener failed on %s", type(event).__name__)

    def _check_open(self) -> None:
        if self._closed:
            raise EngineClosedError()

    # ----- objects -------------------------------------------------------------------------

    async def object_add(self, args: ObjectAdd) -> None:
        self._check_open()
        await self.objects.object_add(args)

    async def object_del(self, args: ObjectDel) -> None:
        self._check_open()
        await self.objects.object_del(args)

    # ----- nodes ---------------------------------------------------------------------------

    async def blockdev_add(self, args: BlockdevOptions) -> None:
        self._check_open()
        await self.graph.blockdev_add(args)

    async def blockdev_del(self, args: BlockdevDel) -> None:
        self._check_open()
        await self.exports.settle()
        await self.graph.blockdev_del(args.node_name)

    async def query_named_block_nodes(
        self, args: QueryNamedBlockNodes | None = None
    ) -> list[BlockDeviceInfo]:
        flat = bool(args is not None and getattr(args, "flat", False))
        return self.graph.query_named_block_nodes(flat)

    # ----- jobs ----------------------------------------------------------------------------

    async def blockdev_mirror(self, args: BlockdevMirror) -> None:
        self._check_open()
        start_mirror(args, graph=self.graph, jobs=self.jobs, emit=self._emit, on_gone=self._gone)

    def _gone(self, job: Job) -> None:
        if self.jobs.get(job.id) is job:
            del self.jobs[job.id]

    async def query_block_jobs(self) -> list[BlockJobInfo]:
        return [job.block_job_info() for job in self.jobs.values()]

    async def query_jobs(self) -> list[JobInfo]:
        return [job.job_info() for job in self.jobs.values()]

    def _block_job(self, device: str) -> Job:
        job = self.jobs.get(device)
        if job is None:
            raise QAPIError(f"Block job '{device}' not found", "DeviceNotActive")
        return job

    def _job(self, job_id: str) -> Job:
        job = self.jobs.get(job_id)
        if job is None:
            raise QAPIError("Job not found")
        return job

    async def block_job_set_speed(self, args: BlockJobSetSpeed) -> None:
        self._block_job(args.device).set_speed(args.speed)

    async def block_job_pause(self, args: BlockJobPause) -> None:
        self._block_job(args.device).pause()

    async def block_job_resume(self, args: BlockJobResume) -> None:
        self._block_job(args.device).resume()

    async def block_job_cancel(self, args: BlockJobCancel) -> None:
        job = self._block_job(args.device)
        force = bool(args.force)
        if job.user_paused and not force:
            raise QAPIError(f"The block job for device '{args.device}' is currently paused")
        job.cancel(force)

    async def block_job_complete(self, args: BlockJobComplete) -> None:
        self._block_job(args.device).complete()

    async def block_job_change(self, args: BlockJobChange) -> None:
        self._block_job(args.id).change(args)

    async def block_job_finalize(self, args: BlockJobFinalize) -> None:
        self._block_job(args.id).finalize()

    async def block_job_dismiss(self, args: BlockJobDismiss) -> None:
        self._block_job(args.id).dismiss()

    async def job_pause(self, args: JobPause) -> None:
        self._job(args.id).pause()

    async def job_resume(self, args: JobResume) -> None:
        self._job(args.id).resume()

    async def job_cancel(self, args: JobCancel) -> None:
        self._job(args.id).cancel(True)

    async def job_complete(self, args: JobComplete) -> None:
        self._job(args.id).complete()

    async def job_finalize(self, args: JobFinalize) -> None:
        self._job(args.id).finalize()

    async def job_dismiss(self, args: JobDismiss) -> None:
        self._job(args.id).dismiss()

    # ----- exports -------------------------------------------------------------------------

    async def nbd_server_start(self, args: NbdServerStart) -> None:
        self._check_open()
        await self.exports.nbd_server_start(args)

    async def nbd_server_stop(self) -> None:
        await self.exports.nbd_server_stop()

    async def block_export_add(self, args: BlockExportAdd) -> None:
        self._check_open()
        await self.exports.block_export_add(args)

    async def block_export_del(self, args: BlockExportDel) -> None:
        await self.exports.block_export_del(args)

    async def query_block_exports(self) -> list[BlockExportInfo]:
        return await self.exports.query_block_exports()

    # ----- shutdown ------------------------------------------------------------------------

    async def close(self) -> None:
        """Delete the exports, cancel running jobs (a pivot under way finishes first), then
        close the nodes: qemu-storage-daemon's order at ``quit``."""
        self._closed = True
        await self.exports.close()
        for job in list(self.jobs.values()):
            await job.kill()
            if job.status == JobStatus.CONCLUDED:
                job.dismiss()
        await self.graph.close()
