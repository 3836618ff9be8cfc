# SPDX-License-Identifier: GPL-2.0-or-later
"""A raw QMP client for tests: bytes in, every reply line out, nothing smoothed over."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import subprocess
from pathlib import Path
from typing import Any

from qemu.qmp import QMPError

from guimirror.session.launcher import await_ready, ready_monitor

SYNC_ID = {"sync": "wire"}
READ_LIMIT = 64 << 20


class RawClient:
    """Writes exactly the bytes given and reads QMP messages line by line."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.events: list[dict[str, Any]] = []

    @classmethod
    async def connect(cls, path: str | os.PathLike[str]) -> tuple[RawClient, dict[str, Any]]:
        reader, writer = await asyncio.open_unix_connection(str(path), limit=READ_LIMIT)
        client = cls(reader, writer)
        return client, await client.read()

    async def send(self, data: bytes) -> None:
        self.writer.write(data)
        await self.writer.drain()

    async def read(self, wait: float = 10.0) -> dict[str, Any]:
        line = await asyncio.wait_for(self.reader.readline(), wait)
        if not line:
            raise EOFError("server closed the connection")
        assert line.endswith(b"\r\n"), line
        message: dict[str, Any] = json.loads(line)
        return message

    async def reply(self, wait: float = 10.0) -> dict[str, Any]:
        """The next message that is not an event (events are kept in ``events``)."""
        while True:
            message = await self.read(wait)
            if "event" in message:
                self.events.append(message)
                continue
            return message

    async def execute(self, command: str, **arguments: Any) -> dict[str, Any]:
        request: dict[str, Any] = {"execute": command}
        if arguments:
            request["arguments"] = arguments
        await self.send(json.dumps(request).encode() + b"\n")
        return await self.reply()

    async def replies_to(self, data: bytes, sync: int) -> list[dict[str, Any]]:
        """Every reply to ``data``: it is followed by a byte that resets QEMU's JSON
        parser and a query-version tagged ``sync``; the replies up to that one are returned
        (the reset's own error reply included)."""
        tag = {**SYNC_ID, "n": sync}
        probe = json.dumps({"execute": "query-version", "id": tag}).encode()
        await self.send(data + b"\n\xff\n" + probe + b"\n")
        replies: list[dict[str, Any]] = []
        while True:
            message = await self.reply()
            if message.get("id") == tag:
                return replies
            replies.append(message)

    async def close(self) -> None:
        self.writer.close()
        with contextlib.suppress(ConnectionError):
            await self.writer.wait_closed()


def normalise_version(message: dict[str, Any]) -> dict[str, Any]:
    """query-version's reply with the version and package blanked: they name the engine."""
    result = message.get("return")
    if isinstance(result, dict) and "qemu" in result and "package" in result:
        return {**message, "return": "<version>"}
    return message


async def start_qsd(directory: Path, *extra: str, program: str = "qemu-storage-daemon"
                    ) -> tuple[asyncio.subprocess.Process, Path]:
    """A qemu-storage-daemon with a QMP monitor on ``directory``/qsd.sock."""
    sock = directory / "qsd.sock"
    process = await spawn_qsd(
        "--chardev", f"socket,id=m0,path={sock},server=on,wait=off",
        "--monitor", "chardev=m0", *extra, program=program)
    return process, sock


async def spawn_qsd(*args: str, env: dict[str, str] | None = None, wait: float = 20.0,
                    program: str = "qemu-storage-daemon") -> asyncio.subprocess.Process:
    """Run qemu-storage-daemon with ``args``; return once every monitor in them is set up.

    Every test that starts qemu-storage-daemon by hand starts it here. A client that connects
    to a socket monitor of qemu-storage-daemon 7.2 before the daemon has moved that monitor to
    its I/O thread can crash or hang it (guimirror.session.launcher explains), so the daemon gets
    one more monitor, last, on a socket pair, and its first answer says the others are safe
    to connect to. Nothing is retried: a daemon that dies fails the test with its stderr.
    ``program``: another version's qemu-storage-daemon (tests.support.qemu_program).
    """
    ours, theirs, options = ready_monitor()
    try:
        process = await asyncio.create_subprocess_exec(
            program, *args, *options, env=env,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, pass_fds=(theirs.fileno(),))
    except BaseException:
        ours.close()
        raise
    finally:
        theirs.close()
    try:
        client = await await_ready(ours, wait, "test-ready")
    except (TimeoutError, QMPError, OSError, EOFError) as error:
        if process.returncode is None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(process.wait(), 1.0)
        if process.returncode is None:
            process.kill()
            await process.wait()
            raise RuntimeError(f"qemu-storage-daemon did not greet within {wait:g} s") from error
        err = await process.stderr.read() if process.stderr else b""
        raise RuntimeError(
            f"qemu-storage-daemon exited with {process.returncode}: {err.decode()}") from error
    await client.disconnect()
    return process


async def wait_for_socket(path: Path, process: asyncio.subprocess.Process,
                          wait: float = 20.0) -> None:
    """Wait until ``path`` accepts connections, failing if the process exits first."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait
    while True:
        if process.returncode is not None:
            err = await process.stderr.read() if process.stderr else b""
            raise RuntimeError(f"daemon exited with {process.returncode}: {err.decode()}")
        try:
            _reader, writer = await asyncio.open_unix_connection(str(path))
        except (FileNotFoundError, ConnectionRefusedError):
            if loop.time() > deadline:
                raise
            await asyncio.sleep(0.05)
            continue
        writer.close()
        return


async def stop(process: asyncio.subprocess.Process) -> None:
    if process.returncode is None:
        process.terminate()
        try:
            await asyncio.wait_for(process.wait(), 10)
        except TimeoutError:
            process.kill()
            await process.wait()
