# SPDX-License-Identifier: GPL-2.0-or-later
"""guimirror-daemon's QMP sockets serve one client at a time, as qemu-storage-daemon's
monitors do, and its start-up errors read as qemu-storage-daemon's (compared with its real
output)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from tests.qmp.daemons import run_daemon, start_daemon
from tests.qmp.wire import stop

pytestmark = pytest.mark.qemu

HELD_BACK = 0.5
"""Seconds a waiting client is watched to see that it gets no greeting."""


async def greeting(reader: asyncio.StreamReader) -> dict[str, object]:
    async with asyncio.timeout(10):
        return dict(json.loads(await reader.readline()))


@pytest.mark.parametrize("kind", ["qemu", "guimirror"])
def test_a_second_client_gets_its_greeting_when_the_first_leaves(
    kind: str, tmp_path: Path
) -> None:
    directory = tmp_path / "d"
    directory.mkdir(mode=0o700)
    qmp = directory / "qmp.sock"

    async def scenario() -> None:
        process = await start_daemon(
            kind, ["--chardev", f"socket,id=m0,path={qmp},server=on,wait=off",
                   "--monitor", "chardev=m0"], qmp)  # fmt: skip
        try:
            first_reader, first_writer = await asyncio.open_unix_connection(str(qmp))
            assert "QMP" in await greeting(first_reader)
            second_reader, second_writer = await asyncio.open_unix_connection(str(qmp))
            with pytest.raises(TimeoutError):
                async with asyncio.timeout(HELD_BACK):
                    await second_reader.readline()
            first_writer.close()
            await first_writer.wait_closed()
            assert "QMP" in await greeting(second_reader)
            second_writer.write(b'{"execute": "qmp_capabilities"}\n')
            assert await greeting(second_reader) == {"return": {}}
            second_writer.close()
            await second_writer.wait_closed()
        finally:
            await stop(process)

    asyncio.run(scenario())


@pytest.mark.parametrize(
    "args",
    [["--pidfile", "/nonexistent-guimirror-dir/pid"],
     ["--chardev", "socket,id=m0,path=/nonexistent-guimirror-dir/q.sock,server=on,wait=off",
      "--monitor", "chardev=m0"]],
    ids=["pidfile", "chardev"],
)  # fmt: skip
def test_a_missing_directory_reads_as_qemu_storage_daemon_says_it(args: list[str]) -> None:
    theirs = run_daemon("qemu", args)
    ours = run_daemon("guimirror", args)
    assert (ours.returncode, ours.stderr.replace("guimirror-daemon: ", "", 1)) == (
        theirs.returncode, theirs.stderr.replace("qemu-storage-daemon: ", "", 1))
    assert "Traceback" not in ours.stderr
