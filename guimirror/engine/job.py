# SPDX-License-Identifier: GPL-2.0-or-later
"""The job state machine of QEMU's job.c and blockjob.c, for one block job of the engine.

A ``Job`` owns one asyncio task (the *job task*) that runs ``run()`` and then the completion
path: waiting, pending, finalize (``prepare`` or ``abort``), the COMPLETED or CANCELLED event,
concluded and, with auto-dismiss, null. The verbs (pause, resume, cancel, complete,
set-speed, finalize, dismiss) run in the task of the QMP command that calls them, on the same
loop: they check the verb table, change flags and wake the job task, never wait for it.
Every status change goes through ``_transition``, which checks QEMU's transition table and
emits JOB_STATUS_CHANGE.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar

from guimirror.engine.ratelimit import RateLimit
from guimirror.qapi.errors import QAPIError
from guimirror.qapi.events import (
    BlockJobCancelled,
    BlockJobCompleted,
    BlockJobError,
    BlockJobPending,
    JobStatusChange,
)
from guimirror.qapi.job import (
    BlockDeviceIoStatus,
    BlockJobInfo,
    JobInfo,
    JobStatus,
    JobVerb,
    can_transition,
    check_verb,
)
from guimirror.qapi.mirror import BlockdevOnError, check_speed

if TYPE_CHECKING:
    from guimirror.qapi.commands import BlockJobChange

log = logging.getLogger(__name__)

EventSink = Callable[[object], None]


class JobFailed(Exception):
    """Ends ``run()`` with QEMU's ``ret`` (a negative errno) and the job's error text.

    Control flow inside the job task: the job catches it and reports it in QMP's terms (the
    job's ``error`` and its events), so it is not a :class:`guimirror.errors.GuimirrorError`.
    """

    def __init__(self, ret: int, text: str | None = None) -> None:
        super().__init__(text or os.strerror(-ret))
        self.ret = ret
        self.text = text or os.strerror(-ret)


class Job:
    """One block job: status, verbs, pause points, sleeps, error actions and events.

    Subclasses implement ``run`` (the job's work, in the job task), and may override
    ``prepare`` (success, e.g. the pivot), ``abort``, ``clean``, ``quiesce`` (wait for
    in-flight I/O before a pause), ``on_complete`` and ``on_cancel``.
    """

    job_type: ClassVar[str] = ""

    def __init__(
        self,
        job_id: str,
        emit: EventSink,
        *,
        auto_finalize: bool = True,
        auto_dismiss: bool = True,
        on_gone: Callable[[Job], None] | None = None,
    ) -> None:
        self.id = job_id
        self._emit = emit
        self._on_gone = on_gone
        self.auto_finalize = auto_finalize
        self.auto_dismiss = auto_dismiss
        self.status = JobStatus.UNDEFINED
        self.pause_count = 0
        self.user_paused = False
        self.busy = False
        self.cancelled = False
        self.force_cancel = False
        self.started = False
        self.ret = 0
        self.error: str | None = None
        self.progress_current = 0
        self.progress_total = 0
        self.io_status = BlockDeviceIoStatus.OK
        self.ratelimit = RateLimit()
        self._wake = asyncio.Event()
        self._finalize_requested = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.finished = asyncio.Event()

    # ----- state machine -------------------------------------------------------------------

    def _transition(self, status: JobStatus) -> None:
        if not can_transition(self.status, status):
            raise RuntimeError(f"job {self.id}: no transition {self.status} -> {status}")
        self.status = status
        self._emit(JobStatusChange(id=self.id, status=status))

    def _apply_verb(self, verb: JobVerb) -> None:
        check_verb(self.id, self.status, verb)

    def create(self, speed: int) -> None:
        """UNDEFINED to CREATED, then the speed check of ``block_job_create``.

        A failure here leaves the job in ``null`` (QEMU's ``job_early_fail``); the caller
        undoes what it set up and raises the error.
        """
        self._transition(JobStatus.CREATED)
        try:
            self.set_speed(speed)
        except QAPIError:
            self._transition(JobStatus.NULL)
            raise

    def early_fail(self) -> None:
        """CREATED to null after a set-up failure that follows the job's creation."""
        self._transition(JobStatus.NULL)

    def start(self) -> None:
        """CREATED to RUNNING; starts the job task. Runs in the command's task."""
        self.started = True
        self.busy = True
        self._transition(JobStatus.RUNNING)
        self._task = asyncio.get_running_loop().create_task(
            self._lifecycle(), name=f"job {self.id}"
        )

    @property
    def is_ready(self) -> bool:
        return self.status in (JobStatus.READY, JobStatus.STANDBY)

    @property
    def is_completed(self) -> bool:
        return self.status in (
            JobStatus.WAITING,
            JobStatus.PENDING,
            JobStatus.ABORTING,
            JobStatus.CONCLUDED,
            JobStatus.NULL,
        )

    def transition_to_ready(self) -> None:
        """RUNNING to READY (job task); the subclass emits BLOCK_JOB_READY after this."""
        self._transition(JobStatus.READY)

    # ----- the job task --------------------------------------------------------------------

    async def run(self) -> None:
        """The job's work. Returns on success; raises ``JobFailed`` for an error."""
        raise NotImplementedError

    async def prepare(self) -> None:
        """Commit a successful job (the pivot). Raising ``JobFailed`` aborts the job."""

    async def abort(self) -> None:
        """Undo after a failure or a cancel."""

    async def clean(self) -> None:
        """Release what the job holds, after prepare or abort."""

    async def quiesce(self) -> None:
        """Wait for the job's in-flight I/O before it pauses."""

    async def _lifecycle(self) -> None:
        try:
            await self.run()
        except JobFailed as failure:
            self._set_ret(failure.ret, failure.text)
        except Exception as exc:  # a bug in a job ends that job, never the engine
            log.exception("job %s failed", self.id)
            self._set_ret(-errno.EIO, f"{type(exc).__name__}: {exc}")
        self.busy = False
        if self.force_cancel and self.ret == 0:
            self._set_ret(-errno.ECANCELED)
        try:
            await self._complete_lifecycle()
        finally:
            self.finished.set()

    async def _complete_lifecycle(self) -> None:
        if self.ret == 0:
            self._transition(JobStatus.WAITING)
            self._transition(JobStatus.PENDING)
            if not self.auto_finalize:
                self._emit(BlockJobPending(type=self.job_type, id=self.id))
                await self._finalize_requested.wait()
            if self.ret == 0:
                try:
                    await self.prepare()
                except JobFailed as failure:
                    self._set_ret(failure.ret, failure.text)
                except Exception as exc:
                    log.exception("job %s failed to finalize", self.id)
                    self._set_ret(-errno.EPERM, f"{type(exc).__name__}: {exc}")
        if self.ret != 0:
            self._transition(JobStatus.ABORTING)
            try:
                await self.abort()
            except Exception:
                log.exception("job %s failed to abort cleanly", self.id)
        try:
            await self.clean()
        except Exception:
            log.exception("job %s failed to clean up", self.id)
        if self.force_cancel:
            self._emit(BlockJobCancelled(**self._event_progress()))
        else:
            self._emit(BlockJobCompleted(**self._event_progress(), **self._error_member()))
        self._transition(JobStatus.CONCLUDED)
        if self.auto_dismiss:
            self._dismiss()

    def _set_ret(self, ret: int, text: str | None = None) -> None:
        if self.ret == 0:
            self.ret = ret
            self.error = text or os.strerror(-ret)

    def _dismiss(self) -> None:
        self._transition(JobStatus.NULL)
        if self._on_gone is not None:
            self._on_gone(self)

    def _event_progress(self) -> dict[str, object]:
        return {
            "type": self.job_type,
            "device": self.id,
            "len": self.progress_total,
            "offset": self.progress_current,
            "speed": self.ratelimit.speed,
        }

    def enter(self) -> None:
        """Wake the job task from a sleep or a pause (QEMU's ``job_enter``)."""
        self._wake.set()

    @property
    def should_pause(self) -> bool:
        return self.pause_count > 0 and not self.force_cancel

    async def pause_point(self) -> None:
        """Pause here while a pause is requested (job task): paused or standby, then back."""
        if not self.should_pause:
            return
        await self.quiesce()
        if not self.should_pause:
            return
        resume_status = self.status
        self._transition(JobStatus.STANDBY if self.is_ready else JobStatus.PAUSED)
        self.busy = False
        while self.should_pause:
            self._wake.clear()
            await self._wake.wait()
        self.busy = True
        self._transition(resume_status)

    async def sleep_ns(self, delay_ns: int) -> None:
        """Sleep up to ``delay_ns`` (job task).

        An ``enter`` since the last wake-up, or during the sleep, cuts it short.
        """
        if self.force_cancel:
            return
        if not self._wake.is_set():
            self.busy = False
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(delay_ns / 1e9):
                    await self._wake.wait()
            self.busy = True
        self._wake.clear()

    async def ratelimit_sleep(self) -> None:
        """Sleep until the rate limit allows more I/O; a new speed takes effect at once."""
        while not self.force_cancel and (delay := self.ratelimit.pending_delay()) > 0:
            await self.sleep_ns(delay)
            await self.pause_point()

    def error_action(self, on_error: BlockdevOnError, is_read: bool, error: int) -> str:
        """QEMU's ``block_job_error_action``: emit BLOCK_JOB_ERROR and apply stop.

        Returns the action: ``"report"``, ``"ignore"`` or ``"stop"``.
        """
        if on_error in (BlockdevOnError.ENOSPC, BlockdevOnError.AUTO):
            action = "stop" if error == errno.ENOSPC else "report"
        else:
            action = on_error.value
        if not self.force_cancel:
            self._emit(
                BlockJobError(
                    device=self.id, operation="read" if is_read else "write", action=action
                )
            )
        if action == "stop":
            if not self.user_paused:
                self.user_paused = True
                self.pause_count += 1
            if self.io_status == BlockDeviceIoStatus.OK:
                self.io_status = (
                    BlockDeviceIoStatus.NOSPACE
                    if error == errno.ENOSPC
                    else BlockDeviceIoStatus.FAILED
                )
        return action

    # ----- verbs (command task) ------------------------------------------------------------

    def set_speed(self, speed: int) -> None:
        self._apply_verb(JobVerb.SET_SPEED)
        check_speed(speed)
        self.ratelimit.set_speed(speed)
        self.enter()

    def pause(self) -> None:
        self._apply_verb(JobVerb.PAUSE)
        if self.user_paused:
            raise QAPIError("Job is already paused")
        self.user_paused = True
        self.pause_count += 1
        self.enter()

    def resume(self) -> None:
        if not self.user_paused or self.pause_count <= 0:
            raise QAPIError("Can't resume a job that was not paused")
        self._apply_verb(JobVerb.RESUME)
        self.io_status = BlockDeviceIoStatus.OK
        self.user_paused = False
        self.pause_count -= 1
        self.enter()

    def cancel(self, force: bool) -> None:
        """``job-cancel`` (force) or ``block-job-cancel``; QEMU's ``job_user_cancel``."""
        self._apply_verb(JobVerb.CANCEL)
        force = self.on_cancel(force)
        if self.user_paused:
            self.user_paused = False
            self.pause_count -= 1
        self.cancelled = True
        self.force_cancel = self.force_cancel or force
        if self.status == JobStatus.PENDING and not self._finalize_requested.is_set():
            self._set_ret(-errno.ECANCELED)
            self.force_cancel = True
            self._finalize_requested.set()
        self.enter()

    def on_cancel(self, force: bool) -> bool:
        """The driver's ``cancel``: returns whether this cancel is a forced one."""
        return force

    def complete(self) -> None:
        self._apply_verb(JobVerb.COMPLETE)
        if self.cancelled:
            raise QAPIError(f"The active block job '{self.id}' cannot be completed")
        self.on_complete()

    def on_complete(self) -> None:
        """The driver's ``complete`` (checks, then sets should_complete and wakes the job)."""
        raise QAPIError(f"The active block job '{self.id}' cannot be completed")

    def finalize(self) -> None:
        self._apply_verb(JobVerb.FINALIZE)
        self._finalize_requested.set()

    def dismiss(self) -> None:
        self._apply_verb(JobVerb.DISMISS)
        self._dismiss()

    def change(self, args: BlockJobChange) -> None:
        """``block-job-change``: the verb check, then the job type's own change."""
        self._apply_verb(JobVerb.CHANGE)
        if args.type == self.job_type:
            self.on_change(args)

    def on_change(self, args: BlockJobChange) -> None:
        """What ``block-job-change`` changes in a job of this type (nothing by default)."""

    # ----- queries -------------------------------------------------------------------------

    def block_job_info(self) -> BlockJobInfo:
        return BlockJobInfo(
            type=self.job_type,
            device=self.id,
            len=self.progress_total,
            offset=self.progress_current,
            busy=self.busy,
            paused=self.pause_count > 0 or self.status == JobStatus.PENDING,
            speed=self.ratelimit.speed,
            io_status=self.io_status,
            ready=self.is_ready,
            status=self.status,
            auto_finalize=self.auto_finalize,
            auto_dismiss=self.auto_dismiss,
            **self._error_member(),
            **self.type_info(),
        )

    def type_info(self) -> dict[str, object]:
        """The members of query-block-jobs' entry that only this job type has."""
        return {}

    def job_info(self) -> JobInfo:
        return JobInfo(
            id=self.id,
            type=self.job_type,
            status=self.status,
            current_progress=self.progress_current,
            total_progress=self.progress_total,
            **self._error_member(),
        )

    def _error_member(self) -> dict[str, str]:
        """``error`` is present only when the job failed (QEMU omits it otherwise)."""
        return {} if self.error is None else {"error": self.error}

    async def wait_finished(self) -> None:
        await self.finished.wait()

    async def kill(self) -> None:
        """Force-cancel from the engine (close): cancel and wait; never during a pivot."""
        if self.status not in (JobStatus.CONCLUDED, JobStatus.NULL) and not (
            self.status == JobStatus.PENDING and self._finalize_requested.is_set()
        ):
            if self.user_paused:
                self.user_paused = False
                self.pause_count -= 1
            self.cancelled = True
            self.force_cancel = True
            if self.status == JobStatus.PENDING:
                self._set_ret(-errno.ECANCELED)
                self._finalize_requested.set()
            self.enter()
        if self._task is not None:
            await self.finished.wait()
