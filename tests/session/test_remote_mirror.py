# SPDX-License-Identifier: GPL-2.0-or-later
"""A mirror to another host, orchestrated by the session layer, between two real
guimirror-daemons on unix QMP sockets: the data over NBD on TCP 127.0.0.1 or a private unix
socket; a pivot that leaves the source host writing to the remote disk; a cancel and a failed
step that leave both hosts as they were."""

from __future__ import annotations

import asyncio
import socket
import subprocess
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from guimirror.qapi.commands import JobCancel, JobComplete
from guimirror.qapi.errors import QAPIError
from guimirror.qapi.mirror import BlockdevMirror, MirrorSyncMode
from guimirror.session.endpoint import Endpoint
from guimirror.session.opening import open_endpoint
from guimirror.session.remote_mirror import (
    DirectHost,
    LocalRoute,
    RemoteMirror,
    RemoteMirrorError,
    RemoteMirrorPlan,
    RemoteMirrorState,
    TcpRoute,
)
from tests.engine.mirror_support import make_image
from tests.qmp.daemons import start_daemon
from tests.qmp.wire import stop
from tests.support import require_tools

MiB = 1024 * 1024


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@asynccontextmanager
async def daemon(directory: Path, name: str, image: Path,
                 *extra: str) -> AsyncIterator[Endpoint]:
    """guimirror-daemon with ``image`` as the raw node ``disk``, attached by ``unix:``."""
    qmp = directory / f"{name}.sock"
    process = await start_daemon("guimirror", [
        "--blockdev", f"driver=file,node-name=disk-file,filename={image}",
        "--blockdev", "driver=raw,node-name=disk,file=disk-file",
        *extra,
        "--chardev", f"socket,id=m0,path={qmp},server=on,wait=off", "--monitor", "chardev=m0",
    ], qmp)  # fmt: skip
    endpoint = await open_endpoint(f"unix:{qmp}", name=name)
    try:
        yield endpoint
    finally:
        await endpoint.close()
        await stop(process)


async def nothing_added(source: Endpoint, target: Endpoint) -> None:
    """Neither host keeps anything of the mirror: no nbd node, no export, no NBD server."""
    nodes = await source.client.query_named_block_nodes()
    assert [node.node_name for node in nodes if node.drv == "nbd"] == []
    assert await target.client.query_block_exports() == []
    with pytest.raises(QAPIError, match="NBD server not running"):
        await target.client.nbd_server_stop()


async def run_qemu_io(*argv: str) -> None:
    process = await asyncio.create_subprocess_exec(
        "qemu-io", *argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out, _ = await process.communicate()
    assert process.returncode == 0 and b"error" not in out.lower(), out.decode()


def test_a_pivot_leaves_the_source_host_writing_to_the_remote_disk(
    tmp_path: Path, sock_dir: Path
) -> None:
    require_tools("qemu-io")
    source_image = make_image(tmp_path / "src.raw", 16 * MiB,
                              [(0, 2 * MiB, None), (9 * MiB, 3 * MiB, None)])
    target_image = make_image(tmp_path / "tgt.raw", 16 * MiB)
    user = sock_dir / "user.sock"
    # A user of the source on its host: an export of 'disk' that a pivot re-points.
    serve_source = ("--nbd-server", f"addr.type=unix,addr.path={user}",
                    "--export", "type=nbd,id=user,node-name=disk,name=disk,writable=on")

    async def scenario() -> tuple[bytes, RemoteMirrorState]:
        async with (daemon(sock_dir, "near", source_image, *serve_source) as near,
                    daemon(sock_dir, "far", target_image) as far):
            plan = RemoteMirrorPlan(
                BlockdevMirror(job_id="m0", device="disk", target="-", sync=MirrorSyncMode.FULL),
                target_node="disk", route=TcpRoute("127.0.0.1", free_port()))
            mirror = RemoteMirror(DirectHost(near), DirectHost(far), plan)
            async with near.client.events() as events:
                await mirror.start()
                assert [e.node_name for e in await far.client.query_block_exports()] == ["disk"]
                async for event in events:
                    if type(event).EVENT == "BLOCK_JOB_READY":
                        await near.client.job_complete(JobComplete(id="m0"))
                        break
            state = await mirror.wait()
            copied = source_image.read_bytes()
            # After the pivot the source host's user writes through the nbd node.
            await run_qemu_io("-f", "raw", "-c", "write -P 0x5a 1M 64k",
                              f"nbd+unix:///disk?socket={user}")
            await near.client.execute("block-export-del", {"id": "user"})
            await near.client.execute("nbd-server-stop")
            await mirror.undo()
            await nothing_added(near, far)
            return copied, state

    copied, state = asyncio.run(scenario())
    assert state is RemoteMirrorState.KEPT
    expected = bytearray(copied)
    expected[MiB:MiB + 64 * 1024] = b"\x5a" * 64 * 1024
    assert target_image.read_bytes() == bytes(expected)
    assert source_image.read_bytes() == copied


def test_a_cancel_removes_what_was_added_on_both_hosts(
    tmp_path: Path, sock_dir: Path
) -> None:
    source_image = make_image(tmp_path / "src.raw", 16 * MiB, [(0, 16 * MiB, None)])
    target_image = make_image(tmp_path / "tgt.raw", 16 * MiB)

    async def scenario() -> tuple[RemoteMirrorState, str]:
        async with (daemon(sock_dir, "near", source_image) as near,
                    daemon(sock_dir, "far", target_image) as far):
            plan = RemoteMirrorPlan(
                BlockdevMirror(job_id="slow", device="disk", target="-",
                               sync=MirrorSyncMode.FULL, speed=MiB),
                target_node="disk", route=LocalRoute())
            mirror = RemoteMirror(DirectHost(near), DirectHost(far), plan)
            await mirror.start()
            nodes = await near.client.query_named_block_nodes()
            socket_path = next(n.file for n in nodes if n.node_name == "nbd-slow")
            await near.client.job_cancel(JobCancel(id="slow"))
            async with asyncio.timeout(30):
                state = await mirror.wait()
            await nothing_added(near, far)
            return state, socket_path

    state, socket_path = asyncio.run(scenario())
    assert state is RemoteMirrorState.REMOVED
    # The node was opened on the private socket; its directory went with the server.
    directory = Path(socket_path.partition("socket=")[2]).parent
    assert directory.name.startswith("guimirror-nbd-") and not directory.exists()


def test_a_failed_step_undoes_the_steps_before_it(
    tmp_path: Path, sock_dir: Path
) -> None:
    source_image = make_image(tmp_path / "src.raw", 4 * MiB)
    target_image = make_image(tmp_path / "tgt.raw", 4 * MiB)

    async def scenario() -> tuple[str, str]:
        async with (daemon(sock_dir, "near", source_image) as near,
                    daemon(sock_dir, "far", target_image) as far):
            missing = RemoteMirror(DirectHost(near), DirectHost(far), RemoteMirrorPlan(
                BlockdevMirror(device="disk", target="-", sync=MirrorSyncMode.FULL),
                target_node="nowhere",
                route=TcpRoute("127.0.0.1", free_port())))
            with pytest.raises(RemoteMirrorError) as export_failed:
                await missing.start()
            await nothing_added(near, far)
            # A bad mirror argument fails last: the nbd node, export and server go again.
            bad = RemoteMirror(DirectHost(near), DirectHost(far), RemoteMirrorPlan(
                BlockdevMirror(device="disk", target="-", sync=MirrorSyncMode.FULL,
                               granularity=4097),
                target_node="disk", route=LocalRoute()))
            with pytest.raises(RemoteMirrorError) as mirror_failed:
                await bad.start()
            assert bad.state is RemoteMirrorState.REMOVED and bad.leftovers == []
            await nothing_added(near, far)
            return export_failed.value.desc, mirror_failed.value.desc

    export_failed, mirror_failed = asyncio.run(scenario())
    assert export_failed.startswith("block-export-add on far:")
    assert "nowhere" in export_failed
    assert mirror_failed.startswith("blockdev-mirror on near:")
