# SPDX-License-Identifier: GPL-2.0-or-later
"""``blockdev-mirror``'s arguments, documented defaults and QEMU 7.2's argument checks.

QEMU checks a blockdev-mirror command in this order (qmp_blockdev_mirror ->
blockdev_mirror_common -> mirror_start -> mirror_start_job). The checks that need no block
graph are methods of ``BlockdevMirror``; an engine calls them between its own:

 1. QAPI input checks: ``parse_arguments(BlockdevMirror, raw)``.
 2. ``device`` lookup, must be a root node (engine).
 3. ``target`` lookup (engine).
 4. (AioContext change of the target: nothing to do outside QEMU.)
 5. ``check_granularity()``: range [512B, 64MB], then power of 2.
 6. source and target not busy with another job (engine).
 7. sync=top on a source without backing becomes full (engine).
 8. ``replaces`` checks (engine).
 9. ``check_sync_mode()``: incremental and bitmap are not supported.
10. ``check_buf_size()``: not negative.
11. device and target not the same node (engine).
12. filter node: ``check_filter_node_name()``, then the engine's duplicate check.
13. job creation: ``check_job_id()``, the engine's duplicate job-id check, then
    ``check_speed()``. From here QEMU emits JOB_STATUS_CHANGE created and null on failure.
14.-17. target permissions (``Block node is read-only``) and bitmap creation (engine).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated

from pydantic import ConfigDict, Field

from guimirror.qapi.base import ArgumentError, Presentation, QAPIModel, Unit, argument_specs
from guimirror.qapi.errors import QAPIError
from guimirror.qapi.names import check_job_id, check_node_name
from guimirror.qapi.types import Bool, Int, OptStr, Str, Uint32

KiB = 1024
MiB = 1024 * KiB

GRANULARITY_MIN = 512
GRANULARITY_MAX = 64 * MiB
DEFAULT_GRANULARITY_MIN = 4 * KiB
DEFAULT_GRANULARITY_MAX = 64 * KiB
DEFAULT_GRANULARITY_NO_CLUSTERS = 64 * KiB
"""The automatic granularity when the target's format defines no cluster size."""
DOCUMENTED_BUF_SIZE = 10 * MiB
"""buf-size 0 as blockdev-mirror's documentation states it (and guimirror's engine uses)."""
QEMU_7_2_BUF_SIZE = 16 * MiB
"""buf-size 0 as QEMU 7.2 applies it (``DEFAULT_MIRROR_BUF_SIZE``)."""


class MirrorSyncMode(StrEnum):
    """What a mirror copies (QAPI ``MirrorSyncMode``; the last two are refused by mirror)."""

    TOP = "top"
    FULL = "full"
    NONE = "none"
    INCREMENTAL = "incremental"
    BITMAP = "bitmap"


class MirrorCopyMode(StrEnum):
    """When guest writes reach the target (QAPI ``MirrorCopyMode``)."""

    BACKGROUND = "background"
    WRITE_BLOCKING = "write-blocking"


class BlockdevOnError(StrEnum):
    """What a job does on an I/O error (QAPI ``BlockdevOnError``)."""

    REPORT = "report"
    IGNORE = "ignore"
    ENOSPC = "enospc"
    STOP = "stop"
    AUTO = "auto"


SUPPORTED_SYNC_MODES = frozenset({MirrorSyncMode.TOP, MirrorSyncMode.FULL, MirrorSyncMode.NONE})


def default_granularity(target_cluster_size: int | None) -> int:
    """QEMU's ``bdrv_get_default_bitmap_granularity`` for a target's cluster size.

    The cluster size clamped to [4096, 65536]; 65536 when the format defines none (None or 0).
    """
    if not target_cluster_size or target_cluster_size <= 0:
        return DEFAULT_GRANULARITY_NO_CLUSTERS
    return min(DEFAULT_GRANULARITY_MAX, max(DEFAULT_GRANULARITY_MIN, target_cluster_size))


def check_speed(speed: int) -> None:
    """``block_job_set_speed``'s check, shared by blockdev-mirror and block-job-set-speed."""
    if speed < 0:
        raise ArgumentError("Parameter 'speed' expects a non-negative value", "speed")


def check_granularity(granularity: int) -> None:
    """QEMU's check of a dirty bitmap's granularity: range [512B, 64MB], then power of 2.

    0 (automatic) is not checked here; it is never a bitmap's granularity.
    """
    if granularity == 0:
        return
    if not GRANULARITY_MIN <= granularity <= GRANULARITY_MAX:
        raise ArgumentError(
            "Parameter 'granularity' expects a value in range [512B, 64MB]", "granularity"
        )
    if granularity & (granularity - 1):
        raise ArgumentError("Parameter 'granularity' expects a power of 2", "granularity")


SOURCE_AND_TARGET = "Source and target"
SPEED_AND_MEMORY = "Speed and memory"
ERRORS = "Errors"
ADVANCED = "Advanced"
MIRROR_GROUPS = (SOURCE_AND_TARGET, SPEED_AND_MEMORY, ERRORS, ADVANCED)
"""The groups a form shows blockdev-mirror's arguments in, in this order."""


@dataclass(frozen=True)
class MirrorSettings:
    """The values a mirror job really runs with, after defaults and rounding."""

    granularity: int
    buf_size: int
    speed: int


class BlockdevMirror(QAPIModel):
    """Arguments of ``blockdev-mirror``: start mirroring a block device's writes to a new
    destination. Members in QEMU 7.2's schema order, then ``target-is-zero`` (QEMU 10.1)."""

    job_id: Annotated[OptStr, Presentation("Job ID", group=ADVANCED)] = Field(
        default=None,
        description="identifier for the newly-created block job. If omitted, the device name "
        "will be used (a node without a device name then has no valid job ID).",
    )
    device: Annotated[
        Str, Presentation("Source (device)", group=SOURCE_AND_TARGET, node=True)
    ] = Field(
        description="The device name or node-name of a root node whose writes should be mirrored."
    )
    target: Annotated[Str, Presentation("Target", group=SOURCE_AND_TARGET, node=True)] = Field(
        description="the id or node-name of the block device to mirror to. This mustn't be "
        "attached to guest."
    )
    replaces: Annotated[OptStr, Presentation("Replaces", group=ADVANCED, node=True)] = Field(
        default=None,
        description="with sync=full graph node name to be replaced by the new image when a "
        "whole image copy is done. This can be used to repair broken Quorum files. By default, "
        "@device is replaced, although implicitly created filters on it are kept.",
    )
    sync: Annotated[
        MirrorSyncMode,
        Presentation("Sync", group=SOURCE_AND_TARGET, allowed=("full", "top", "none")),
    ] = Field(
        description="what parts of the disk image should be copied to the destination: 'full' "
        "for all the disk, 'top' for only the sectors allocated in the topmost image, or "
        "'none' to only replicate new I/O."
    )
    speed: Annotated[
        Int,
        Presentation(
            "Speed limit", group=SPEED_AND_MEMORY, unit=Unit.BYTES_PER_SECOND,
            zero_means="unlimited", suggestions=("10M", "100 MB/s"),
        ),
    ] = Field(
        default=0,
        description="the maximum speed, in bytes per second. Default 0: unlimited.",
    )
    granularity: Annotated[
        Uint32,
        Presentation(
            "Granularity", group=SPEED_AND_MEMORY, unit=Unit.BYTES, zero_means="automatic",
            suggestions=("4K", "64K", "1M", "16M"),
        ),
    ] = Field(
        default=0,
        description="granularity of the dirty bitmap, in bytes. Default 0: automatic, the "
        "target's cluster size clamped between 4096 and 65536, or 65536 if the image format "
        "does not define a cluster size. Must be a power of 2 between 512 and 64M.",
    )
    buf_size: Annotated[
        Int,
        Presentation("Buffer size", group=SPEED_AND_MEMORY, unit=Unit.BYTES, zero_means="default"),
    ] = Field(
        default=0,
        description="maximum amount of data in flight from source to target, in bytes. "
        "Default 0: 10M as documented (QEMU 7.2 itself uses 16M). Rounded up to the "
        "granularity.",
    )
    on_source_error: Annotated[
        BlockdevOnError, Presentation("On source error", group=ERRORS)
    ] = Field(
        default=BlockdevOnError.REPORT,
        description="the action to take on an error on the source, default 'report'. 'stop' "
        "and 'enospc' can only be used if the block device supports io-status.",
    )
    on_target_error: Annotated[
        BlockdevOnError, Presentation("On target error", group=ERRORS)
    ] = Field(
        default=BlockdevOnError.REPORT,
        description="the action to take on an error on the target, default 'report' (no "
        "limitations, since this applies to a different block device than @device).",
    )
    filter_node_name: Annotated[
        OptStr, Presentation("Filter node-name", group=ADVANCED, zero_means="automatic")
    ] = Field(
        default=None,
        description="the node name that should be assigned to the filter driver that the "
        "mirror job inserts into the graph above @device. If this option is not given, a node "
        "name is autogenerated.",
    )
    copy_mode: Annotated[MirrorCopyMode, Presentation("Copy mode", group=ADVANCED)] = Field(
        default=MirrorCopyMode.BACKGROUND,
        description="when to copy data to the destination; defaults to 'background'. "
        "'write-blocking' also copies every guest write synchronously, so the mirror "
        "converges even under heavy writes.",
    )
    auto_finalize: Annotated[
        Bool,
        Presentation(
            "Auto-finalize", group=ADVANCED, check_text="finalize when done (pivot at once)"
        ),
    ] = Field(
        default=True,
        description="When false, this job will wait in a PENDING state after it has finished "
        "its work, waiting for @block-job-finalize before making any block graph changes. "
        "When true, this job will automatically perform its abort or commit actions. "
        "Defaults to true.",
    )
    auto_dismiss: Annotated[
        Bool, Presentation("Auto-dismiss", group=ADVANCED, check_text="dismiss when concluded")
    ] = Field(
        default=True,
        description="When false, this job will wait in a CONCLUDED state after it has "
        "completely ceased all work, and awaits @block-job-dismiss. When true, this job will "
        "automatically disappear from the query list without user intervention. Defaults to "
        "true.",
    )
    target_is_zero: Annotated[
        Bool,
        Presentation(
            "Target is zero", group=ADVANCED,
            check_text="the target reads as zeroes: skip zeroing it", since="10.1",
        ),
    ] = Field(
        default=False,
        description="Assume the destination reads as all zeroes before the mirror started. "
        "Setting this to true can speed up the mirror. Setting this to true when the "
        "destination is not actually all zero can corrupt the destination. Default false "
        "(since QEMU 10.1).",
    )

    def check_granularity(self) -> None:
        """Step 5: granularity range, then power of 2 (0 = automatic, not checked)."""
        check_granularity(self.granularity)

    def check_sync_mode(self) -> None:
        """Step 9: mirror supports top, full and none only."""
        if self.sync not in SUPPORTED_SYNC_MODES:
            raise ArgumentError(f"Sync mode '{self.sync.value}' not supported", "sync")

    def check_buf_size(self) -> None:
        """Step 10: buf-size must not be negative (0 = default)."""
        if self.buf_size < 0:
            raise ArgumentError("Invalid parameter 'buf-size'", "buf-size")

    def check_filter_node_name(self) -> None:
        """Step 12: the filter's node-name, when given, follows QEMU's node-name rules."""
        if self.filter_node_name is not None:
            try:
                check_node_name(self.filter_node_name)
            except QAPIError as err:
                raise ArgumentError(err.desc, "filter-node-name") from None

    def check_job_id(self) -> None:
        """Step 13, first part: a well-formed job-id (missing = ``Invalid job ID ''``)."""
        try:
            check_job_id(self.job_id)
        except QAPIError as err:
            raise ArgumentError(err.desc, "job-id") from None

    def check_speed(self) -> None:
        """Step 13, last part: speed must not be negative."""
        check_speed(self.speed)

    def check(self) -> None:
        """Every graph-free check in QEMU's order, for a caller that has no graph to consult."""
        self.check_granularity()
        self.check_sync_mode()
        self.check_buf_size()
        self.check_filter_node_name()
        self.check_job_id()
        self.check_speed()

    def graph_errors(
        self,
        node_names: Collection[str],
        *,
        read_only: Collection[str] = (),
        job_ids: Collection[str] = (),
    ) -> list[ArgumentError]:
        """The checks that need the engine's node-names and job-ids, with QEMU's texts.

        Every failing argument once (a form shows them all; an engine stops at the first).
        ``read_only``: the node-names that cannot be written.
        """
        errors: dict[str, ArgumentError] = {}

        def add(argument: str, desc: str) -> None:
            errors.setdefault(argument, ArgumentError(desc, argument))

        for argument, name in (("device", self.device), ("target", self.target)):
            if name and name not in node_names:
                add(argument, f"Cannot find device='{name}' nor node-name='{name}'")
        if self.device and self.device == self.target:
            add("target", "Can't mirror node into itself")
        if self.target in read_only:
            add("target", "Block node is read-only")
        if self.replaces is not None and self.replaces not in node_names:
            add("replaces", f"Failed to find node with node-name='{self.replaces}'")
        if self.job_id is not None and self.job_id in job_ids:
            add("job-id", f"Job ID '{self.job_id}' already in use")
        if self.filter_node_name is not None and self.filter_node_name in node_names:
            add("filter-node-name", f"Duplicate nodes with node-name='{self.filter_node_name}'")
        return list(errors.values())

    def effective_granularity(self, target_cluster_size: int | None) -> int:
        """The granularity the job uses with a target of this cluster size (None/0: none)."""
        return self.granularity or default_granularity(target_cluster_size)

    def effective_buf_size(
        self, target_cluster_size: int | None, default: int = DOCUMENTED_BUF_SIZE
    ) -> int:
        """buf-size (or ``default`` for 0) rounded up to the granularity, as QEMU does."""
        granularity = self.effective_granularity(target_cluster_size)
        buf_size = self.buf_size or default
        return -(-buf_size // granularity) * granularity

    def resolve(
        self, target_cluster_size: int | None, default_buf_size: int = DOCUMENTED_BUF_SIZE
    ) -> MirrorSettings:
        """The effective granularity, buf-size and speed for a target of this cluster size."""
        return MirrorSettings(
            granularity=self.effective_granularity(target_cluster_size),
            buf_size=self.effective_buf_size(target_cluster_size, default_buf_size),
            speed=self.speed,
        )


class BlockdevMirrorWithOthers(BlockdevMirror):
    """blockdev-mirror with arguments of a newer QEMU that guimirror does not model, which the
    engine's schema lists: they are sent as given, and the engine checks them."""

    model_config = ConfigDict(extra="allow")


MIRROR_ARGUMENTS = argument_specs(BlockdevMirror)
"""blockdev-mirror's arguments in schema order, with labels, units, defaults and choices."""
