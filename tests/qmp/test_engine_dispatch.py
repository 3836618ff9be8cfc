# SPDX-License-Identifier: GPL-2.0-or-later
"""The server in front of a real in-process Engine: dispatch, argument errors, and every
client hearing every event."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from guimirror.engine.engine import Engine
from guimirror.qmp.server import QMPServer
from tests.qmp.wire import RawClient

SIZE = 4 << 20


async def _wait_event(client: RawClient, name: str) -> dict[str, Any]:
    while True:
        for event in client.events:
            if event["event"] == name:
                return event
        client.events.append(await client.read())


def test_engine_commands_events_to_all_clients_and_argument_errors(tmp_path: Path) -> None:
    async def scenario() -> None:
        engine = Engine()
        server = QMPServer(engine)
        await server.start_unix(tmp_path / "qmp.sock")
        await server.start_unix(tmp_path / "second.sock")  # one client per socket, as QEMU
        first, _ = await RawClient.connect(tmp_path / "qmp.sock")
        second, _ = await RawClient.connect(tmp_path / "second.sock")
        for client in (first, second):
            assert await client.execute("qmp_capabilities") == {"return": {}}
        names = {c["name"] for c in (await first.execute("query-commands"))["return"]}
        assert {"blockdev-add", "blockdev-mirror", "job-complete", "block-export-add",
                "query-named-block-nodes"} <= names

        for node in ("src", "tgt"):
            reply = await first.execute("blockdev-add", driver="null-co", **{"node-name": node},
                                        size=SIZE)
            assert reply == {"return": {}}
        nodes = (await first.execute("query-named-block-nodes", flat=True))["return"]
        assert sorted(n["node-name"] for n in nodes) == ["src", "tgt"]
        assert (await first.execute("blockdev-mirror", device="src", target="tgt",
                                    **{"job-id": "j"}))["error"] == {
            "class": "GenericError", "desc": "Parameter 'sync' is missing"}
        assert (await first.execute("query-block-jobs", bogus=1))["error"]["desc"] == \
            "Parameter 'bogus' is unexpected"
        assert (await first.execute("blockdev-mirror", device="src", target="tgt",
                                    sync="full", **{"job-id": "j"})) == {"return": {}}
        for client in (first, second):
            ready = await _wait_event(client, "BLOCK_JOB_READY")
            assert ready["data"]["device"] == "j"
        assert await second.execute("job-complete", id="j") == {"return": {}}
        for client in (first, second):
            completed = await _wait_event(client, "BLOCK_JOB_COMPLETED")
            assert "error" not in completed["data"]
        statuses = [e["data"]["status"] for e in first.events
                    if e["event"] == "JOB_STATUS_CHANGE"]
        assert statuses[:3] == ["created", "running", "ready"]
        for client in (first, second):
            await client.close()
        await server.close()
        await engine.close()

    asyncio.run(scenario())
