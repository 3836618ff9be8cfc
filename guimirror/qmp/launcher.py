"""Start and stop a qemu-storage-daemon that listens on a private QMP socket.

The daemon gets two QMP monitors: ``qmp.sock``, a unix socket inside a fresh 0700 directory
(only this user can reach it) for the user's client, and a control monitor that the launcher
keeps to itself (its greeting says the daemon is up; ``quit`` goes over it). Its stderr is kept
(the user sees why a daemon died or what it warned about). Stopping asks politely first
(``quit``), then SIGTERM, then SIGKILL.

Why the control monitor is one end of a socket pair, given last: qemu-storage-daemon 7.2
moves each socket monitor onto its monitor I/O thread in a bottom half, and until that has
run the main thread watches the listening socket too. A client connecting in that window
has both threads handle it: the daemon segfaults (in object_class_dynamic_cast_assert) or
hangs without a greeting. A client-mode monitor on an already connected socket has no
listener, so it cannot hit this. Its greeting comes from its own bottom half, which was
queued after those of the monitors created before it, and the I/O thread reads
``qmp_capabilities`` only once that batch has run: the answer proves that every listening
monitor before it is set up and safe to connect to. ``ready_monitor()`` and
``await_ready()`` give this to anyone who starts a daemon.

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
READY_MONITOR_ID = "guimirror-ready"
"""The chardev id of the control monitor (the last monitor on the command line)."""


def ready_monitor() -> tuple[socket.socket, socket.socket, list[str]]:
    """A connected socket pair and the daemon options that make its second end a monitor.

    Returns ``(ours, theirs, options)``: pass ``theirs`` to the daemon (``pass_fds``) and
    close it after the fork; put ``options`` after every other monitor option; then
    ``await_ready(ours, ...)``. See the module docstring for why.
    """
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    options = [
        "--chardev", f"socket,id={READY_MONITOR_ID},fd={theirs.fileno()},server=off",
        "--monitor", f"chardev={READY_MONITOR_ID}",
    ]
    return ours, theirs, options


async def await_ready(ours: socket.socket, limit: float, name: str) -> QMPClient:
    """Negotiate on the control monitor ``ours``; then every monitor of the daemon is up.

    Returns the connected client. Raises TimeoutError after ``limit`` seconds, or the
    QMPError / OSError / EOFError of a daemon that died first (its end of the pair closes);
    ``ours`` is closed then.
    """
    client = QMPClient(name)
    try:
        async with asyncio.timeout(limit):
            await client.connect(ours)
    except BaseException:
        with contextlib.suppress(QMPError, OSError, EOFError):
            await client.disconnect()
        ours.close()
        raise
    return client


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
            listener = await asyncio.to_thread(_listening_socket, self.socket_path)
            ours, theirs, control_options = ready_monitor()
            try:
                qmp_fd = listener.fileno()
                # The daemon's own options first: one it refuses ends it before any
                # monitor greets, so start() reports the failure. The control monitor last.
                argv = [
                    binary,
                    *self.extra_args,
                    "--chardev", f"socket,id=qmp0,fd={qmp_fd},server=on,wait=off",
                    "--monitor", "chardev=qmp0",
                    *control_options,
                ]
                self._process = await asyncio.create_subprocess_exec(
                    *argv,
                    stdin=asyncio.subprocess.DEVNULL,
                    stdout=asyncio.subprocess.DEVNULL,
                    stderr=asyncio.subprocess.PIPE,
                    pass_fds=(qmp_fd, theirs.fileno()),
                    start_new_session=True,
                )
            except BaseException:
                ours.close()
                raise
            finally:
                listener.close()
                theirs.close()
            assert self._process.stderr is not None
            self._stderr_task = asyncio.create_task(self._keep_stderr(self._process.stderr))
            await self._connect_control(ours, self.start_timeout)
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
                    async with asyncio.timeout(timeout):
                        await quit_command()
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

    async def _connect_control(self, ours: socket.socket, limit: float) -> None:
        """Negotiate on the launcher's private monitor; then the daemon serves QMP.

        The user's QMP socket is never touched here: its first client is the user's.
        """
        process = self._process
        assert process is not None
        try:
            self._control = await await_ready(ours, limit, f"{self.name}-control")
            return
        except (TimeoutError, QMPError, OSError, EOFError):
            pass
        # A daemon that died closed its end of the pair; give it a moment to be reaped.
        await self._wait_exit(process, 1.0)
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
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(limit):
                await process.wait()

    async def _keep_stderr(self, stream: asyncio.StreamReader) -> None:
        """Background task: collect stderr, keeping the most recent STDERR_KEEP bytes."""
        while chunk := await stream.read(4096):
            self._stderr += chunk
            if len(self._stderr) > STDERR_KEEP:
                del self._stderr[: len(self._stderr) - STDERR_KEEP]

    async def _drain_stderr(self) -> None:
        if self._stderr_task is not None:
            with contextlib.suppress(TimeoutError, asyncio.CancelledError):
                async with asyncio.timeout(1.0):
                    await asyncio.shield(self._stderr_task)

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


def _listening_socket(path: str) -> socket.socket:
    """A unix stream socket bound at ``path`` (in a 0700 directory) and listening."""
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        listener.bind(path)
        listener.listen(8)
    except BaseException:
        listener.close()
        raise
    return listener
