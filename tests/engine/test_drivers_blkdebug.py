# SPDX-License-Identifier: GPL-2.0-or-later
"""blkdebug's inject-error rules against qemu-io: the same requests fail in the same order.

Each case opens raw over blkdebug over a file, in qemu-io (writeback cache, so no flush
follows each write) and in our graph, runs the same requests and compares which failed and
with which error.
"""

from __future__ import annotations

import asyncio
import errno
import os
import subprocess
from pathlib import Path

import pytest

from guimirror.engine.graph import BlockGraph
from guimirror.qapi.base import parse_arguments
from guimirror.qapi.blockdev import BlockdevOptions
from tests.support import require_tools

Rule = dict[str, object]

CASES: list[tuple[list[Rule], list[str]]] = [
    (
        [{"event": "read_aio", "sector": 2048}],
        ["read 0 4k", "read 1M 4k", "read 1M 4k", "write 1M 4k", "write 0 4k", "read 1M 4k"],
    ),
    ([{"event": "read_aio", "sector": 2048, "once": True}], ["read 1M 4k", "read 1M 4k"]),
    ([{"event": "read_aio"}], ["write 0 4k", "read 0 4k", "write 0 4k", "write -z 0 4k"]),
    (
        [{"event": "write_aio", "errno": errno.ENOSPC, "sector": 2048}],
        ["write 1M 4k", "read 1M 4k", "write 0 4k", "write -z 1M 4k", "read 2M 4k"],
    ),
    (
        [{"event": "read_aio", "sector": 2048}, {"event": "write_aio", "sector": 4096}],
        ["read 1M 4k", "write 1M 4k", "write 2M 4k", "read 2M 4k", "read 1M 4k"],
    ),
    (
        [{"event": "read_aio", "sector": 2049, "iotype": "read", "immediately": True}],
        ["read 1M 512", "read 1M 1k", "write 1M 1k"],
    ),
]


def qemu_io_results(path: Path, rules: list[Rule], requests: list[str]) -> list[str]:
    options = [
        "driver=raw",
        "file.driver=blkdebug",
        "file.image.driver=file",
        f"file.image.filename={path}",
    ]
    for index, rule in enumerate(rules):
        for key, value in rule.items():
            text = ("on" if value else "off") if isinstance(value, bool) else str(value)
            options.append(f"file.inject-error.{index}.{key}={text}")
    argv = ["qemu-io", "-t", "writeback", "--image-opts", ",".join(options)]
    for request in requests:
        argv += ["-c", request]
    out = subprocess.run(argv, capture_output=True, text=True, check=False).stdout
    results = []
    for line in out.splitlines():
        if "failed: " in line:
            results.append(line.split("failed: ", 1)[1])
        elif line.startswith(("read ", "wrote ")):
            results.append("ok")
    return results


def size_of(text: str) -> int:
    units = {"k": 1 << 10, "M": 1 << 20}
    return int(text[:-1]) * units[text[-1]] if text[-1] in units else int(text)


async def our_results(path: Path, rules: list[Rule], requests: list[str]) -> list[str]:
    graph = BlockGraph()
    node = await graph.add(
        parse_arguments(
            BlockdevOptions,
            {
                "driver": "raw",
                "node-name": "r",
                "file": {
                    "driver": "blkdebug",
                    "inject-error": rules,
                    "image": {"driver": "file", "filename": str(path)},
                },
            },
        )
    )
    results = []
    for request in requests:
        words = request.split()
        offset, length = size_of(words[-2]), size_of(words[-1])
        try:
            if words[0] == "read":
                await node.pread(offset, length)
            elif "-z" in words:
                await node.pwrite_zeroes(offset, length)
            else:
                await node.pwrite(offset, b"\x5a" * length)
            results.append("ok")
        except OSError as exc:
            results.append(os.strerror(exc.errno or 0))
    await graph.close()
    return results


@pytest.mark.parametrize(("rules", "requests"), CASES)
def test_rules_fail_the_requests_qemu_fails(
    tmp_path: Path, rules: list[Rule], requests: list[str]
) -> None:
    require_tools("qemu-io")
    path = tmp_path / "a.img"
    with open(path, "wb") as f:
        f.truncate(4 << 20)
    theirs = qemu_io_results(path, rules, requests)
    ours = asyncio.run(our_results(path, rules, requests))
    assert len(theirs) == len(requests)
    assert ours == theirs


def test_flush_rule_fails_a_flush_with_writes_to_write_back(tmp_path: Path) -> None:
    """As qemu-storage-daemon showed with a mirror's target flush (iotype default or flush)."""
    path = tmp_path / "a.img"
    with open(path, "wb") as f:
        f.truncate(1 << 20)

    async def scenario() -> None:
        graph = BlockGraph()
        node = await graph.add(
            parse_arguments(
                BlockdevOptions,
                {
                    "driver": "raw",
                    "node-name": "r",
                    "file": {
                        "driver": "blkdebug",
                        "inject-error": [{"event": "flush_to_disk", "once": True}],
                        "image": {"driver": "file", "filename": str(path)},
                    },
                },
            )
        )
        await node.flush()  # nothing written: no event, no error
        await node.pwrite(0, b"x" * 512)
        with pytest.raises(OSError):
            await node.flush()
        await node.flush()
        await graph.close()

    asyncio.run(scenario())
