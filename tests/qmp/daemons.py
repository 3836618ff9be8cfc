# SPDX-License-Identifier: GPL-2.0-or-later
"""Start qemu-storage-daemon or guimirror-daemon from the same command line."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import guimirror
from tests.qmp.wire import spawn_qsd, wait_for_socket

REPO = Path(guimirror.__file__).resolve().parents[1]


def daemon_argv(kind: str, program: str = "qemu-storage-daemon") -> list[str]:
    """The program to run: ``qemu`` (``program``) or ``guimirror``."""
    if kind == "qemu":
        return [program]
    return [sys.executable, "-m", "guimirror.qmp.daemon"]


def daemon_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    return env


def common_command_line(directory: Path, source: Path, target: Path) -> list[str]:
    """Nodes, a QMP monitor, an NBD server and a writable export of the source."""
    return [
        "--blockdev", f"driver=file,node-name=src-file,filename={source}",
        "--blockdev", "raw,node-name=src,file=src-file",
        "--blockdev", f'{{"driver": "file", "node-name": "tgt-file", "filename": "{target}"}}',
        "--blockdev", "driver=raw,node-name=tgt,file=tgt-file",
        "--chardev", f"socket,id=m0,path={directory / 'qmp.sock'},server=on,wait=off",
        "--monitor", "chardev=m0",
        "--nbd-server", f"addr.type=unix,addr.path={directory / 'nbd.sock'}",
        "--export", "type=nbd,id=exp0,node-name=src,name=src,writable=on",
        "--pidfile", str(directory / "daemon.pid"),
    ]


async def start_daemon(kind: str, args: list[str], qmp_sock: Path,
                       program: str = "qemu-storage-daemon") -> asyncio.subprocess.Process:
    """Start ``kind`` with ``args``; return once ``qmp_sock`` can be connected to.
    ``program``: the qemu-storage-daemon to run for ``qemu``."""
    if kind == "qemu":
        return await spawn_qsd(*args, env=daemon_env(), program=program)
    process = await asyncio.create_subprocess_exec(
        *daemon_argv(kind), *args, env=daemon_env(),
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    await wait_for_socket(qmp_sock, process)
    return process


def run_daemon(kind: str, args: list[str], program: str = "qemu-storage-daemon"
               ) -> subprocess.CompletedProcess[str]:
    """Run a daemon that is expected to exit by itself (bad options, --help, --version)."""
    return subprocess.run([*daemon_argv(kind, program), *args], env=daemon_env(),
                          capture_output=True, text=True, timeout=30, check=False)
