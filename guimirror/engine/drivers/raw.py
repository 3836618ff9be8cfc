# SPDX-License-Identifier: GPL-2.0-or-later
"""The ``raw`` format driver: its child ``file`` as is, or a window of it (offset, size).

Like QEMU's raw-format it raises the blkdebug events read_aio and write_aio on its child
before each read and write, and flush_to_disk before a flush that has writes to write back,
so a blkdebug node below a raw node injects its errors exactly where QEMU does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from guimirror.engine.drivers.common import DriverNode, check_request, check_writable
from guimirror.engine.node import BlockNode, BlockStatus

if TYPE_CHECKING:
    from guimirror.engine.io import PlainFd


def raise_event(node: BlockNode, event: str) -> None:
    """QEMU's BLKDBG_EVENT(child, event): only a blkdebug node reacts."""
    if isinstance(node, DriverNode):
        node.debug_event(event)


@dataclass(eq=False)
class RawNode(DriverNode):
    """``raw`` over ``file``; ``offset``/``size`` select a window of the child."""

    driver = "raw"

    offset: int = 0
    size: int | None = None

    @property
    def child(self) -> BlockNode:
        return self.children["file"]

    @property
    def length(self) -> int:
        if self.size is not None:
            return self.size
        return max(0, self.child.length - self.offset)

    @property
    def request_alignment(self) -> int:
        return self.child.request_alignment

    @property
    def supports_zero_unmap(self) -> bool:
        return bool(getattr(self.shown_child("file"), "supports_zero_unmap", False))

    def copy_fd(self) -> int | None:
        return self.child.copy_fd() if self.offset == 0 else None

    def plain_fd(self) -> PlainFd | None:
        return self.child.plain_fd() if self.offset == 0 else None

    def open_options(self) -> dict[str, Any]:
        options: dict[str, Any] = {"driver": self.driver}
        if self.offset:
            options["offset"] = self.offset
        if self.size is not None:
            options["size"] = self.size
        child = self.shown_child("file")
        options["file"] = child.open_options()
        return options

    def info_filename(self) -> str:
        """The child's plain filename if it has one, is a protocol node (not another raw
        node) and this is no window; else json:{...}."""
        child = self.shown_child("file")
        if (
            self.offset == 0
            and self.size is None
            and isinstance(child, DriverNode)
            and not isinstance(child, RawNode)
        ):
            below = child.info_filename()
            if not below.startswith("json:"):
                return below
        return super().info_filename()

    def actual_size(self) -> int | None:
        child = self.shown_child("file")
        return child.actual_size()

    async def pread(self, offset: int, length: int) -> bytes:
        check_request(self, offset, length)
        raise_event(self.shown_child("file"), "read_aio")
        return await self.child.pread(self.offset + offset, length)

    async def pwrite(
        self, offset: int, data: bytes | bytearray | memoryview, *, fua: bool = False
    ) -> None:
        check_writable(self)
        check_request(self, offset, len(data))
        raise_event(self.shown_child("file"), "write_aio")
        try:
            await self.child.pwrite(self.offset + offset, data, fua=fua)
        finally:
            self.written()

    async def pwrite_zeroes(
        self, offset: int, length: int, may_unmap: bool = False, *, fua: bool = False
    ) -> None:
        check_writable(self)
        check_request(self, offset, length)
        try:
            await self.child.pwrite_zeroes(
                self.offset + offset, length, may_unmap and self.discard_unmap, fua=fua
            )
        finally:
            self.written()

    async def pdiscard(self, offset: int, length: int) -> None:
        check_writable(self)
        check_request(self, offset, length)
        if not self.discard_unmap:
            return
        try:
            await self.child.pdiscard(self.offset + offset, length)
        finally:
            self.written()

    async def flush(self) -> None:
        gen = self.write_gen
        if not self.no_flush and gen != self.flushed_gen:
            raise_event(self.shown_child("file"), "flush_to_disk")
        await self.child.flush()
        self.flushed_gen = gen

    async def block_status(self, offset: int, length: int) -> BlockStatus:
        length = min(length, self.length - offset)
        status = await self.child.block_status(self.offset + offset, length)
        return BlockStatus(pnum=min(status.pnum, length), data=status.data, zero=status.zero)
