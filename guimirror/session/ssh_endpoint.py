# SPDX-License-Identifier: GPL-2.0-or-later
"""Endpoints on another host, reached over the ssh master connection to that host.

* :class:`SshSocketEndpoint` (``ssh://host/path/qmp.sock``) forwards a local socket in the
  master's private directory to a QMP socket on the host; closing cancels the forward.
* :class:`SshDaemonEndpoint` (``ssh+qsd://host``, ``ssh+guimirror://host``) starts the daemon
  on the host in a fresh private directory (``mktemp -d``: 0700) holding its QMP socket, pid
  file and stderr, and forwards that socket. A qemu-storage-daemon also gets a monitor on its
  stdio, which is the ssh session: its greeting says every other monitor is set up (the
  local launcher's reason, guimirror.session.launcher) and ``quit`` goes over it. Closing
  quits the daemon, kills it by its pid if it does not go, and removes the directory.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import subprocess

from qemu.qmp import QMPClient, QMPError

from guimirror.errors import GuimirrorError
from guimirror.session.client import SessionClient
from guimirror.session.connection import Address, ConnectionFailedError, QMPConnection
from guimirror.session.endpoint import CONNECT_ATTEMPT, CONNECT_PATIENCE, Endpoint, EndpointError
from guimirror.session.launcher import await_ready
from guimirror.session.ssh import SshMaster, SshTarget, acquire_master, release_master
from guimirror.session.ssh_uri import SshDaemonURI, SshGuimirrorURI, SshSocketURI
from guimirror.texts import Text

logger = logging.getLogger(__name__)

QUIT_PATIENCE = 10.0
"""Seconds a remote daemon may take to exit after ``quit``."""


class _Forwarded(Endpoint):
    """What both kinds share: a master to the host and one forwarded QMP socket."""

    def __init__(self, name: str, target: SshTarget) -> None:
        super().__init__(name)
        self.target = target
        self._master: SshMaster | None = None
        self._forward: tuple[str, str] | None = None

    async def _open_master(self) -> SshMaster:
        try:
            self._master = await acquire_master(self.target)
        except GuimirrorError as error:
            raise EndpointError(error.desc) from None
        return self._master

    async def _forward_socket(self, master: SshMaster, remote: str) -> str:
        local = f"{master.local_dir}/qmp-{id(self):x}.sock"
        try:
            await master.forward(local, remote)
        except GuimirrorError as error:
            raise EndpointError(error.desc) from None
        self._forward = (local, remote)
        return local

    async def _close_master(self) -> None:
        master, self._master = self._master, None
        if master is None:
            return
        if self._forward is not None:
            await master.cancel_forward(*self._forward)
            self._forward = None
        await release_master(master)


class SshSocketEndpoint(_Forwarded):
    """A QMP socket someone runs on another host; closing only disconnects."""

    kind = "ssh socket"

    def __init__(self, name: str, target: SshTarget, path: str) -> None:
        super().__init__(name, target)
        self.path = path

    @property
    def uri(self) -> SshSocketURI:
        return SshSocketURI(self.target, self.path)

    async def _start(self) -> Address:
        master = await self._open_master()
        return await self._forward_socket(master, self.path)

    async def _stop(self, client: SessionClient | None) -> None:
        await self._close_master()


class SshDaemonEndpoint(_Forwarded):
    """A daemon that this endpoint starts on another host and stops on close."""

    kind = "remote daemon"

    def __init__(self, name: str, uri: SshDaemonURI) -> None:
        super().__init__(name, uri.target)
        self._uri = uri
        self.remote_dir = ""
        self._process: asyncio.subprocess.Process | None = None
        self._control: QMPClient | None = None

    @property
    def uri(self) -> SshDaemonURI:
        return self._uri

    @property
    def with_ready_monitor(self) -> bool:
        return not isinstance(self._uri, SshGuimirrorURI)

    async def _start(self) -> Address:
        master = await self._open_master()
        try:
            made = await master.run(["mktemp", "-d", "/tmp/guimirror-remote-XXXXXXXX"])
        except GuimirrorError as error:
            raise EndpointError(error.desc) from None
        self.remote_dir = made.stdout.strip()
        qmp = f"{self.remote_dir}/qmp.sock"
        argv = [
            self._uri.program,
            "--chardev", f"socket,id=m0,path={qmp},server=on,wait=off", "--monitor", "chardev=m0",
            "--pidfile", f"{self.remote_dir}/pid",
        ]  # fmt: skip
        # stderr to a file in the private directory, read back when the daemon fails
        shell = ["sh", "-c", 'exec "$@" 2>"$0"', f"{self.remote_dir}/stderr"]
        if self.with_ready_monitor:
            ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
            argv += ["--chardev", "stdio,id=ready,signal=off", "--monitor", "chardev=ready"]
            try:
                self._process = await master.spawn([*shell, *argv], stdin=theirs, stdout=theirs,
                                                   stderr=subprocess.DEVNULL)  # fmt: skip
            finally:
                theirs.close()
            try:
                self._control = await await_ready(ours, CONNECT_PATIENCE, f"{self.name}-control")
            except (TimeoutError, QMPError, OSError, EOFError) as error:
                raise EndpointError(await self._failure(error)) from None
        else:
            self._process = await master.spawn([*shell, *argv], stdin=subprocess.DEVNULL,
                                               stdout=subprocess.DEVNULL,
                                               stderr=subprocess.DEVNULL)  # fmt: skip
        return await self._forward_socket(master, qmp)

    async def _connect(self, connection: QMPConnection, address: Address) -> None:
        """Connect, retrying while the daemon starts (guimirror-daemon has no ready monitor)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + CONNECT_PATIENCE
        while True:
            try:
                async with asyncio.timeout(CONNECT_ATTEMPT):
                    await connection.connect(address)
                return
            except (ConnectionFailedError, TimeoutError) as error:
                await connection.disconnect()
                process = self._process
                if process is None or process.returncode is not None or loop.time() > deadline:
                    raise EndpointError(await self._failure(error)) from None
            await asyncio.sleep(0.1)

    async def _failure(self, error: BaseException) -> str:
        """Why the daemon did not come up: its stderr on the host, else the error."""
        stderr = ""
        if self._master is not None and self.remote_dir:
            with contextlib.suppress(GuimirrorError):
                done = await self._master.run(["cat", f"{self.remote_dir}/stderr"], check=False)
                stderr = done.stdout.strip()
        reason = error.desc if isinstance(error, GuimirrorError) else str(error)
        return Text("{program} on {target} did not start: {reason}", program=self._uri.program,
                    target=self.target, reason=stderr or reason or type(error).__name__)

    async def _stop(self, client: SessionClient | None) -> None:
        """Quit the daemon (control monitor, else this client), kill it if it stays, clean."""
        try:
            await self._quit(client)
        finally:
            await self._clean()

    async def _quit(self, client: SessionClient | None) -> None:
        process = self._process
        if process is None:
            return
        control, self._control = self._control, None
        with contextlib.suppress(QMPError, GuimirrorError, OSError, EOFError, TimeoutError):
            async with asyncio.timeout(QUIT_PATIENCE):
                if control is not None:
                    await control.execute("quit")
                elif client is not None:
                    await client.execute("quit")
        if control is not None:
            with contextlib.suppress(QMPError, OSError, EOFError):
                await control.disconnect()
        try:
            async with asyncio.timeout(QUIT_PATIENCE):
                await process.wait()
        except TimeoutError:
            process.kill()
            await process.wait()

    async def _clean(self) -> None:
        master = self._master
        if master is not None and self.remote_dir:
            directory = self.remote_dir
            script = ('test -f "$1/pid" && kill -9 "$(cat "$1/pid")" 2>/dev/null; '
                      'rm -rf -- "$1"')  # fmt: skip
            with contextlib.suppress(GuimirrorError):
                await master.run(["sh", "-c", script, "clean", directory], check=False)
            self.remote_dir = ""
        self._process = None
        await self._close_master()

    def _explain(self, message: str) -> str:
        return message


def ssh_socket_endpoint(uri: SshSocketURI, name: str) -> Endpoint:
    return SshSocketEndpoint(name, uri.target, uri.path)


def ssh_daemon_endpoint(uri: SshDaemonURI, name: str) -> Endpoint:
    return SshDaemonEndpoint(name, uri)


__all__ = [
    "SshDaemonEndpoint",
    "SshSocketEndpoint",
    "ssh_daemon_endpoint",
    "ssh_socket_endpoint",
]
