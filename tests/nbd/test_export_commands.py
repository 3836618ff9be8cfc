# SPDX-License-Identifier: GPL-2.0-or-later
"""The five export commands give qemu-storage-daemon 7.2's replies, error for error.

One script of nbd-server-start, nbd-server-stop, block-export-add, block-export-del and
query-block-exports (with blockdev-del of an exported node) runs on a real
qemu-storage-daemon over QMP and on guimirror's Engine; every reply must be the same,
including while an NBD client holds an export open.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from qemu.qmp import ExecuteError, QMPClient

from guimirror.engine.engine import Engine
from guimirror.qapi.base import parse_arguments
from guimirror.qapi.blockdev import BlockdevOptions
from guimirror.qapi.commands import COMMANDS
from guimirror.qapi.errors import QAPIError
from guimirror.session.launcher import DaemonLauncher
from tests.nbd.raw_client import RawClient
from tests.support import require_tools

pytestmark = pytest.mark.qemu

Outcome = tuple[str, Any]
SOCKET = "@SOCKET@"
"""Stands for each side's own NBD socket path in the script."""


def unix(path: str) -> dict[str, Any]:
    return {"addr": {"type": "unix", "data": {"path": path}}}


def nodes(image: Path) -> list[dict[str, Any]]:
    return [
        {"driver": "file", "node-name": "disk-file", "filename": str(image)},
        {"driver": "raw", "node-name": "disk", "file": "disk-file"},
        {"driver": "null-co", "node-name": "ro", "read-only": True, "size": 1048576},
    ]


BEFORE_START: list[tuple[str, dict[str, Any] | None]] = [
    ("nbd-server-stop", None),
    ("query-block-exports", None),
    ("block-export-add", {"type": "nbd", "id": "e0", "node-name": "disk"}),
    ("block-export-add", {"type": "nbd", "id": "e0", "node-name": "nope"}),
    ("block-export-add", {"type": "nbd", "id": "e0", "node-name": "ro", "writable": True}),
    ("block-export-add", {"type": "nbd", "id": "#e0", "node-name": "disk"}),
    ("block-export-del", {"id": "e0"}),
    ("nbd-server-start", unix("/nonexistent/dir/nbd.sock")),
    ("nbd-server-start", {**unix(SOCKET), "tls-creds": "creds0"}),
    ("nbd-server-start", {"addr": {"type": "inet", "data": {"host": "127.0.0.1",
                                                             "port": "notaport"}}}),
    ("nbd-server-start", {"addr": {"type": "inet", "data": {"host": "127.0.0.1", "port": "0"}},
                          "tls-creds": "creds0"}),
    ("nbd-server-start", {"addr": {"type": "inet", "data": {"host": "127.0.0.1", "port": "0"}}}),
    ("nbd-server-start", unix(SOCKET)),
    ("nbd-server-stop", None),
    ("nbd-server-stop", None),
    ("nbd-server-start", unix(SOCKET)),
]

WITH_SERVER: list[tuple[str, dict[str, Any] | None]] = [
    ("nbd-server-start", unix(SOCKET)),
    ("block-export-add", {"type": "nbd", "id": "e0", "node-name": "disk"}),
    ("block-export-add", {"type": "nbd", "id": "e0", "node-name": "ro"}),
    ("block-export-add", {"type": "nbd", "id": "e1", "node-name": "ro", "name": "disk"}),
    ("block-export-add", {"type": "nbd", "id": "e1", "node-name": "nope", "name": "disk"}),
    ("block-export-add", {"type": "nbd", "id": "e1", "node-name": "ro", "name": "n" * 4097}),
    ("block-export-add", {"type": "nbd", "id": "e1", "node-name": "ro",
                          "description": "d" * 4097}),
    ("block-export-add", {"type": "nbd", "id": "e1", "node-name": "ro", "bitmaps": ["b0"]}),
    ("block-export-add", {"type": "nbd", "id": "e1", "node-name": "ro", "iothread": "io0"}),
    ("block-export-add", {"type": "nbd", "id": "e1", "node-name": "ro", "writable": True}),
    ("block-export-add", {"type": "nbd", "id": "e1", "node-name": "ro", "name": "n" * 4096,
                          "description": "read-only zeroes"}),
    ("block-export-add", {"type": "nbd", "id": "e2", "node-name": "disk", "name": "rw",
                          "writable": True, "writethrough": True}),
    ("query-block-exports", None),
    ("blockdev-del", {"node-name": "disk"}),
    ("blockdev-del", {"node-name": "ro"}),
]

WHILE_CONNECTED: list[tuple[str, dict[str, Any] | None]] = [
    ("block-export-del", {"id": "e2"}),
    ("block-export-del", {"id": "e2", "mode": "safe"}),
    ("query-block-exports", None),
    ("block-export-del", {"id": "e2", "mode": "hard"}),
    ("block-export-del", {"id": "e2", "mode": "hard"}),
    ("block-export-del", {"id": "e0"}),
    ("query-block-exports", None),
    ("nbd-server-stop", None),
    ("query-block-exports", None),
    ("nbd-server-stop", None),
    ("blockdev-del", {"node-name": "disk"}),
]


class Side:
    """Runs script steps on one engine and records their outcomes."""

    def __init__(self, socket_path: Path) -> None:
        self.socket_path = socket_path
        self.outcomes: list[tuple[str, Outcome]] = []

    async def execute(self, command: str, arguments: dict[str, Any] | None) -> Outcome:
        raise NotImplementedError

    async def steps(self, script: list[tuple[str, dict[str, Any] | None]]) -> None:
        for command, arguments in script:
            if arguments is not None and arguments.get("addr", {}).get("data", {}).get(
                "path"
            ) == SOCKET:
                arguments = {**arguments, "addr": {"type": "unix",
                                                   "data": {"path": str(self.socket_path)}}}
            self.outcomes.append((command, await self.execute(command, arguments)))


class DaemonSide(Side):
    def __init__(self, socket_path: Path, client: QMPClient) -> None:
        super().__init__(socket_path)
        self.client = client

    async def execute(self, command: str, arguments: dict[str, Any] | None) -> Outcome:
        try:
            return ("return", await self.client.execute(command, arguments))
        except ExecuteError as error:
            return ("error", (error.error.error.class_, error.error.error.desc))


class EngineSide(Side):
    def __init__(self, socket_path: Path, engine: Engine) -> None:
        super().__init__(socket_path)
        self.engine = engine

    async def execute(self, command: str, arguments: dict[str, Any] | None) -> Outcome:
        method = getattr(self.engine, command.replace("-", "_"))
        model = COMMANDS[command]
        try:
            result = await (method() if model is None else method(
                parse_arguments(model, arguments or {})))
        except QAPIError as error:
            return ("error", (error.error_class, error.desc))
        if isinstance(result, list):
            return ("return", [item.to_qmp() for item in result])
        return ("return", {} if result is None else result.to_qmp())


async def play(side: Side) -> None:
    await side.steps(BEFORE_START)
    await side.steps(WITH_SERVER)
    holders = [await RawClient.connect(str(side.socket_path)) for _ in range(2)]
    await holders[0].go("rw")
    await holders[1].go("disk", structured=False)
    await side.steps(WHILE_CONNECTED)
    assert await asyncio.wait_for(holders[0].reader.read(1), 5) == b""
    for holder in holders:
        await holder.close()


def test_export_commands_reply_as_qemu_storage_daemon_does(tmp_path: Path) -> None:
    require_tools("qemu-storage-daemon")
    image = tmp_path / "disk.raw"
    image.write_bytes(bytes(1024 * 1024))

    async def scenario() -> tuple[list[tuple[str, Outcome]], list[tuple[str, Outcome]], bool]:
        async with DaemonLauncher(name="nbd-conformance") as daemon:
            client = QMPClient("nbd-conformance")
            await client.connect(daemon.socket_path)
            try:
                for options in nodes(image):
                    await client.execute("blockdev-add", options)
                qsd = DaemonSide(Path(daemon.runtime_dir) / "nbd.sock", client)
                await play(qsd)
                qsd_socket_left = qsd.socket_path.exists()
            finally:
                await client.disconnect()
        engine = Engine()
        try:
            for options in nodes(image):
                await engine.blockdev_add(parse_arguments(BlockdevOptions, options))
            ours = EngineSide(tmp_path / "nbd.sock", engine)
            await play(ours)
            assert ours.socket_path.exists() == qsd_socket_left
        finally:
            await engine.close()
        return qsd.outcomes, ours.outcomes, qsd_socket_left

    qsd, ours, _ = asyncio.run(scenario())
    differences = [
        f"step {step} {expected[0]}: qemu-storage-daemon {expected[1]}, engine {got[1]}"
        for step, (expected, got) in enumerate(zip(qsd, ours, strict=True))
        if got != expected
    ]
    assert not differences, "\n".join(differences)
