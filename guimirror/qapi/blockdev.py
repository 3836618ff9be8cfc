# SPDX-License-Identifier: GPL-2.0-or-later
"""``blockdev-add``'s arguments for the drivers guimirror's engine has (QEMU 7.2 names).

``BlockdevOptions`` is a union on ``driver``: ``parse_arguments(BlockdevOptions, raw)``
returns the variant (``BlockdevOptionsFile``, ``BlockdevOptionsRaw``, ...), each a subclass
of ``BlockdevOptions``. A child (``file`` of raw, ``image`` of blkdebug) is a ``BlockdevRef``:
either the node-name of an existing node, or the options of a new node.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BeforeValidator, Discriminator, Field, TypeAdapter
from pydantic_core import PydanticCustomError

from guimirror.qapi.base import (
    TAG_PREFIX,
    QAPIModel,
    union_check,
    union_discriminator,
    variant_tag,
)
from guimirror.qapi.block_info import BlockdevDetectZeroesOptions
from guimirror.qapi.socket_address import SocketAddress
from guimirror.qapi.types import (
    NOT_NULL_ARRAY,
    NOT_NULL_OBJECT,
    NOT_NULL_STRING,
    TYPE_ERROR,
    Int,
    OptBool,
    OptInt,
    OptInt32,
    OptStr,
    OptUint32,
    OptUint64,
    Str,
)


class BlockdevDriver(StrEnum):
    """The drivers guimirror's engine implements (a subset of QAPI ``BlockdevDriver``)."""

    BLKDEBUG = "blkdebug"
    FILE = "file"
    HOST_DEVICE = "host_device"
    NBD = "nbd"
    NULL_CO = "null-co"
    RAW = "raw"


class BlockdevDiscardOptions(StrEnum):
    """Whether discard requests reach the file (``unmap``) or are ignored."""

    IGNORE = "ignore"
    UNMAP = "unmap"


class BlockdevAioOptions(StrEnum):
    """How the file driver does asynchronous I/O."""

    THREADS = "threads"
    NATIVE = "native"
    IO_URING = "io_uring"


class OnOffAuto(StrEnum):
    """A tri-state switch."""

    AUTO = "auto"
    ON = "on"
    OFF = "off"


class BlockdevCacheOptions(QAPIModel):
    """Cache options of a node."""

    direct: OptBool = Field(
        default=None, description="bypass the host page cache (O_DIRECT); default false"
    )
    no_flush: OptBool = Field(default=None, description="ignore flush requests; default false")


class BlockdevOptions(QAPIModel):
    """Options of a new block node; the members every driver shares (``BlockdevOptionsBase``).

    Validate with ``parse_arguments(BlockdevOptions, raw)`` to get the driver's variant.
    """

    QAPI_UNION: ClassVar[TypeAdapter[Any] | None] = None
    ALWAYS_DUMPED: ClassVar[frozenset[str]] = frozenset({"driver"})

    driver: BlockdevDriver = Field(description="the block driver of the new node")
    node_name: OptStr = Field(default=None, description="the name of the new node")
    discard: Annotated[BlockdevDiscardOptions | None, NOT_NULL_STRING] = Field(
        default=None, description="discard requests: 'ignore' (default) or 'unmap'"
    )
    cache: Annotated[BlockdevCacheOptions | None, NOT_NULL_OBJECT] = Field(
        default=None, description="cache mode options"
    )
    read_only: OptBool = Field(
        default=None, description="whether the node is read-only; default false"
    )
    auto_read_only: OptBool = Field(
        default=None,
        description="fall back to read-only if the image cannot be opened read-write",
    )
    force_share: OptBool = Field(
        default=None, description="share all permissions with other users; needs read-only"
    )
    detect_zeroes: Annotated[BlockdevDetectZeroesOptions | None, NOT_NULL_STRING] = Field(
        default=None, description="turn written zeroes into zero writes; default 'off'"
    )


class BlockdevOptionsFile(BlockdevOptions):
    """The ``file`` (regular file) and ``host_device`` (block device) protocol drivers."""

    driver: Literal[BlockdevDriver.FILE, BlockdevDriver.HOST_DEVICE] = Field(
        default=BlockdevDriver.FILE,
        description="'file' for a regular file, 'host_device' for a block device",
    )
    filename: Str = Field(description="path to the image file or block device")
    pr_manager: OptStr = Field(default=None, description="persistent reservation manager")
    locking: Annotated[OnOffAuto | None, NOT_NULL_STRING] = Field(
        default=None, description="whether to lock the image file"
    )
    aio: Annotated[BlockdevAioOptions | None, NOT_NULL_STRING] = Field(
        default=None, description="AIO backend: 'threads' (default), 'native' or 'io_uring'"
    )
    aio_max_batch: OptInt = Field(default=None, description="maximum AIO batch size")
    drop_cache: OptBool = Field(default=None, description="drop the page cache on migration")
    x_check_cache_dropped: OptBool = Field(default=None, description="debug option")


class BlockdevOptionsNull(BlockdevOptions):
    """The ``null-co`` driver: reads return nothing meaningful, writes vanish."""

    driver: Literal[BlockdevDriver.NULL_CO] = Field(
        default=BlockdevDriver.NULL_CO, description="'null-co'"
    )
    size: OptInt = Field(default=None, description="size of the device in bytes; default 1G")
    latency_ns: OptUint64 = Field(
        default=None, description="emulated latency of each request, in nanoseconds; default 0"
    )
    read_zeroes: OptBool = Field(
        default=None, description="reads return zeroes instead of leaving buffers untouched"
    )


class BlockdevOptionsRaw(BlockdevOptions):
    """The ``raw`` format driver over a protocol child ``file``."""

    driver: Literal[BlockdevDriver.RAW] = Field(default=BlockdevDriver.RAW, description="'raw'")
    file: BlockdevRef = Field(description="the protocol node: a node-name or its options")
    offset: OptInt = Field(default=None, description="offset of the image in the file")
    size: OptInt = Field(default=None, description="size of the image; default to EOF")


class BlockdevOptionsNbd(BlockdevOptions):
    """The ``nbd`` protocol driver: an export of an NBD server, over a socket, maybe over TLS."""

    driver: Literal[BlockdevDriver.NBD] = Field(default=BlockdevDriver.NBD, description="'nbd'")
    server: SocketAddress = Field(description="the NBD server's address")
    export: OptStr = Field(default=None, description="the export's name; default ''")
    tls_creds: OptStr = Field(
        default=None, description="id of a tls-creds-x509 object: use TLS (NBD_OPT_STARTTLS)"
    )
    tls_hostname: OptStr = Field(
        default=None, description="the name the server's certificate must carry; default host"
    )
    x_dirty_bitmap: OptStr = Field(default=None, description="debug option")
    reconnect_delay: OptUint32 = Field(
        default=None,
        description="seconds requests wait for a reconnection after the connection is lost; "
        "default 0 (fail at once)",
    )
    open_timeout: OptUint32 = Field(
        default=None,
        description="seconds to keep trying to connect when the node is opened; default 0",
    )


class BlkdebugEvent(StrEnum):
    """Points in a format driver's work that blkdebug rules hook (QAPI ``BlkdebugEvent``)."""

    L1_UPDATE = "l1_update"
    L1_GROW_ALLOC_TABLE = "l1_grow_alloc_table"
    L1_GROW_WRITE_TABLE = "l1_grow_write_table"
    L1_GROW_ACTIVATE_TABLE = "l1_grow_activate_table"
    L2_LOAD = "l2_load"
    L2_UPDATE = "l2_update"
    L2_UPDATE_COMPRESSED = "l2_update_compressed"
    L2_ALLOC_COW_READ = "l2_alloc_cow_read"
    L2_ALLOC_WRITE = "l2_alloc_write"
    READ_AIO = "read_aio"
    READ_BACKING_AIO = "read_backing_aio"
    READ_COMPRESSED = "read_compressed"
    WRITE_AIO = "write_aio"
    WRITE_COMPRESSED = "write_compressed"
    VMSTATE_LOAD = "vmstate_load"
    VMSTATE_SAVE = "vmstate_save"
    COW_READ = "cow_read"
    COW_WRITE = "cow_write"
    REFTABLE_LOAD = "reftable_load"
    REFTABLE_GROW = "reftable_grow"
    REFTABLE_UPDATE = "reftable_update"
    REFBLOCK_LOAD = "refblock_load"
    REFBLOCK_UPDATE = "refblock_update"
    REFBLOCK_UPDATE_PART = "refblock_update_part"
    REFBLOCK_ALLOC = "refblock_alloc"
    REFBLOCK_ALLOC_HOOKUP = "refblock_alloc_hookup"
    REFBLOCK_ALLOC_WRITE = "refblock_alloc_write"
    REFBLOCK_ALLOC_WRITE_BLOCKS = "refblock_alloc_write_blocks"
    REFBLOCK_ALLOC_WRITE_TABLE = "refblock_alloc_write_table"
    REFBLOCK_ALLOC_SWITCH_TABLE = "refblock_alloc_switch_table"
    CLUSTER_ALLOC = "cluster_alloc"
    CLUSTER_ALLOC_BYTES = "cluster_alloc_bytes"
    CLUSTER_FREE = "cluster_free"
    FLUSH_TO_OS = "flush_to_os"
    FLUSH_TO_DISK = "flush_to_disk"
    PWRITEV_RMW_HEAD = "pwritev_rmw_head"
    PWRITEV_RMW_AFTER_HEAD = "pwritev_rmw_after_head"
    PWRITEV_RMW_TAIL = "pwritev_rmw_tail"
    PWRITEV_RMW_AFTER_TAIL = "pwritev_rmw_after_tail"
    PWRITEV = "pwritev"
    PWRITEV_ZERO = "pwritev_zero"
    PWRITEV_DONE = "pwritev_done"
    EMPTY_IMAGE_PREPARE = "empty_image_prepare"
    L1_SHRINK_WRITE_TABLE = "l1_shrink_write_table"
    L1_SHRINK_FREE_L2_CLUSTERS = "l1_shrink_free_l2_clusters"
    COR_WRITE = "cor_write"
    CLUSTER_ALLOC_SPACE = "cluster_alloc_space"
    NONE = "none"


class BlkdebugIOType(StrEnum):
    """The kinds of request a blkdebug rule can match."""

    READ = "read"
    WRITE = "write"
    WRITE_ZEROES = "write-zeroes"
    DISCARD = "discard"
    FLUSH = "flush"
    BLOCK_STATUS = "block-status"


class BlockPermission(StrEnum):
    """A permission a node user can take or share (QAPI ``BlockPermission``)."""

    CONSISTENT_READ = "consistent-read"
    WRITE = "write"
    WRITE_UNCHANGED = "write-unchanged"
    RESIZE = "resize"


class BlkdebugInjectErrorOptions(QAPIModel):
    """A blkdebug rule that fails requests with an errno."""

    event: BlkdebugEvent = Field(description="trigger event")
    state: OptInt = Field(
        default=None, description="the state in which the rule applies; default any"
    )
    iotype: Annotated[BlkdebugIOType | None, NOT_NULL_STRING] = Field(
        default=None, description="the request type to fail; default any"
    )
    errno: OptInt = Field(default=None, description="error number to return; default EIO (5)")
    sector: OptInt = Field(
        default=None, description="fail only requests touching this 512-byte sector"
    )
    once: OptBool = Field(default=None, description="disable the rule after one error")
    immediately: OptBool = Field(
        default=None, description="fail at once instead of on the next request"
    )


class BlkdebugSetStateOptions(QAPIModel):
    """A blkdebug rule that changes the state machine's state on an event."""

    event: BlkdebugEvent = Field(description="trigger event")
    state: OptInt = Field(default=None, description="the state in which the rule applies")
    new_state: Int = Field(alias="new_state", description="the state to switch to")


class BlockdevOptionsBlkdebug(BlockdevOptions):
    """The ``blkdebug`` filter: injects errors into requests to its child ``image``."""

    driver: Literal[BlockdevDriver.BLKDEBUG] = Field(
        default=BlockdevDriver.BLKDEBUG, description="'blkdebug'"
    )
    image: BlockdevRef = Field(description="the node whose requests are affected")
    config: OptStr = Field(default=None, description="a blkdebug configuration file")
    align: OptInt = Field(default=None, description="required alignment of requests")
    max_transfer: OptInt32 = Field(default=None, description="maximum size of a request")
    opt_write_zero: OptInt32 = None
    max_write_zero: OptInt32 = None
    opt_discard: OptInt32 = None
    max_discard: OptInt32 = None
    inject_error: Annotated[list[BlkdebugInjectErrorOptions] | None, NOT_NULL_ARRAY] = Field(
        default=None, description="rules that fail requests"
    )
    set_state: Annotated[list[BlkdebugSetStateOptions] | None, NOT_NULL_ARRAY] = Field(
        default=None, description="rules that change the state"
    )
    take_child_perms: Annotated[list[BlockPermission] | None, NOT_NULL_ARRAY] = Field(
        default=None, description="permissions to take on the child in addition to the usual ones"
    )
    unshare_child_perms: Annotated[list[BlockPermission] | None, NOT_NULL_ARRAY] = Field(
        default=None, description="permissions not to share on the child"
    )


_VARIANTS: dict[str, type[BlockdevOptions]] = {
    BlockdevDriver.FILE: BlockdevOptionsFile,
    BlockdevDriver.HOST_DEVICE: BlockdevOptionsFile,
    BlockdevDriver.NBD: BlockdevOptionsNbd,
    BlockdevDriver.NULL_CO: BlockdevOptionsNull,
    BlockdevDriver.RAW: BlockdevOptionsRaw,
    BlockdevDriver.BLKDEBUG: BlockdevOptionsBlkdebug,
}


_TAGS = {driver: cls.__name__ for driver, cls in _VARIANTS.items()}

AnyBlockdevOptions = Annotated[
    Annotated[BlockdevOptionsFile, variant_tag(BlockdevOptionsFile.__name__)]
    | Annotated[BlockdevOptionsNbd, variant_tag(BlockdevOptionsNbd.__name__)]
    | Annotated[BlockdevOptionsNull, variant_tag(BlockdevOptionsNull.__name__)]
    | Annotated[BlockdevOptionsRaw, variant_tag(BlockdevOptionsRaw.__name__)]
    | Annotated[BlockdevOptionsBlkdebug, variant_tag(BlockdevOptionsBlkdebug.__name__)],
    union_discriminator("driver", _TAGS),
    union_check("driver", _TAGS),
]
"""The options of a new node of any supported driver (the union ``BlockdevOptions``)."""


def _ref_tag(value: Any) -> str:
    return f"{TAG_PREFIX}reference>" if isinstance(value, str) else f"{TAG_PREFIX}definition>"


def _check_ref(value: Any) -> Any:
    if not isinstance(value, str | dict | BlockdevOptions):
        raise PydanticCustomError(TYPE_ERROR, "expected BlockdevRef", {"expected": "BlockdevRef"})
    return value


BlockdevRef = Annotated[
    Annotated[Str, variant_tag("reference")]
    | Annotated[AnyBlockdevOptions, variant_tag("definition")],
    Discriminator(_ref_tag),
    BeforeValidator(_check_ref),
]
"""A child: the node-name of an existing node, or the options of a new one."""

for _variant in (BlockdevOptionsRaw, BlockdevOptionsBlkdebug):
    _variant.model_rebuild()

BlockdevOptions.QAPI_UNION = TypeAdapter(AnyBlockdevOptions)
