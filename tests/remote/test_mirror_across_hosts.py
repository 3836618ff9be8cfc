# SPDX-License-Identifier: GPL-2.0-or-later
"""A mirror from one host to another over NBD with TLS, on the veth link between the two
namespaces: guimirror-daemon on the near host mirrors a local image to an nbd node whose
server is a qemu-storage-daemon that guimirror started on the far host over ssh."""

from __future__ import annotations

import asyncio
import subprocess
from pathlib import Path

import pytest
from qemu.qmp import QMPClient

from guimirror.session.opening import open_endpoint
from tests.engine.mirror_support import allocated_bytes, make_image
from tests.nbd.certificates import make_credentials
from tests.qmp.daemons import daemon_argv, daemon_env
from tests.qmp.wire import stop, wait_for_socket
from tests.remote.conftest import FAR_ADDRESS, TwoHosts

pytestmark = pytest.mark.qemu

MiB = 1024 * 1024
NBD_PORT = "10809"


def test_a_sparse_image_mirrors_to_the_far_host_over_nbd_with_tls(
    ssh_through: TwoHosts, tmp_path: Path, sock_dir: Path
) -> None:
    hosts = ssh_through
    creds = make_credentials(tmp_path / "tls", addresses=(FAR_ADDRESS,))
    source = make_image(tmp_path / "src.raw", 64 * MiB,
                        [(0, 4 * MiB, None), (40 * MiB, 8 * MiB, None), (63 * MiB, MiB, 9)])
    target = make_image(tmp_path / "tgt.raw", 64 * MiB)
    near_qmp = sock_dir / "near.sock"

    async def scenario() -> None:
        far = await open_endpoint(f"ssh+qsd://root@{FAR_ADDRESS}")
        near: asyncio.subprocess.Process | None = None
        client = QMPClient("near")
        try:
            run = far.client.execute
            await run("object-add", {"qom-type": "tls-creds-x509", "id": "s0",
                                     "dir": str(creds.server), "endpoint": "server"})
            await run("blockdev-add", {"driver": "file", "node-name": "tgt",
                                       "filename": str(target), "discard": "unmap"})
            await run("nbd-server-start", {"tls-creds": "s0", "addr": {
                "type": "inet", "data": {"host": FAR_ADDRESS, "port": NBD_PORT}}})
            await run("block-export-add", {"type": "nbd", "id": "e0", "node-name": "tgt",
                                           "name": "disk", "writable": True})
            near = await asyncio.create_subprocess_exec(
                "ip", "netns", "exec", hosts.near, *daemon_argv("guimirror"),
                "--object", f"tls-creds-x509,id=c0,dir={creds.client},endpoint=client",
                "--blockdev", f"driver=file,node-name=src,filename={source}",
                "--blockdev", f"driver=nbd,node-name=remote,server.type=inet,"
                f"server.host={FAR_ADDRESS},server.port={NBD_PORT},export=disk,tls-creds=c0,"
                "discard=unmap",
                "--chardev", f"socket,id=m0,path={near_qmp},server=on,wait=off",
                "--monitor", "chardev=m0",
                env=daemon_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # fmt: skip
            await wait_for_socket(near_qmp, near)
            await client.connect(str(near_qmp))
            async with asyncio.timeout(60):
                with client.listener(("BLOCK_JOB_READY", "BLOCK_JOB_COMPLETED")) as events:
                    await client.execute("blockdev-mirror", {"job-id": "j0", "device": "src",
                                                             "target": "remote", "sync": "full"})
                    async for event in events:
                        if event["event"] == "BLOCK_JOB_READY":
                            await client.execute("job-complete", {"id": "j0"})
                        else:
                            assert "error" not in event["data"], event
                            break
            await client.execute("blockdev-del", {"node-name": "remote"})
        finally:
            await client.disconnect()
            if near is not None:
                await stop(near)
            await far.close()

    asyncio.run(scenario())
    compared = subprocess.run(["cmp", str(source), str(target)], capture_output=True, check=False)
    assert compared.returncode == 0, compared.stdout
    assert allocated_bytes(target) <= allocated_bytes(source) + 256 * 1024
