# SPDX-License-Identifier: GPL-2.0-or-later
"""A whole mirror on guimirror-daemon, driven by real clients.

qemu.qmp's QMPClient adds the target, starts the mirror and completes it; qemu-io writes
through the daemon's NBD export of the source while the mirror copies and after READY;
nbdinfo reads the export; qemu-img compare finds source and target identical; after the
pivot the same export serves the target. SIGTERM then ends the daemon with status 0.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
from pathlib import Path
from typing import Any

from qemu.qmp import QMPClient

from tests.qmp.daemons import start_daemon
from tests.support import require_tools

SIZE = 8 << 20
SPEED = 1 << 20  # slow enough that the bulk copy outlasts a qemu-io run


async def _tool(*argv: str) -> str:
    process = await asyncio.create_subprocess_exec(
        *argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out, _ = await process.communicate()
    assert process.returncode == 0, f"{argv}: {out.decode()}"
    return out.decode()


async def _event(client: QMPClient, name: str, seen: list[str]) -> dict[str, Any]:
    async with asyncio.timeout(60):
        async for event in client.events:
            message: dict[str, Any] = dict(event)
            data = message.get("data", {})
            seen.append(data["status"] if message["event"] == "JOB_STATUS_CHANGE"
                        else message["event"])
            if message["event"] == name:
                return message
    raise AssertionError(f"no {name}")


async def _scenario(tmp_path: Path) -> None:
    source = tmp_path / "src.img"
    target = tmp_path / "tgt.img"
    source.write_bytes(os.urandom(SIZE))
    target.write_bytes(b"")
    os.truncate(target, SIZE)
    qmp_sock = tmp_path / "qmp.sock"
    nbd_uri = f"nbd+unix:///src?socket={tmp_path / 'nbd.sock'}"
    process = await start_daemon("guimirror", [
        "--blockdev", f"driver=file,node-name=src-file,filename={source}",
        "--blockdev", "raw,node-name=src,file=src-file",
        "--chardev", f"socket,id=m0,path={qmp_sock},server=on,wait=off",
        "--monitor", "chardev=m0",
        "--nbd-server", f"addr.type=unix,addr.path={tmp_path / 'nbd.sock'}",
        "--export", "type=nbd,id=exp0,node-name=src,name=src,writable=on",
        "--pidfile", str(tmp_path / "daemon.pid"),
    ], qmp_sock)
    client = QMPClient("guimirror-daemon")
    try:
        await client.connect(str(qmp_sock))
        assert int((tmp_path / "daemon.pid").read_text()) == process.pid
        info = json.loads(await _tool("nbdinfo", "--json", nbd_uri))
        assert info["exports"][0]["export-name"] == "src"
        assert info["exports"][0]["export-size"] == SIZE

        await client.execute("blockdev-add", {
            "driver": "file", "node-name": "tgt-file", "filename": str(target)})
        await client.execute("blockdev-add", {
            "driver": "raw", "node-name": "tgt", "file": "tgt-file"})
        seen: list[str] = []
        await client.execute("blockdev-mirror", {
            "job-id": "m", "device": "src", "target": "tgt", "sync": "full", "speed": SPEED,
            "buf-size": 256 << 10})

        # A write while the bulk copy runs, near the start (behind the copy cursor soon).
        await _tool("qemu-io", "-f", "raw", nbd_uri, "-c", "write -P 0xa5 64k 1M")
        jobs = await client.execute("query-block-jobs")
        assert isinstance(jobs, list) and jobs[0]["device"] == "m"
        assert jobs[0]["status"] == "running" and not jobs[0]["ready"]
        assert jobs[0]["offset"] < jobs[0]["len"]
        await client.execute("block-job-set-speed", {"device": "m", "speed": 0})

        ready = await _event(client, "BLOCK_JOB_READY", seen)
        assert ready["data"]["device"] == "m"
        assert ready["data"]["offset"] == ready["data"]["len"] >= SIZE
        await _tool("qemu-io", "-f", "raw", nbd_uri, "-c", "write -P 0x5a 5M 512k")

        await client.execute("job-complete", {"id": "m"})
        completed = await _event(client, "BLOCK_JOB_COMPLETED", seen)
        assert "error" not in completed["data"]
        await _event(client, "JOB_STATUS_CHANGE", seen)
        assert seen == ["created", "running", "ready", "BLOCK_JOB_READY", "waiting", "pending",
                        "BLOCK_JOB_COMPLETED", "concluded"]
        assert "Images are identical" in await _tool(
            "qemu-img", "compare", "-U", "-f", "raw", "-F", "raw", str(source), str(target))

        exports = await client.execute("query-block-exports")
        assert isinstance(exports, list) and exports[0]["node-name"] == "tgt"
        await _tool("qemu-io", "-f", "raw", nbd_uri, "-c", "write -P 0x3c 7M 4k")
        with target.open("rb") as f:
            f.seek(7 << 20)
            assert f.read(4096) == b"\x3c" * 4096
        with source.open("rb") as f:
            f.seek(7 << 20)
            assert f.read(4096) != b"\x3c" * 4096
    finally:
        await client.disconnect()
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
        stderr = await process.stderr.read() if process.stderr else b""
        status = await asyncio.wait_for(process.wait(), 20)
    assert status == 0, stderr.decode()
    assert not (tmp_path / "daemon.pid").exists()


def test_whole_mirror_with_qmp_client_qemu_io_nbdinfo_and_qemu_img(tmp_path: Path) -> None:
    require_tools("qemu-io", "qemu-img", "nbdinfo")
    asyncio.run(_scenario(tmp_path))


async def _stop_during_mirror(tmp_path: Path, how: str) -> None:
    directory = tmp_path / how
    directory.mkdir(mode=0o700)
    qmp_sock = directory / "qmp.sock"
    process = await start_daemon("guimirror", [
        "--blockdev", f"driver=null-co,node-name=src,size={SIZE}",
        "--blockdev", f"driver=null-co,node-name=tgt,size={SIZE}",
        "--chardev", f"socket,id=m0,path={qmp_sock},server=on,wait=off",
        "--monitor", "chardev=m0",
    ], qmp_sock)
    client = QMPClient(how)
    seen: list[str] = []
    try:
        await client.connect(str(qmp_sock))
        await client.execute("blockdev-mirror", {
            "job-id": "m", "device": "src", "target": "tgt", "sync": "full",
            "speed": 1 << 20})
        jobs = await client.execute("query-block-jobs")
        assert isinstance(jobs, list) and jobs[0]["status"] == "running"
        if how == "quit":
            assert await client.execute("quit") == {}
        else:
            process.send_signal(signal.SIGTERM)
        # The job is cancelled, never completed, and the clients hear it.
        await _event(client, "BLOCK_JOB_CANCELLED", seen)
        assert "BLOCK_JOB_COMPLETED" not in seen
    finally:
        # The daemon ends the connection as it exits, as QEMU does.
        with contextlib.suppress(EOFError):
            await client.disconnect()
        stderr = await process.stderr.read() if process.stderr else b""
        status = await asyncio.wait_for(process.wait(), 20)
    assert status == 0, stderr.decode()


def test_sigterm_cancels_a_running_mirror_and_exits_0(tmp_path: Path) -> None:
    asyncio.run(_stop_during_mirror(tmp_path, "sigterm"))


def test_quit_cancels_a_running_mirror_and_exits_0(tmp_path: Path) -> None:
    asyncio.run(_stop_during_mirror(tmp_path, "quit"))
