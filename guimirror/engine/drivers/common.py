# SPDX-License-Identifier: GPL-2.0-or-later
"""What the engine's drivers share: open options common to every node, and the node's info.

``DriverNode`` keeps the options QEMU keeps in a node's open flags (read-only, cache.direct,
cache.no-flush, discard) and the write and flush generations QEMU uses to skip a flush that
has nothing to write back. Its ``info()`` builds the ``query-named-block-nodes`` entry the
way QEMU 7.2's ``bdrv_block_device_info`` does for these drivers.
"""

from __future__ import annotations

import errno
import json
import os
from dataclasses import dataclass, field

from guimirror.engine.node import BlockNode
from guimirror.qapi.block_info import BlockdevCacheInfo, BlockDeviceInfo, ImageInfo


@dataclass(eq=False)
class DriverNode(BlockNode):
    """A node opened from blockdev-add options (every driver but the mirror's filter).

    ``discard_unmap``: discard=unmap, so discards and zero writes may unmap.
    ``cache_direct``/``no_flush``: cache.direct and cache.no-flush.
    ``monitor_owned``: added by blockdev-add itself, not as an inline child of another node.
    """

    discard_unmap: bool = False
    cache_direct: bool = False
    no_flush: bool = False
    monitor_owned: bool = True
    write_gen: int = field(default=0, repr=False)
    flushed_gen: int = field(default=0, repr=False)

    @property
    def supports_zero_unmap(self) -> bool:
        """The driver can write zeroes by unmapping (QEMU's supported_zero_flags MAY_UNMAP)."""
        return False

    @property
    def can_write_zeroes_with_unmap(self) -> bool:
        return self.discard_unmap and self.supports_zero_unmap

    def debug_event(self, event: str) -> None:
        """A blkdebug event (read_aio, write_aio, flush_to_disk) raised by a parent on this node."""

    def written(self) -> None:
        """Count a finished write, zero write or discard (even a failed one, as QEMU does)."""
        self.write_gen += 1

    def info_filename(self) -> str:
        """``file`` and ``image.filename``: the plain path where there is one, else json:{...}."""
        return "json:" + json.dumps(self.open_options())

    def has_dirty_flag(self) -> bool:
        """Whether QEMU's bdrv_get_info succeeds for the driver (then ``dirty-flag`` is shown)."""
        return True

    @property
    def filtered_child(self) -> BlockNode | None:
        """The child a filter driver passes requests to (QEMU's bdrv_filter_bs)."""
        return None

    @property
    def backing_file_depth(self) -> int:
        """QEMU counts a filter's child as a backing file (only in a query that is not flat)."""
        below = self.filtered_child
        if below is None:
            return 0
        return 1 + (below.backing_file_depth if isinstance(below, DriverNode) else 0)

    def image_info(self, flat: bool = True) -> ImageInfo:
        """The ``image`` member; unless ``flat``, a filter's child nests as ``backing-image``."""
        filename = self.info_filename()
        optional = {
            "actual_size": self.actual_size(),
            "dirty_flag": False if self.has_dirty_flag() else None,
            "cluster_size": self.cluster_size,
        }
        image = ImageInfo(
            filename=filename,
            format=self.driver,
            virtual_size=self.length,
            **{key: value for key, value in optional.items() if value is not None},
        )
        below = self.filtered_child
        if not flat and isinstance(below, DriverNode):
            image.backing_image = below.image_info(flat)
        return image

    def info(self, flat: bool = True) -> BlockDeviceInfo:
        filename = self.info_filename()
        image = self.image_info(flat)
        bitmaps = [bitmap.dirty_info() for bitmap in self.dirty_bitmaps]
        return BlockDeviceInfo(
            file=filename,
            node_name=self.node_name,
            ro=self.read_only,
            drv=self.driver,
            backing_file_depth=0 if flat else self.backing_file_depth,
            image=image,
            cache=BlockdevCacheInfo(
                writeback=True, direct=self.cache_direct, no_flush=self.no_flush
            ),
            **({"dirty_bitmaps": bitmaps} if bitmaps else {}),
        )


def check_writable(node: BlockNode) -> None:
    """Refuse a write to a read-only node with EROFS (the contract of BlockNode.pwrite)."""
    if node.read_only:
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))


def check_request(node: BlockNode, offset: int, length: int) -> None:
    """QEMU's blk_check_byte_request: a request past the end fails with EIO."""
    if offset < 0 or length < 0 or offset + length > node.length:
        raise OSError(errno.EIO, os.strerror(errno.EIO))
