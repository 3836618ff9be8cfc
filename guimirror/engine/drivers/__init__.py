# SPDX-License-Identifier: GPL-2.0-or-later
"""The engine's block drivers, and how blockdev-add options become a node of one of them.

``open_node`` opens one node from its options; the graph (engine/graph.py) names it, opens
its children first through the ``open_child`` callback it passes, and registers it.
"""

from __future__ import annotations

import dataclasses
import ssl
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from guimirror.engine import io
from guimirror.engine.drivers.blkdebug import DEFAULT_IOTYPES, BlkdebugNode, InjectErrorRule
from guimirror.engine.drivers.common import DriverNode
from guimirror.engine.drivers.nbd import NbdNode, open_nbd
from guimirror.engine.drivers.null import DEFAULT_SIZE, NullNode
from guimirror.engine.drivers.posix import FileNode, HostDeviceNode, PosixNode, open_posix
from guimirror.engine.drivers.raw import RawNode
from guimirror.engine.node import BlockNode
from guimirror.qapi.block_info import BlockdevDetectZeroesOptions
from guimirror.qapi.blockdev import (
    BlockdevAioOptions,
    BlockdevDiscardOptions,
    BlockdevDriver,
    BlockdevOptions,
    BlockdevOptionsBlkdebug,
    BlockdevOptionsFile,
    BlockdevOptionsNbd,
    BlockdevOptionsNull,
    BlockdevOptionsRaw,
    OnOffAuto,
)
from guimirror.qapi.errors import QAPIError

__all__ = [
    "BlkdebugNode",
    "ClientTls",
    "DriverNode",
    "FileNode",
    "HostDeviceNode",
    "InheritedOptions",
    "NbdNode",
    "NullNode",
    "PosixNode",
    "RawNode",
    "open_node",
]


@dataclass(frozen=True)
class InheritedOptions:
    """What an inline child takes from its parent unless it sets it (bdrv_inherited_options)."""

    read_only: bool = False
    cache_direct: bool = False
    no_flush: bool = False


OpenChild = Callable[[Any, InheritedOptions], Awaitable[BlockNode]]
"""The graph's callback: open (or look up) a child from a BlockdevRef, given what it inherits."""

ClientTls = Callable[[str], Awaitable[ssl.SSLContext]]
"""The engine's lookup of a tls-creds object by id: the client's TLS context it describes."""


@dataclass(frozen=True)
class CommonOptions:
    read_only: bool
    cache_direct: bool
    no_flush: bool
    discard_unmap: bool
    monitor_owned: bool

    def inherited(self) -> InheritedOptions:
        return InheritedOptions(self.read_only, self.cache_direct, self.no_flush)

    def apply(self, node: DriverNode) -> None:
        """Set these options on a newly made node."""
        node.read_only = self.read_only
        node.cache_direct = self.cache_direct
        node.no_flush = self.no_flush
        node.discard_unmap = self.discard_unmap
        node.monitor_owned = self.monitor_owned


def common_options(options: BlockdevOptions, inherited: InheritedOptions | None) -> CommonOptions:
    """Options every node has; an inline child (``inherited`` given) defaults to its parent's.

    An inline child's discard defaults to unmap: QEMU opens lower layers with BDRV_O_UNMAP and
    lets the parent's own discard option decide what reaches them.
    """
    base = inherited or InheritedOptions()
    cache = options.cache
    direct = cache.direct if cache is not None and cache.direct is not None else None
    no_flush = cache.no_flush if cache is not None and cache.no_flush is not None else None
    if options.discard is not None:
        unmap = options.discard == BlockdevDiscardOptions.UNMAP
    else:
        unmap = inherited is not None
    return CommonOptions(
        read_only=base.read_only if options.read_only is None else options.read_only,
        cache_direct=base.cache_direct if direct is None else direct,
        no_flush=base.no_flush if no_flush is None else no_flush,
        discard_unmap=unmap,
        monitor_owned=inherited is None,
    )


async def open_node(
    options: BlockdevOptions,
    node_name: str,
    common: CommonOptions,
    open_child: OpenChild,
    client_tls: ClientTls | None = None,
) -> DriverNode:
    """Open the node ``options`` describe, named ``node_name``; children through ``open_child``.

    Runs in the task of the blockdev-add command; the host's files are opened in a worker
    thread. ``client_tls`` resolves an nbd node's tls-creds. Raises QAPIError with QEMU's
    texts.
    """
    if options.detect_zeroes not in (None, BlockdevDetectZeroesOptions.OFF):
        raise QAPIError("detect-zeroes is not supported by the built-in engine; leave it off")
    if options.force_share and not common.read_only:
        raise QAPIError("force-share=on can only be used with read-only images")
    node = await _open_driver(options, node_name, common, open_child, client_tls)
    if (isinstance(node, PosixNode) and node.read_only_opened) or (
        isinstance(node, NbdNode) and (node.read_only)
    ):
        common = dataclasses.replace(common, read_only=True)
    common.apply(node)
    return node


async def _open_driver(
    options: BlockdevOptions,
    node_name: str,
    common: CommonOptions,
    open_child: OpenChild,
    client_tls: ClientTls | None,
) -> DriverNode:
    if isinstance(options, BlockdevOptionsFile):
        if options.aio == BlockdevAioOptions.NATIVE and not common.cache_direct:
            raise QAPIError(
                "aio=native was specified, but it requires cache.direct=on, which was not "
                "specified."
            )
        locking = options.locking != OnOffAuto.OFF
        image = await io.run(
            open_posix,
            str(options.driver),
            options.filename,
            common.read_only,
            common.cache_direct,
            locking,
            bool(options.auto_read_only),
        )

        cls: type[PosixNode] = (
            HostDeviceNode if options.driver == BlockdevDriver.HOST_DEVICE else FileNode
        )
        return cls(
            node_name=node_name,
            filename=options.filename,
            fd=image.fd,
            size=image.size,
            alignment=image.alignment,
            limits=image.limits,
            read_only_opened=image.read_only,
            in_memory=image.in_memory,
        )
    if isinstance(options, BlockdevOptionsNbd):
        tls = None
        if options.tls_creds is not None:
            if client_tls is None:
                raise QAPIError(f"No TLS credentials with id '{options.tls_creds}'")
            tls = await client_tls(options.tls_creds)
        return await open_nbd(
            options, node_name, common.read_only, bool(options.auto_read_only), tls
        )
    if isinstance(options, BlockdevOptionsNull):
        return _open_null(options, node_name)
    if isinstance(options, BlockdevOptionsRaw):
        return await _open_raw(options, node_name, common, open_child)
    if isinstance(options, BlockdevOptionsBlkdebug):
        return await _open_blkdebug(options, node_name, common, open_child)
    raise QAPIError(f"Unknown driver '{options.driver}'")


def _open_null(options: BlockdevOptionsNull, node_name: str) -> NullNode:
    given: dict[str, Any] = {}
    if options.size is not None:
        if options.size < 0:
            raise QAPIError("Parameter 'size' expects a non-negative number below 2^64")
        given["size"] = options.size
    if options.read_zeroes is not None:
        given["read-zeroes"] = options.read_zeroes
    return NullNode(
        node_name=node_name,
        size=DEFAULT_SIZE if options.size is None else options.size,
        read_zeroes=bool(options.read_zeroes),
        given=given,
    )


async def _open_raw(
    options: BlockdevOptionsRaw, node_name: str, common: CommonOptions, open_child: OpenChild
) -> RawNode:
    child = await open_child(options.file, common.inherited())
    offset = options.offset or 0
    if offset < 0:
        raise QAPIError("Parameter 'offset' expects a non-negative number below 2^64")
    if options.size is not None and options.size < 0:
        raise QAPIError("Parameter 'size' expects a non-negative number below 2^64")
    size = options.size
    if offset > child.length:
        raise QAPIError(
            f"Offset ({offset}) cannot be greater than size of the containing file ({child.length})"
        )
    if size is not None and offset + size > child.length:
        raise QAPIError(
            f"The sum of offset ({offset}) and size ({size}) has to be smaller or equal "
            f"to the  actual size of the containing file ({child.length})"
        )
    node = RawNode(node_name=node_name, offset=offset, size=size)
    node.children["file"] = child
    return node


async def _open_blkdebug(
    options: BlockdevOptionsBlkdebug,
    node_name: str,
    common: CommonOptions,
    open_child: OpenChild,
) -> BlkdebugNode:
    if options.config is not None:
        raise QAPIError("blkdebug configuration files are not supported; use inject-error")
    if options.set_state:
        raise QAPIError("blkdebug set-state rules are not supported; use inject-error")
    rules = []
    given_rules = []
    for rule in options.inject_error or []:
        given_rules.append(rule.to_qmp())
        rules.append(
            InjectErrorRule(
                event=str(rule.event),
                errno=5 if rule.errno is None else rule.errno,
                sector=rule.sector,
                once=bool(rule.once),
                immediately=bool(rule.immediately),
                iotypes=(
                    frozenset({str(rule.iotype)}) if rule.iotype is not None else DEFAULT_IOTYPES
                ),
                state=rule.state or 0,
            )
        )
    child = await open_child(options.image, common.inherited())
    node = BlkdebugNode(node_name=node_name, rules=rules, given_rules=given_rules)
    node.children["image"] = child
    return node
