# SPDX-License-Identifier: GPL-2.0-or-later
"""The block node: what every driver of the built-in engine offers to its parents.

A node is one vertex of the block graph, as in QEMU: protocol nodes (``file``,
``host_device``, ``null-co``) touch storage, format and filter nodes (``raw``, ``blkdebug``,
``mirror_top``) sit above a child. Every I/O method is a coroutine that runs in the engine's
event loop task that calls it; the data itself moves in the engine's worker threads, so the
loop only schedules.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

if TYPE_CHECKING:
    from guimirror.engine.io import PlainFd
    from guimirror.qapi.block_info import BlockDeviceInfo, BlockDirtyInfo


class DirtyBitmapView(Protocol):
    """A dirty bitmap a job registers on a node so that the node's info lists it.

    ``query-named-block-nodes`` shows one ``dirty-bitmaps`` entry per registered view, in
    registration order (QEMU 7.2 shows a mirror's anonymous bitmap on the source node).
    """

    def dirty_info(self) -> BlockDirtyInfo:
        """The bitmap as a ``dirty-bitmaps`` entry: count in bytes, granularity, recording."""
        ...


@dataclass(frozen=True)
class BlockStatus:
    """What ``block_status`` says of the ``pnum`` bytes that start at the asked offset.

    ``data``: the range is allocated in this node or below it and reads come from storage
    (QEMU's BDRV_BLOCK_DATA). ``zero``: reads return zeroes (BDRV_BLOCK_ZERO). A hole in a
    sparse file is ``data=False, zero=True``.
    """

    pnum: int
    data: bool
    zero: bool


@dataclass(eq=False)
class BlockNode(abc.ABC):
    """A node of the block graph.

    ``children`` maps a child role (``file``, ``backing``, ``image``) to the child node.
    ``blockers`` maps an operation-blocker reason (``"block device is in use by block job:
    mirror"``) to the job or export that holds it; a node with a blocker refuses
    blockdev-del and a second mirror, with the reason in the error text.
    ``dirty_bitmaps`` holds the bitmaps jobs registered on this node (see DirtyBitmapView).
    ``stand_ins`` holds the child roles whose child is the filter a job put above the node
    the blockdev-add named (``BlockGraph.stand_in``): I/O goes through the filter, queries
    show the node below it, as QEMU shows the named node.
    """

    driver: ClassVar[str]

    node_name: str
    read_only: bool = False
    children: dict[str, BlockNode] = field(default_factory=dict)
    blockers: dict[str, object] = field(default_factory=dict)
    dirty_bitmaps: list[DirtyBitmapView] = field(default_factory=list)
    stand_ins: set[str] = field(default_factory=set)

    def add_dirty_bitmap(self, bitmap: DirtyBitmapView) -> None:
        """Show ``bitmap`` in this node's ``dirty-bitmaps`` until it is removed."""
        self.dirty_bitmaps.append(bitmap)

    def remove_dirty_bitmap(self, bitmap: DirtyBitmapView) -> None:
        """Stop showing ``bitmap``; removing one that is not there is not an error."""
        if bitmap in self.dirty_bitmaps:
            self.dirty_bitmaps.remove(bitmap)

    def shown_child(self, role: str) -> BlockNode:
        """The child of ``role`` as queries show it: below a stand-in filter."""
        child = self.children[role]
        if role in self.stand_ins:
            return next(iter(child.children.values()))
        return child

    @property
    @abc.abstractmethod
    def length(self) -> int:
        """The node's virtual size in bytes."""

    def open_options(self) -> dict[str, Any]:
        """The node's options as QEMU's full_open_options: driver first, no node-names."""
        return {"driver": self.driver}

    def actual_size(self) -> int | None:
        """Bytes the image occupies on the host; None where QEMU reports none."""
        return None

    @property
    def cluster_size(self) -> int | None:
        """The format's cluster size; None where the format defines none (raw, file)."""
        return None

    @property
    def file(self) -> BlockNode | None:
        """The ``file`` child, if any."""
        return self.children.get("file")

    @property
    def request_alignment(self) -> int:
        """Offsets and lengths of I/O must be multiples of this (512 or 4096 with O_DIRECT)."""
        return 1

    @abc.abstractmethod
    async def pread(self, offset: int, length: int) -> bytes:
        """Read ``length`` bytes at ``offset``. Raises OSError with the errno of a failure."""

    @abc.abstractmethod
    async def pwrite(
        self, offset: int, data: bytes | bytearray | memoryview, *, fua: bool = False
    ) -> None:
        """Write ``data`` at ``offset``. Raises OSError; EROFS on a read-only node.

        ``fua`` (QEMU's BDRV_REQ_FUA, NBD's FUA flag): the write is durable when this
        returns, as if flushed; writes before it need not be. A no-op with cache.no-flush.
        """

    @abc.abstractmethod
    async def pwrite_zeroes(
        self, offset: int, length: int, may_unmap: bool = False, *, fua: bool = False
    ) -> None:
        """Make ``length`` bytes at ``offset`` read as zeroes; may unmap when allowed.
        ``fua`` as for ``pwrite``."""

    @abc.abstractmethod
    async def pdiscard(self, offset: int, length: int) -> None:
        """Discard (unmap) a range; a no-op where the node's ``discard`` option is ignore."""

    @abc.abstractmethod
    async def flush(self) -> None:
        """Make written data durable (fdatasync); a no-op with ``cache.no-flush``."""

    async def block_status(self, offset: int, length: int) -> BlockStatus:
        """Allocation status of the range starting at ``offset`` (SEEK_DATA/SEEK_HOLE)."""
        return BlockStatus(pnum=min(length, self.length - offset), data=True, zero=False)

    def copy_fd(self) -> int | None:
        """A file descriptor whose byte offsets are this node's, for ``os.copy_file_range``.

        Only a node whose reads and writes are plain I/O on that descriptor returns one (raw
        over file, file); a node that transforms or injects faults returns None.
        """
        return None

    def plain_fd(self) -> PlainFd | None:
        """Like ``copy_fd`` but also under O_DIRECT: the descriptor and its request alignment,
        for copies through a reused buffer. None where reads and writes are not plain I/O."""
        return None

    @property
    def can_write_zeroes_with_unmap(self) -> bool:
        """QEMU's bdrv_can_write_zeroes_with_unmap: discard=unmap and a hole-punching driver."""
        return False

    async def close(self) -> None:  # noqa: B027 (optional: most nodes hold nothing)
        """Release the node's storage (close descriptors, drop locks)."""

    @abc.abstractmethod
    def info(self) -> BlockDeviceInfo:
        """This node as ``query-named-block-nodes`` reports it."""
