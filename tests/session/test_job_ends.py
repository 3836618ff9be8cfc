# SPDX-License-Identifier: GPL-2.0-or-later
"""Source and target of a mirror someone else started, from the typed lists: on the built-in
engine (its filter node tells the source) and from QEMU 7.2's block graph (the job's edges)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from guimirror.qapi.commands import JobCancel, QueryNamedBlockNodes
from guimirror.session.endpoint import BuiltinEndpoint
from guimirror.session.job_ends import JobEnds, job_edges, mirror_ends

MiB = 1 << 20

# x-debug-query-block-graph of a qemu-storage-daemon 7.2 running blockdev-mirror src -> tgt.
QEMU_GRAPH = {
    "nodes": [
        {"name": "#block259", "type": "block-driver", "id": 5},
        {"name": "tgt", "type": "block-driver", "id": 2},
        {"name": "#block157", "type": "block-driver", "id": 7},
        {"name": "src", "type": "block-driver", "id": 4},
        {"name": "#block030", "type": "block-driver", "id": 6},
        {"name": "j", "type": "block-job", "id": 3},
        {"name": "", "type": "block-backend", "id": 1},
    ],
    "edges": [
        {"name": "backing", "parent": 5, "child": 4},
        {"name": "file", "parent": 2, "child": 7},
        {"name": "file", "parent": 4, "child": 6},
        {"name": "main node", "parent": 3, "child": 5},
        {"name": "source", "parent": 3, "child": 4},
        {"name": "target", "parent": 3, "child": 2},
        {"name": "root", "parent": 1, "child": 2},
    ],
}


def test_the_graph_gives_a_jobs_source_and_target() -> None:
    edges = job_edges(QEMU_GRAPH)
    assert set(edges) == {"j"}
    assert edges["j"].children["source"] == "src" and edges["j"].children["target"] == "tgt"


def test_the_builtin_engines_filter_node_gives_the_source(tmp_path: Path) -> None:
    for name in ("src", "tgt"):
        (tmp_path / f"{name}.img").write_bytes(bytes(8 * MiB))

    async def scenario() -> tuple[dict[str, JobEnds], dict[str, JobEnds]]:
        async with BuiltinEndpoint("builtin") as endpoint:
            client = endpoint.client
            for name in ("src", "tgt"):
                await client.execute("blockdev-add", {
                    "driver": "raw", "node-name": name,
                    "file": {"driver": "file", "filename": str(tmp_path / f"{name}.img")}})
            # Untyped, as another client would: this client keeps no record of it.
            await client.execute("blockdev-mirror", {
                "job-id": "theirs", "device": "src", "target": "tgt", "sync": "full",
                "speed": MiB})
            assert "theirs" not in client.mirrors
            jobs = await client.query_block_jobs()
            nodes = await client.query_named_block_nodes(QueryNamedBlockNodes(flat=True))
            found = mirror_ends(jobs, nodes, client.mirrors)
            with_graph = mirror_ends(jobs, nodes, client.mirrors, job_edges({
                "nodes": [{"name": "theirs", "type": "block-job", "id": 1},
                          {"name": "tgt", "type": "block-driver", "id": 2}],
                "edges": [{"name": "target", "parent": 1, "child": 2}]}))
            await client.job_cancel(JobCancel(id="theirs"))
            return found, with_graph

    found, with_graph = asyncio.run(scenario())
    assert found == {"theirs": JobEnds("src", None)}
    assert with_graph == {"theirs": JobEnds("src", "tgt")}
