"""Start and stop a qemu-storage-daemon that listens on a private QMP socket.

The daemon gets two QMP monitors on unix sockets inside a fresh 0700 directory, so only this
user can reach them: ``qmp.sock`` for the user's client, and a control monitor that the
launcher keeps to itself (its greeting says the daemon is up; ``quit`` goes over it). Both
sockets are bound and listening before the daemon starts and are handed to it as file
descriptors, so nobody waits for a socket file to appear. Its stderr is kept (the user sees
why a daemon died or what it warned about). Stopping asks politely first (``quit``), then
SIGTERM, then SIGKILL.

Every coroutine here runs in the caller's task; the background tasks are the stderr reader
and qemu.qmp's own reader of the control connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import functools
import os
import shutil
import signal
import socket
import tempfile
from collections.abc import Awaitable, Callable, Sequence

from qemu.qmp import QMPClient, QMPError

from guimirror.qapi.errors import QAPIError

DEFAULT_BINARY = "qemu-storage-daemon"
STDERR_KEEP = 64 * 1024
CONTROL_ATTEMPT = 2.0
"""Seconds one attempt to get the control monitor's greeting may take before a retry."""


class LauncherState(enum.Enum):
    """Where a launched daemon is in its life."""

    IDLE = "idle"
    STARTING = "starting"
    RUNNING = "running"
    STOPPING = "stopping"
    EXITED = "exited"


class LauncherError(QAPIError):
    """The daemon could not be started, or a request does not fit the launcher's state."""


class DaemonLauncher:
    """One qemu-storage-daemon process with a private QMP socket.

    ``start()`` returns once the QMP socket accepts connections. ``stderr`` holds what the
    daemon printed on stderr so far (the last 64 KiB). ``stop()`` ends the process.
    """

    def __init__(
        self,
        binary: str = DEFAULT_BINARY,
        extra_args: Sequence[str] = (),
        name: str = "qsd",
        start_timeout: float = 30.0,
        stop_timeout: float = 5.0,
    ) -> None:
        self.binary = binary
        self.start_timeout = start_timeout
        self.stop_timeout = stop_timeout
        self.extra_args = tuple(extra_args)
        self.name = name
        self._state = LauncherState.IDLE
        self._process: asyncio.subprocess.Process | None = None
        self._dir: str | None = None
        self._stderr = bytearray()
        self._stderr_task: asyncio.Task[None] | None = None
        self._control: QMPClient | None = None

    @property
    def state(self) -> LauncherState:
        return self._state

    @property
    def socket_path(self) -> str:
        """The QMP socket's path; valid from ``start()`` until ``stop()``."""
        if self._dir is None:
            raise LauncherError(f"daemon '{self.name}' is {self._state.value}; it has no socket")
        return os.path.join(self._dir, "qmp.sock")

    @property
    def runtime_dir(self) -> str:
        """The private 0700 directory of this daemon (socket; a caller may put files there)."""
        if self._dir is None:
            raise LauncherError(f"daemon '{self.name}' is {self._state.value}; it has no directory")
        return self._dir

    @property
    def pid(self) -> int | None:
        return None if self._process is None else self._process.pid

    @property
    def returncode(self) -> int | None:
        return None if self._process is None else self._process.returncode

    @property
    def stderr(self) -> str:
        """What the daemon wrote to stderr (the most recent 64 KiB)."""
        return self._stderr.decode(errors="replace")

    async def start(self) -> str:
        """Run the daemon and wait until it serves QMP; returns the QMP socket's path.

        Raises LauncherError, with the daemon's stderr, when it exits or does not greet
        within ``start_timeout`` seconds.
        """
        if self._state is not LauncherState.IDLE:
            raise LauncherError(
                f"daemon '{self.name}' is {self._state.value}; only an idle launcher can start"
            )
        binary = shutil.which(self.binary)
        if binary is None:
            raise LauncherError(f"'{self.binary}' was not found; install qemu-storage-daemon")
        self._state = LauncherState.STARTING
        try:
            self._dir = await asyncio.to_thread(tempfile.mkdtemp, prefix="guimirror-qsd-")
            control_path = os.path.join(self._dir, "control.sock")
            listeners = await asyncio.to_thread(_listening_sockets, self.socket_path, control_path)
            try:
                qmp_fd, control_fd = (listener.fileno() for listener in listeners)
                # The daemon's own options first: one it refuses ends it before any
                # monitor greets, so start() reports the failure.
                argv = [
                    binary,
                    *self.extra_args,
                    "--chardev", f"socket,id=qmp0,fd={qmp_fd},server=on,wait=off",
                    "--monitor", "chardev=qmp0",
                    "--chardev", f"socket,id=control0,fd={control_fd},server=on,wait=off",
                    "--monitor", "chardev=control0",
                ]
                self._process = await asyncio.create_subprocess_exec(
                    *argv,
                    stdin=asyncio.subprocess.DEVNULL,
                    stdout=asyncio.subprocess.DEVNULL,
                    stderr=asyncio.subprocess.PIPE,
                    pass_fds=(qmp_fd, control_fd),
                    start_new_session=True,
                )
            finally:
                for listener in listeners:
                    listener.close()
            assert self._process.stderr is not None
            self._stderr_task = asyncio.create_task(self._keep_stderr(self._process.stderr))
            await self._connect_control(control_path, self.start_timeout)
        except BaseException:
            await self._kill_and_clean()
            raise
        self._state = LauncherState.RUNNING
        return self.socket_path

    async def stop(
        self,
        quit_command: Callable[[], Awaitable[object]] | None = None,
    ) -> int | None:
        """End the daemon: ``quit`` over QMP, then SIGTERM, then SIGKILL.

        ``quit`` goes over the launcher's own control monitor, or through ``quit_command``
        when given. Each step waits up to ``stop_timeout`` seconds. Returns the exit status.
        Stopping a launcher that never started or already stopped is a no-op.
        """
        if self._state in (LauncherState.IDLE, LauncherState.EXITED):
            return self.returncode
        if self._state is LauncherState.STOPPING:
            raise LauncherError(f"daemon '{self.name}' is already stopping")
        self._state = LauncherState.STOPPING
        process = self._process
        assert process is not None
        timeout = self.stop_timeout
        control = self._control
        if quit_command is None and control is not None:
            quit_command = functools.partial(control.execute, "quit")
        try:
            if quit_command is not None and process.returncode is None:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(quit_command(), timeout)
                await self._wait_exit(process, timeout)
            for sig in (signal.SIGTERM, signal.SIGKILL):
                if process.returncode is not None:
                    break
                with contextlib.suppress(ProcessLookupError):
                    process.send_signal(sig)
                await self._wait_exit(process, timeout)
        finally:
            await self._kill_and_clean()
        return process.returncode

    async def __aenter__(self) -> DaemonLauncher:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def _connect_control(self, path: str, limit: float) -> None:
        """Connect the launcher's private monitor; its greeting says the daemon serves QMP.

        Both sockets listen before the daemon runs (we created them), so the first attempt
        waits in the backlog until the daemon accepts it. A connection accepted while the
        daemon is still setting its monitors up is now and then dropped or never greeted;
        such an attempt is given up after ``CONTROL_ATTEMPT`` seconds and made again. The
        user's QMP socket is never touched here: its first client is the user's.
        """
        process = self._process
        assert process is not None
        loop = asyncio.get_running_loop()
        deadline = loop.time() + limit
        while True:
            control = QMPClient(f"{self.name}-control")
            attempt = min(CONTROL_ATTEMPT, max(deadline - loop.time(), 0.0))
            try:
                async with asyncio.timeout(attempt):
                    await control.connect(path)
            except (TimeoutError, QMPError, OSError, EOFError):
                with contextlib.suppress(QMPError, OSError, EOFError):
                    await control.disconnect()
            else:
                self._control = control
                return
            if process.returncode is not None or loop.time() >= deadline:
                break
            await self._wait_exit(process, 0.05)
        if process.returncode is None:
            raise LauncherError(
                f"{self.binary} did not greet on its QMP socket within {limit:g} s: "
                f"{self.stderr.strip()}"
            )
        await self._drain_stderr()
        raise LauncherError(
            f"{self.binary} exited with status {process.returncode}: {self.stderr.strip()}"
        )

    @staticmethod
    async def _wait_exit(process: asyncio.subprocess.Process, limit: float) -> None:
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(process.wait(), limit)

    async def _keep_stderr(self, stream: asyncio.StreamReader) -> None:
        """Background task: collect stderr, keeping the most recent STDERR_KEEP bytes."""
        while chunk := await stream.read(4096):
            self._stderr += chunk
            if len(self._stderr) > STDERR_KEEP:
                del self._stderr[: len(self._stderr) - STDERR_KEEP]

    async def _drain_stderr(self) -> None:
        if self._stderr_task is not None:
            with contextlib.suppress(asyncio.TimeoutError, asyncio.CancelledError):
                await asyncio.wait_for(asyncio.shield(self._stderr_task), 1.0)

    async def _kill_and_clean(self) -> None:
        control, self._control = self._control, None
        if control is not None:
            with contextlib.suppress(QMPError, OSError, EOFError):
                await control.disconnect()
        process = self._process
        if process is not None and process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()
        await self._drain_stderr()
        if self._stderr_task is not None and not self._stderr_task.done():
            self._stderr_task.cancel()
        if self._dir is not None:
            await asyncio.to_thread(shutil.rmtree, self._dir, ignore_errors=True)
            self._dir = None
        self._state = LauncherState.EXITED


def _listening_sockets(*paths: str) -> list[socket.socket]:
    """Unix stream sockets bound at ``paths`` (in a 0700 directory) and listening."""
    listeners: list[socket.socket] = []
    try:
        for path in paths:
            listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            listeners.append(listener)
            listener.bind(path)
            listener.listen(8)
    except BaseException:
        for listener in listeners:
            listener.close()
        raise
    return listeners
