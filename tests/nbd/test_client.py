# SPDX-License-Identifier: GPL-2.0-or-later
"""guimirror's own NBD client (the write load's) against the engine's server and QEMU's."""

from __future__ import annotations

import asyncio
import os
import subprocess
from pathlib import Path

import pytest

from guimirror.engine.engine import Engine
from guimirror.errors import GuimirrorError
from guimirror.nbd.client import NBDClient, NBDError
from tests.nbd.test_export_lifecycle import export, image, raw_node, start_server
from tests.nbd.tools import command
from tests.support import require_tools, wait_until

MiB = 1024 * 1024


def test_client_writes_through_the_engines_export_and_is_refused_what_it_may_not_do(
    tmp_path: Path, sock_dir: Path
) -> None:
    disk = image(tmp_path / "disk.raw", 2 * MiB)
    sock = sock_dir / "nbd.sock"

    async def scenario() -> None:
        engine = Engine()
        await raw_node(engine, "disk", disk)
        await start_server(engine, sock)
        await export(engine, "rw", "disk", name="rw", writable=True)
        await export(engine, "ro", "disk", name="ro")
        client = NBDClient()
        await client.connect("rw", path=str(sock))
        assert (client.size, client.read_only) == (2 * MiB, False)
        await client.pwrite(MiB, b"\xab" * 4096)
        await client.flush()
        await client.close()

        reader = NBDClient()
        await reader.connect("ro", path=str(sock))
        assert reader.read_only
        with pytest.raises(NBDError, match="read-only"):
            await reader.pwrite(0, b"x")
        await reader.close()

        with pytest.raises(NBDError, match="export 'nothing' refused: export 'nothing' not"):
            await NBDClient().connect("nothing", path=str(sock))
        await command(engine, "nbd-server-stop")
        await engine.close()

    asyncio.run(scenario())
    with disk.open("rb") as f:
        f.seek(MiB)
        assert f.read(4096) == b"\xab" * 4096
        assert f.read(4096) == bytes(4096)


def test_a_closed_client_refuses_requests_with_a_guimirror_error() -> None:
    async def scenario() -> None:
        with pytest.raises(NBDError, match="connection is closed") as raised:
            await NBDClient().flush()
        assert isinstance(raised.value, GuimirrorError)

    asyncio.run(scenario())


@pytest.mark.qemu
def test_client_writes_through_a_qemu_storage_daemon_export(tmp_path: Path,
                                                            sock_dir: Path) -> None:
    require_tools("qemu-storage-daemon")
    disk = image(tmp_path / "disk.raw", 2 * MiB)
    sock = sock_dir / "nbd.sock"
    daemon = subprocess.Popen([
        "qemu-storage-daemon",
        "--blockdev", f"driver=file,node-name=disk,filename={disk}",
        "--nbd-server", f"addr.type=unix,addr.path={sock}",
        "--export", "type=nbd,id=e,node-name=disk,name=disk,writable=on",
    ])

    async def scenario() -> None:
        await wait_until(lambda: os.path.exists(sock))
        client = NBDClient()
        await client.connect("disk", path=str(sock))
        assert client.size == 2 * MiB and not client.read_only
        await client.pwrite(0, b"\x5a" * 65536)
        await client.flush()
        await client.close()

    try:
        asyncio.run(scenario())
    finally:
        daemon.terminate()
        daemon.wait(timeout=10)
    assert disk.read_bytes()[:65536] == b"\x5a" * 65536
