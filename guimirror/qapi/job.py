# SPDX-License-Identifier: GPL-2.0-or-later
"""Jobs: QEMU's job status machine and verb table (job.c), and the job queries' replies."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from guimirror.qapi.base import QAPIReply
from guimirror.qapi.errors import QAPIError
from guimirror.qapi.types import Bool, Int, OptBool, OptStr, Str


class JobType(StrEnum):
    """The kinds of background job QEMU 7.2 knows (qapi/job.json ``JobType``)."""

    COMMIT = "commit"
    STREAM = "stream"
    MIRROR = "mirror"
    BACKUP = "backup"
    CREATE = "create"
    AMEND = "amend"
    SNAPSHOT_LOAD = "snapshot-load"
    SNAPSHOT_SAVE = "snapshot-save"
    SNAPSHOT_DELETE = "snapshot-delete"


class JobStatus(StrEnum):
    """Where a job is in its life (qapi/job.json ``JobStatus``)."""

    UNDEFINED = "undefined"
    CREATED = "created"
    RUNNING = "running"
    PAUSED = "paused"
    READY = "ready"
    STANDBY = "standby"
    WAITING = "waiting"
    PENDING = "pending"
    ABORTING = "aborting"
    CONCLUDED = "concluded"
    NULL = "null"


class JobVerb(StrEnum):
    """What a user can ask of a job (qapi/job.json ``JobVerb``; ``change`` since QEMU 8.2)."""

    CANCEL = "cancel"
    PAUSE = "pause"
    RESUME = "resume"
    SET_SPEED = "set-speed"
    COMPLETE = "complete"
    FINALIZE = "finalize"
    DISMISS = "dismiss"
    CHANGE = "change"


class BlockDeviceIoStatus(StrEnum):
    """A job's I/O status after an error with the ``stop`` policy (``failed``, ``nospace``)."""

    OK = "ok"
    FAILED = "failed"
    NOSPACE = "nospace"


_S = JobStatus

JOB_TRANSITIONS: dict[JobStatus, frozenset[JobStatus]] = {
    _S.UNDEFINED: frozenset({_S.CREATED}),
    _S.CREATED: frozenset({_S.RUNNING, _S.ABORTING, _S.NULL}),
    _S.RUNNING: frozenset({_S.PAUSED, _S.READY, _S.WAITING, _S.ABORTING}),
    _S.PAUSED: frozenset({_S.RUNNING}),
    _S.READY: frozenset({_S.STANDBY, _S.WAITING, _S.ABORTING}),
    _S.STANDBY: frozenset({_S.READY}),
    _S.WAITING: frozenset({_S.PENDING, _S.ABORTING}),
    _S.PENDING: frozenset({_S.ABORTING, _S.CONCLUDED}),
    _S.ABORTING: frozenset({_S.ABORTING, _S.CONCLUDED}),
    _S.CONCLUDED: frozenset({_S.NULL}),
    _S.NULL: frozenset(),
}
"""QEMU's ``JobSTT``: the statuses a job may move to from each status."""

_ACTIVE = frozenset({_S.CREATED, _S.RUNNING, _S.PAUSED, _S.READY, _S.STANDBY})

JOB_VERBS: dict[JobVerb, frozenset[JobStatus]] = {
    JobVerb.CANCEL: _ACTIVE | {_S.WAITING, _S.PENDING},
    JobVerb.PAUSE: _ACTIVE,
    JobVerb.RESUME: _ACTIVE,
    JobVerb.SET_SPEED: _ACTIVE,
    JobVerb.COMPLETE: frozenset({_S.READY, _S.STANDBY}),
    JobVerb.FINALIZE: frozenset({_S.PENDING}),
    JobVerb.DISMISS: frozenset({_S.CONCLUDED}),
    JobVerb.CHANGE: _ACTIVE,
}
"""QEMU's ``JobVerbTable``: the statuses in which each verb is allowed."""


def can_transition(old: JobStatus, new: JobStatus) -> bool:
    """Whether QEMU's transition table allows ``old`` -> ``new``."""
    return new in JOB_TRANSITIONS[old]


def verb_error(job_id: str, status: JobStatus, verb: JobVerb) -> QAPIError:
    """``Job '%s' in state '%s' cannot accept command verb '%s'``."""
    return QAPIError(
        f"Job '{job_id}' in state '{status.value}' cannot accept command verb '{verb.value}'"
    )


def check_verb(job_id: str, status: JobStatus, verb: JobVerb) -> None:
    """QEMU's ``job_apply_verb_locked``: raise the verb error unless ``verb`` fits ``status``."""
    if status not in JOB_VERBS[verb]:
        raise verb_error(job_id, status, verb)


class BlockJobInfo(QAPIReply):
    """One block job as ``query-block-jobs`` reports it (QEMU 7.2 ``BlockJobInfo``, with
    QEMU 10.0's ``actively-synced`` of mirror jobs)."""

    type: Str = Field(description="the job type ('mirror' for mirror jobs)")
    device: Str = Field(description="the job identifier (job-id)")
    len: Int = Field(description="estimated total bytes to copy; grows when the source is written")
    offset: Int = Field(description="bytes copied so far")
    busy: Bool = Field(description="false while the job is waiting or paused, true otherwise")
    paused: Bool = Field(description="whether the job is paused (by the user or internally)")
    speed: Int = Field(description="the rate limit, bytes per second (0 = unlimited)")
    io_status: BlockDeviceIoStatus = Field(description="the job's I/O status")
    ready: Bool = Field(description="true once the job is in sync (ready or standby)")
    status: JobStatus = Field(description="the job's current status")
    auto_finalize: Bool = Field(description="the job finalizes itself once its work is done")
    auto_dismiss: Bool = Field(description="the job disappears by itself once concluded")
    error: OptStr = Field(default=None, description="why the job failed; present only if it did")
    actively_synced: OptBool = Field(
        default=None,
        description="mirror jobs (QEMU 8.2 and later): whether the job is in write-blocking "
        "mode and in sync, so every write from now on reaches the target before it completes",
    )


class JobInfo(QAPIReply):
    """One job as ``query-jobs`` reports it (QEMU 7.2 ``JobInfo``)."""

    id: Str = Field(description="the job identifier")
    type: JobType = Field(description="the kind of job")
    status: JobStatus = Field(description="the job's current status")
    current_progress: Int = Field(description="progress made so far (bytes for a mirror)")
    total_progress: Int = Field(description="estimated total (bytes for a mirror)")
    error: OptStr = Field(default=None, description="why the job failed; present only if it did")
