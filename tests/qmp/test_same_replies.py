# SPDX-License-Identifier: GPL-2.0-or-later
"""One command line starts qemu-storage-daemon and guimirror-daemon; one QMP script gets
the same replies from both.

Compared exactly: error classes and texts, the shape of every reply, and the members that
describe the same state on both engines. Allowed to differ, and why:
- the greeting's and query-version's ``micro`` and ``package``: they name the engine;
- query-commands: QEMU has many commands we do not offer (ours must be a subset);
- query-named-block-nodes: only node-name, drv, ro and the image's virtual size are
  compared; QEMU adds members (backing_file_depth, write_threshold, ...) describing its
  implementation;
- event timestamps.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

import pytest

from tests.qmp.daemons import common_command_line, start_daemon
from tests.qmp.wire import RawClient, stop
from tests.support import QEMU_VERSIONS, require_qemu

SIZE = 4 << 20

# (command, arguments) in order; every reply is compared.
SCRIPT: list[tuple[str, dict[str, Any] | None]] = [
    ("query-block-jobs", None),
    ("query-jobs", None),
    ("query-block-exports", None),
    ("blockdev-add", {"driver": "null-co", "node-name": "null0", "size": SIZE}),
    ("blockdev-add", {"driver": "null-co", "node-name": "null0", "size": SIZE}),
    ("query-named-block-nodes", {"flat": True}),
    ("blockdev-del", {"node-name": "nope"}),
    ("blockdev-del", {"node-name": "null0"}),
    ("blockdev-del", {}),
    ("blockdev-mirror", {"job-id": "j", "device": "src", "target": "tgt"}),
    ("blockdev-mirror", {"job-id": "j", "device": "src", "target": "tgt", "sync": "bogus"}),
    ("blockdev-mirror", {"job-id": "j", "device": "src", "target": "tgt", "sync": "full",
                         "granularity": 3000}),
    ("blockdev-mirror", {"job-id": "j", "device": "nope", "target": "tgt", "sync": "full"}),
    ("blockdev-mirror", {"job-id": "j", "device": "src", "target": "src", "sync": "full"}),
    ("block-job-set-speed", {"device": "nojob", "speed": 1}),
    ("block-job-pause", {"device": "nojob"}),
    ("block-job-resume", {"device": "nojob"}),
    ("block-job-cancel", {"device": "nojob", "force": True}),
    ("block-job-complete", {"device": "nojob"}),
    ("block-job-finalize", {"id": "nojob"}),
    ("block-job-dismiss", {"id": "nojob"}),
    ("job-pause", {"id": "nojob"}),
    ("job-resume", {"id": "nojob"}),
    ("job-cancel", {"id": "nojob"}),
    ("job-complete", {"id": "nojob"}),
    ("job-finalize", {"id": "nojob"}),
    ("job-dismiss", {"id": "nojob"}),
    ("block-export-del", {"id": "nope"}),
    ("nbd-server-start", {"addr": {"type": "unix", "data": {"path": "/nonexistent/x"}}}),
    ("blockdev-mirror", {"job-id": "j", "device": "src", "target": "tgt", "sync": "full"}),
    ("WAIT", {"event": "BLOCK_JOB_READY"}),
    ("query-block-jobs", None),
    ("job-complete", {"id": "j"}),
    ("WAIT", {"event": "BLOCK_JOB_COMPLETED"}),
    ("query-block-jobs", None),
    ("query-block-exports", None),
    ("block-export-add", {"type": "nbd", "id": "exp0", "node-name": "tgt"}),
    ("block-export-add", {"type": "nbd", "id": "exp1", "node-name": "nope"}),
    ("block-export-add", {"type": "nbd", "id": "exp1", "node-name": "src", "name": "again",
                          "writable": False}),
    ("query-block-exports", None),
    ("block-export-del", {"id": "exp1"}),
    # A paused, resumed and cancelled job that waits to be dismissed.
    ("blockdev-add", {"driver": "null-co", "node-name": "n1", "size": 64 << 20}),
    ("blockdev-add", {"driver": "null-co", "node-name": "n2", "size": 64 << 20}),
    ("blockdev-mirror", {"job-id": "j2", "device": "n1", "target": "n2", "sync": "full",
                         "speed": 1 << 20, "auto-finalize": False, "auto-dismiss": False}),
    ("WAIT", {"status": "running", "count": 2}),
    ("job-pause", {"id": "j2"}),
    ("WAIT", {"status": "paused", "count": 1}),
    ("job-pause", {"id": "j2"}),
    ("query-jobs", None),
    ("job-complete", {"id": "j2"}),
    ("block-job-cancel", {"device": "j2"}),
    ("job-resume", {"id": "j2"}),
    ("WAIT", {"status": "running", "count": 3}),
    ("job-resume", {"id": "j2"}),
    ("job-finalize", {"id": "j2"}),
    ("job-cancel", {"id": "j2"}),
    ("WAIT", {"event": "BLOCK_JOB_CANCELLED"}),
    ("WAIT", {"status": "concluded", "count": 2}),
    ("query-jobs", None),
    ("job-dismiss", {"id": "j2"}),
    ("query-jobs", None),
    ("block-export-del", {"id": "exp0"}),
    ("nbd-server-stop", None),
    ("nbd-server-stop", None),
]


def comparable(command: str, reply: dict[str, Any]) -> Any:
    """The part of a reply both engines must agree on."""
    if "error" in reply:
        return reply["error"]
    result = reply["return"]
    if command == "query-named-block-nodes":
        return sorted((n["node-name"], n["drv"], n["ro"], n["image"]["virtual-size"])
                      for n in result)
    if command == "query-block-exports":
        return sorted(result, key=lambda export: str(export["id"]))
    if command == "query-jobs":
        # current-progress depends on how far the copy got when the job was paused.
        return [{k: v for k, v in job.items() if k != "current-progress"} for job in result]
    return result


def event_digest(event: dict[str, Any]) -> Any:
    data = event.get("data", {})
    if event["event"] == "JOB_STATUS_CHANGE":
        return ("status", data["status"])
    if event["event"] == "BLOCK_JOB_CANCELLED":
        # Cancelled mid-copy: how far it got depends on timing.
        data = {k: v for k, v in data.items() if k != "offset"}
    return (event["event"], data)


def waited_for(events: list[dict[str, Any]], what: dict[str, Any]) -> bool:
    """Whether the events hold ``what``: an event name, or a job status seen ``count``
    times."""
    if "event" in what:
        return any(e["event"] == what["event"] for e in events)
    statuses = [e["data"]["status"] for e in events if e["event"] == "JOB_STATUS_CHANGE"]
    return bool(statuses.count(what["status"]) >= what["count"])


async def _run_script(kind: str, tmp_path: Path, program: str = "qemu-storage-daemon"
                      ) -> tuple[list[Any], list[Any], dict[str, Any]]:
    directory = tmp_path / kind
    directory.mkdir(mode=0o700)
    source, target = directory / "src.img", directory / "tgt.img"
    source.write_bytes(os.urandom(SIZE))
    with target.open("wb") as f:
        f.truncate(SIZE)
    args = common_command_line(directory, source, target)
    process = await start_daemon(kind, args, directory / "qmp.sock", program)
    replies: list[Any] = []
    try:
        client, greeting = await RawClient.connect(directory / "qmp.sock")
        assert await client.execute("qmp_capabilities") == {"return": {}}
        commands = {c["name"] for c in (await client.execute("query-commands"))["return"]}
        version = (await client.execute("query-version"))["return"]
        replies.append(("version", (version["qemu"]["major"], version["qemu"]["minor"])))
        for command, arguments in SCRIPT:
            if command == "WAIT":
                assert arguments is not None
                while not waited_for(client.events, arguments):
                    client.events.append(await client.read(wait=60))
                continue
            if arguments is None:
                reply = await client.execute(command)
            else:
                reply = await client.execute(command, **arguments)
            replies.append((command, comparable(command, reply)))
        assert await client.execute("quit") == {"return": {}}
        status = await asyncio.wait_for(process.wait(), 20)
        replies.append(("exit", status))
        await client.close()
    finally:
        await stop(process)
    events = [event_digest(e) for e in client.events]
    return replies, events, {"greeting": greeting, "commands": commands}


def as_version(version: str, replies: list[Any], events: list[Any], info: dict[str, Any]
               ) -> tuple[list[Any], list[Any], dict[str, Any]]:
    """What guimirror-daemon answered, as far as QEMU ``version`` has it: the engine calls
    itself 7.2 but has QEMU 10.0's block-job-change and actively-synced."""
    if version == "7.2":
        replies = [(command, [{k: v for k, v in job.items() if k != "actively-synced"}
                              for job in reply] if command == "query-block-jobs"
                    and isinstance(reply, list) else reply) for command, reply in replies]
        info = {**info, "commands": info["commands"] - {"block-job-change"}}
    else:
        replies = [entry for entry in replies if entry[0] != "version"]
    return replies, events, info


@pytest.mark.parametrize("version", QEMU_VERSIONS)
def test_same_command_line_and_script_give_the_same_replies(tmp_path: Path, version: str) -> None:
    program = require_qemu(version)

    async def both() -> None:
        qemu = await _run_script("qemu", tmp_path, program)
        ours = await _run_script("guimirror", tmp_path)
        qemu_replies, qemu_events, qemu_info = qemu
        if version != "7.2":
            qemu_replies = [entry for entry in qemu_replies if entry[0] != "version"]
        ours_replies, ours_events, ours_info = as_version(version, *ours)
        for (q_cmd, q_reply), (o_cmd, o_reply) in zip(qemu_replies, ours_replies, strict=True):
            assert (o_cmd, o_reply) == (q_cmd, q_reply)
        def job_events(events: list[Any]) -> list[Any]:
            return [e for e in events if e[0] == "status" or e[0].startswith("BLOCK_JOB_")]

        assert job_events(ours_events) == job_events(qemu_events)
        assert ours_info["commands"] <= qemu_info["commands"]
        assert set(ours_info["greeting"]["QMP"]) == set(qemu_info["greeting"]["QMP"])
        assert ours_info["greeting"]["QMP"]["capabilities"] == \
            qemu_info["greeting"]["QMP"]["capabilities"]
        assert ours_events == qemu_events

    asyncio.run(both())
