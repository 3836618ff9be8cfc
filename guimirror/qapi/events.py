# SPDX-License-Identifier: GPL-2.0-or-later
"""The job events guimirror sends and receives: data models and ``parse_event``."""

from __future__ import annotations

from enum import StrEnum
from typing import Any, ClassVar

from pydantic import Field

from guimirror.qapi.base import QAPIReply
from guimirror.qapi.job import JobStatus, JobType
from guimirror.qapi.types import Int, OptStr, Str


class IoOperationType(StrEnum):
    """The kind of I/O that failed (QAPI ``IoOperationType``)."""

    READ = "read"
    WRITE = "write"


class BlockErrorAction(StrEnum):
    """What a job did about an I/O error (QAPI ``BlockErrorAction``)."""

    IGNORE = "ignore"
    REPORT = "report"
    STOP = "stop"


class QAPIEvent(QAPIReply):
    """The ``data`` of a QMP event; ``EVENT`` is the event's name."""

    EVENT: ClassVar[str] = ""


class JobStatusChange(QAPIEvent):
    """A job changed status (emitted for every transition, ``created`` included)."""

    EVENT: ClassVar[str] = "JOB_STATUS_CHANGE"

    id: Str = Field(description="the job identifier")
    status: JobStatus = Field(description="the job's new status")


class BlockJobReady(QAPIEvent):
    """A mirror is in sync for the first time: it can be completed (pivot)."""

    EVENT: ClassVar[str] = "BLOCK_JOB_READY"

    type: JobType = Field(description="the job type")
    device: Str = Field(description="the job identifier")
    len: Int = Field(description="estimated total bytes to copy")
    offset: Int = Field(description="bytes copied so far")
    speed: Int = Field(description="the rate limit, bytes per second")


class BlockJobCompleted(QAPIEvent):
    """A job finished its work, successfully unless ``error`` is present."""

    EVENT: ClassVar[str] = "BLOCK_JOB_COMPLETED"

    type: JobType = Field(description="the job type")
    device: Str = Field(description="the job identifier")
    len: Int = Field(description="estimated total bytes to copy")
    offset: Int = Field(description="bytes copied")
    speed: Int = Field(description="the rate limit, bytes per second")
    error: OptStr = Field(default=None, description="why the job failed, if it did")


class BlockJobCancelled(QAPIEvent):
    """A job was cancelled before it finished (or was force-cancelled)."""

    EVENT: ClassVar[str] = "BLOCK_JOB_CANCELLED"

    type: JobType = Field(description="the job type")
    device: Str = Field(description="the job identifier")
    len: Int = Field(description="estimated total bytes to copy")
    offset: Int = Field(description="bytes copied")
    speed: Int = Field(description="the rate limit, bytes per second")


class BlockJobError(QAPIEvent):
    """A job met an I/O error and applied its error policy."""

    EVENT: ClassVar[str] = "BLOCK_JOB_ERROR"

    device: Str = Field(description="the job identifier")
    operation: IoOperationType = Field(description="read (source) or write (target)")
    action: BlockErrorAction = Field(description="what the job did about it")


class BlockJobPending(QAPIEvent):
    """A job with auto-finalize=false waits for job-finalize."""

    EVENT: ClassVar[str] = "BLOCK_JOB_PENDING"

    type: JobType = Field(description="the job type")
    id: Str = Field(description="the job identifier")


class BlockExportDeleted(QAPIEvent):
    """A block export is gone (after block-export-del, once its clients left)."""

    EVENT: ClassVar[str] = "BLOCK_EXPORT_DELETED"

    id: Str = Field(description="the export's id")


EVENTS: dict[str, type[QAPIEvent]] = {
    cls.EVENT: cls
    for cls in (
        JobStatusChange,
        BlockJobReady,
        BlockJobCompleted,
        BlockJobCancelled,
        BlockJobError,
        BlockJobPending,
        BlockExportDeleted,
    )
}
"""Every event guimirror models, by QMP event name."""


def parse_event(name: str, data: dict[str, Any] | None) -> QAPIEvent | None:
    """The model of a QMP event's ``data``; None for an event guimirror does not model.

    Raises pydantic's ValidationError when a modelled event's data does not fit.
    """
    cls = EVENTS.get(name)
    if cls is None:
        return None
    return cls.model_validate(data or {})
