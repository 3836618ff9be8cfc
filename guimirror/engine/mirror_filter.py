# SPDX-License-Identifier: GPL-2.0-or-later
"""The ``mirror_top`` filter node that a mirror job inserts above its source.

Every write from the source's users passes through it, from users that came after the
mirror started too (``BlockGraph.stand_in``). In copy-mode background it marks the
job's dirty bitmap after the write reaches the source (even a failed one, as QEMU does); in
copy-mode write-blocking it hands the write to the job, which writes the source and then the
target before the write returns (qemu-mirror.md 3.8). Without a job, or once the job failed
or was force-cancelled, writes pass through untouched.

It can also be drained (QEMU's ``bdrv_drained_begin``): new requests wait at the filter and
the drain returns once the requests already inside have finished. Requests that waited go to
whatever ``backing`` is when they resume, so after a pivot they reach the target. All
methods run in the task of the caller (an export, a backend user, or the job task).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from guimirror.engine.node import BlockNode, BlockStatus
from guimirror.qapi.block_info import BlockDeviceInfo, ImageInfo


class FilterJob(Protocol):
    """What the filter needs from the mirror job that owns it."""

    def write_passes_through(self) -> bool:
        """True when the filter must forward writes without telling the job."""

    def mark_dirty(self, offset: int, length: int) -> None:
        """Background mode: the source changed in this range."""

    @property
    def copies_writes(self) -> bool:
        """Write-blocking mode: the job writes the target synchronously."""

    async def active_write(
        self,
        offset: int,
        length: int,
        source_write: Callable[[], Awaitable[None]],
        target_write: Callable[[BlockNode], Awaitable[None]],
    ) -> None:
        """Write the source, then the target, for one write that passed the filter."""


class MirrorTopNode(BlockNode):
    """``mirror_top``: the filter above a mirror's source; its child role is ``backing``."""

    driver = "mirror_top"

    def __init__(self, node_name: str, source: BlockNode, implicit: bool) -> None:
        super().__init__(node_name=node_name, read_only=source.read_only)
        self.children["backing"] = source
        self.implicit = implicit
        self.job: FilterJob | None = None
        self._requests = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self._drain_count = 0
        self._undrained = asyncio.Event()
        self._undrained.set()

    @property
    def backing(self) -> BlockNode:
        return self.children["backing"]

    @property
    def length(self) -> int:
        return self.backing.length

    @property
    def request_alignment(self) -> int:
        return self.backing.request_alignment

    @property
    def drained(self) -> bool:
        return self._drain_count > 0

    async def drain_begin(self) -> None:
        """Hold new requests at the filter and wait for the ones inside to finish."""
        self._drain_count += 1
        self._undrained.clear()
        await self._idle.wait()

    def drain_end(self) -> None:
        """Let held requests continue (to the current ``backing``)."""
        self._drain_count -= 1
        if self._drain_count == 0:
            self._undrained.set()

    async def _enter(self) -> None:
        while self._drain_count:
            await self._undrained.wait()
        self._requests += 1
        self._idle.clear()

    def _leave(self) -> None:
        self._requests -= 1
        if self._requests == 0:
            self._idle.set()

    async def pread(self, offset: int, length: int) -> bytes:
        await self._enter()
        try:
            return await self.backing.pread(offset, length)
        finally:
            self._leave()

    async def _write(
        self,
        offset: int,
        length: int,
        source_write: Callable[[BlockNode], Awaitable[None]],
        target_write: Callable[[BlockNode], Awaitable[None]] | None,
    ) -> None:
        await self._enter()
        try:
            backing = self.backing
            job = self.job
            if job is None or job.write_passes_through():
                await source_write(backing)
            elif job.copies_writes and target_write is not None:
                await job.active_write(offset, length, lambda: source_write(backing), target_write)
            else:
                try:
                    await source_write(backing)
                finally:
                    job.mark_dirty(offset, length)
        finally:
            self._leave()

    async def pwrite(
        self, offset: int, data: bytes | bytearray | memoryview, *, fua: bool = False
    ) -> None:
        data = bytes(data)
        await self._write(
            offset,
            len(data),
            lambda node: node.pwrite(offset, data, fua=fua),
            lambda target: target.pwrite(offset, data, fua=fua),
        )

    async def pwrite_zeroes(
        self, offset: int, length: int, may_unmap: bool = False, *, fua: bool = False
    ) -> None:
        await self._write(
            offset,
            length,
            lambda node: node.pwrite_zeroes(offset, length, may_unmap, fua=fua),
            lambda target: target.pwrite_zeroes(offset, length, may_unmap, fua=fua),
        )

    async def pdiscard(self, offset: int, length: int) -> None:
        # What a discard leaves depends on the source's discard option, so even in
        # write-blocking mode the range is marked dirty and copied from the source.
        await self._write(offset, length, lambda node: node.pdiscard(offset, length), None)

    async def flush(self) -> None:
        await self._enter()
        try:
            await self.backing.flush()
        finally:
            self._leave()

    async def block_status(self, offset: int, length: int) -> BlockStatus:
        return await self.backing.block_status(offset, length)

    def open_options(self) -> dict[str, Any]:
        return {"backing": self.backing.open_options(), "driver": self.driver}

    def actual_size(self) -> int | None:
        return self.backing.actual_size()

    def info(self) -> BlockDeviceInfo:
        """As QEMU shows ``mirror_top``: the filename and cache mode of the node below."""
        below = self.backing.info()
        image = ImageInfo(filename=below.file, format=self.driver, virtual_size=self.length)
        return BlockDeviceInfo(
            file=below.file,
            node_name=self.node_name,
            ro=self.read_only,
            drv=self.driver,
            image=image,
            cache=below.cache,
        )
