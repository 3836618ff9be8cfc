# SPDX-License-Identifier: GPL-2.0-or-later
"""The qemu-storage-daemon launcher: private socket, kept stderr, and each way of stopping."""

from __future__ import annotations

import asyncio
import contextlib
import os
import pathlib
import signal
import stat

import pytest

from guimirror.errors import GuimirrorError, StateError
from guimirror.session.connection import (
    ConnectionFailedError,
    ConnectionLostError,
    ConnectionStateError,
    QMPConnection,
)
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


def test_the_directory_of_a_daemon_that_ends_on_its_own_is_removed() -> None:
    async def scenario() -> None:
        launcher = DaemonLauncher()
        path = await launcher.start()
        directory = os.path.dirname(path)
        assert sorted(os.listdir(directory)) == ["pid", "qmp.sock", "stderr"]
        connection = QMPConnection("t")
        await connection.connect(path)
        with contextlib.suppress(ConnectionLostError):
            await connection.execute("quit")
        await connection.disconnect()
        for _ in range(500):
            if not await asyncio.to_thread(os.path.exists, directory):
                break
            await asyncio.sleep(0.01)
        assert launcher.exited and launcher.returncode == 0
        assert not await asyncio.to_thread(os.path.exists, directory)
        assert launcher.state is LauncherState.RUNNING  # nobody has stopped it yet
        assert await launcher.stop() == 0

    asyncio.run(scenario())


def test_a_detached_daemon_keeps_its_directory_until_its_taker_stops_it() -> None:
    async def scenario() -> None:
        launcher = DaemonLauncher()
        path = await launcher.start()
        directory = os.path.dirname(path)
        pid = launcher.pid
        assert pid is not None
        try:
            assert await launcher.detach() == directory
            await asyncio.sleep(0.1)
            assert sorted(os.listdir(directory)) == ["pid", "qmp.sock", "stderr"]
            taker = await DaemonLauncher.adopt(directory)
            assert taker.pid == pid
            assert await asyncio.to_thread(os.path.exists, directory)
            await taker.stop()  # SIGTERM: an adopted daemon has no control monitor
            assert taker.exited
            assert not await asyncio.to_thread(os.path.exists, directory)
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)

    asyncio.run(scenario())


def test_a_taker_that_forgets_the_daemon_leaves_its_directory() -> None:
    async def scenario() -> None:
        launcher = DaemonLauncher()
        path = await launcher.start()
        directory = os.path.dirname(path)
        pid = launcher.pid
        assert pid is not None
        try:
            await launcher.detach()
            taker = await DaemonLauncher.adopt(directory)
            taker.forget()
            again = await DaemonLauncher.adopt(directory)
            assert again.pid == pid
            await again.stop()
            assert not await asyncio.to_thread(os.path.exists, directory)
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)

    asyncio.run(scenario())


def test_qemu_qmp_errors_reach_the_caller_as_guimirror_errors(tmp_path: pathlib.Path) -> None:
    async def scenario() -> None:
        connection = QMPConnection("t")
        with pytest.raises(ConnectionFailedError, match="cannot connect") as failed:
            await connection.connect(str(tmp_path / "nothing.sock"))
        assert isinstance(failed.value, GuimirrorError)
        with pytest.raises(ConnectionStateError, match="is idle; it cannot run 'query-version'"):
            await connection.execute("query-version")

        launcher = DaemonLauncher()
        path = await launcher.start()
        pid = launcher.pid
        assert pid is not None
        try:
            await connection.connect(path)
            # The daemon dies while the command waits for its reply.
            os.kill(pid, signal.SIGSTOP)
            command = asyncio.create_task(connection.execute("query-block-jobs"))
            await asyncio.sleep(0.1)
            os.kill(pid, signal.SIGKILL)
            with pytest.raises(ConnectionLostError,
                               match="ended during 'query-block-jobs'") as lost:
                await command
            assert isinstance(lost.value, StateError)
        finally:
            await connection.disconnect()
            await launcher.stop()

    asyncio.run(scenario())
