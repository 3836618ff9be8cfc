# SPDX-License-Identifier: GPL-2.0-or-later
"""Graph changes a mirror makes: filter insertion and removal, replace_node, blockers, bitmaps."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from guimirror.engine.backend import BlockBackend
from guimirror.engine.drivers import NullNode, RawNode
from guimirror.engine.graph import BlockGraph
from guimirror.qapi.base import parse_arguments
from guimirror.qapi.block_info import BlockDirtyInfo
from guimirror.qapi.blockdev import BlockdevOptions
from guimirror.qapi.errors import QAPIError


class CountingBitmap:
    def __init__(self, count: int) -> None:
        self.count = count

    def dirty_info(self) -> BlockDirtyInfo:
        return BlockDirtyInfo(
            count=self.count, granularity=65536, recording=True, busy=False, persistent=False
        )


def test_filter_replace_and_blockers(tmp_path: Path) -> None:
    async def scenario() -> None:
        graph = BlockGraph()
        for name in ("src", "tgt"):
            await graph.add(
                parse_arguments(
                    BlockdevOptions, {"driver": "null-co", "node-name": name, "size": 1 << 20}
                )
            )
        src, tgt = graph.get_node("src"), graph.get_node("tgt")
        user = BlockBackend(src)
        graph.attach(user)
        assert graph.is_root(src) and graph.parents_of(src) == [user]
        with pytest.raises(QAPIError) as raised:
            await graph.blockdev_del("src")
        assert raised.value.desc == "Node src is in use"

        top = RawNode(node_name=graph.generate_node_name())
        top.children["file"] = src
        graph.insert_filter(top, src)
        assert user.node is top and not graph.is_root(src)
        assert graph.node_parents(src) == [top]

        bitmap = CountingBitmap(4096)
        src.add_dirty_bitmap(bitmap)
        entry = graph.query_named_block_nodes()[-1].to_qmp()
        assert entry["node-name"] == "src"
        assert entry["dirty-bitmaps"] == [
            {
                "count": 4096,
                "granularity": 65536,
                "recording": True,
                "busy": False,
                "persistent": False,
            }
        ]
        src.blockers["block device is in use by block job: mirror"] = object()
        with pytest.raises(QAPIError) as raised:
            await graph.blockdev_del("src")
        assert raised.value.desc == (
            "Node 'src' is busy: block device is in use by block job: mirror"
        )

        graph.replace_node(src, tgt)
        assert top.children["file"] is tgt
        graph.remove_filter(top)
        assert user.node is tgt and graph.find_node(top.node_name) is None
        src.remove_dirty_bitmap(bitmap)
        src.blockers.clear()
        assert "dirty-bitmaps" not in graph.query_named_block_nodes()[-1].to_qmp()
        graph.detach(user)
        await graph.blockdev_del("src")
        assert graph.find_node("src") is None
        with pytest.raises(QAPIError) as raised:
            graph.lookup_bs("src")
        assert raised.value.desc == "Cannot find device='src' nor node-name='src'"
        assert isinstance(graph.get_node("tgt"), NullNode)
        await graph.close()

    asyncio.run(scenario())


def test_busy_node_names_the_blocker() -> None:
    async def scenario() -> None:
        graph = BlockGraph()
        await graph.add(
            parse_arguments(BlockdevOptions, {"driver": "null-co", "node-name": "e-src"})
        )
        graph.get_node("e-src").blockers["block device is in use by block job: mirror"] = 1
        with pytest.raises(QAPIError) as raised:
            await graph.blockdev_del("e-src")
        assert raised.value.desc == (
            "Node 'e-src' is busy: block device is in use by block job: mirror"
        )
        await graph.close()

    asyncio.run(scenario())


def test_read_only_backend_refuses_writes() -> None:
    async def scenario() -> None:
        graph = BlockGraph()
        node = await graph.add(
            parse_arguments(BlockdevOptions, {"driver": "null-co", "node-name": "n", "size": 65536})
        )
        reader = BlockBackend(node, writable=False)
        for write in (
            reader.pwrite(0, b"x"),
            reader.pwrite_zeroes(0, 512),
            reader.pdiscard(0, 512),
        ):
            with pytest.raises(OSError) as raised:
                await write
            assert raised.value.errno == 30
        assert await reader.pread(0, 4) == bytes(4)
        await BlockBackend(node).pwrite(0, b"x")
        await graph.close()

    asyncio.run(scenario())
