# SPDX-License-Identifier: GPL-2.0-or-later
"""The models against a real qemu-storage-daemon, 7.2 and 10.0.

1. Every model's members, their order and optionality, and every enum's values are those of
   the daemon's own schema (``query-qmp-schema``).
2. Each bad input gives the daemon's exact error text, and where several are wrong, the same
   one the daemon reports first (parse_arguments, then the check functions in QEMU's order).
3. The daemon's replies and events during a mirror (paused, READY, standby, pending, failed on
   an injected read error, cancelled) parse into the models and dump back to the same JSON.

The models follow QEMU 7.2's schema, with the members of later versions that guimirror uses
(``NEWER``); members a later version added that guimirror does not use are not modelled
(``UNMODELLED``): its replies keep them as extras.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import tempfile
import typing
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from enum import StrEnum
from typing import Any

import pytest
from qemu.qmp import EventListener, ExecuteError, QMPClient

from guimirror.qapi.base import QAPIModel, QAPIReply, parse_arguments
from guimirror.qapi.block_info import BlockDeviceInfo
from guimirror.qapi.blockdev import BlockdevDriver, BlockdevOptions
from guimirror.qapi.commands import (
    COMMANDS,
    BlockExportAdd,
    BlockExportInfo,
    BlockExportType,
    CommandInfo,
    VersionInfo,
)
from guimirror.qapi.errors import QAPIError
from guimirror.qapi.events import EVENTS, parse_event
from guimirror.qapi.job import BlockJobInfo, JobInfo
from guimirror.qapi.mirror import BlockdevMirror
from guimirror.qapi.objects import ObjectType, TlsCredsX509Properties
from guimirror.session.launcher import DaemonLauncher

from ..support import qemu_program
from . import test_blockdev_options, test_commands, test_mirror_arguments

pytestmark = pytest.mark.qemu

MiB = 1024 * 1024
NODES = (
    "--blockdev", "driver=null-co,node-name=e-src,size=1048576",
    "--blockdev", "driver=null-co,node-name=e-tgt,size=1048576",
)  # fmt: skip
# Models that list only the subset of QEMU's values guimirror serves.
SUBSET_ENUMS = {BlockdevDriver, BlockExportType, ObjectType}


#: Commands and members guimirror models that arrived after a version (QMP names).
NEWER: dict[str, set[str]] = {
    "7.2": {"block-job-change", "actively-synced", "target-is-zero"},
    "10.0": {"target-is-zero"},
}
#: Members a version has that guimirror does not model: QEMU 10.0's node activation
#: (``active`` in blockdev-add's options and query-named-block-nodes' entries,
#: block-export-add's ``allow-inactive``) and nbd-server-start's ``handshake-max-seconds``.
UNMODELLED: dict[str, set[str]] = {
    "7.2": set(),
    "10.0": {"active", "allow-inactive", "handshake-max-seconds"},
}
#: Members guimirror models (QEMU 7.2 has them) that a later version dropped: tls-creds-x509's
#: deprecated ``loaded``.
DROPPED: dict[str, set[str]] = {"7.2": set(), "10.0": {"loaded"}}
#: Reply members optional in the models (older versions lack them) that a version always sends.
ALWAYS_SENT: dict[str, set[str]] = {"7.2": set(), "10.0": {"actively-synced"}}


@asynccontextmanager
async def daemon(version: str, *extra_args: str) -> AsyncIterator[QMPClient]:
    """A qemu-storage-daemon of QEMU ``version`` and a negotiated QMP client to it; quits it
    afterwards."""
    launcher = DaemonLauncher(qemu_program(version), extra_args=extra_args)
    await launcher.start()
    client = QMPClient("qapi-test")
    try:
        await client.connect(launcher.socket_path)
        yield client
    finally:
        await launcher.stop(lambda: client.execute("quit"))
        with contextlib.suppress(EOFError):  # the daemon hung up after quit
            await client.disconnect()


async def qemu_error(client: QMPClient, command: str, arguments: dict[str, Any]) -> str:
    """The desc of the daemon's error reply (the test fails if the command succeeds)."""
    try:
        await client.execute(command, arguments)
    except ExecuteError as error:
        return str(error)
    pytest.fail(f"qemu-storage-daemon accepted {command} {arguments}")


def our_error(model: type[QAPIModel], arguments: dict[str, Any]) -> str:
    with pytest.raises(QAPIError) as caught:
        parsed = parse_arguments(model, arguments)
        if isinstance(parsed, BlockdevMirror):
            parsed.check()
    return caught.value.desc


# -- 1. the schema --------------------------------------------------------------------------


def _classes(annotation: Any) -> Iterator[type]:
    """Every class inside a field's annotation (through Annotated, unions and lists)."""
    if isinstance(annotation, type) and typing.get_origin(annotation) is None:
        yield annotation
        return
    for arg in typing.get_args(annotation):
        yield from _classes(arg)


class SchemaChecker:
    """Compares models with the daemon's introspected schema, following nested members."""

    def __init__(self, schema: list[dict[str, Any]], version: str) -> None:
        self.newer = NEWER[version]
        self.unmodelled = UNMODELLED[version]
        self.dropped = DROPPED[version]
        self.always_sent = ALWAYS_SENT[version]
        self.types = {entry["name"]: entry for entry in schema}
        self.checked: set[tuple[type, str]] = set()
        self.enums: set[type[StrEnum]] = set()

    def element(self, name: str) -> dict[str, Any]:
        entry = self.types[name]
        while entry["meta-type"] == "array":
            entry = self.types[entry["element-type"]]
        return entry

    def struct(self, cls: type[QAPIModel], name: str, extra: tuple[str, ...] = ()) -> None:
        """``cls``'s members are those of schema type ``name`` (plus a variant's ``extra``)."""
        if (cls, name) in self.checked:
            return
        self.checked.add((cls, name))
        entry = self.types[name]
        members = [m for m in (*entry["members"], *self.variant_members(extra))
                   if m["name"] not in self.unmodelled]
        fields = [f for f in cls.model_fields.values()
                  if f.alias not in self.newer and f.alias not in self.dropped]
        ours = [(f.alias, f.alias not in self.always_sent
                 and self.optional(cls, f.alias, f.is_required(), f.default)) for f in fields]
        theirs = [(m["name"], "default" in m) for m in members]
        if issubclass(cls, QAPIReply) and self.unmodelled:
            # a reply's order is free (QEMU 10.0 reordered ImageInfo); an argument's is not
            ours, theirs = sorted(ours), sorted(theirs)
            members = sorted(members, key=lambda member: member["name"])
            fields = sorted(fields, key=lambda field: field.alias or "")
        assert ours == theirs, f"{cls.__name__} differs from QEMU's {name}"
        for field, member in zip(fields, members, strict=True):
            target = self.element(member["type"])
            classes = list(_classes(field.annotation))
            if typing.get_origin(field.annotation) is typing.Literal:
                # a union variant's discriminator: its value(s) among the enum's
                values = {str(value) for value in typing.get_args(field.annotation)}
                assert values <= set(target["values"]), (cls, values)
            elif target["meta-type"] == "enum" and classes != [str]:
                # (a str stays a str where a later version made it an enum: BlockJobInfo's type)
                (enum,) = [c for c in classes if issubclass(c, StrEnum)]
                self.enum(enum, target["name"])
            elif target["meta-type"] == "object" and not target.get("variants"):
                (model,) = [c for c in classes if issubclass(c, QAPIModel)]
                self.struct(model, target["name"])

    def variant_members(self, names: tuple[str, ...]) -> list[dict[str, Any]]:
        return [member for name in names for member in self.types[name]["members"]]

    @staticmethod
    def optional(cls: type[QAPIModel], alias: str | None, required: bool, default: Any) -> bool:
        # A discriminator, and a reply's mandatory members, may have a default for the
        # convenience of Python callers; they are always in the QMP object.
        if required or alias in cls.ALWAYS_DUMPED:
            return False
        return default is None or not issubclass(cls, QAPIReply)

    def enum(self, enum: type[StrEnum], name: str) -> None:
        self.enums.add(enum)
        values = [member.value for member in enum]
        theirs = self.types[name]["values"]
        if enum in SUBSET_ENUMS:
            assert set(values) <= set(theirs), enum
        else:
            assert values == theirs, f"{enum.__name__} differs from QEMU's enum"

    def variants(self, name: str) -> dict[str, str]:
        return {v["case"]: v["type"] for v in self.types[name]["variants"]}


def test_models_follow_the_daemons_schema(version: str) -> None:
    async def scenario() -> list[dict[str, Any]]:
        async with daemon(version) as client:
            return typing.cast(list[dict[str, Any]], await client.execute("query-qmp-schema"))

    checker = SchemaChecker(asyncio.run(scenario()), version)
    commands = {e["name"]: e for e in checker.types.values() if e["meta-type"] == "command"}
    events = {e["name"]: e for e in checker.types.values() if e["meta-type"] == "event"}
    served = {name: model for name, model in COMMANDS.items() if name not in NEWER[version]}
    assert set(served) <= set(commands)
    assert not set(COMMANDS) - set(served) & set(commands), "no longer newer than " + version
    for name, model in served.items():
        arg_type = commands[name]["arg-type"]
        if model is None:
            assert checker.types[arg_type]["members"] == [], name
        elif name == "blockdev-add":
            variants = checker.variants(arg_type)
            base = BlockdevOptions.model_fields
            checker.enum(BlockdevDriver, checker.types[arg_type]["members"][0]["type"])
            for driver in BlockdevDriver:
                variant = parse_arguments(BlockdevOptions, _minimal_options(driver))
                assert set(base) <= set(type(variant).model_fields)
                checker.struct(type(variant), arg_type, (variants[driver.value],))
        elif name == "block-job-change":
            from guimirror.qapi.commands import BlockJobChangeMirror

            checker.struct(BlockJobChangeMirror, arg_type, (checker.variants(arg_type)["mirror"],))
        elif name == "object-add":
            variants = checker.variants(arg_type)
            checker.enum(ObjectType, checker.types[arg_type]["members"][0]["type"])
            for qom_type in ObjectType:
                checker.struct(TlsCredsX509Properties, arg_type, (variants[qom_type.value],))
        elif name == "block-export-add":
            checker.struct(BlockExportAdd, arg_type, (checker.variants(arg_type)["nbd"],))
        elif name == "nbd-server-start":
            members = [m for m in checker.types[arg_type]["members"]
                       if m["name"] not in checker.unmodelled]
            (addr_type,) = [m["type"] for m in members if m["name"] == "addr"]
            addr = checker.types[addr_type]
            legacy = checker.variants(addr["name"])
            from guimirror.qapi.commands import InetSocketAddressLegacy, UnixSocketAddressLegacy

            checker.struct(InetSocketAddressLegacy, addr["name"], (legacy["inet"],))
            checker.struct(UnixSocketAddressLegacy, addr["name"], (legacy["unix"],))
            # QEMU 10.0 moved addr after the others
            assert sorted(m["name"] for m in members) == sorted(
                f.alias or name for name, f in model.model_fields.items())
        else:
            checker.struct(model, arg_type)
    returns: dict[str, type[QAPIModel]] = {
        "query-version": VersionInfo,
        "query-commands": CommandInfo,
        "query-named-block-nodes": BlockDeviceInfo,
        "query-block-jobs": BlockJobInfo,
        "query-jobs": JobInfo,
        "query-block-exports": BlockExportInfo,
    }
    for name, model in returns.items():
        entry = checker.element(commands[name]["ret-type"])
        # QEMU 10.0's BlockJobInfo is a union on type; guimirror's jobs are mirrors
        variant = (checker.variants(entry["name"])["mirror"],) if entry.get("variants") else ()
        checker.struct(model, entry["name"], variant)
    for name, event in EVENTS.items():
        checker.struct(event, events[name]["arg-type"])
    structs = {cls.__name__ for cls, _ in checker.checked}
    assert structs >= {
        "ImageInfo", "SnapshotInfo", "BlockDirtyInfo", "BlockdevCacheInfo", "BlockdevCacheOptions",
        "BlkdebugInjectErrorOptions", "BlkdebugSetStateOptions", "InetSocketAddress",
        "UnixSocketAddress", "VersionTriple", "BlockdevMirror", "BlockJobSetSpeed",
    }  # fmt: skip
    assert {enum.__name__ for enum in checker.enums} >= {
        "MirrorSyncMode", "MirrorCopyMode", "BlockdevOnError", "JobStatus", "JobType",
        "BlockDeviceIoStatus", "IoOperationType", "BlockErrorAction", "BlkdebugEvent",
        "BlkdebugIOType", "BlockPermission", "BlockdevDiscardOptions", "OnOffAuto",
        "BlockdevAioOptions", "BlockdevDetectZeroesOptions", "BlockExportRemoveMode",
        "QMPCapability", "BlockdevDriver", "BlockExportType",
    }  # fmt: skip


def _minimal_options(driver: BlockdevDriver) -> dict[str, Any]:
    needs = {"file": {"filename": "/x"}, "host_device": {"filename": "/x"}, "raw": {"file": "f"},
             "blkdebug": {"image": "f"}, "null-co": {},
             "nbd": {"server": {"type": "unix", "path": "/s"}}}  # fmt: skip
    return {"driver": driver.value, **needs[driver.value]}


# -- 2. bad input ---------------------------------------------------------------------------

MIRROR_CASES: list[dict[str, Any]] = [
    *(change for change, _ in test_mirror_arguments.BAD_INPUT),
    *(change for change, _ in test_mirror_arguments.ORDER),
]
# guimirror serves only the nbd export type; QEMU accepts fuse at the QAPI level.
COMMAND_CASES = [
    (command, raw)
    for command, raw, _ in test_commands.BAD
    if command != "qmp_capabilities" and raw.get("type") != "fuse"
]


def test_bad_input_gives_the_daemons_text_in_the_daemons_order(version: str) -> None:
    base = test_mirror_arguments.BASE
    missing = [{k: v for k, v in base.items() if k != key} for key in ("job-id", "sync", "device")]

    async def scenario() -> list[tuple[str, str, str]]:
        differences = []
        async with daemon(version, *NODES) as client:
            for raw in [*(base | change for change in MIRROR_CASES), *missing]:
                theirs = await qemu_error(client, "blockdev-mirror", raw)
                ours = our_error(BlockdevMirror, raw)
                if theirs != ours:
                    differences.append((f"blockdev-mirror {raw}", theirs, ours))
            for raw, _ in test_blockdev_options.BAD:
                theirs = await qemu_error(client, "blockdev-add", raw)
                ours = our_error(BlockdevOptions, raw)
                if theirs != ours:
                    differences.append((f"blockdev-add {raw}", theirs, ours))
            for command, raw in COMMAND_CASES:
                model = COMMANDS[command]
                assert model is not None
                theirs = await qemu_error(client, command, raw)
                ours = our_error(model, raw)
                if theirs != ours:
                    differences.append((f"{command} {raw}", theirs, ours))
            theirs = await qemu_error(client, "block-job-set-speed", {"device": "j", "speed": -1})
            differences.append(("set-speed -1 (no job)", theirs, "Block job 'j' not found"))
        return [d for d in differences if d[1] != d[2]]

    assert asyncio.run(scenario()) == []


# -- 3. replies and events ------------------------------------------------------------------


def _round_trip(cls: type[QAPIReply], raw: dict[str, Any], version: str) -> None:
    """The reply parses and dumps back unchanged; members guimirror does not model are kept."""
    model = cls.model_validate(raw)
    assert model.to_qmp() == raw
    extra = set(model.model_extra or ())
    assert extra <= UNMODELLED[version], f"{cls.__name__}: members not modelled: {extra}"


async def _until(
    listener: EventListener, name: str, seen: list[dict[str, Any]], status: str | None = None
) -> None:
    """Wait for event ``name`` (a JOB_STATUS_CHANGE to ``status``), keeping every event."""
    async with asyncio.timeout(20):
        while True:
            message: dict[str, Any] = dict(await listener.get())
            seen.append(message)
            if message["event"] == name and status in (None, message["data"].get("status")):
                return


async def _mirror_scenario(directory: str, version: str) -> dict[str, list[Any]]:
    """One mirror through its life, then a failed one and a cancelled one; every reply kept."""
    replies: dict[str, list[Any]] = {}
    events: list[dict[str, Any]] = []

    async with daemon(version) as client:

        async def run(command: str, arguments: dict[str, Any] | None = None) -> Any:
            model = COMMANDS.get(command)
            if arguments is not None and model is not None:
                assert parse_arguments(model, arguments).to_qmp() == arguments
            reply = await client.execute(command, arguments)
            replies.setdefault(command, []).append(reply)
            return reply

        path = os.path.join(directory, "{}.img").format
        with client.listener() as listener:
            await run(
                "blockdev-add",
                {
                    "driver": "raw",
                    "node-name": "src",
                    "file": {"driver": "file", "filename": path("src")},
                },
            )
            await run(
                "blockdev-add",
                {
                    "driver": "file",
                    "node-name": "tgt-file",
                    "filename": path("tgt"),
                    "cache": {"no-flush": True},
                },
            )
            await run("blockdev-add", {"driver": "raw", "node-name": "tgt", "file": "tgt-file"})
            await run(
                "blockdev-add",
                {"driver": "null-co", "node-name": "nul", "size": 4 * MiB, "read-zeroes": True},
            )
            await run("nbd-server-start", {"addr": {"type": "unix", "data": {"path": path("nbd")}}})
            await run(
                "block-export-add",
                {"type": "nbd", "id": "exp-src", "node-name": "src", "writable": True},
            )
            await run(
                "blockdev-mirror",
                {
                    "job-id": "j",
                    "device": "src",
                    "target": "tgt",
                    "sync": "full",
                    "speed": 256 * 1024,
                    "granularity": 65536,
                    "buf-size": 65536,
                    "filter-node-name": "mirror-top",
                    "auto-finalize": False,
                    "auto-dismiss": False,
                },
            )
            await run("query-named-block-nodes")
            await run("query-named-block-nodes", {"flat": True})
            await run("query-block-jobs")
            await run("query-jobs")
            await run("job-pause", {"id": "j"})
            await _until(listener, "JOB_STATUS_CHANGE", events, "paused")
            await run("query-block-jobs")
            await run("job-resume", {"id": "j"})
            await run("block-job-set-speed", {"device": "j", "speed": 0})
            await _until(listener, "BLOCK_JOB_READY", events)
            await run("query-block-jobs")
            await run("block-job-pause", {"device": "j"})
            await _until(listener, "JOB_STATUS_CHANGE", events, "standby")
            await run("query-block-jobs")
            await run("query-jobs")
            await run("block-job-resume", {"device": "j"})
            await run("query-block-exports")
            await run("job-complete", {"id": "j"})
            await _until(listener, "BLOCK_JOB_PENDING", events)
            await run("query-block-jobs")
            await run("job-finalize", {"id": "j"})
            await _until(listener, "BLOCK_JOB_COMPLETED", events)
            await run("query-block-exports")
            await run("query-jobs")
            await run("job-dismiss", {"id": "j"})

            # a source read error, reported: BLOCK_JOB_ERROR, then COMPLETED with an error
            await run("blockdev-add", {
                "driver": "raw", "node-name": "bad",
                "file": {"driver": "blkdebug",
                         "inject-error": [{"event": "read_aio", "errno": 5, "once": True}],
                         "image": {"driver": "file", "filename": path("bad")}},
            })  # fmt: skip
            await run(
                "blockdev-mirror",
                {
                    "job-id": "k",
                    "device": "bad",
                    "target": "nul",
                    "sync": "full",
                    "auto-dismiss": False,
                },
            )
            await _until(listener, "BLOCK_JOB_COMPLETED", events)
            await run("query-block-jobs")
            await run("query-jobs")
            await run("block-job-dismiss", {"id": "k"})

            # a cancelled job
            await run(
                "blockdev-mirror",
                {"job-id": "c", "device": "src", "target": "nul", "sync": "full", "speed": 65536},
            )
            await run("job-cancel", {"id": "c"})
            await _until(listener, "BLOCK_JOB_CANCELLED", events)
            await run("block-export-del", {"id": "exp-src"})
            await run("nbd-server-stop")
            await run("query-version")
            await run("query-commands")
            events.extend(dict(message) for message in listener.clear())
    replies["events"] = events
    return replies


def test_daemon_replies_and_events_round_trip(version: str) -> None:
    with tempfile.TemporaryDirectory(prefix="qapi-test-") as directory:
        for name in ("src", "tgt", "bad"):
            with open(os.path.join(directory, f"{name}.img"), "wb") as image:
                image.write(os.urandom(256 * 1024) * 16)
        replies = asyncio.run(_mirror_scenario(directory, version))

    nodes = [node for reply in replies["query-named-block-nodes"] for node in reply]
    for node in nodes:
        _round_trip(BlockDeviceInfo, node, version)
    # QEMU 7.2 lists the running mirror's bitmap on the source node, 10.0 on the filter
    holder = "src" if version == "7.2" else "mirror-top"
    bitmaps = [n["node-name"] for n in nodes if n.get("dirty-bitmaps")]
    assert bitmaps and set(bitmaps) == {holder}, f"the mirror's bitmap is on {bitmaps}"
    assert {n["drv"] for n in nodes} >= {"raw", "file", "mirror_top", "null-co"}

    jobs = [job for reply in replies["query-block-jobs"] for job in reply]
    for job in jobs:
        _round_trip(BlockJobInfo, job, version)
    assert {job["status"] for job in jobs} >= {"running", "paused", "ready", "standby",
                                               "pending", "concluded"}  # fmt: skip
    assert any("error" in job for job in jobs)
    for job in (job for reply in replies["query-jobs"] for job in reply):
        _round_trip(JobInfo, job, version)
    exports = [export for reply in replies["query-block-exports"] for export in reply]
    for export in exports:
        _round_trip(BlockExportInfo, export, version)
    # the export of the source shows the named mirror filter above it, then the target
    assert [export["node-name"] for export in exports] == ["mirror-top", "tgt"]
    (version_info,) = replies["query-version"]
    _round_trip(VersionInfo, version_info, version)
    assert version_info["qemu"]["major"] == int(version.split(".")[0])
    for command in replies["query-commands"][0]:
        _round_trip(CommandInfo, command, version)
    for name in ("blockdev-add", "blockdev-mirror", "job-complete", "job-dismiss"):
        assert all(reply == {} for reply in replies[name])

    seen = set()
    for message in replies["events"]:
        event = parse_event(message["event"], message["data"])
        if event is None:
            continue
        seen.add(message["event"])
        assert event.to_qmp() == message["data"]
        assert not event.model_extra
    assert seen >= set(EVENTS) - {"BLOCK_EXPORT_DELETED"}
