# SPDX-License-Identifier: GPL-2.0-or-later
"""quit with a running mirror job and an NBD export in use: qemu-storage-daemon and
guimirror-daemon send the same shutdown events, all of them before the reply to quit, and
hang up right after it.

Compared: the exports' BLOCK_EXPORT_DELETED, then the job's events (JOB_STATUS_CHANGE,
BLOCK_JOB_CANCELLED without its timing dependent ``offset``), in one order, all of them before
the reply. Allowed to differ, and why:
- qemu-storage-daemon drains the graph while it shuts down, so the job also reports
  paused/running pairs; the built-in engine has no drain;
- qemu-storage-daemon often resets the unix socket after the reply instead of closing it
  cleanly (always when an NBD client was connected); the reply still arrives before the
  reset, but asyncio's StreamReader drops what it buffered once a reset is seen, so the
  messages are read here from the socket itself.
"""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.qmp.daemons import start_daemon
from tests.qmp.wire import stop
from tests.support import QEMU_VERSIONS, require_qemu, require_tools

SIZE = 64 << 20
REPLY = "reply"
HANG_UP = "hang-up"


class SocketLines:
    """QMP messages read from a plain socket, keeping every byte that came before a reset."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.buffer = b""
        self.events: list[dict[str, Any]] = []

    async def read(self) -> dict[str, Any]:
        """The next message; EOFError at a clean or reset end of the connection."""
        loop = asyncio.get_running_loop()
        while b"\r\n" not in self.buffer:
            try:
                data = await asyncio.wait_for(loop.sock_recv(self.sock, 65536), 10)
            except ConnectionResetError:
                data = b""
            if not data:
                raise EOFError
            self.buffer += data
        line, _, self.buffer = self.buffer.partition(b"\r\n")
        message: dict[str, Any] = json.loads(line)
        return message

    async def execute(self, command: str, **arguments: Any) -> dict[str, Any]:
        request = {"execute": command, "arguments": arguments}
        await asyncio.get_running_loop().sock_sendall(self.sock, json.dumps(request).encode())
        while "event" in (message := await self.read()):
            self.events.append(message)
        return message


def command_line(directory: Path) -> list[str]:
    return [
        "--blockdev", f"null-co,node-name=n1,size={SIZE}",
        "--blockdev", f"null-co,node-name=n2,size={SIZE}",
        "--chardev", f"socket,id=m0,path={directory / 'qmp.sock'},server=on,wait=off",
        "--monitor", "chardev=m0",
        "--nbd-server", f"addr.type=unix,addr.path={directory / 'nbd.sock'}",
        "--export", "type=nbd,id=exp0,node-name=n1,name=n1",
    ]


async def nbd_client(directory: Path) -> asyncio.subprocess.Process:
    """qemu-io connected to the export, having read from it once."""
    process = await asyncio.create_subprocess_exec(
        "qemu-io", "-r", "-f", "raw", f"nbd+unix:///n1?socket={directory / 'nbd.sock'}",
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write(b"read 0 512\n")
    await process.stdin.drain()
    line = await asyncio.wait_for(process.stdout.readline(), 10)
    assert b"read 512/512 bytes" in line, line
    return process


def digest(message: dict[str, Any]) -> Any:
    if "event" not in message:
        return (REPLY, message)
    data = dict(message.get("data", {}))
    if message["event"] == "BLOCK_JOB_CANCELLED":
        data.pop("offset")
    return (message["event"], data)


async def quit_with_job_and_export(kind: str, tmp_path: Path, program: str = "qemu-storage-daemon"
                                   ) -> tuple[list[Any], int, bytes]:
    """Every message after quit, in order, then HANG_UP; the exit status; and what the NBD
    client says when it reads again after the quit."""
    directory = tmp_path / kind
    directory.mkdir(mode=0o700)
    process = await start_daemon(kind, command_line(directory), directory / "qmp.sock", program)
    loop = asyncio.get_running_loop()
    reader: asyncio.subprocess.Process | None = None
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.setblocking(False)
            await loop.sock_connect(sock, str(directory / "qmp.sock"))
            client = SocketLines(sock)
            assert "QMP" in await client.read()
            assert await client.execute("qmp_capabilities") == {"return": {}}
            mirror = {"job-id": "j", "device": "n1", "target": "n2", "sync": "full",
                      "speed": 1 << 20}
            assert await client.execute("blockdev-mirror", **mirror) == {"return": {}}
            while not any(e.get("data", {}).get("status") == "running"
                          for e in client.events):
                client.events.append(await client.read())
            reader = await nbd_client(directory)
            await loop.sock_sendall(sock, b'{"execute": "quit", "id": "bye"}\n')
            after: list[Any] = []
            while True:
                try:
                    after.append(digest(await client.read()))
                except EOFError:
                    after.append(HANG_UP)
                    break
        status = await asyncio.wait_for(process.wait(), 20)
        assert reader.stdin is not None and reader.stdout is not None
        reader.stdin.write(b"read 0 512\n")
        reader.stdin.close()
        nbd_says = await asyncio.wait_for(reader.stdout.read(), 10)
        return after, status, nbd_says
    finally:
        if reader is not None and reader.returncode is None:
            reader.kill()
            await reader.wait()
        await stop(process)


def without_drain(messages: list[Any]) -> list[Any]:
    return [m for m in messages
            if m[0] != "JOB_STATUS_CHANGE" or m[1]["status"] not in ("paused", "running")]


def job_events(messages: list[Any]) -> list[Any]:
    return [m for m in messages if m[0] in ("JOB_STATUS_CHANGE", "BLOCK_JOB_CANCELLED")]


def export_events(messages: list[Any]) -> list[Any]:
    return [m for m in messages if m[0] == "BLOCK_EXPORT_DELETED"]


@pytest.mark.parametrize("version", QEMU_VERSIONS)
def test_quit_sends_the_shutdown_events_before_its_reply(tmp_path: Path, version: str) -> None:
    require_tools("qemu-io")
    program = require_qemu(version)

    async def both() -> None:
        qemu, qemu_status, qemu_nbd = await quit_with_job_and_export("qemu", tmp_path, program)
        ours, ours_status, ours_nbd = await quit_with_job_and_export("guimirror", tmp_path)
        assert (ours_status, qemu_status) == (0, 0)
        # The NBD client was disconnected: its next read fails.
        for nbd_says in (qemu_nbd, ours_nbd):
            assert b"read failed: Input/output error" in nbd_says, nbd_says
        bye = (REPLY, {"return": {}, "id": "bye"})
        for after in (qemu, ours):
            assert after[-2:] == [bye, HANG_UP], after
        qemu, ours = without_drain(qemu[:-2]), ours[:-2]
        assert job_events(ours) == job_events(qemu) == [
            ("JOB_STATUS_CHANGE", {"id": "j", "status": "aborting"}),
            ("BLOCK_JOB_CANCELLED", {"device": "j", "len": SIZE, "speed": 1 << 20,
                                     "type": "mirror"}),
            ("JOB_STATUS_CHANGE", {"id": "j", "status": "concluded"}),
            ("JOB_STATUS_CHANGE", {"id": "j", "status": "null"}),
        ]
        assert export_events(ours) == export_events(qemu) == [
            ("BLOCK_EXPORT_DELETED", {"id": "exp0"})]
        # The exports go first, then the job; nothing else is sent before the reply.
        assert ours == qemu == export_events(qemu) + job_events(qemu)

    asyncio.run(both())
