# SPDX-License-Identifier: GPL-2.0-or-later
"""The engine's block graph: named nodes, their parents, and the graph changes jobs make.

Node names, lookups and blockdev-add/-del follow QEMU 7.2 (block.c, blockdev.c) with its
error texts. A node's parents are the nodes that have it as a child and the BlockBackends
attached to it; ``replace_node``, ``insert_filter`` and ``remove_filter`` re-point them all.
A node that blockdev-add gives a child by reference while a filter is above that child gets
the filter instead (``stand_in``), and shows the child it named in queries.

Checked against qemu-storage-daemon 7.2.22 (tests/engine/test_graph_against_qemu.py runs the
same commands on both and compares every reply):

- node-name: ``Invalid node-name: '#x'`` (also for '1x' and ''), then ``Duplicate nodes with
  node-name='f1'``, then ``Node name too long`` (32 characters or more); a top-level node
  without one: ``'node-name' must be specified for the root node``. Inline children get
  ``#block<counter><two random digits>``.
- open: ``Could not open 'PATH': No such file or directory``, ``... Is a directory``;
  ``'host_device' driver requires 'PATH' to be either a character or block device``;
  ``'file' driver requires '/dev/loop0' to be a regular file``; a missing referenced child:
  ``Cannot find device='x' nor node-name='x'``; raw windows past the end: ``Offset (N) cannot
  be greater than size of the containing file (M)`` and ``The sum of offset (N) and size (S)
  has to be smaller or equal to the  actual size of the containing file (M)`` (two spaces).
- blockdev-del, in this order: ``Failed to find node with node-name='x'``; a BlockBackend
  (export, job target) on it: ``Node x is in use``; a blocker: ``Node 'x' is busy: <reason>``;
  an inline child: ``Node x is not owned by the monitor``; a node parent: ``Block device x is
  in use``. Deleting a node deletes its inline children, never referenced ones.
- query-named-block-nodes: newest first by the moment a node got its name (a raw node after
  its file child, a blkdebug node before its image); a filter (blkdebug) nests its child's
  image as ``backing-image`` and counts it in ``backing_file_depth`` only when not flat.

Every method runs in the engine's event loop task that calls it (a QMP command's task or a
job's task); only the opening and closing of host files happens in worker threads.
"""

from __future__ import annotations

import random
import re
from typing import TYPE_CHECKING, Any

from guimirror.engine.backend import BlockBackend
from guimirror.engine.drivers import (
    ClientTls,
    DriverNode,
    InheritedOptions,
    common_options,
    open_node,
)
from guimirror.engine.node import BlockNode
from guimirror.qapi.base import parse_arguments
from guimirror.qapi.blockdev import BlockdevOptions, BlockdevOptionsBlkdebug
from guimirror.qapi.errors import QAPIError

if TYPE_CHECKING:
    from guimirror.qapi.block_info import BlockDeviceInfo

NODE_NAME_MAX = 31
"""QEMU keeps node names in a char[32]."""

_WELLFORMED = re.compile(r"[A-Za-z][A-Za-z0-9._-]*\Z")
"""QEMU's id_wellformed(): a letter, then letters, digits, '-', '.', '_'."""


class BlockGraph:
    """The nodes of one engine by node-name, in creation order, and the backends on them."""

    def __init__(self) -> None:
        self._nodes: dict[str, BlockNode] = {}
        self._created: dict[str, int] = {}
        self._sequence = 0
        self._backends: list[BlockBackend] = []
        self._filters: list[BlockNode] = []
        self._generated = 0
        self.client_tls: ClientTls | None = None
        """Resolves an nbd node's tls-creds (the engine's objects)."""

    def _next_sequence(self) -> int:
        """When a node got its name: QEMU lists nodes by that moment, newest first."""
        self._sequence += 1
        return self._sequence

    def _register(self, node: BlockNode, sequence: int | None = None) -> None:
        self._nodes[node.node_name] = node
        self._created[node.node_name] = self._next_sequence() if sequence is None else sequence

    def _unregister(self, node: BlockNode) -> None:
        if self._nodes.get(node.node_name) is node:
            del self._nodes[node.node_name]
            self._created.pop(node.node_name, None)

    # ----- names and lookups ---------------------------------------------------------------

    @property
    def nodes(self) -> list[BlockNode]:
        """Every node, oldest first."""
        return list(self._nodes.values())

    @property
    def backends(self) -> list[BlockBackend]:
        return list(self._backends)

    def generate_node_name(self) -> str:
        """A name like QEMU's implicit ``#blockNNN``: a counter and two random digits."""
        while True:
            name = f"#block{self._generated}{random.randrange(100):02d}"
            self._generated += 1
            if name not in self._nodes:
                return name

    def check_node_name(self, name: str) -> None:
        """QEMU's bdrv_assign_node_name checks, in its order and with its texts."""
        if not _WELLFORMED.match(name):
            raise QAPIError(f"Invalid node-name: '{name}'")
        if name in self._nodes:
            raise QAPIError(f"Duplicate nodes with node-name='{name}'")
        if len(name) > NODE_NAME_MAX:
            raise QAPIError("Node name too long")

    def find_node(self, name: str) -> BlockNode | None:
        """QEMU's bdrv_find_node: the node of that name, or None."""
        return self._nodes.get(name)

    def get_node(self, name: str) -> BlockNode:
        """The node of that name, or QEMU's ``Failed to find node with node-name='x'``."""
        node = self._nodes.get(name)
        if node is None:
            raise QAPIError(f"Failed to find node with node-name='{name}'")
        return node

    def lookup_bs(self, name: str) -> BlockNode:
        """QEMU's bdrv_lookup_bs(name, name): a device or node name, or QEMU's error."""
        node = self._nodes.get(name)
        if node is None:
            raise QAPIError(f"Cannot find device='{name}' nor node-name='{name}'")
        return node

    # ----- parents -------------------------------------------------------------------------

    def node_parents(self, node: BlockNode) -> list[BlockNode]:
        """The nodes that have ``node`` as a child."""
        return [p for p in self._nodes.values() if any(c is node for c in p.children.values())]

    def backends_of(self, node: BlockNode) -> list[BlockBackend]:
        return [backend for backend in self._backends if backend.node is node]

    def parents_of(self, node: BlockNode) -> list[BlockNode | BlockBackend]:
        """Every parent of ``node``: nodes that have it as a child, then attached backends."""
        parents: list[BlockNode | BlockBackend] = []
        parents.extend(self.node_parents(node))
        parents.extend(self.backends_of(node))
        return parents

    def stand_in(self, node: BlockNode) -> BlockNode:
        """The node a new parent of ``node`` is given: the filter ``insert_filter`` put above
        it while that filter is in the graph, else ``node`` itself.

        In QEMU 7.2 a mirror's dirty bitmap sits on the source node and sees writes from
        every parent, even one that came after the mirror started; here a mirror sees the
        writes that pass its filter, so a later parent must pass it as well.
        """
        for filter_node in self._filters:
            if any(child is node for child in filter_node.children.values()):
                return filter_node
        return node

    def is_root(self, node: BlockNode) -> bool:
        """QEMU's bdrv_is_root_node: no node has it as a child (backends do not count)."""
        return not self.node_parents(node)

    # ----- blockdev-add / blockdev-del ------------------------------------------------------

    async def add(self, options: BlockdevOptions) -> BlockNode:
        """``blockdev-add``: open the node and its inline children, or nothing on an error."""
        if options.node_name is None:
            raise QAPIError("'node-name' must be specified for the root node")
        added: list[BlockNode] = []
        try:
            return await self._open(options, None, added)
        except BaseException:
            for node in reversed(added):
                self._unregister(node)
                await node.close()
            raise

    async def blockdev_add(self, options: BlockdevOptions) -> None:
        await self.add(options)

    async def _open(
        self, options: BlockdevOptions, inherited: InheritedOptions | None, added: list[BlockNode]
    ) -> BlockNode:
        name = options.node_name
        if name is None:
            name = self.generate_node_name()
        else:
            self.check_node_name(name)
        common = common_options(options, inherited)
        # blkdebug names itself before opening its image; raw opens its file first (QEMU).
        sequence = self._next_sequence() if isinstance(options, BlockdevOptionsBlkdebug) else None

        referenced: list[BlockNode] = []

        async def open_child(ref: Any, child_inherits: InheritedOptions) -> BlockNode:
            if isinstance(ref, str):
                referenced.append(self.lookup_bs(ref))
                return referenced[-1]
            child_options = ref if isinstance(ref, BlockdevOptions) else None
            if child_options is None:
                child_options = parse_arguments(BlockdevOptions, ref)
            return await self._open(child_options, child_inherits, added)

        node = await open_node(options, name, common, open_child, self.client_tls)
        if name in self._nodes:
            await node.close()
            raise QAPIError(f"Duplicate nodes with node-name='{name}'")
        for role, child in list(node.children.items()):
            stand_in = self.stand_in(child)
            if any(child is r for r in referenced) and stand_in is not child:
                node.children[role] = stand_in
                node.stand_ins.add(role)
        self._register(node, sequence)
        added.append(node)
        return node

    async def delete(self, node_name: str) -> None:
        """``blockdev-del``: QEMU's checks in its order; inline children go with their parent."""
        node = self.get_node(node_name)
        # A backend a filter stands in for is, as in QEMU, a user of the node it was given.
        if any(backend.shown_node is node for backend in self._backends):
            raise QAPIError(f"Node {node_name} is in use")
        for reason in node.blockers:
            raise QAPIError(f"Node '{node_name}' is busy: {reason}")
        if not getattr(node, "monitor_owned", False):
            raise QAPIError(f"Node {node_name} is not owned by the monitor")
        if self.node_parents(node):
            raise QAPIError(f"Block device {node_name} is in use")
        await self._drop(node)

    async def blockdev_del(self, node_name: str) -> None:
        await self.delete(node_name)

    async def _drop(self, node: BlockNode) -> None:
        """Remove ``node``, then every inline child no other node uses any more."""
        self._unregister(node)
        await node.close()
        for child in list(node.children.values()):
            owned = getattr(child, "monitor_owned", True)
            if (
                not owned
                and child.node_name in self._nodes
                and not self.parents_of(child)
                and not child.blockers
            ):
                await self._drop(child)

    # ----- graph changes -------------------------------------------------------------------

    def attach(self, backend: BlockBackend) -> None:
        """Make ``backend`` a parent of its node, so graph changes re-point it."""
        if backend not in self._backends:
            self._backends.append(backend)

    def detach(self, backend: BlockBackend) -> None:
        if backend in self._backends:
            self._backends.remove(backend)

    def replace_node(self, old: BlockNode, new: BlockNode) -> None:
        """QEMU's bdrv_replace_node: every parent of ``old`` now uses ``new``.

        A parent that is ``new`` itself or below it is left alone, so no cycle is made.
        """
        below_new = self._subtree(new)
        for parent in self.node_parents(old):
            if parent in below_new:
                continue
            for role, child in list(parent.children.items()):
                if child is old:
                    parent.children[role] = new
        for backend in self.backends_of(old):
            backend.node = new

    def insert_filter(self, filter_node: BlockNode, node: BlockNode) -> None:
        """Put ``filter_node`` (whose child already is ``node``) above ``node`` (bdrv_append)."""
        if filter_node.node_name in self._nodes:
            raise QAPIError(f"Duplicate nodes with node-name='{filter_node.node_name}'")
        self._register(filter_node)
        self.replace_node(node, filter_node)
        self._filters.append(filter_node)

    def remove_filter(self, filter_node: BlockNode) -> None:
        """Take ``filter_node`` out: its parents use its child again; its name is free.

        A parent it stood in for (``stand_in``) now has the node below as a plain child: the
        source after a cancel, the target after a pivot.
        """
        if filter_node in self._filters:
            self._filters.remove(filter_node)
        for parent in self.node_parents(filter_node):
            for role, child in parent.children.items():
                if child is filter_node:
                    parent.stand_ins.discard(role)
        for backend in self.backends_of(filter_node):
            backend.stands_in = False
        below = next(iter(filter_node.children.values()), None)
        if below is not None:
            self.replace_node(filter_node, below)
        self._unregister(filter_node)

    def _subtree(self, node: BlockNode) -> list[BlockNode]:
        seen: list[BlockNode] = []
        stack = [node]
        while stack:
            current = stack.pop()
            if any(current is s for s in seen):
                continue
            seen.append(current)
            stack.extend(current.children.values())
        return seen

    # ----- queries and shutdown -----------------------------------------------------------

    def query_named_block_nodes(self, flat: bool = False) -> list[BlockDeviceInfo]:
        """One entry per node, newest first, as QEMU 7.2 lists them.

        Without ``flat`` a filter's image info nests the image below it as ``backing-image``.
        """
        newest_first = sorted(self._nodes.values(), key=lambda n: -self._created[n.node_name])
        return [
            node.info(flat) if isinstance(node, DriverNode) else node.info()
            for node in newest_first
        ]

    async def close(self) -> None:
        """Close every node (descriptors and locks), newest first, and forget them."""
        nodes = list(reversed(self._nodes.values()))
        self._nodes.clear()
        self._created.clear()
        self._backends.clear()
        self._filters.clear()
        for node in nodes:
            await node.close()


__all__ = ["NODE_NAME_MAX", "BlockGraph", "DriverNode"]
