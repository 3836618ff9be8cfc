"""The qemu-storage-daemon launcher: private socket, kept stderr, and each way of stopping."""

from __future__ import annotations

import asyncio
import os
import pathlib
import stat

import pytest

from guimirror.session.connection import QMPConnection
from guimirror.session.launcher import (
    READY_MONITOR_ID,
    DaemonLauncher,
    LauncherError,
    LauncherState,
)

from ..support import require_tools


@pytest.fixture(autouse=True)
def _needs_daemon() -> None:
    require_tools("qemu-storage-daemon")


def test_start_gives_a_private_socket_and_quit_stops_it() -> None:
    async def scenario() -> str:
        launcher = DaemonLauncher()
        path = await launcher.start()
        assert launcher.state is LauncherState.RUNNING
        directory = os.path.dirname(path)
        assert stat.S_IMODE(os.stat(directory).st_mode) == 0o700
        assert stat.S_ISSOCK(os.stat(path).st_mode)
        connection = QMPConnection("t")
        await connection.connect(path)
        assert (await connection.execute("query-version"))["qemu"]["major"] >= 7
        status = await launcher.stop(lambda: connection.execute("quit"))
        await connection.disconnect()
        assert status == 0
        assert launcher.state in (LauncherState.EXITED,)
        assert await launcher.stop() == 0
        return directory

    assert not os.path.exists(asyncio.run(scenario()))


def test_stop_without_quit_terminates_with_sigterm() -> None:
    async def scenario() -> None:
        launcher = DaemonLauncher()
        await launcher.start()
        pid = launcher.pid
        assert pid is not None
        status = await launcher.stop()
        # qemu-storage-daemon exits cleanly on SIGTERM.
        assert status == 0
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)

    asyncio.run(scenario())


def test_a_daemon_that_refuses_its_options_reports_its_stderr() -> None:
    async def scenario() -> None:
        launcher = DaemonLauncher(extra_args=["--blockdev", "driver=nosuchdriver,node-name=x"])
        with pytest.raises(LauncherError, match="nosuchdriver"):
            await launcher.start()
        assert "nosuchdriver" in launcher.stderr
        assert launcher.state is LauncherState.EXITED

    asyncio.run(scenario())


def test_start_twice_is_a_state_error() -> None:
    async def scenario() -> None:
        launcher = DaemonLauncher()
        await launcher.start()
        try:
            with pytest.raises(LauncherError, match="only an idle launcher can start"):
                await launcher.start()
        finally:
            await launcher.stop()

    asyncio.run(scenario())


def test_a_missing_binary_is_a_clear_error() -> None:
    async def scenario() -> None:
        with pytest.raises(LauncherError, match="was not found"):
            await DaemonLauncher(binary="no-such-qemu-storage-daemon").start()

    asyncio.run(scenario())


def test_the_control_monitor_is_the_last_monitor_and_a_client_mode_one() -> None:
    # Its answer proves the user's monitor is set up only if it comes after it and has no
    # listener of its own (guimirror.session.launcher explains qemu-storage-daemon 7.2's race).
    async def scenario() -> None:
        launcher = DaemonLauncher(extra_args=["--object", "iothread,id=io0"])
        path = await launcher.start()
        try:
            assert launcher.pid is not None
            cmdline = pathlib.Path(f"/proc/{launcher.pid}/cmdline")
            argv = (await asyncio.to_thread(cmdline.read_bytes)).decode().split("\0")
            monitors = [argv[i + 1] for i, arg in enumerate(argv) if arg == "--monitor"]
            assert monitors == ["chardev=qmp0", f"chardev={READY_MONITOR_ID}"]
            chardev = argv[argv.index("--chardev", argv.index("chardev=qmp0")) + 1]
            assert chardev.startswith(f"socket,id={READY_MONITOR_ID},") and "server=off" in chardev
            connection = QMPConnection("t")
            await connection.connect(path)
            assert (await connection.execute("query-version"))["qemu"]["major"] >= 7
            await connection.disconnect()
        finally:
            assert await launcher.stop() == 0

    asyncio.run(scenario())
