# SPDX-License-Identifier: GPL-2.0-or-later
"""FUA on the engine's node interface, observed where it lands.

nbdkit's log filter records every request an NBD server receives with its ``fua`` flag:
the ``nbd`` driver sends FUA when the server advertises it, else writes and then flushes,
and an export of a node over an ``nbd`` node passes its client's FUA down. strace records
the ``file`` driver's system calls: a FUA write is pwritev2 with RWF_DSYNC, FUA zeroes are
followed by fdatasync, and a plain write is neither.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from guimirror.engine.drivers.nbd import NbdNode
from guimirror.engine.engine import Engine
from tests.engine.mirror_support import add_node, make_image, run
from tests.nbd.servers import daemon_options
from tests.qmp.daemons import daemon_argv, daemon_env
from tests.qmp.wire import stop, wait_for_socket
from tests.support import require_tools

KiB = 1024
MiB = 1024 * KiB

pytestmark = pytest.mark.qemu


@contextlib.asynccontextmanager
async def nbdkit(image: Path, sock: Path, log: Path, *filters: str) -> AsyncIterator[None]:
    """nbdkit serving ``image``, every request logged to ``log``; ``fua`` as a filter
    (its default fuamode=none) stops it advertising FUA."""
    require_tools("nbdkit")
    process = await asyncio.create_subprocess_exec(
        "nbdkit", "-f", "-U", str(sock), "--filter=log", *(f"--filter={f}" for f in filters),
        "file", f"file={image}", f"logfile={log}",
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        await wait_for_socket(sock, process)
        yield
    finally:
        await stop(process)


def logged_writes(log: Path) -> list[str]:
    """The writes, zero writes and flushes nbdkit received, as ``Write 0x10000 fua=1``."""
    found = []
    for line in log.read_text().splitlines():
        request = re.search(r" (Write|Zero|Flush) id=\d+(.*) \.\.\.$", line)
        if request:
            fields = dict(re.findall(r"(\w+)=(\S+)", request.group(2)))
            parts = [request.group(1), fields.get("offset"),
                     f"fua={fields['fua']}" if "fua" in fields else None]
            found.append(" ".join(part for part in parts if part))
    return found


async def add_nbd_node(engine: Engine, sock: Path, name: str = "remote") -> NbdNode:
    await add_node(engine, driver="nbd", node_name=name, export="",
                   server={"type": "unix", "path": str(sock)})
    node = engine.graph.find_node(name)
    assert isinstance(node, NbdNode)
    return node


@pytest.mark.parametrize(("filters", "expected"), [
    ((), ["Write 0x0 fua=0", "Write 0x10000 fua=1", "Zero 0x20000 fua=1"]),
    (("fua",), ["Write 0x0 fua=0", "Write 0x10000 fua=0", "Flush", "Zero 0x20000 fua=0",
                "Flush"]),
], ids=["server-advertises-fua", "server-without-fua"])
def test_nbd_node_sends_fua_or_writes_and_flushes(
        tmp_path: Path, sock_dir: Path, filters: tuple[str, ...], expected: list[str]) -> None:
    image = make_image(tmp_path / "remote.raw", MiB)
    log = tmp_path / "nbdkit.log"

    async def scenario() -> None:
        engine = Engine()
        try:
            async with nbdkit(image, sock_dir / "nbd.sock", log, *filters):
                node = await add_nbd_node(engine, sock_dir / "nbd.sock")
                await node.pwrite(0, b"\x11" * 4 * KiB)
                await node.pwrite(64 * KiB, b"\x22" * 4 * KiB, fua=True)
                await node.pwrite_zeroes(128 * KiB, 4 * KiB, fua=True)
                await run(engine, "blockdev-del", {"node-name": "remote"})
        finally:
            await engine.close()

    asyncio.run(scenario())
    assert logged_writes(log)[:len(expected)] == expected
    assert image.read_bytes()[64 * KiB:68 * KiB] == b"\x22" * 4 * KiB


@pytest.mark.parametrize("writethrough", [False, True])
def test_an_export_over_an_nbd_node_passes_its_clients_fua_down(
        tmp_path: Path, sock_dir: Path, writethrough: bool) -> None:
    """qemu-io writes with and without FUA (``write -f``) to our export of a raw node over
    an nbd node; nbdkit behind it sees the same flags (all FUA in writethrough), and no
    flush of the whole export in their place."""
    require_tools("qemu-io")
    image = make_image(tmp_path / "remote.raw", MiB)
    log = tmp_path / "nbdkit.log"
    ours = sock_dir / "ours.sock"

    async def scenario() -> None:
        engine = Engine()
        try:
            async with nbdkit(image, sock_dir / "nbd.sock", log):
                await add_nbd_node(engine, sock_dir / "nbd.sock")
                await add_node(engine, driver="raw", node_name="disk", file="remote")
                await run(engine, "nbd-server-start",
                          {"addr": {"type": "unix", "data": {"path": str(ours)}}})
                await run(engine, "block-export-add", {
                    "type": "nbd", "id": "e0", "node-name": "disk", "writable": True,
                    "writethrough": writethrough})
                client = await asyncio.create_subprocess_exec(
                    "qemu-io", "-t", "writeback", "-f", "raw",
                    f"nbd+unix:///disk?socket={ours}",
                    "-c", "write -f -P 0x33 0 4k", "-c", "write -P 0x44 64k 4k",
                    "-c", "write -z -f 128k 4k",
                    stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
                output, _ = await client.communicate()
                assert client.returncode == 0, output
                await run(engine, "block-export-del", {"id": "e0"})
        finally:
            await engine.close()

    asyncio.run(scenario())
    plain = "fua=1" if writethrough else "fua=0"
    assert logged_writes(log)[:3] == ["Write 0x0 fua=1", f"Write 0x10000 {plain}",
                                      "Zero 0x20000 fua=1"]
    content = image.read_bytes()
    assert content[:4 * KiB] == b"\x33" * 4 * KiB
    assert content[64 * KiB:68 * KiB] == b"\x44" * 4 * KiB


def test_file_node_fua_is_a_dsync_write_and_fua_zeroes_are_followed_by_fdatasync(
        tmp_path: Path, sock_dir: Path) -> None:
    """guimirror-daemon under strace exports a file; qemu-io writes plain, FUA, FUA zeroes,
    plain, then flushes as it closes."""
    require_tools("strace", "qemu-io")
    image = make_image(tmp_path / "disk.raw", MiB)
    trace = tmp_path / "strace.out"
    sock = sock_dir / "nbd.sock"
    pidfile = sock_dir / "daemon.pid"

    async def scenario() -> None:
        daemon = await asyncio.create_subprocess_exec(
            "strace", "-f", "-qq", "-s", "0", "-o", str(trace),
            "-e", "trace=pwritev,pwritev2,pwrite64,fdatasync,fsync",
            *daemon_argv("guimirror"), *daemon_options(image, sock), "--pidfile", str(pidfile),
            env=daemon_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            await wait_for_socket(sock, daemon, wait=60)
            client = await asyncio.create_subprocess_exec(
                "qemu-io", "-t", "writeback", "-f", "raw",
                f"nbd+unix:///disk?socket={sock}",
                "-c", "write -P 0x11 0 4k", "-c", "write -f -P 0x22 64k 4k",
                "-c", "write -z -f 128k 4k", "-c", "write -P 0x33 192k 4k",
                stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            output, _ = await client.communicate()
            assert client.returncode == 0, output
            # strace detaches on SIGTERM and leaves its tracee running: stop the daemon itself.
            os.kill(int(pidfile.read_text()), signal.SIGTERM)
            async with asyncio.timeout(60):
                await daemon.wait()
        finally:
            await stop(daemon)

    asyncio.run(scenario())
    calls = []
    text = trace.read_text()
    # A call another thread interrupts is split: "<unfinished ...>", later "<... resumed>".
    for line in text.splitlines():
        write = re.search(r"pwritev2?\(\d+, \[.*?\], \d+, (\d+)(?:, (\w+))?", line)
        if write:
            dsync = " RWF_DSYNC" if write.group(2) == "RWF_DSYNC" else ""
            calls.append(f"write {write.group(1)}{dsync}")
        elif re.search(r"f(data)?sync\(\d+", line):
            calls.append("fdatasync")
    assert calls == ["write 0", "write 65536 RWF_DSYNC", "fdatasync", "write 196608",
                     "fdatasync"], text
    assert image.read_bytes()[64 * KiB:68 * KiB] == b"\x22" * 4 * KiB
