# SPDX-License-Identifier: GPL-2.0-or-later
"""One OpenSSH master connection per host: remote commands and unix-socket forwards over it.

guimirror runs the system's ``ssh``, so the user's ~/.ssh/config, agent and known_hosts apply.
``SshMaster.open()`` starts ``ssh -M -N`` with its ControlPath in a private 0700 directory and
waits until the master answers ``-O check``; every later command (``run``, ``forward``)
multiplexes over it. ``BatchMode=yes`` makes a missing key, a refused login or an unknown host
key (unless the user's StrictHostKeyChecking accepts new ones) fail at once with ssh's own
message, and ``ConnectTimeout`` bounds an unreachable host: opening never waits for a password
prompt nobody sees. ``close()`` ends the master, which ends its forwards, and removes the
directory.

``SSH_COMMAND`` is the program and leading options (a test points it at its own ssh config).
Every coroutine runs in the caller's task.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import os
import shlex
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass

from guimirror.errors import GuimirrorError, StateError
from guimirror.texts import Text

SSH_COMMAND: list[str] = ["ssh"]
CONNECT_TIMEOUT = 10
"""Seconds ssh may take to reach the host and log in (ConnectTimeout, and our own wait)."""
COMMAND_TIMEOUT = 30.0
"""Seconds a remote command run with ``run`` may take."""


class SshError(GuimirrorError):
    """ssh could not log in, forward or run a command; ``desc`` holds ssh's own words."""


class SshState(enum.Enum):
    IDLE = "idle"
    RUNNING = "running"
    CLOSED = "closed"


@dataclass(frozen=True)
class SshTarget:
    """Where to log in: ``[user@]host[:port]``."""

    host: str
    user: str | None = None
    port: int | None = None

    @property
    def destination(self) -> str:
        return f"{self.user}@{self.host}" if self.user else self.host

    def __str__(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        text = f"{self.user}@{host}" if self.user else host
        return f"{text}:{self.port}" if self.port else text


@dataclass(frozen=True)
class Completed:
    returncode: int
    stdout: str
    stderr: str


class SshMaster:
    """The master connection to one host and what runs over it."""

    def __init__(self, target: SshTarget) -> None:
        self.target = target
        self.state = SshState.IDLE
        self._dir: str | None = None
        self._master: asyncio.subprocess.Process | None = None

    @property
    def control_path(self) -> str:
        if self._dir is None:
            raise StateError(Text("the ssh connection to {target} is not open",
                                  target=self.target))
        return os.path.join(self._dir, "master")

    @property
    def local_dir(self) -> str:
        """The private local directory (for the local ends of forwarded sockets)."""
        if self._dir is None:
            raise StateError(Text("the ssh connection to {target} is not open",
                                  target=self.target))
        return self._dir

    def _argv(self, *options: str) -> list[str]:
        argv = [*SSH_COMMAND, "-o", "BatchMode=yes", "-o", f"ConnectTimeout={CONNECT_TIMEOUT}",
                "-o", f"ControlPath={self.control_path}"]  # fmt: skip
        if self.target.port:
            argv += ["-p", str(self.target.port)]
        return [*argv, *options]

    async def open(self) -> None:
        """Log in and keep the master running; SshError with ssh's message when it cannot."""
        if self.state is not SshState.IDLE:
            raise StateError(Text("the ssh connection to {target} is {state}",
                                  target=self.target, state=self.state.value))
        self._dir = tempfile.mkdtemp(prefix="guimirror-ssh-")
        try:
            self._master = await asyncio.create_subprocess_exec(
                *self._argv("-M", "-N", "-o", "ControlPersist=no", "-o", "ExitOnForwardFailure=yes",
                            self.target.destination),
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                start_new_session=True,
            )  # fmt: skip
            await self._wait_for_master()
        except BaseException:
            await self._end()
            raise
        self.state = SshState.RUNNING

    async def _wait_for_master(self) -> None:
        master = self._master
        assert master is not None
        loop = asyncio.get_running_loop()
        deadline = loop.time() + CONNECT_TIMEOUT + 5
        while True:
            if master.returncode is not None or loop.time() > deadline:
                if master.returncode is None:
                    master.kill()
                    await master.wait()
                    raise SshError(Text("ssh to {target} did not log in within {limit} s",
                                        target=self.target, limit=CONNECT_TIMEOUT + 5))
                stderr = await master.stderr.read() if master.stderr else b""
                raise SshError(Text("ssh to {target} failed: {reason}", target=self.target,
                                    reason=_last_line(stderr)))
            check = await self._command("-O", "check", self.target.destination)
            if check.returncode == 0:
                return
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(0.1):
                    await master.wait()

    async def run(self, command: Sequence[str], check: bool = True) -> Completed:
        """Run ``command`` on the host (each word quoted for its shell) over the master."""
        self._require_running()
        remote = " ".join(shlex.quote(word) for word in command)
        result = await self._command(self.target.destination, "--", remote)
        if check and result.returncode != 0:
            reason = _last_line(result.stderr.encode())
            raise SshError(Text("'{command}' failed on {target}: {reason}", command=remote,
                                target=self.target, reason=reason))
        return result

    async def spawn(self, command: Sequence[str], **kwargs: object) -> asyncio.subprocess.Process:
        """Start ``command`` on the host over the master; the caller owns the local ssh."""
        self._require_running()
        remote = " ".join(shlex.quote(word) for word in command)
        return await asyncio.create_subprocess_exec(
            *self._argv(self.target.destination, "--", remote), **kwargs  # type: ignore[arg-type]
        )

    async def forward(self, local: str, remote: str) -> None:
        """Forward the local unix socket ``local`` to the host's unix socket ``remote``."""
        self._require_running()
        result = await self._command("-O", "forward", "-L", f"{local}:{remote}",
                                     self.target.destination)  # fmt: skip
        if result.returncode != 0:
            raise SshError(Text("ssh cannot forward {remote} on {target}: {reason}",
                                remote=remote, target=self.target,
                                reason=_last_line(result.stderr.encode())))

    async def cancel_forward(self, local: str, remote: str) -> None:
        if self.state is SshState.RUNNING:
            await self._command("-O", "cancel", "-L", f"{local}:{remote}", self.target.destination)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(local)

    async def close(self) -> None:
        """End the master (and with it every forward) and remove the private directory."""
        if self.state is SshState.RUNNING:
            await self._command("-O", "exit", self.target.destination)
        await self._end()

    async def _end(self) -> None:
        master, self._master = self._master, None
        if master is not None and master.returncode is None:
            master.terminate()
            try:
                async with asyncio.timeout(5):
                    await master.wait()
            except TimeoutError:
                master.kill()
                await master.wait()
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
        self.state = SshState.CLOSED

    async def _command(self, *args: str) -> Completed:
        process = await asyncio.create_subprocess_exec(
            *self._argv(*args), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )  # fmt: skip
        try:
            async with asyncio.timeout(COMMAND_TIMEOUT):
                out, err = await process.communicate()
        except TimeoutError:
            process.kill()
            await process.wait()
            raise SshError(Text("ssh to {target} did not answer within {limit} s",
                                target=self.target, limit=f"{COMMAND_TIMEOUT:g}")) from None
        assert process.returncode is not None
        return Completed(process.returncode, out.decode(errors="replace"),
                         err.decode(errors="replace"))  # fmt: skip

    def _require_running(self) -> None:
        if self.state is not SshState.RUNNING:
            raise StateError(Text("the ssh connection to {target} is {state}",
                                  target=self.target, state=self.state.value))


_MASTERS: dict[SshTarget, tuple[SshMaster, int]] = {}


async def acquire_master(target: SshTarget) -> SshMaster:
    """The running master to ``target``, opened on first use and shared by every endpoint
    on that host (one login, one ControlPath); ``release_master`` when done with it."""
    entry = _MASTERS.get(target)
    if entry is not None and entry[0].state is SshState.RUNNING:
        _MASTERS[target] = (entry[0], entry[1] + 1)
        return entry[0]
    master = SshMaster(target)
    await master.open()
    _MASTERS[target] = (master, 1)
    return master


async def release_master(master: SshMaster) -> None:
    """Drop one user of ``master``; the last one closes it."""
    entry = _MASTERS.get(master.target)
    if entry is None or entry[0] is not master:
        await master.close()
        return
    if entry[1] > 1:
        _MASTERS[master.target] = (master, entry[1] - 1)
        return
    del _MASTERS[master.target]
    await master.close()


def _last_line(stderr: bytes) -> str:
    lines = [line.strip() for line in stderr.decode(errors="replace").splitlines() if line.strip()]
    return lines[-1] if lines else "ssh exited without a message"
