# SPDX-License-Identifier: GPL-2.0-or-later
"""BLOCK_EXPORT_DELETED: the engine and qemu-storage-daemon run one scenario and must show the
same messages in the same order, events relative to the command replies included.

What QEMU 7.2 does: an export is deleted once its last client is gone. Without clients that is
before the reply to block-export-del (or nbd-server-stop); with clients, block-export-del
mode=hard replies first and the event follows when they are disconnected; nbd-server-stop
replies only after every export's event.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any, Protocol

import pytest

from guimirror.engine.engine import Engine
from guimirror.qapi.errors import QAPIError
from guimirror.qapi.events import BlockExportDeleted
from tests.nbd.raw_client import RawClient as NbdClient
from tests.nbd.tools import command
from tests.qmp.wire import RawClient as QmpClient
from tests.qmp.wire import start_qsd, stop
from tests.support import require_tools

Message = tuple[str, Any]
"""("event", export id), ("return", value) or ("error", desc)."""


class Side(Protocol):
    log: list[Message]

    async def execute(self, name: str, arguments: dict[str, Any] | None = None) -> None:
        """Run a command; log the events seen before its reply, then the reply."""

    async def wait_events(self, count: int) -> None:
        """Log events until ``count`` BLOCK_EXPORT_DELETED have been logged in all."""


class EngineSide:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.log: list[Message] = []
        self._deleted = asyncio.Event()
        engine.add_event_listener(self._on_event)

    def _on_event(self, event: object) -> None:
        if isinstance(event, BlockExportDeleted):
            self.log.append(("event", event.id))
            self._deleted.set()

    async def execute(self, name: str, arguments: dict[str, Any] | None = None) -> None:
        try:
            result = await command(self.engine, name, arguments)
        except QAPIError as error:
            self.log.append(("error", error.desc))
            return
        if isinstance(result, list):
            result = [item.to_qmp() for item in result]
        self.log.append(("return", {} if result is None else result))

    async def wait_events(self, count: int) -> None:
        async with asyncio.timeout(10):
            while sum(kind == "event" for kind, _ in self.log) < count:
                self._deleted.clear()
                await self._deleted.wait()


class QemuSide:
    def __init__(self, client: QmpClient) -> None:
        self.client = client
        self.log: list[Message] = []

    def _log_event(self, message: dict[str, Any]) -> None:
        if message["event"] == "BLOCK_EXPORT_DELETED":
            self.log.append(("event", message["data"]["id"]))

    async def execute(self, name: str, arguments: dict[str, Any] | None = None) -> None:
        request: dict[str, Any] = {"execute": name, "arguments": arguments or {}}
        await self.client.send(json.dumps(request).encode())
        while True:
            message = await self.client.read()
            if "event" in message:
                self._log_event(message)
            elif "error" in message:
                self.log.append(("error", message["error"]["desc"]))
                return
            else:
                self.log.append(("return", message["return"]))
                return

    async def wait_events(self, count: int) -> None:
        while sum(kind == "event" for kind, _ in self.log) < count:
            message = await self.client.read()
            assert "event" in message, message
            self._log_event(message)


def export(export_id: str) -> dict[str, Any]:
    return {"type": "nbd", "id": export_id, "node-name": "null0", "name": export_id}


async def scenario(side: Side, nbd_sock: Path) -> list[Message]:
    await side.execute("blockdev-add", {"driver": "null-co", "node-name": "null0",
                                        "size": 1 << 20})
    await side.execute("nbd-server-start",
                       {"addr": {"type": "unix", "data": {"path": str(nbd_sock)}}})
    # No client: the export goes before the reply.
    await side.execute("block-export-add", export("e0"))
    await side.execute("block-export-del", {"id": "e0"})
    await side.execute("block-export-del", {"id": "e0"})
    # A client: safe mode refuses, hard mode replies, then the export goes.
    await side.execute("block-export-add", export("e1"))
    client = await NbdClient.connect(str(nbd_sock))
    await client.go("e1")
    await side.execute("block-export-del", {"id": "e1"})
    await side.execute("query-block-exports")
    await side.execute("block-export-del", {"id": "e1", "mode": "hard"})
    await side.wait_events(2)
    assert await client.reader.read() == b""
    await client.close()
    await side.execute("query-block-exports")
    # nbd-server-stop deletes every export before it replies.
    await side.execute("block-export-add", export("e2"))
    await side.execute("block-export-add", export("e3"))
    await side.execute("nbd-server-stop")
    await side.execute("query-block-exports")
    return side.log


@pytest.mark.qemu
def test_block_export_deleted_is_emitted_as_qemu_storage_daemon_emits_it(
    sock_dir: Path,
) -> None:
    require_tools("qemu-storage-daemon")

    async def on_qemu() -> list[Message]:
        qemu_dir = sock_dir / "qemu"
        qemu_dir.mkdir()
        process, qmp_sock = await start_qsd(qemu_dir)
        try:
            client, _greeting = await QmpClient.connect(qmp_sock)
            assert await client.execute("qmp_capabilities") == {"return": {}}
            log = await scenario(QemuSide(client), qemu_dir / "nbd.sock")
            await client.close()
            return log
        finally:
            await stop(process)

    async def on_engine() -> list[Message]:
        engine = Engine()
        try:
            return await scenario(EngineSide(engine), sock_dir / "nbd.sock")
        finally:
            await engine.close()

    expected: list[Message] = [
        ("return", {}),
        ("return", {}),
        ("return", {}),
        ("event", "e0"),
        ("return", {}),
        ("error", "Export 'e0' is not found"),
        ("return", {}),
        ("error", "export 'e1' still in use"),
        ("return", [{"id": "e1", "type": "nbd", "node-name": "null0", "shutting-down": False}]),
        ("return", {}),
        ("event", "e1"),
        ("return", []),
        ("return", {}),
        ("return", {}),
        ("event", "e2"),
        ("event", "e3"),
        ("return", {}),
        ("return", []),
    ]
    assert asyncio.run(on_qemu()) == expected
    assert asyncio.run(on_engine()) == expected


def test_close_deletes_the_exports_left_with_an_event_each(sock_dir: Path) -> None:
    async def scenario_on_engine() -> list[Message]:
        engine = Engine()
        side = EngineSide(engine)
        await side.execute("blockdev-add", {"driver": "null-co", "node-name": "null0"})
        await side.execute("nbd-server-start",
                           {"addr": {"type": "unix", "data": {"path": str(sock_dir / "s")}}})
        await side.execute("block-export-add", export("a"))
        client = await NbdClient.connect(str(sock_dir / "s"))
        await client.go("a")
        await side.execute("block-export-add", export("b"))
        await engine.close()
        await client.close()
        return side.log

    log = asyncio.run(scenario_on_engine())
    assert sorted(log[-2:]) == [("event", "a"), ("event", "b")]
    assert [kind for kind, _ in log[:-2]] == ["return"] * 4
