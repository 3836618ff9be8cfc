# SPDX-License-Identifier: GPL-2.0-or-later
"""NBD over TLS on both sides of the built-in engine, against QEMU's TLS: qemu-nbd serving
with ``--tls-creds`` to the engine's nbd driver, and qemu-io, qemu-img and the engine's own
driver as clients of the engine's server with tls-creds. Certificates are made by the test.
"""

from __future__ import annotations

import asyncio
import subprocess
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from guimirror.engine.drivers.nbd import NbdNode
from guimirror.engine.engine import Engine
from guimirror.qapi.errors import QAPIError
from tests.engine.mirror_support import (
    EventLog,
    add_node,
    add_raw,
    complete_and_wait,
    make_image,
    mirror,
    run,
)
from tests.nbd.certificates import Credentials, make_credentials
from tests.nbd.servers import EXPORT
from tests.nbd.tools import run as run_client
from tests.qmp.wire import stop, wait_for_socket
from tests.support import require_tools

KiB = 1024
MiB = 1024 * KiB

pytestmark = pytest.mark.qemu


@pytest.fixture(scope="module")
def creds(tmp_path_factory: pytest.TempPathFactory) -> Credentials:
    return make_credentials(tmp_path_factory.mktemp("tls"))


def creds_object(directory: Path, endpoint: str, creds_id: str = "tls0") -> dict[str, str]:
    return {"qom-type": "tls-creds-x509", "id": creds_id, "dir": str(directory),
            "endpoint": endpoint}  # fmt: skip


def client_object_option(directory: Path) -> str:
    return f"tls-creds-x509,id=tls0,dir={directory},endpoint=client"


@asynccontextmanager
async def qemu_nbd_with_tls(creds: Credentials, image: Path, sock: Path) -> AsyncIterator[None]:
    require_tools("qemu-nbd")
    process = await asyncio.create_subprocess_exec(
        "qemu-nbd", "--object", f"tls-creds-x509,id=s0,dir={creds.server},endpoint=server",
        "--tls-creds", "s0", "-f", "raw", "-x", EXPORT, "-k", str(sock), "--persistent",
        "--discard=unmap", str(image),
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # fmt: skip
    try:
        await wait_for_socket(sock, process)
        yield
    finally:
        await stop(process)


def nbd_tls_options(sock: Path, name: str = "remote", **extra: object) -> dict[str, object]:
    return {"driver": "nbd", "node-name": name, "export": EXPORT,
            "server": {"type": "unix", "path": str(sock)}, "tls-creds": "tls0",
            "tls-hostname": "localhost", **extra}  # fmt: skip


def without(options: dict[str, object], key: str) -> dict[str, object]:
    return {name: value for name, value in options.items() if name != key}


def test_the_engine_mirrors_to_qemu_nbd_over_tls(
    creds: Credentials, tmp_path: Path, sock_dir: Path
) -> None:
    source = make_image(tmp_path / "src.raw", 16 * MiB, [(0, MiB, None), (8 * MiB, 2 * MiB, 5)])
    target = make_image(tmp_path / "tgt.raw", 16 * MiB)
    sock = sock_dir / "tls.sock"

    async def scenario() -> None:
        engine = Engine()
        log = EventLog(engine)
        try:
            async with qemu_nbd_with_tls(creds, target, sock):
                await run(engine, "object-add", creds_object(creds.client, "client"))
                # the same export without TLS, with a wrong name, and with a foreign client
                with pytest.raises(QAPIError) as plain:
                    await add_node(engine, **without(nbd_tls_options(sock), "tls-creds"))
                assert plain.value.desc.startswith("TLS negotiation required before option")
                assert "Did you forget a valid tls-creds?" in plain.value.desc
                with pytest.raises(QAPIError, match=r"^No hostname for certificate validation$"):
                    await add_node(engine, **without(nbd_tls_options(sock), "tls-hostname"))
                with pytest.raises(QAPIError) as wrong:
                    await add_node(engine, **nbd_tls_options(sock, **{"tls-hostname": "wrong"}))
                assert wrong.value.desc == "Certificate does not match the hostname wrong"

                await add_raw(engine, "src", source)
                await add_node(engine, **nbd_tls_options(sock, name="tgt", discard="unmap"))
                node = engine.graph.find_node("tgt")
                assert isinstance(node, NbdNode) and node.address.tls is not None
                await mirror(engine, job_id="j0", device="src", target="tgt", sync="full")
                assert "error" not in await complete_and_wait(engine, log, "j0")
                await run(engine, "blockdev-del", {"node-name": "tgt"})
        finally:
            await engine.close()

    asyncio.run(scenario())
    assert target.read_bytes() == source.read_bytes()


def test_qemu_io_and_qemu_img_read_and_write_the_engines_export_over_tls(
    creds: Credentials, tmp_path: Path
) -> None:
    require_tools("qemu-io", "qemu-img")
    disk = make_image(tmp_path / "disk.raw", 4 * MiB, [(0, MiB, 0x31)])

    async def scenario() -> None:
        engine = Engine()
        try:
            await run(engine, "object-add", creds_object(creds.server, "server", "srv"))
            await add_raw(engine, "disk", disk)
            await run(engine, "nbd-server-start", {
                "addr": {"type": "inet", "data": {"host": "127.0.0.1", "port": "0"}},
                "tls-creds": "srv"})  # fmt: skip
            server = engine.exports.server
            assert server is not None
            port = server.sockets[0].getsockname()[1]
            await run(engine, "block-export-add", {"type": "nbd", "id": "e0", "node-name": "disk",
                                                   "name": EXPORT, "writable": True})  # fmt: skip
            opts = (f"driver=nbd,server.type=inet,server.host=127.0.0.1,server.port={port},"
                    f"export={EXPORT},tls-creds=tls0")  # fmt: skip
            tls = ("--object", client_object_option(creds.client))
            wrote = await run_client("qemu-io", *tls, "--image-opts", "-c",
                                     "write -P 0x77 2M 64k", "-c", "read -P 0x31 0 4k", opts)
            assert wrote.returncode == 0 and "wrote 65536/65536" in wrote.output, wrote.output
            info = await run_client("qemu-img", "info", *tls, "--image-opts", opts)
            assert "virtual size: 4 MiB" in info.output, info.output
            plain = await run_client("qemu-img", "info", f"nbd://127.0.0.1:{port}/{EXPORT}")
            assert plain.returncode != 0
            assert "server reported: Option 0x8 not permitted before TLS" in plain.output or \
                "not permitted before TLS" in plain.output, plain.output

            # guimirror's own client: the CA's client gets in, one signed by another CA not
            await run(engine, "object-add", creds_object(creds.client, "client"))
            await run(engine, "object-add", creds_object(creds.rogue, "client", "rogue"))
            inet = {"type": "inet", "host": "127.0.0.1", "port": str(port)}
            await add_node(engine, driver="nbd", node_name="back", export=EXPORT,
                           server=inet, **{"tls-creds": "tls0"})
            back = engine.graph.find_node("back")
            assert back is not None
            assert await back.pread(2 * MiB, 4 * KiB) == b"\x77" * 4 * KiB
            refused = r"closed the connection during the handshake \(after TLS"
            with pytest.raises(QAPIError, match=refused):
                await add_node(engine, driver="nbd", node_name="rogue", export=EXPORT,
                               server=inet, **{"tls-creds": "rogue"})
            await run(engine, "blockdev-del", {"node-name": "back"})
        finally:
            await engine.close()

    asyncio.run(scenario())
    assert disk.read_bytes()[2 * MiB : 2 * MiB + 64 * KiB] == b"\x77" * 64 * KiB


def test_tls_objects_are_refused_as_qemu_storage_daemon_refuses_them(
    creds: Credentials, tmp_path: Path
) -> None:
    from tests.engine.conftest import _daemon

    empty = tmp_path / "empty"
    empty.mkdir()
    steps: list[tuple[str, dict[str, object]]] = [
        ("object-add", creds_object(creds.server, "server")),
        ("object-add", creds_object(creds.client, "server")),
        ("object-add", creds_object(empty, "client", "t1")),
        ("object-add", {"qom-type": "tls-creds-x509", "id": "t2", "dir": str(empty),
                        "endpoint": "client", "verify-peer": False}),
        ("object-del", {"id": "nothing"}),
        ("object-del", {"id": "t2"}),
        ("object-add", {"qom-type": "tls-creds-x509", "id": "t3", "dir": str(empty),
                        "endpoint": "nowhere"}),
        ("nbd-server-start", {"addr": {"type": "unix", "data": {"path": str(tmp_path / "s")}},
                              "tls-creds": "missing"}),
    ]  # fmt: skip

    async def ours() -> list[object]:
        engine = Engine()
        results: list[object] = []
        try:
            for command, arguments in steps:
                try:
                    results.append(await run(engine, command, arguments) or {})
                except QAPIError as error:
                    results.append(("error", error.desc))
        finally:
            await engine.close()
        return results

    async def theirs() -> list[object]:
        async with _daemon(tmp_path) as daemon:
            return [await daemon.run(command, arguments) for command, arguments in steps]

    assert asyncio.run(ours()) == asyncio.run(theirs())


def test_a_server_off_loopback_needs_tls_unless_plaintext_is_allowed(
    creds: Credentials,
) -> None:
    async def scenario() -> None:
        engine = Engine()
        try:
            start = {"addr": {"type": "inet", "data": {"host": "0.0.0.0", "port": "0"}}}
            with pytest.raises(QAPIError, match=r"non-loopback address '0\.0\.0\.0' refused"):
                await run(engine, "nbd-server-start", start)
            assert engine.exports.server is None
            loopback = {"addr": {"type": "inet", "data": {"host": "localhost", "port": "0"}}}
            await run(engine, "nbd-server-start", loopback)
            await run(engine, "nbd-server-stop")
        finally:
            await engine.close()

    asyncio.run(scenario())


def test_guimirror_daemon_serves_over_tls_from_its_command_line(
    creds: Credentials, tmp_path: Path, sock_dir: Path
) -> None:
    from tests.qmp.daemons import daemon_argv, daemon_env

    disk = make_image(tmp_path / "disk.raw", 2 * MiB, [(0, MiB, 0x62)])
    sock = sock_dir / "tls.sock"

    async def scenario() -> None:
        process = await asyncio.create_subprocess_exec(
            *daemon_argv("guimirror"),
            "--object", f"tls-creds-x509,id=s0,dir={creds.server},endpoint=server",
            "--blockdev", f"driver=file,node-name=disk,filename={disk}",
            "--nbd-server", f"addr.type=unix,addr.path={sock},tls-creds=s0",
            "--export", f"type=nbd,id=e0,node-name=disk,name={EXPORT}",
            env=daemon_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # fmt: skip
        engine = Engine()
        try:
            await wait_for_socket(sock, process)
            await run(engine, "object-add", creds_object(creds.client, "client"))
            await add_node(engine, **nbd_tls_options(sock, **{"read-only": True}))
            node = engine.graph.find_node("remote")
            assert node is not None and node.read_only
            assert await node.pread(0, 4 * KiB) == b"\x62" * 4 * KiB
            await run(engine, "blockdev-del", {"node-name": "remote"})
        finally:
            await engine.close()
            await stop(process)

    asyncio.run(scenario())


def test_guimirror_daemon_refuses_plaintext_off_loopback_unless_allowed_by_name() -> None:
    from tests.qmp.daemons import run_daemon

    refused = run_daemon("guimirror", [
        "--nbd-server", "addr.type=inet,addr.host=0.0.0.0,addr.port=0"])  # fmt: skip
    assert refused.returncode == 1
    assert "refused without tls-creds" in refused.stderr
    assert "--nbd-allow-plaintext" in refused.stderr
