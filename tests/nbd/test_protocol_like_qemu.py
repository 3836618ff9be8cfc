# SPDX-License-Identifier: GPL-2.0-or-later
"""The NBD wire protocol of the engine's server, exchange for exchange against QEMU's.

A client written from the spec (tests/nbd/raw_client.py) plays the same sessions against a
real qemu-storage-daemon and against guimirror's Engine, each exporting its own copy of the
same image: option replies, transmission flags, errors of refused and failed requests (with
errnos mapped from blkdebug's injected ones), pipelined requests, and what lands in the file.
"""

from __future__ import annotations

import asyncio
import hashlib
import shutil
from pathlib import Path
from typing import Any

import pytest
from qemu.qmp import QMPClient

from guimirror.engine.engine import Engine
from guimirror.nbd import protocol as p
from guimirror.session.launcher import DaemonLauncher
from tests.nbd.raw_client import RawClient, name_payload
from tests.nbd.tools import command
from tests.support import require_tools

pytestmark = pytest.mark.qemu

SIZE = 1024 * 1024
BAD_SECTORS = {8: 5, 16: 28, 24: 122, 32: 2, 40: 30, 48: 95}
"""blkdebug rules of the ``bad`` export: sector -> injected errno (EIO, ENOSPC, EDQUOT,
ENOENT, EROFS, ENOTSUP)."""

COMPARED_FLAGS = ~p.TransmissionFlag.SEND_FAST_ZERO
"""The engine does not offer NBD_CMD_FLAG_FAST_ZERO; every other transmission flag must match."""


def setup_commands(image: Path, socket_path: Path) -> list[tuple[str, dict[str, Any]]]:
    rules = [
        {"event": "read_aio", "iotype": "read", "sector": sector, "errno": errno}
        for sector, errno in BAD_SECTORS.items()
    ]
    return [
        ("blockdev-add", {"driver": "file", "node-name": "disk-file", "filename": str(image),
                          "discard": "unmap"}),
        ("blockdev-add", {"driver": "raw", "node-name": "disk", "file": "disk-file",
                          "discard": "unmap"}),
        ("blockdev-add", {"driver": "raw", "node-name": "bad", "read-only": True, "file": {
            "driver": "blkdebug", "inject-error": rules,
            "image": {"driver": "file", "filename": str(image), "read-only": True}}}),
        ("blockdev-add", {"driver": "file", "node-name": "direct", "filename": str(image),
                          "read-only": True, "cache": {"direct": True}}),
        ("nbd-server-start", {"addr": {"type": "unix", "data": {"path": str(socket_path)}}}),
        ("block-export-add", {"type": "nbd", "id": "e0", "node-name": "disk", "writable": True,
                              "description": "a test disk"}),
        ("block-export-add", {"type": "nbd", "id": "e1", "node-name": "disk",
                              "name": "disk-ro"}),
        ("block-export-add", {"type": "nbd", "id": "e2", "node-name": "bad"}),
        ("block-export-add", {"type": "nbd", "id": "e3", "node-name": "direct"}),
    ]


async def options_session(path: str) -> list[Any]:
    """Option haggling: every reply type and payload, and the transmission flags."""
    seen: list[Any] = []
    client = await RawClient.connect(path)
    for option, payload in [
        (p.Option.GO, name_payload("nope") + p.U16.pack(0)),
        (99, b""),
        (p.Option.SET_META_CONTEXT, name_payload("disk") + p.U32.pack(0)),
        (p.Option.LIST, b"x"),
        (p.Option.STARTTLS, b""),
        (p.Option.LIST_META_CONTEXT, name_payload("disk") + p.U32.pack(0)),
        (p.Option.STRUCTURED_REPLY, b""),
        (p.Option.STRUCTURED_REPLY, b""),
        (p.Option.INFO, name_payload("disk-ro") + p.U16.pack(2) + p.U16.pack(p.Info.NAME)
         + p.U16.pack(p.Info.DESCRIPTION)),
        (p.Option.INFO, name_payload("disk") + p.U16.pack(1) + p.U16.pack(p.Info.DESCRIPTION)),
        (p.Option.INFO, name_payload("disk") + p.U16.pack(1)),
    ]:
        answers = await client.option(option, payload)
        seen.append((option, [(a.reply, _info(a.reply, a.payload)) for a in answers]))
    seen.append(("abort", [a.reply for a in await client.option(p.Option.ABORT)]))
    seen.append(("after abort", await client.reader.read(1)))
    await client.close()

    old_style = await RawClient.connect(path, no_zeroes=False)
    old_style.send_option(p.Option.EXPORT_NAME, b"disk")
    size, flags = p.EXPORT_NAME_REPLY.unpack(await old_style.reader.readexactly(10))
    seen.append(("export-name", size, flags & COMPARED_FLAGS,
                 await old_style.reader.readexactly(124)))
    seen.append(("read", (await old_style.request(p.Command.READ, 0, 8)).data))
    await old_style.close()

    for requests in ([], [p.Info.BLOCK_SIZE]):
        go = await RawClient.connect(path)
        payload = name_payload("direct") + p.U16.pack(len(requests))
        payload += b"".join(p.U16.pack(request) for request in requests)
        answers = await go.option(p.Option.GO, payload)
        infos = [(a.reply, _info(a.reply, a.payload)) for a in answers]
        seen.append(("go direct", requests, infos))
        reply = await go.request(p.Command.READ, 1, 3)
        seen.append(("unaligned read", reply.error, reply.data))
        await go.close()
    return seen


def _info(reply: int, payload: bytes) -> Any:
    if reply == p.OptionReply.INFO and payload[:2] == b"\0\0":
        _, size, flags = p.INFO_EXPORT.unpack(payload)
        return ("export", size, flags & COMPARED_FLAGS)
    if reply == p.OptionReply.INFO and payload[:2] == b"\0\3":
        _, minimum, preferred, maximum = p.INFO_BLOCK_SIZE.unpack(payload)
        # The probed O_DIRECT alignment differs (QEMU probes 512 here, the file driver uses
        # 4096); whether the real minimum or 1 is sent must match.
        return ("block size", "aligned" if minimum > 1 else 1, preferred, maximum)
    if reply & (1 << 31):
        return None  # the error messages are free text
    return payload


async def simple_session(path: str) -> list[Any]:
    """Simple replies: refusals, pipelined writes and reads, FUA, zeroes, trim, cache, DISC."""
    seen: list[Any] = []
    client = await RawClient.connect(path)
    await client.go("disk", structured=False)
    simple_requests: list[tuple[Any, ...]] = [
        (p.Command.READ, SIZE - 512, 1024),
        (p.Command.WRITE, SIZE - 512, 0, b"x" * 1024),
        (p.Command.READ, 0, 512),
        (42, 0, 512),
        (p.Command.READ, 0, 512, b"", p.CommandFlag.DF),
        (p.Command.READ, 0, 512, b"", 0x100),
        (p.Command.FLUSH, 0, 0, b"", p.CommandFlag.NO_HOLE),
        (p.Command.BLOCK_STATUS, 0, 512),
        (p.Command.WRITE, 0, 0, b"f" * 4096, p.CommandFlag.FUA),
        (p.Command.WRITE_ZEROES, 12288, 4096),
        (p.Command.TRIM, 65536, 65536),
        (p.Command.CACHE, 0, SIZE),
        (p.Command.FLUSH, 0, 0),
        (p.Command.TRIM, 0, SIZE + 1),
        (p.Command.WRITE_ZEROES, SIZE, 1),
    ]
    for request in simple_requests:
        reply = await client.request(*request)
        seen.append((request[0], reply.error, hashlib.sha1(reply.data).hexdigest()))
    for cookie in range(16):
        client.send(p.Command.WRITE, cookie, 131072 + cookie * 4096, data=bytes([cookie]) * 4096)
    client.send(p.Command.FLUSH, 100)
    replies = {}
    for _ in range(17):
        reply = await client.reply()
        replies[reply.cookie] = reply.error
    seen.append(("pipelined writes", sorted(replies.items())))
    for cookie in range(16):
        client.send(p.Command.READ, cookie, 131072 + cookie * 4096, 4096)
    reads = [await client.reply(4096) for _ in range(16)]
    seen.append(("pipelined reads", sorted((r.cookie, r.error, r.data[:1]) for r in reads)))
    client.send(p.Command.DISC, 8)
    seen.append(("after disc", await client.reader.read(1)))
    await client.close()
    return seen


async def structured_session(path: str) -> list[Any]:
    """Structured replies: block status, error chunks, a read-only export, injected errors."""
    seen: list[Any] = []
    client = await RawClient.connect(path)
    await client.go("disk", structured=True, meta=True)
    structured_requests: list[tuple[Any, ...]] = [
        (p.Command.READ, 0, 4096),
        (p.Command.READ, 0, 4096, b"", p.CommandFlag.DF),
        (p.Command.READ, SIZE, 1),
        (p.Command.BLOCK_STATUS, 0, SIZE),
        (p.Command.BLOCK_STATUS, 0, SIZE, b"", p.CommandFlag.REQ_ONE),
        (p.Command.WRITE, SIZE, 0, b"z"),
        (p.Command.WRITE_ZEROES, 8192, 4096, b"", p.CommandFlag.NO_HOLE),
        (p.Command.READ, 8192, 4096),
    ]
    for request in structured_requests:
        reply = await client.request(*request)
        seen.append((request[0], reply.error, reply.data))
    await client.close()

    read_only = await RawClient.connect(path)
    await read_only.go("disk-ro", structured=True)
    read_only_requests: list[tuple[Any, ...]] = [
        (p.Command.WRITE, 0, 0, b"w" * 512),
        (p.Command.TRIM, 0, 512),
        (p.Command.WRITE_ZEROES, 0, 512),
        (p.Command.FLUSH, 0, 0),
        (p.Command.READ, 0, 16),
    ]
    for request in read_only_requests:
        reply = await read_only.request(*request)
        seen.append(("read-only", request[0], reply.error, reply.data))
    await read_only.close()

    bad = await RawClient.connect(path)
    await bad.go("bad", structured=False)
    for sector in BAD_SECTORS:
        reply = await bad.request(p.Command.READ, sector * 512, 512)
        seen.append(("injected", sector, reply.error))
    seen.append(("bad read ok", (await bad.request(p.Command.READ, 0, 512)).error))
    await bad.close()
    return seen


async def play(path: str) -> list[Any]:
    return [
        *await options_session(path),
        *await simple_session(path),
        *await structured_session(path),
    ]


def test_engine_speaks_nbd_as_qemu_storage_daemon_does(tmp_path: Path) -> None:
    require_tools("qemu-storage-daemon")
    image = tmp_path / "base.raw"
    with image.open("wb") as f:
        f.write(b"".join(bytes([i + 1]) * 4096 for i in range(64)))
        f.truncate(SIZE)
    qsd_image = tmp_path / "qsd.raw"
    ours_image = tmp_path / "ours.raw"
    shutil.copyfile(image, qsd_image)
    shutil.copyfile(image, ours_image)

    async def scenario() -> tuple[list[Any], list[Any]]:
        async with DaemonLauncher(name="nbd-protocol") as daemon:
            client = QMPClient("nbd-protocol")
            await client.connect(daemon.socket_path)
            socket_path = Path(daemon.runtime_dir) / "nbd.sock"
            try:
                for name, arguments in setup_commands(qsd_image, socket_path):
                    await client.execute(name, arguments)
                qsd = await play(str(socket_path))
            finally:
                await client.disconnect()
        engine = Engine()
        try:
            socket_path = tmp_path / "nbd.sock"
            for name, arguments in setup_commands(ours_image, socket_path):
                await command(engine, name, arguments)
            ours = await play(str(socket_path))
        finally:
            await engine.close()
        return qsd, ours

    qsd, ours = asyncio.run(scenario())
    differences = [
        f"exchange {index}: qemu-storage-daemon {expected!r:.300}\n    engine {got!r:.300}"
        for index, (expected, got) in enumerate(zip(qsd, ours, strict=True))
        if got != expected
    ]
    assert not differences, "\n".join(differences)
    assert qsd_image.read_bytes() == ours_image.read_bytes()
    written = ours_image.read_bytes()
    assert written[131072 + 5 * 4096 : 131072 + 6 * 4096] == bytes([5]) * 4096
