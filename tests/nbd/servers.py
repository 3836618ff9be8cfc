# SPDX-License-Identifier: GPL-2.0-or-later
"""NBD servers a test can point the engine's ``nbd`` driver at, each exporting one raw file.

``serve(kind, image, socket_path)`` starts guimirror-daemon, qemu-storage-daemon, qemu-nbd
or nbdkit (file plugin) with a writable export named ``disk`` on a unix socket, discards
reaching the file as holes, and stops it when the block ends.
"""

from __future__ import annotations

import asyncio
import contextlib
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path

from tests.qmp.daemons import daemon_argv, daemon_env
from tests.qmp.wire import spawn_qsd, stop, wait_for_socket
from tests.support import require_tools

SERVERS = ("guimirror-daemon", "qemu-storage-daemon", "qemu-nbd", "nbdkit")
EXPORT = "disk"


def daemon_options(image: Path, socket_path: Path, *extra: str) -> list[str]:
    """The command line both daemons take: a file node, an NBD server, a writable export."""
    return [
        "--blockdev", f"driver=file,node-name=disk,filename={image},discard=unmap",
        "--nbd-server", f"addr.type=unix,addr.path={socket_path}", *extra,
        "--export", f"type=nbd,id=e0,node-name=disk,name={EXPORT},writable=on",
    ]  # fmt: skip


def server_argv(kind: str, image: Path, socket_path: Path) -> list[str]:
    if kind == "guimirror-daemon":
        return [*daemon_argv("guimirror"), *daemon_options(image, socket_path)]
    if kind == "qemu-nbd":
        return ["qemu-nbd", "-f", "raw", "-x", EXPORT, "-k", str(socket_path),
                "--discard=unmap", "--cache=writeback", "--persistent", str(image)]  # fmt: skip
    if kind == "nbdkit":
        return ["nbdkit", "-f", "-U", str(socket_path), "file", f"file={image}"]
    raise ValueError(kind)


@contextlib.asynccontextmanager
async def serve(kind: str, image: Path, socket_path: Path) -> AsyncIterator[None]:
    """Serve ``image`` as export ``disk`` on ``socket_path`` until the block ends."""
    if kind == "qemu-storage-daemon":
        require_tools("qemu-storage-daemon")
        process = await spawn_qsd(*daemon_options(image, socket_path))
    else:
        argv = server_argv(kind, image, socket_path)
        if kind != "guimirror-daemon":
            require_tools(argv[0])
        process = await asyncio.create_subprocess_exec(
            *argv, env=daemon_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
    try:
        await wait_for_socket(socket_path, process)
        yield
    finally:
        await stop(process)
