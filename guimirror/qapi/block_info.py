# SPDX-License-Identifier: GPL-2.0-or-later
"""``query-named-block-nodes``' reply: one ``BlockDeviceInfo`` per node (QEMU 7.2 schema)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from pydantic import Field

from guimirror.qapi.base import QAPIReply
from guimirror.qapi.types import (
    NOT_NULL_ARRAY,
    NOT_NULL_OBJECT,
    Bool,
    Int,
    OptBool,
    OptInt,
    OptStr,
    Str,
    Uint32,
)


class BlockdevDetectZeroesOptions(StrEnum):
    """Whether a node turns written zeroes into zero writes (QAPI enum of that name)."""

    OFF = "off"
    ON = "on"
    UNMAP = "unmap"


class BlockdevCacheInfo(QAPIReply):
    """A node's cache mode."""

    writeback: Bool = Field(description="writes complete once in the host page cache")
    direct: Bool = Field(description="the host page cache is bypassed (O_DIRECT)")
    no_flush: Bool = Field(description="flush requests are ignored")


class SnapshotInfo(QAPIReply):
    """An internal snapshot of an image."""

    id: Str
    name: Str
    vm_state_size: Int
    date_sec: Int
    date_nsec: Int
    vm_clock_sec: Int
    vm_clock_nsec: Int
    icount: OptInt = None


class ImageInfo(QAPIReply):
    """What a node's image is: format, sizes, backing chain."""

    filename: Str = Field(description="name of the image file")
    format: Str = Field(description="format of the image (the node's driver)")
    dirty_flag: OptBool = Field(default=None, description="true if the image is not cleanly closed")
    actual_size: OptInt = Field(default=None, description="bytes the image occupies on the host")
    virtual_size: Int = Field(description="the guest-visible size, in bytes")
    cluster_size: OptInt = Field(
        default=None, description="the format's cluster size; absent where it defines none"
    )
    encrypted: OptBool = None
    compressed: OptBool = None
    backing_filename: OptStr = None
    full_backing_filename: OptStr = None
    backing_filename_format: OptStr = None
    snapshots: Annotated[list[SnapshotInfo] | None, NOT_NULL_ARRAY] = None
    backing_image: Annotated[ImageInfo | None, NOT_NULL_OBJECT] = None
    format_specific: Annotated[dict[str, Any] | None, NOT_NULL_OBJECT] = None


class BlockDirtyInfo(QAPIReply):
    """A dirty bitmap of a node (the mirror's own one is anonymous: no ``name``)."""

    name: OptStr = Field(default=None, description="the bitmap's name; absent if anonymous")
    count: Int = Field(description="dirty bytes (dirty granules times granularity)")
    granularity: Uint32 = Field(description="bytes one bit of the bitmap stands for")
    recording: Bool = Field(description="whether writes are being recorded")
    busy: Bool = Field(description="whether an operation holds the bitmap")
    persistent: Bool = Field(description="whether the bitmap is stored in the image")
    inconsistent: OptBool = None


class BlockDeviceInfo(QAPIReply):
    """One block node as ``query-named-block-nodes`` reports it."""

    file: Str = Field(description="the image's filename (or a json: description)")
    node_name: OptStr = Field(default=None, description="the node's name")
    ro: Bool = Field(description="whether the node is read-only")
    drv: Str = Field(description="the node's driver: file, host_device, raw, mirror_top, ...")
    backing_file: OptStr = Field(default=None, alias="backing_file")
    backing_file_depth: Int = Field(default=0, alias="backing_file_depth")
    encrypted: Bool = False
    detect_zeroes: BlockdevDetectZeroesOptions = Field(
        default=BlockdevDetectZeroesOptions.OFF, alias="detect_zeroes"
    )
    bps: Int = 0
    bps_rd: Int = Field(default=0, alias="bps_rd")
    bps_wr: Int = Field(default=0, alias="bps_wr")
    iops: Int = 0
    iops_rd: Int = Field(default=0, alias="iops_rd")
    iops_wr: Int = Field(default=0, alias="iops_wr")
    image: ImageInfo = Field(description="the node's image information")
    bps_max: OptInt = Field(default=None, alias="bps_max")
    bps_rd_max: OptInt = Field(default=None, alias="bps_rd_max")
    bps_wr_max: OptInt = Field(default=None, alias="bps_wr_max")
    iops_max: OptInt = Field(default=None, alias="iops_max")
    iops_rd_max: OptInt = Field(default=None, alias="iops_rd_max")
    iops_wr_max: OptInt = Field(default=None, alias="iops_wr_max")
    bps_max_length: OptInt = Field(default=None, alias="bps_max_length")
    bps_rd_max_length: OptInt = Field(default=None, alias="bps_rd_max_length")
    bps_wr_max_length: OptInt = Field(default=None, alias="bps_wr_max_length")
    iops_max_length: OptInt = Field(default=None, alias="iops_max_length")
    iops_rd_max_length: OptInt = Field(default=None, alias="iops_rd_max_length")
    iops_wr_max_length: OptInt = Field(default=None, alias="iops_wr_max_length")
    iops_size: OptInt = Field(default=None, alias="iops_size")
    group: OptStr = None
    cache: BlockdevCacheInfo = Field(description="the node's cache mode")
    write_threshold: Int = Field(default=0, alias="write_threshold")
    dirty_bitmaps: Annotated[list[BlockDirtyInfo] | None, NOT_NULL_ARRAY] = Field(
        default=None, description="the node's dirty bitmaps (a running mirror's is here)"
    )
