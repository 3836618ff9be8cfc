# SPDX-License-Identifier: GPL-2.0-or-later
"""The typed QMP client: one coroutine per command, taking and returning guimirror.qapi models.

Method names and signatures are those of the built-in ``Engine``
(``blockdev_mirror(BlockdevMirror)`` and so on), so code written against one reads the same
against the other. A command the server
refuses raises :class:`~guimirror.session.connection.QMPCommandError` (a ``QAPIError`` with
QEMU's class and desc); a connection that ends under a command raises
:class:`~guimirror.session.connection.ConnectionLostError`; a reply that does not fit its model
is a :class:`ReplyError`. All of them are ``GuimirrorError``s. Events arrive as the
``guimirror.qapi.events`` models, in the server's order, on plain callbacks or an async iterator.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from guimirror.errors import GuimirrorError
from guimirror.qapi.base import QAPIModel
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
    CommandInfo,
    JobCancel,
    JobComplete,
    JobDismiss,
    JobFinalize,
    JobPause,
    JobResume,
    NbdServerStart,
    QueryNamedBlockNodes,
    VersionInfo,
)
from guimirror.qapi.events import parse_event
from guimirror.qapi.job import BlockJobInfo, JobInfo
from guimirror.qapi.mirror import BlockdevMirror
from guimirror.session.connection import QMPConnection, RawEvent
from guimirror.session.event_fanout import EventFanout
from guimirror.texts import Text

logger = logging.getLogger(__name__)

ReplyT = TypeVar("ReplyT", bound=BaseModel)



class ReplyError(GuimirrorError):
    """A server's reply or event did not fit guimirror's model of it."""


@dataclass(frozen=True)
class MirrorRecord:
    """What this client asked of a mirror it started: the sampler needs the source node."""

    job_id: str
    device: str
    target: str
    granularity: int


class SessionClient(EventFanout):
    """Typed commands over one :class:`QMPConnection` (which the endpoint connects).

    Every command method runs in the caller's task. Event callbacks run in the connection's
    reader task; ``events()`` hands them to the iterating task through a queue.
    """

    def __init__(self, connection: QMPConnection) -> None:
        self.connection = connection
        self.mirrors: dict[str, MirrorRecord] = {}
        super().__init__()
        connection.add_event_listener(self._on_raw_event)

    # --- plumbing ----------------------------------------------------------------------

    async def execute(
        self, command: str, arguments: QAPIModel | Mapping[str, Any] | None = None
    ) -> Any:
        """Any command, untyped: the ``return`` member as JSON."""
        raw = arguments.to_qmp() if isinstance(arguments, QAPIModel) else arguments
        return await self.connection.execute(command, raw)

    async def _none(self, command: str, arguments: QAPIModel | None = None) -> None:
        await self.execute(command, arguments)

    async def _one(self, command: str, model: type[ReplyT]) -> ReplyT:
        return _parse(command, model, await self.execute(command))

    async def _list(
        self, command: str, model: type[ReplyT], arguments: QAPIModel | None = None
    ) -> list[ReplyT]:
        reply = await self.execute(command, arguments)
        if not isinstance(reply, list):
            raise ReplyError(Text("the reply to '{command}' is not a list: {reply}",
                                  command=command, reply=repr(reply)))
        return [_parse(command, model, item) for item in reply]

    # --- events ------------------------------------------------------------------------

    def _on_raw_event(self, raw: RawEvent) -> None:
        name = str(raw.get("event"))
        try:
            event = parse_event(name, raw.get("data"))
        except ValidationError as error:
            logger.warning("event %s does not fit its model: %s", name, error)
            return
        if event is None:
            return
        self.deliver(event)

    # --- block nodes -------------------------------------------------------------------

    async def blockdev_add(self, options: BlockdevOptions) -> None:
        await self._none("blockdev-add", options)

    async def blockdev_del(self, arguments: BlockdevDel) -> None:
        await self._none("blockdev-del", arguments)

    async def query_named_block_nodes(
        self, arguments: QueryNamedBlockNodes | None = None
    ) -> list[BlockDeviceInfo]:
        return await self._list("query-named-block-nodes", BlockDeviceInfo, arguments)

    # --- mirror and jobs ---------------------------------------------------------------

    async def blockdev_mirror(self, arguments: BlockdevMirror) -> None:
        """Start a mirror; the client remembers its source for the sampler."""
        await self._none("blockdev-mirror", arguments)
        job_id = arguments.job_id or arguments.device
        self.mirrors[job_id] = MirrorRecord(
            job_id, arguments.device, arguments.target, arguments.granularity or 0
        )

    async def query_block_jobs(self) -> list[BlockJobInfo]:
        return await self._list("query-block-jobs", BlockJobInfo)

    async def query_jobs(self) -> list[JobInfo]:
        return await self._list("query-jobs", JobInfo)

    async def block_job_set_speed(self, arguments: BlockJobSetSpeed) -> None:
        await self._none("block-job-set-speed", arguments)

    async def block_job_pause(self, arguments: BlockJobPause) -> None:
        await self._none("block-job-pause", arguments)

    async def block_job_resume(self, arguments: BlockJobResume) -> None:
        await self._none("block-job-resume", arguments)

    async def block_job_cancel(self, arguments: BlockJobCancel) -> None:
        await self._none("block-job-cancel", arguments)

    async def block_job_complete(self, arguments: BlockJobComplete) -> None:
        await self._none("block-job-complete", arguments)

    async def block_job_finalize(self, arguments: BlockJobFinalize) -> None:
        await self._none("block-job-finalize", arguments)

    async def block_job_dismiss(self, arguments: BlockJobDismiss) -> None:
        await self._none("block-job-dismiss", arguments)

    async def block_job_change(self, arguments: BlockJobChange) -> None:
        """Change a running job (QEMU 8.2 and later): a mirror's copy-mode to write-blocking."""
        await self._none("block-job-change", arguments)

    async def job_pause(self, arguments: JobPause) -> None:
        await self._none("job-pause", arguments)

    async def job_resume(self, arguments: JobResume) -> None:
        await self._none("job-resume", arguments)

    async def job_cancel(self, arguments: JobCancel) -> None:
        await self._none("job-cancel", arguments)

    async def job_complete(self, arguments: JobComplete) -> None:
        await self._none("job-complete", arguments)

    async def job_finalize(self, arguments: JobFinalize) -> None:
        await self._none("job-finalize", arguments)

    async def job_dismiss(self, arguments: JobDismiss) -> None:
        await self._none("job-dismiss", arguments)

    # --- NBD exports -------------------------------------------------------------------

    async def nbd_server_start(self, arguments: NbdServerStart) -> None:
        await self._none("nbd-server-start", arguments)

    async def nbd_server_stop(self) -> None:
        await self._none("nbd-server-stop")

    async def block_export_add(self, arguments: BlockExportAdd) -> None:
        await self._none("block-export-add", arguments)

    async def block_export_del(self, arguments: BlockExportDel) -> None:
        await self._none("block-export-del", arguments)

    async def query_block_exports(self) -> list[BlockExportInfo]:
        return await self._list("query-block-exports", BlockExportInfo)

    # --- the server itself -------------------------------------------------------------

    async def query_version(self) -> VersionInfo:
        return await self._one("query-version", VersionInfo)

    async def query_commands(self) -> list[CommandInfo]:
        return await self._list("query-commands", CommandInfo)

    async def quit(self) -> None:
        """Ask the server to exit (a qemu-storage-daemon, or a headless built-in daemon)."""
        await self._none("quit")


def _parse(command: str, model: type[ReplyT], value: Any) -> ReplyT:
    try:
        return model.model_validate(value)
    except ValidationError as error:
        raise ReplyError(Text("the reply to '{command}' does not fit {model}: {reason}",
                              command=command, model=model.__name__, reason=str(error))) from None
