# SPDX-License-Identifier: GPL-2.0-or-later
"""What the sampler and the GUI need of an endpoint's client, whatever the engine behind it.

:class:`~guimirror.session.client.SessionClient` (QMP) and
:class:`~guimirror.session.libvirt_client.LibvirtClient` (libvirt) both implement
:class:`BlockJobClient`: the block nodes, the block jobs and their verbs, and the events, in
guimirror.qapi's models. Code written against this Protocol runs on either.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Protocol

from guimirror.qapi.block_info import BlockDeviceInfo
from guimirror.qapi.commands import (
    BlockExportInfo,
    BlockJobCancel,
    BlockJobComplete,
    BlockJobSetSpeed,
    QueryNamedBlockNodes,
)
from guimirror.qapi.events import QAPIEvent
from guimirror.qapi.job import BlockJobInfo
from guimirror.qapi.mirror import BlockdevMirror
from guimirror.session.client import MirrorRecord


class BlockJobClient(Protocol):
    """Block nodes, mirrors and their jobs, and events; every coroutine runs in the caller's
    task, event callbacks in the task or thread that receives the events."""

    @property
    def mirrors(self) -> Mapping[str, MirrorRecord]:
        """The mirrors this client started, by job-id (the sampler finds their source)."""
        ...

    def add_event_listener(self, callback: Callable[[QAPIEvent], None]) -> None: ...

    def remove_event_listener(self, callback: Callable[[QAPIEvent], None]) -> None: ...

    async def query_named_block_nodes(
        self, arguments: QueryNamedBlockNodes | None = None
    ) -> list[BlockDeviceInfo]: ...

    async def query_block_jobs(self) -> list[BlockJobInfo]: ...

    async def query_block_exports(self) -> list[BlockExportInfo]: ...

    async def blockdev_mirror(self, arguments: BlockdevMirror) -> None: ...

    async def block_job_set_speed(self, arguments: BlockJobSetSpeed) -> None: ...

    async def block_job_cancel(self, arguments: BlockJobCancel) -> None: ...

    async def block_job_complete(self, arguments: BlockJobComplete) -> None: ...
