# SPDX-License-Identifier: GPL-2.0-or-later
"""Real NBD clients against exports of a real file: qemu-io, nbdinfo and qemu-img compare.

The engine exports a ``raw`` node over a ``file`` node (discard=unmap) of a real image, with
nbd-server-start and block-export-add as a QMP client would; every check reads the image
file itself, not only what the client says.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from guimirror.engine.engine import Engine
from tests.nbd.conftest import IMAGE_SIZE, fresh_copy
from tests.nbd.tools import command, nbd_uri, run
from tests.support import require_tools, wait_until

pytestmark = pytest.mark.qemu


@asynccontextmanager
async def serving(image: Path, sock_dir: Path) -> AsyncIterator[tuple[Engine, Path]]:
    """An engine exporting the image as ``disk`` (writable, described) and ``disk-ro``."""
    engine = Engine()
    socket_path = sock_dir / "nbd.sock"
    try:
        await command(engine, "blockdev-add", {"driver": "file", "node-name": "disk0-file",
                                               "filename": str(image), "discard": "unmap"})
        await command(engine, "blockdev-add", {"driver": "raw", "node-name": "disk0",
                                               "file": "disk0-file", "discard": "unmap"})
        await command(engine, "nbd-server-start",
                      {"addr": {"type": "unix", "data": {"path": str(socket_path)}}})
        await command(engine, "block-export-add", {
            "type": "nbd", "id": "e-rw", "node-name": "disk0", "name": "disk",
            "writable": True, "description": "the test disk"})
        await command(engine, "block-export-add", {
            "type": "nbd", "id": "e-ro", "node-name": "disk0", "name": "disk-ro"})
        yield engine, socket_path
    finally:
        await engine.close()


def test_qemu_io_writes_zeroes_and_discards_land_in_the_file(image: Path, sock_dir: Path) -> None:
    require_tools("qemu-io")

    async def scenario() -> str:
        async with serving(image, sock_dir) as (_, sock):
            result = await run(
                "qemu-io", "-f", "raw",
                "-c", "write -P 0x5a 65536 65536",
                "-c", "write -f -P 0x6b 3145728 4096",
                "-c", "write -z 262144 131072",
                "-c", "discard 524288 65536",
                "-c", "aio_write -P 0x7c 2097152 65536",
                "-c", "aio_write -P 0x7d 2228224 65536",
                "-c", "aio_flush",
                "-c", "flush",
                "-c", "read -P 0x5a 65536 65536",
                nbd_uri(sock, "disk"),
            )
            assert result.returncode == 0, result.output
            return result.output

    output = asyncio.run(scenario())
    assert "Pattern verification failed" not in output
    data = image.read_bytes()
    assert data[65536:131072] == b"\x5a" * 65536
    assert data[3145728:3149824] == b"\x6b" * 4096
    assert data[262144:393216] == bytes(131072)
    assert data[524288:589824] == bytes(65536)
    assert data[2097152:2162688] == b"\x7c" * 65536
    assert data[2228224:2293760] == b"\x7d" * 65536
    assert data[0:4096] == b"\x01" * 4096, "bytes outside the writes changed"
    assert len(data) == IMAGE_SIZE


def test_nbdinfo_lists_both_exports_and_maps_the_allocation(image: Path, sock_dir: Path) -> None:
    require_tools("nbdinfo")

    async def scenario() -> tuple[dict[str, object], dict[str, object], str]:
        async with serving(image, sock_dir) as (_, sock):
            listing = await run("nbdinfo", "--json", "--list", f"nbd+unix://?socket={sock}")
            info = await run("nbdinfo", "--json", nbd_uri(sock, "disk-ro"))
            mapping = await run("nbdinfo", "--map", nbd_uri(sock, "disk"))
            for result in (listing, info, mapping):
                assert result.returncode == 0, result.output
            return json.loads(listing.output), json.loads(info.output), mapping.output

    listing, info, mapping = asyncio.run(scenario())
    exports = {e["export-name"]: e for e in listing["exports"]}  # type: ignore[attr-defined]
    assert set(exports) == {"disk", "disk-ro"}
    assert exports["disk"]["description"] == "the test disk"
    assert exports["disk"]["is_read_only"] is False
    assert exports["disk"]["can_trim"] is True
    assert exports["disk-ro"]["is_read_only"] is True
    assert exports["disk-ro"]["can_zero"] is False
    assert listing["protocol"] == "newstyle-fixed"
    assert info["exports"][0]["export-size"] == IMAGE_SIZE  # type: ignore[index]
    assert info["exports"][0]["contexts"] == ["base:allocation"]  # type: ignore[index]
    rows = [line.split() for line in mapping.splitlines()]
    assert rows[0][:3] == ["0", str(1024 * 1024), "0"], mapping
    assert rows[-1][2:] == ["3", "hole,zero"], mapping
    assert sum(int(row[1]) for row in rows) == IMAGE_SIZE


def test_qemu_img_compare_reads_the_export(image: Path, sock_dir: Path) -> None:
    require_tools("qemu-img")
    changed = fresh_copy(image, "changed.raw")
    with changed.open("r+b") as f:
        f.seek(3 * 1024 * 1024 + 17)
        f.write(b"\xff")

    async def scenario() -> tuple[str, str]:
        async with serving(image, sock_dir) as (_, sock):
            same = await run("qemu-img", "compare", "-f", "raw", "-F", "raw",
                             nbd_uri(sock, "disk"), str(image))
            differs = await run("qemu-img", "compare", "-f", "raw", "-F", "raw",
                                nbd_uri(sock, "disk-ro"), str(changed))
            assert same.returncode == 0, same.output
            assert differs.returncode == 1, differs.output
            return same.output, differs.output

    same, differs = asyncio.run(scenario())
    assert "Images are identical." in same
    assert f"Content mismatch at offset {3 * 1024 * 1024}!" in differs


def test_read_only_export_refuses_writes_as_qemu_does(image: Path, sock_dir: Path) -> None:
    require_tools("qemu-io")
    before = image.read_bytes()

    async def scenario() -> tuple[str, str]:
        async with serving(image, sock_dir) as (_, sock):
            write = await run("qemu-io", "-f", "raw", "-c", "write 0 4096",
                              nbd_uri(sock, "disk-ro"))
            read = await run("qemu-io", "-r", "-f", "raw", "-c", "read -P 0x01 0 4096",
                             nbd_uri(sock, "disk-ro"))
            assert write.returncode == 1
            assert read.returncode == 0, read.output
            return write.output, read.output

    write, read = asyncio.run(scenario())
    assert "Could not open image: Permission denied" in write
    assert "read 4096/4096 bytes at offset 0" in read
    assert image.read_bytes() == before


def test_unknown_export_is_reported_by_name(image: Path, sock_dir: Path) -> None:
    require_tools("qemu-io")

    async def scenario() -> str:
        async with serving(image, sock_dir) as (_, sock):
            result = await run("qemu-io", "-r", "-f", "raw", "-c", "read 0 512",
                               nbd_uri(sock, "nope"))
            assert result.returncode == 1
            return result.output

    assert "server reported: export 'nope' not present" in asyncio.run(scenario())


def test_removing_an_export_disconnects_its_client_and_stop_removes_the_socket(
    image: Path, sock_dir: Path
) -> None:
    require_tools("qemu-io")

    async def scenario() -> str:
        async with serving(image, sock_dir) as (engine, sock):
            process = await asyncio.create_subprocess_exec(
                "qemu-io", "-f", "raw", nbd_uri(sock, "disk"),
                stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.STDOUT,
            )
            server = engine.exports.server
            assert server is not None
            await wait_until(lambda: bool(server.exports["disk"].clients))
            await command(engine, "block-export-del", {"id": "e-rw", "mode": "hard"})
            assert server.exports.keys() == {"disk-ro"}
            assert sock.is_socket()
            out, _ = await process.communicate(b"read 0 512\n")
            await command(engine, "nbd-server-stop")
            assert not sock.exists()
            return out.decode()

    assert "read failed: Input/output error" in asyncio.run(scenario())
