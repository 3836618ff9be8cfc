# SPDX-License-Identifier: GPL-2.0-or-later
"""Writes through a node added over a mirror's source while the mirror runs, the smallest case.

``{"driver": "raw", "node-name": "late", "file": "src"}`` added while ``src`` is mirrored
attaches below the mirror's filter. QEMU 7.2 still mirrors the writes made through it (its
dirty bitmap is on the source node, which sees them); QEMU 10.0 does not (its bitmap is on
the filter, which they bypass), so after the pivot the target lacks them. The built-in engine
gives such a node the filter as its child, and mirrors them.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from guimirror.session.connection import QMPConnection
from guimirror.session.endpoint import BuiltinEndpoint, DaemonEndpoint, Endpoint

from ..support import QEMU_VERSIONS, require_qemu, require_tools

MiB = 1024 * 1024
#: Whether each engine mirrors the late node's write.
MIRRORED = {"qemu-7.2": True, "qemu-10.0": False, "builtin": True}
assert set(MIRRORED) == {*(f"qemu-{v}" for v in QEMU_VERSIONS), "builtin"}


@pytest.fixture
def directory() -> Iterator[str]:
    path = tempfile.mkdtemp(prefix="gm-late-")
    with open(os.path.join(path, "src.img"), "wb") as f:
        f.write(os.urandom(4 * MiB))
    with open(os.path.join(path, "tgt.img"), "wb") as f:
        f.truncate(4 * MiB)
    yield path
    for name in os.listdir(path):
        os.unlink(os.path.join(path, name))
    os.rmdir(path)


def _raw(name: str, directory: str) -> dict[str, object]:
    return {"driver": "raw", "node-name": name,
            "file": {"driver": "file", "filename": f"{directory}/{name}.img"}}


async def _until(done: Callable[[list[Any]], bool], qmp: QMPConnection) -> None:
    """Poll query-block-jobs until ``done`` says so (for up to 30 s)."""
    for _ in range(1500):
        if done(await qmp.execute("query-block-jobs")):
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the job never got there")


@pytest.mark.parametrize("engine", list(MIRRORED))
def test_write_through_a_late_node_after_ready(engine: str, directory: str) -> None:
    require_tools("qemu-io")
    endpoint: Endpoint
    if engine == "builtin":
        endpoint = BuiltinEndpoint("builtin")
    else:
        endpoint = DaemonEndpoint("qsd", binary=require_qemu(engine.removeprefix("qemu-")))

    async def scenario() -> None:
        async with endpoint:
            qmp = endpoint.client.connection
            await qmp.execute("blockdev-add", _raw("src", directory))
            await qmp.execute("blockdev-add", _raw("tgt", directory))
            await qmp.execute("nbd-server-start", {
                "addr": {"type": "unix", "data": {"path": f"{directory}/nbd.sock"}}})
            await qmp.execute("blockdev-mirror", {
                "job-id": "j", "device": "src", "target": "tgt", "sync": "full"})
            await _until(lambda jobs: jobs[0]["ready"], qmp)
            await qmp.execute("blockdev-add", {"driver": "raw", "node-name": "late",
                                               "file": "src"})
            await qmp.execute("block-export-add", {"type": "nbd", "id": "late",
                                                   "node-name": "late", "writable": True})
            write = await asyncio.create_subprocess_exec(
                "qemu-io", "-f", "raw", "-c", "write -P 0x5a 0 64k",
                f"nbd+unix:///late?socket={directory}/nbd.sock",
                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            _, error = await write.communicate()
            assert write.returncode == 0, error.decode()
            await qmp.execute("job-complete", {"id": "j"})
            await _until(lambda jobs: not jobs, qmp)

    asyncio.run(scenario())
    with open(os.path.join(directory, "src.img"), "rb") as f:
        assert f.read(64 * 1024) == b"\x5a" * 64 * 1024
    with open(os.path.join(directory, "tgt.img"), "rb") as f:
        assert (f.read(64 * 1024) == b"\x5a" * 64 * 1024) is MIRRORED[engine]
