# SPDX-License-Identifier: GPL-2.0-or-later
"""Fixtures of the node, graph and driver tests: a real qemu-storage-daemon, loop devices.

``qsd`` gives an async context manager that starts qemu-storage-daemon with a private QMP
socket and yields a small client whose ``run(command, args)`` returns either the reply or
the error's ``desc``, so a test can send the same commands to the daemon and to our graph.
``loop_device`` attaches a fresh image to a loop device (root only) and detaches it after.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from tests.loop_devices import loop_device  # noqa: F401 (a fixture of the engine tests)
from tests.qmp.wire import spawn_qsd
from tests.support import require_tools


class DaemonClient:
    """A QMP client of one qemu-storage-daemon."""

    def __init__(self, client: Any) -> None:
        self._client = client

    async def run(self, command: str, arguments: dict[str, Any] | None = None) -> Any:
        """The command's reply, or ``("error", desc)`` for an error reply."""
        from qemu.qmp import ExecuteError

        try:
            return await self._client.execute(command, arguments or {})
        except ExecuteError as exc:
            return ("error", exc.error.error.desc)


@contextlib.asynccontextmanager
async def _daemon(directory: Path) -> AsyncIterator[DaemonClient]:
    from qemu.qmp import QMPClient

    socket_path = directory / "qsd-qmp.sock"
    process = await spawn_qsd(
        "--chardev",
        f"socket,id=m0,path={socket_path},server=on,wait=off",
        "--monitor",
        "chardev=m0",
    )
    client = QMPClient("node-tests")
    try:
        await client.connect(str(socket_path))
        yield DaemonClient(client)
    finally:
        with contextlib.suppress(Exception):
            await client.disconnect()
        if process.returncode is None:
            process.terminate()
        await process.wait()


@pytest.fixture
def qsd(tmp_path: Path) -> Callable[[], contextlib.AbstractAsyncContextManager[DaemonClient]]:
    """``async with qsd() as daemon:`` runs one qemu-storage-daemon for the block."""
    require_tools("qemu-storage-daemon")
    return lambda: _daemon(tmp_path)
