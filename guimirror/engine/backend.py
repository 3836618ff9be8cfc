# SPDX-License-Identifier: GPL-2.0-or-later
"""BlockBackend: a user of a node that the graph can re-point (QEMU's BlockBackend).

Exports, the mirror job's target handle and the GUI's write load do their I/O through a
backend, never through a node they hold on their own, so that inserting the mirror filter
above a source and the pivot at ``job-complete`` move every user at once.
"""

from __future__ import annotations

import errno
import os

from guimirror.engine.node import BlockNode, BlockStatus


class BlockBackend:
    """A named or anonymous parent of one node; ``node`` changes when the graph re-points it.

    A backend made with ``writable=False`` refuses writes, zero writes and discards with
    EROFS whatever its node allows (a read-only export of a writable node).
    """

    def __init__(self, node: BlockNode, name: str = "", writable: bool = True) -> None:
        self.node = node
        self.name = name
        self.writable = writable
        self.stands_in = False
        """``node`` is a mirror filter standing in for the node this backend was given
        (``BlockGraph.stand_in``)."""

    @property
    def shown_node(self) -> BlockNode:
        """The node queries name: the one given, below a filter that stands in for it."""
        if self.stands_in:
            return next(iter(self.node.children.values()))
        return self.node

    @property
    def length(self) -> int:
        return self.node.length

    async def pread(self, offset: int, length: int) -> bytes:
        return await self.node.pread(offset, length)

    def _check_writable(self) -> None:
        if not self.writable:
            raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    async def pwrite(
        self, offset: int, data: bytes | bytearray | memoryview, *, fua: bool = False
    ) -> None:
        self._check_writable()
        await self.node.pwrite(offset, data, fua=fua)

    async def pwrite_zeroes(
        self, offset: int, length: int, may_unmap: bool = False, *, fua: bool = False
    ) -> None:
        self._check_writable()
        await self.node.pwrite_zeroes(offset, length, may_unmap, fua=fua)

    async def pdiscard(self, offset: int, length: int) -> None:
        self._check_writable()
        await self.node.pdiscard(offset, length)

    async def flush(self) -> None:
        await self.node.flush()

    async def block_status(self, offset: int, length: int) -> BlockStatus:
        return await self.node.block_status(offset, length)
