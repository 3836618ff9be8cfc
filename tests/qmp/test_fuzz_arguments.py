# SPDX-License-Identifier: GPL-2.0-or-later
"""Random arguments to the engine's commands: guimirror-daemon answers as QEMU 7.2 does, and
as QEMU 10.0 does apart from the members 10.0 added to query-named-block-nodes' entries.

Both daemons start from the same command line; each gets the same 500 requests with
random members and values (wrong types, unknown members, several unknown ones at once,
nonexistent jobs and nodes). Requests that could change state always carry an unknown
member, so both daemons keep the same state and every reply is comparable. Replies must be
equal once each daemon's directory name is blanked out of them.
"""

from __future__ import annotations

import asyncio
import json
import random
from pathlib import Path
from typing import Any

import pytest

from tests.qmp.daemons import start_daemon
from tests.qmp.wire import RawClient, stop
from tests.support import QEMU_VERSIONS, require_qemu

REQUESTS = 500
COMMANDS = [
    "blockdev-add", "blockdev-del", "query-named-block-nodes", "blockdev-mirror",
    "query-block-jobs", "query-jobs", "block-job-set-speed", "block-job-pause",
    "block-job-resume", "block-job-cancel", "block-job-complete", "block-job-finalize",
    "block-job-dismiss", "job-pause", "job-resume", "job-cancel", "job-complete",
    "job-finalize", "job-dismiss", "nbd-server-stop", "block-export-add", "block-export-del",
    "query-block-exports",
]
STATEFUL = {"blockdev-add", "blockdev-del", "blockdev-mirror", "block-export-add"}
KEYS = ["node-name", "flat", "device", "speed", "force", "id", "job-id", "target", "sync",
        "granularity", "buf-size", "type", "name", "writable", "driver", "filename", "size",
        "on-source-error", "replaces", "copy-mode", "auto-finalize", "read-only", "cache"]
VALUES: list[Any] = [1, -1, 0, "x", "src", "tgt", "full", "none", True, False, None, [], {},
                     "nope", 65536, 3000, "background", "report", "nbd", "null-co",
                     {"direct": "on"}, {"direct": True, "bogus": 1}, 1.5, 1 << 63]


def requests(seed: int) -> list[bytes]:
    rng = random.Random(seed)
    out = []
    for _ in range(REQUESTS):
        command = rng.choice(COMMANDS)
        arguments = {key: rng.choice(VALUES) for key in rng.sample(KEYS, rng.randrange(0, 5))}
        if command in STATEFUL:
            arguments["bogus"] = 1
        out.append(json.dumps({"execute": command, "arguments": arguments}).encode())
    return out


async def _daemon(kind: str, tmp_path: Path, program: str = "qemu-storage-daemon"
                  ) -> tuple[asyncio.subprocess.Process, RawClient]:
    directory = tmp_path / kind
    directory.mkdir(mode=0o700)
    for name in ("s", "t"):
        with (directory / f"{name}.img").open("wb") as f:
            f.truncate(1 << 20)
    args = [
        "--blockdev", f"driver=file,node-name=sf,filename={directory / 's.img'}",
        "--blockdev", "raw,node-name=src,file=sf",
        "--blockdev", f"driver=file,node-name=tf,filename={directory / 't.img'}",
        "--blockdev", "raw,node-name=tgt,file=tf",
        "--chardev", f"socket,id=m0,path={directory / 'q.sock'},server=on,wait=off",
        "--monitor", "chardev=m0",
    ]
    process = await start_daemon(kind, args, directory / "q.sock", program)
    client, _ = await RawClient.connect(directory / "q.sock")
    assert await client.execute("qmp_capabilities") == {"return": {}}
    return process, client


def newer_nodes_as_7_2(replies: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """QEMU 10.0's query-named-block-nodes entries as 7.2 (and guimirror) give them: without
    ``active`` (node activation, new in 10.0) and without the empty ``format-specific`` that
    10.0 shows for file nodes. Other replies as they are."""
    out = []
    for reply in replies:
        nodes = reply.get("return")
        if isinstance(nodes, list) and nodes and isinstance(nodes[0], dict) and "drv" in nodes[0]:
            nodes = [{k: v for k, v in node.items() if k != "active"} for node in nodes]
            for node in nodes:
                image = node.get("image", {})
                if image.get("format-specific") == {"type": "file", "data": {}}:
                    node["image"] = {k: v for k, v in image.items() if k != "format-specific"}
            reply = {**reply, "return": nodes}
        out.append(reply)
    return out


async def _fuzz(tmp_path: Path, program: str) -> list[str]:
    qemu_process, qemu = await _daemon("qemu", tmp_path, program)
    ours_process, ours = await _daemon("guimirror", tmp_path)
    mismatches = []
    try:
        for n, data in enumerate(requests(seed=11)):
            expected = json.dumps(newer_nodes_as_7_2(await qemu.replies_to(data, n)),
                                  sort_keys=True)
            actual = json.dumps(await ours.replies_to(data, n), sort_keys=True)
            expected = expected.replace(str(tmp_path / "qemu"), "DIR")
            actual = actual.replace(str(tmp_path / "guimirror"), "DIR")
            if expected != actual:
                mismatches.append(f"{data!r}:\n  qemu: {expected}\n  ours: {actual}")
        for client in (qemu, ours):
            assert "return" in await client.execute("query-version")
            await client.close()
    finally:
        await stop(qemu_process)
        await stop(ours_process)
    return mismatches


@pytest.mark.parametrize("version", QEMU_VERSIONS)
def test_random_arguments_get_qemus_replies(tmp_path: Path, version: str) -> None:
    mismatches = asyncio.run(_fuzz(tmp_path, require_qemu(version)))
    assert not mismatches, f"{len(mismatches)} differ; first ones:\n" + "\n".join(mismatches[:6])
