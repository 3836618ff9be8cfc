# SPDX-License-Identifier: GPL-2.0-or-later
"""The block graph against a real qemu-storage-daemon: the same commands, the same replies.

Each script runs on our BlockGraph and on qemu-storage-daemon 7.2 over QMP; every reply
(an error's text, or ``query-named-block-nodes``' entries field by field) must be the same.
Generated names (``#blockNNN``) are compared by position and json: filenames as JSON.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from guimirror.engine.graph import BlockGraph
from guimirror.qapi.base import parse_arguments
from guimirror.qapi.blockdev import BlockdevOptions
from guimirror.qapi.errors import QAPIError

Command = tuple[str, dict[str, Any]]


async def run_ours(graph: BlockGraph, command: str, arguments: dict[str, Any]) -> Any:
    try:
        if command == "blockdev-add":
            await graph.blockdev_add(parse_arguments(BlockdevOptions, arguments))
            return {}
        if command == "blockdev-del":
            await graph.blockdev_del(arguments["node-name"])
            return {}
        if command == "query-named-block-nodes":
            flat = bool(arguments.get("flat"))
            return [info.to_qmp() for info in graph.query_named_block_nodes(flat)]
    except QAPIError as exc:
        return ("error", exc.desc)
    raise AssertionError(command)


def normalized(reply: Any) -> Any:
    """Generated node names by order of appearance; json: filenames parsed."""
    names: dict[str, str] = {}

    def walk(value: Any) -> Any:
        if isinstance(value, dict):
            return {key: walk(item) for key, item in value.items()}
        if isinstance(value, list):
            return [walk(item) for item in value]
        if isinstance(value, str) and value.startswith("#block"):
            return names.setdefault(value, f"#generated{len(names)}")
        if isinstance(value, str) and value.startswith("json:"):
            return ("json", walk(json.loads(value[5:])))
        return value

    return walk(reply)


def compare(tmp_path: Path, qsd: Any, script: list[Command]) -> list[Any]:
    def fill(arguments: dict[str, Any]) -> dict[str, Any]:
        return json.loads(json.dumps(arguments).replace("{dir}", str(tmp_path)))

    async def scenario() -> list[Any]:
        graph = BlockGraph()
        theirs: list[Any] = []
        ours: list[Any] = []
        try:
            async with qsd() as daemon:
                for command, arguments in script:
                    theirs.append(normalized(await daemon.run(command, fill(arguments))))
                    ours.append(normalized(await run_ours(graph, command, fill(arguments))))
        finally:
            await graph.close()
        for (command, arguments), q, o in zip(script, theirs, ours, strict=True):
            if isinstance(q, list) and isinstance(o, list) and len(q) == len(o):
                for q_entry, o_entry in zip(q, o, strict=True):
                    assert o_entry == q_entry, f"{command} {arguments}"
            assert o == q, f"{command} {arguments}:\n qemu: {q}\n ours: {o}"
        return ours

    return asyncio.run(scenario())


def images(tmp_path: Path, *names: str, size: int = 4 << 20) -> None:
    for name in names:
        with open(tmp_path / f"{name}.img", "wb") as f:
            f.truncate(size)
            f.seek(4096)
            f.write(b"data" * 1024)


def test_blockdev_add_and_del_errors_match_qemu(tmp_path: Path, qsd: Any) -> None:
    images(tmp_path, "a", "b")
    file_a = {"driver": "file", "filename": "{dir}/a.img"}
    script: list[Command] = [
        ("blockdev-add", {**file_a, "node-name": "f1"}),
        ("blockdev-add", {"driver": "raw", "node-name": "r1", "file": "f1"}),
        ("blockdev-add", {**file_a, "node-name": "f1"}),
        ("blockdev-add", {**file_a, "node-name": "#x"}),
        ("blockdev-add", {**file_a, "node-name": "1x"}),
        ("blockdev-add", {**file_a, "node-name": ""}),
        ("blockdev-add", file_a),
        ("blockdev-add", {**file_a, "node-name": "a" * 32}),
        ("blockdev-add", {**file_a, "node-name": "a" * 31, "read-only": True}),
        ("blockdev-add", {**file_a, "node-name": "fs", "force-share": True}),
        ("blockdev-add", {**file_a, "node-name": "fs", "force-share": True, "read-only": True}),
        ("blockdev-add", {**file_a, "node-name": "aio", "aio": "native"}),
        ("blockdev-add", {"driver": "file", "node-name": "nofile", "filename": "{dir}/no.img"}),
        ("blockdev-add", {"driver": "file", "node-name": "dir", "filename": "{dir}"}),
        ("blockdev-add", {"driver": "raw", "node-name": "rr", "file": "nope"}),
        ("blockdev-add", {"driver": "host_device", "node-name": "hd", "filename": "{dir}/a.img"}),
        (
            "blockdev-add",
            {"driver": "raw", "node-name": "dup", "file": {**file_a, "node-name": "f1"}},
        ),
        (
            "blockdev-add",
            {
                "driver": "raw",
                "node-name": "r2",
                "file": {"driver": "file", "filename": "{dir}/b.img"},
            },
        ),
        ("blockdev-add", {"driver": "null-co", "node-name": "n1", "size": 1 << 20}),
        ("blockdev-add", {"driver": "raw", "node-name": "w1", "file": "f1", "offset": 5 << 20}),
        (
            "blockdev-add",
            {"driver": "raw", "node-name": "w2", "file": "f1", "offset": 4096, "size": 4 << 20},
        ),
        (
            "blockdev-add",
            {"driver": "raw", "node-name": "w3", "file": "f1", "offset": 4096, "size": 8192},
        ),
        ("blockdev-del", {"node-name": "w3"}),
        ("blockdev-del", {"node-name": "nope"}),
        ("blockdev-del", {"node-name": "f1"}),
        ("blockdev-del", {"node-name": "r1"}),
        ("blockdev-del", {"node-name": "f1"}),
        ("blockdev-del", {"node-name": "r2"}),
        ("blockdev-del", {"node-name": "r2"}),
        ("blockdev-del", {"node-name": "a" * 31}),
        ("blockdev-del", {"node-name": "fs"}),
        ("query-named-block-nodes", {}),
    ]
    ours = compare(tmp_path, qsd, script)
    assert ours[2] == ("error", "Duplicate nodes with node-name='f1'")
    assert ours[-1] == [normalized(ours[-1][0])] and ours[-1][0]["node-name"] == "n1"


def test_inline_child_is_not_monitor_owned_like_qemu(tmp_path: Path, qsd: Any) -> None:
    images(tmp_path, "a")
    script: list[Command] = [
        (
            "blockdev-add",
            {
                "driver": "raw",
                "node-name": "r",
                "file": {"driver": "file", "node-name": "r-file", "filename": "{dir}/a.img"},
            },
        ),
        ("blockdev-del", {"node-name": "r-file"}),
        ("blockdev-del", {"node-name": "r"}),
        ("query-named-block-nodes", {}),
    ]
    ours = compare(tmp_path, qsd, script)
    assert ours[1] == ("error", "Node r-file is not owned by the monitor")
    assert ours[-1] == []


def test_query_named_block_nodes_matches_qemu_field_by_field(tmp_path: Path, qsd: Any) -> None:
    images(tmp_path, "a", "b", "c", "d")
    script: list[Command] = [
        ("blockdev-add", {"driver": "file", "node-name": "f1", "filename": "{dir}/a.img"}),
        ("blockdev-add", {"driver": "raw", "node-name": "r1", "file": "f1"}),
        ("blockdev-add", {"driver": "raw", "node-name": "rr", "file": "r1"}),
        (
            "blockdev-add",
            {
                "driver": "raw",
                "node-name": "r2",
                "discard": "unmap",
                "file": {
                    "driver": "file",
                    "filename": "{dir}/b.img",
                    "cache": {"direct": True, "no-flush": True},
                },
            },
        ),
        (
            "blockdev-add",
            {
                "driver": "raw",
                "node-name": "ro",
                "read-only": True,
                "file": {"driver": "file", "node-name": "ro-file", "filename": "{dir}/c.img"},
            },
        ),
        ("blockdev-add", {"driver": "null-co", "node-name": "n1", "size": 1 << 20}),
        ("blockdev-add", {"driver": "null-co", "node-name": "n2", "read-zeroes": True}),
        (
            "blockdev-add",
            {"driver": "raw", "node-name": "w", "file": "f1", "offset": 4096, "size": 8192},
        ),
        (
            "blockdev-add",
            {
                "driver": "blkdebug",
                "node-name": "d1",
                "image": "r1",
                "inject-error": [{"event": "read_aio", "errno": 5, "sector": 2048, "once": True}],
            },
        ),
        (
            "blockdev-add",
            {
                "driver": "raw",
                "node-name": "rd",
                "file": {
                    "driver": "blkdebug",
                    "node-name": "rd-dbg",
                    "inject-error": [{"event": "write_aio", "iotype": "write", "errno": 28}],
                    "image": {"driver": "file", "node-name": "rd-file", "filename": "{dir}/d.img"},
                },
            },
        ),
        ("query-named-block-nodes", {}),
        ("query-named-block-nodes", {"flat": True}),
    ]
    ours = compare(tmp_path, qsd, script)
    by_name = {entry["node-name"]: entry for entry in ours[-1]}
    assert by_name["ro-file"]["ro"] is True
    assert by_name["#generated0"]["cache"] == {"writeback": True, "direct": True, "no-flush": True}
    assert by_name["n2"]["image"]["virtual-size"] == 1 << 30
    assert "cluster-size" not in by_name["r1"]["image"]
