# SPDX-License-Identifier: GPL-2.0-or-later
"""Random requests on file nodes (page cache and O_DIRECT) against a bytearray model.

Writes, zero writes (with and without unmap) and discards at random offsets and lengths;
after each request a read of the whole image equals the model, block status never calls
data a hole, and a failed blockdev-add leaves no node and no lock behind.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guimirror.engine.graph import BlockGraph
from guimirror.qapi.base import parse_arguments
from guimirror.qapi.blockdev import BlockdevOptions
from guimirror.qapi.errors import QAPIError

SIZE = 256 * 1024

request = st.tuples(
    st.sampled_from(["write", "zeroes", "zeroes-unmap", "discard"]),
    st.integers(0, SIZE - 1),
    st.integers(1, 64 * 1024),
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(requests=st.lists(request, min_size=1, max_size=12), direct=st.booleans())
def test_random_requests_match_a_model(
    tmp_path: Path, requests: list[tuple[str, int, int]], direct: bool
) -> None:
    path = tmp_path / "model.img"
    with open(path, "wb") as f:
        f.truncate(SIZE)
    model = bytearray(SIZE)

    async def scenario() -> None:
        graph = BlockGraph()
        node = await graph.add(
            parse_arguments(
                BlockdevOptions,
                {
                    "driver": "raw",
                    "node-name": "r",
                    "discard": "unmap",
                    "file": {"driver": "file", "filename": str(path), "cache": {"direct": direct}},
                },
            )
        )
        for kind, offset, length in requests:
            length = min(length, SIZE - offset)
            if kind == "write":
                data = os.urandom(length)
                await node.pwrite(offset, data)
                model[offset : offset + length] = data
            elif kind == "discard":
                aligned = offset - offset % 4096
                span = (offset + length) - aligned
                span -= span % 4096
                if span:
                    await node.pdiscard(aligned, span)
                    model[aligned : aligned + span] = bytes(span)
            else:
                await node.pwrite_zeroes(offset, length, may_unmap=kind == "zeroes-unmap")
                model[offset : offset + length] = bytes(length)
            assert await node.pread(0, SIZE) == bytes(model)
        offset = 0
        while offset < SIZE:
            status = await node.block_status(offset, SIZE - offset)
            assert status.pnum > 0
            if not status.data:
                assert model[offset : offset + status.pnum] == bytes(status.pnum)
            offset += status.pnum
        await node.flush()
        await graph.close()

    asyncio.run(scenario())


def test_failed_add_leaves_no_node_and_no_lock(tmp_path: Path) -> None:
    path = tmp_path / "a.img"
    with open(path, "wb") as f:
        f.truncate(SIZE)

    async def scenario() -> None:
        graph = BlockGraph()
        with pytest.raises(QAPIError):
            await graph.add(
                parse_arguments(
                    BlockdevOptions,
                    {
                        "driver": "raw",
                        "node-name": "r",
                        "offset": 2 * SIZE,
                        "file": {"driver": "file", "node-name": "r-file", "filename": str(path)},
                    },
                )
            )
        assert graph.nodes == []
        other = BlockGraph()
        await other.add(
            parse_arguments(
                BlockdevOptions, {"driver": "file", "node-name": "f", "filename": str(path)}
            )
        )
        await other.close()
        await graph.add(
            parse_arguments(
                BlockdevOptions, {"driver": "file", "node-name": "r-file", "filename": str(path)}
            )
        )
        await graph.close()

    asyncio.run(scenario())
