# SPDX-License-Identifier: GPL-2.0-or-later
"""Start and stop a qemu-storage-daemon that listens on a private QMP socket.

The daemon gets two QMP monitors: ``qmp.sock``, a unix socket inside a fresh 0700 directory
(only this user can reach it) for the user's client, and a control monitor that the launcher
keeps to itself (its greeting says the daemon is up; ``quit`` goes over it). Its stderr goes to
a file in that directory (the user sees why a daemon died or what it warned about, also after
a restart of guimirror). Stopping asks politely first (``quit``), then SIGTERM, then SIGKILL.

A daemon can outlive its launcher: ``detach()`` lets it run on with its jobs (it is in a session
of its own and ignores SIGPIPE), and ``DaemonLauncher.adopt()`` takes it over again from its
directory. The directory (pid file, stderr file, socket) is removed once the daemon has ended,
however it ended, by the launcher that owns it then: never while a detached daemon runs, and
by the taker for an adopted one. Its exit is watched through a pidfd, which also names it
safely for signals; the process is started with ``subprocess.Popen`` rather than asyncio's
subprocess transport, which kills its child when it is closed.

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

Every coroutine here runs in the caller's task; the background tasks are the stderr follower
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
import subprocess
import tempfile
from collections.abc import Awaitable, Callable, Sequence

from qemu.qmp import QMPClient, QMPError

from guimirror.errors import GuimirrorError
from guimirror.texts import Text

DEFAULT_BINARY = "qemu-storage-daemon"
STDERR_KEEP = 64 * 1024
STDERR_POLL = 1.0
"""Seconds between reads of a running daemon's stderr file."""
PID_FILE = "pid"
STDERR_FILE = "stderr"
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
    DETACHED = "detached"
    """The daemon runs on without this launcher (``adopt()`` takes it over again)."""


class LauncherError(GuimirrorError):
    """The daemon could not be started, or a request does not fit the launcher's state."""


_detached: list[subprocess.Popen[bytes]] = []
"""Daemons this process started and let run on: kept, so that no Popen is collected (and
warns) while its daemon still runs."""


class DaemonLauncher:
    """One qemu-storage-daemon process with a private QMP socket.

    ``start()`` returns once the QMP socket accepts connections. ``stderr`` holds what the
    daemon printed on stderr so far (the last 64 KiB, read every second and at its exit).
    ``stop()`` ends the process; ``detach()`` lets it run on.
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
        self.adopted = False
        """True when ``adopt()`` took the daemon over (it has no control monitor)."""
        self._state = LauncherState.IDLE
        self._process: subprocess.Popen[bytes] | None = None
        self._pid: int | None = None
        self._pidfd: int | None = None
        self._exited = asyncio.Event()
        self._returncode: int | None = None
        self._dir: str | None = None
        self._stderr = bytearray()
        self._stderr_offset = 0
        self._follower: asyncio.Task[None] | None = None
        self._control: QMPClient | None = None

    @property
    def state(self) -> LauncherState:
        return self._state

    @property
    def socket_path(self) -> str:
        """The QMP socket's path; valid from ``start()`` until ``stop()``."""
        if self._dir is None:
            raise LauncherError(Text("daemon '{name}' is {state}; it has no socket",
                                     name=self.name, state=self._state.value))
        return os.path.join(self._dir, "qmp.sock")

    @property
    def runtime_dir(self) -> str:
        """The private 0700 directory of this daemon (socket; a caller may put files there)."""
        if self._dir is None:
            raise LauncherError(Text("daemon '{name}' is {state}; it has no directory",
                                     name=self.name, state=self._state.value))
        return self._dir

    @property
    def pid(self) -> int | None:
        return self._pid

    @property
    def exited(self) -> bool:
        """The daemon has ended (an adopted one has no exit status to show)."""
        return self._exited.is_set()

    @property
    def returncode(self) -> int | None:
        """The exit status (negative: the signal) of a daemon this process started."""
        return self._returncode

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
            raise LauncherError(Text(
                "daemon '{name}' is {state}; only an idle launcher can start",
                name=self.name, state=self._state.value))
        binary = shutil.which(self.binary)
        if binary is None:
            raise LauncherError(Text("'{binary}' was not found; install qemu-storage-daemon",
                                     binary=self.binary))
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
                self._process = await asyncio.to_thread(
                    _spawn, argv, os.path.join(self._dir, STDERR_FILE),
                    (qmp_fd, theirs.fileno()),
                )
            except BaseException:
                ours.close()
                raise
            finally:
                listener.close()
                theirs.close()
            self._pid = self._process.pid
            self._watch(os.pidfd_open(self._pid))
            await asyncio.to_thread(_write_pid, os.path.join(self._dir, PID_FILE), self._pid)
            await self._connect_control(ours, self.start_timeout)
        except BaseException:
            await self._kill_and_clean()
            raise
        self._state = LauncherState.RUNNING
        return self.socket_path

    @classmethod
    async def adopt(
        cls, runtime_dir: str, binary: str = DEFAULT_BINARY, name: str = "qsd",
        stop_timeout: float = 5.0,
    ) -> DaemonLauncher:
        """Take over a daemon that a launcher started in ``runtime_dir`` and then detached.

        Raises LauncherError when no daemon runs there any more. The caller connects to
        ``socket_path`` to make sure it is the daemon; if that fails, ``forget()`` the
        launcher rather than stopping it (the process may not be the daemon). Stopping an
        adopted daemon takes a ``quit_command`` or SIGTERM: it has no control monitor.
        """
        launcher = cls(binary, name=name, stop_timeout=stop_timeout)
        pid_file = os.path.join(runtime_dir, PID_FILE)
        try:
            pid = int(await asyncio.to_thread(_read_text, pid_file))
            pidfd = os.pidfd_open(pid)
        except (OSError, ValueError):
            raise LauncherError(Text("no daemon runs in '{directory}' any more",
                                     directory=runtime_dir)) from None
        launcher._dir = runtime_dir
        launcher._pid = pid
        launcher.adopted = True
        # Detached by this very process: it is our child again, to reap and to read its status.
        launcher._process = next((p for p in _detached if p.pid == pid), None)
        if launcher._process is not None:
            _detached.remove(launcher._process)
        launcher._watch(pidfd)
        launcher._state = LauncherState.RUNNING
        return launcher

    async def stop(
        self,
        quit_command: Callable[[], Awaitable[object]] | None = None,
    ) -> int | None:
        """End the daemon: ``quit`` over QMP, then SIGTERM, then SIGKILL.

        ``quit`` goes over the launcher's own control monitor, or through ``quit_command``
        when given. Each step waits up to ``stop_timeout`` seconds. Returns the exit status
        (None for a daemon adopted from another process). Stopping a launcher that never
        started or already stopped is a no-op; a detached daemon is no longer its to stop.
        """
        if self._state in (LauncherState.IDLE, LauncherState.EXITED):
            return self.returncode
        if self._state in (LauncherState.STOPPING, LauncherState.DETACHED):
            raise LauncherError(Text("daemon '{name}' is {state}; it cannot stop",
                                     name=self.name, state=self._state.value))
        self._state = LauncherState.STOPPING
        timeout = self.stop_timeout
        control = self._control
        if quit_command is None and control is not None:
            quit_command = functools.partial(control.execute, "quit")
        try:
            if quit_command is not None and not self.exited:
                with contextlib.suppress(Exception):
                    async with asyncio.timeout(timeout):
                        await quit_command()
                await self._wait_exit(timeout)
            for sig in (signal.SIGTERM, signal.SIGKILL):
                if self.exited:
                    break
                self._signal(sig)
                await self._wait_exit(timeout)
        finally:
            await self._kill_and_clean()
        return self.returncode

    async def detach(self) -> str:
        """Let the daemon run on without this launcher; returns its directory.

        The daemon keeps its QMP socket, jobs and stderr file; ``adopt()`` with the
        directory takes it over again.
        """
        if self._state is not LauncherState.RUNNING:
            raise LauncherError(Text(
                "daemon '{name}' is {state}; only a running one can detach",
                name=self.name, state=self._state.value))
        directory = self.runtime_dir
        await self._disconnect_control()
        self._unwatch()
        if self._follower is not None:
            self._follower.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._follower
            self._follower = None
        if self._process is not None:
            _detached.append(self._process)
            self._process = None
        self._state = LauncherState.DETACHED
        return directory

    def forget(self) -> None:
        """Drop an adopted daemon without stopping it or touching its directory."""
        self._unwatch()
        if self._follower is not None:
            self._follower.cancel()
            self._follower = None
        self._state = LauncherState.DETACHED

    async def __aenter__(self) -> DaemonLauncher:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def _connect_control(self, ours: socket.socket, limit: float) -> None:
        """Negotiate on the launcher's private monitor; then the daemon serves QMP.

        The user's QMP socket is never touched here: its first client is the user's.
        """
        try:
            self._control = await await_ready(ours, limit, f"{self.name}-control")
            return
        except (TimeoutError, QMPError, OSError, EOFError):
            pass
        # A daemon that died closed its end of the pair; give it a moment to be reaped.
        await self._wait_exit(1.0)
        await self._read_stderr()
        if not self.exited:
            raise LauncherError(Text(
                "{binary} did not greet on its QMP socket within {limit} s: {stderr}",
                binary=self.binary, limit=f"{limit:g}", stderr=self.stderr.strip()))
        raise LauncherError(Text("{binary} exited with status {status}: {stderr}",
                                 binary=self.binary, status=self.returncode,
                                 stderr=self.stderr.strip()))

    def _watch(self, pidfd: int) -> None:
        """Watch ``pidfd`` for the daemon's exit and follow its stderr file."""
        self._pidfd = pidfd
        asyncio.get_running_loop().add_reader(pidfd, self._on_exit)
        self._follower = asyncio.create_task(self._follow_stderr(), name=f"{self.name}-stderr")

    def _unwatch(self) -> None:
        pidfd, self._pidfd = self._pidfd, None
        if pidfd is not None:
            asyncio.get_running_loop().remove_reader(pidfd)
            os.close(pidfd)

    def _on_exit(self) -> None:
        """The pidfd is readable: the daemon has ended (GUI or event-loop thread)."""
        if self._process is not None:
            self._returncode = self._process.poll()
        self._unwatch()
        self._exited.set()

    def _signal(self, sig: signal.Signals) -> None:
        if self._pidfd is not None:
            with contextlib.suppress(ProcessLookupError):
                signal.pidfd_send_signal(self._pidfd, sig)

    async def _wait_exit(self, limit: float) -> None:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(limit):
                await self._exited.wait()

    async def _follow_stderr(self) -> None:
        """Background task: read new stderr every STDERR_POLL seconds and at the exit; then
        remove the daemon's directory (its stderr is kept in memory). ``detach()`` and
        ``forget()`` end this task first, so a daemon left running keeps its directory."""
        while not self.exited:
            await self._read_stderr()
            await self._wait_exit(STDERR_POLL)
        await self._read_stderr()
        if self._dir is not None:
            await asyncio.to_thread(shutil.rmtree, self._dir, ignore_errors=True)

    async def _read_stderr(self) -> None:
        """Append what the stderr file gained, keeping the most recent STDERR_KEEP bytes."""
        if self._dir is None:
            return
        path = os.path.join(self._dir, STDERR_FILE)
        start, chunk = await asyncio.to_thread(_read_from, path, self._stderr_offset)
        if start > self._stderr_offset:
            self._stderr.clear()
        self._stderr_offset = start + len(chunk)
        self._stderr += chunk
        if len(self._stderr) > STDERR_KEEP:
            del self._stderr[: len(self._stderr) - STDERR_KEEP]

    async def _disconnect_control(self) -> None:
        control, self._control = self._control, None
        if control is not None:
            with contextlib.suppress(QMPError, OSError, EOFError):
                await control.disconnect()

    async def _kill_and_clean(self) -> None:
        await self._disconnect_control()
        if self._pidfd is not None and not self.exited:
            self._signal(signal.SIGKILL)
            await self._exited.wait()
        if self._follower is not None:
            await self._follower
            self._follower = None
        else:
            await self._read_stderr()
        if self._dir is not None:
            await asyncio.to_thread(shutil.rmtree, self._dir, ignore_errors=True)
            self._dir = None
        self._state = LauncherState.EXITED


def _spawn(argv: list[str], stderr_path: str, pass_fds: tuple[int, ...]) -> subprocess.Popen[bytes]:
    with open(stderr_path, "wb") as stderr:
        return subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=stderr,
            pass_fds=pass_fds, start_new_session=True,
        )


def _write_pid(path: str, pid: int) -> None:
    with open(path, "w") as pid_file:
        pid_file.write(f"{pid}\n")


def _read_text(path: str) -> str:
    with open(path) as text:
        return text.read()


def _read_from(path: str, offset: int) -> tuple[int, bytes]:
    """What ``path`` holds from ``offset`` on, at most its last STDERR_KEEP bytes, and where
    that starts."""
    try:
        with open(path, "rb") as stream:
            start = max(offset, stream.seek(0, os.SEEK_END) - STDERR_KEEP)
            stream.seek(start)
            return start, stream.read()
    except FileNotFoundError:
        return offset, b""


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
