# SPDX-License-Identifier: GPL-2.0-or-later
"""Capabilities: what qemu-storage-daemon 7.2 says in query-qmp-schema, and what the built-in
engine serves according to query-commands and guimirror's argument models."""

from __future__ import annotations

import asyncio

import pytest

from guimirror.qapi.commands import COMMANDS
from guimirror.qapi.events import EVENTS
from guimirror.qapi.mirror import BlockdevMirror, BlockdevOnError, MirrorCopyMode, MirrorSyncMode
from guimirror.session.capabilities import ArgumentKind, Capabilities, TypeInfo
from guimirror.session.endpoint import BuiltinEndpoint, DaemonEndpoint, EndpointStateError

from ..support import require_tools


def test_qemu_storage_daemon_7_2_capabilities_come_from_its_schema() -> None:
    require_tools("qemu-storage-daemon")

    async def scenario() -> Capabilities:
        async with DaemonEndpoint("qsd") as endpoint:
            assert endpoint.version is not None
            assert (endpoint.version.qemu.major, endpoint.version.qemu.minor) == (7, 2)
            return endpoint.capabilities

    capabilities = asyncio.run(scenario())
    assert capabilities.has("blockdev-mirror")
    assert capabilities.has("blockdev-mirror", "copy-mode")
    assert capabilities.has("blockdev-mirror", "filter-node-name")
    assert not capabilities.has("blockdev-mirror", "target-is-zero")  # QEMU 10.1's
    assert not capabilities.has("block-job-change")  # QEMU 8.2's
    assert "query-qmp-schema" in capabilities.commands
    mirror = capabilities.arguments("blockdev-mirror")
    assert mirror["copy-mode"].type == TypeInfo(
        ArgumentKind.ENUM, tuple(mode.value for mode in MirrorCopyMode))
    assert mirror["copy-mode"].optional
    assert mirror["sync"].kind is ArgumentKind.ENUM and not mirror["sync"].optional
    assert mirror["sync"].values == tuple(mode.value for mode in MirrorSyncMode)
    assert mirror["device"].kind is ArgumentKind.STR and not mirror["device"].optional
    assert mirror["speed"].kind is ArgumentKind.INT and mirror["speed"].optional
    assert mirror["auto-finalize"].kind is ArgumentKind.BOOL
    assert mirror["on-source-error"].values == tuple(policy.value for policy in BlockdevOnError)
    # An array of alternates (a bitmap's name, or a node and name), read as any.
    sources = capabilities.arguments("block-dirty-bitmap-merge")["bitmaps"]
    assert sources.type == TypeInfo(ArgumentKind.ARRAY, element=TypeInfo(ArgumentKind.ANY))
    reopen = capabilities.arguments("blockdev-reopen")["options"]
    assert reopen.type == TypeInfo(ArgumentKind.ARRAY, element=TypeInfo(ArgumentKind.OBJECT))
    # A union's arguments are its common members (block-export-add's nbd ones are a variant's).
    assert capabilities.has("block-export-add", "node-name")
    assert not capabilities.has("block-export-add", "bitmaps")
    assert capabilities.arguments("blockdev-add")["driver"].kind is ArgumentKind.ENUM
    assert "raw" in capabilities.arguments("blockdev-add")["driver"].values
    assert capabilities.arguments("nbd-server-start")["addr"].kind is ArgumentKind.OBJECT
    assert capabilities.arguments("query-block-jobs") == {}
    assert {"BLOCK_JOB_READY", "JOB_STATUS_CHANGE", "BLOCK_JOB_COMPLETED"} <= capabilities.events
    with pytest.raises(KeyError):
        capabilities.arguments("block-job-change")


def test_builtin_engine_capabilities_follow_its_models() -> None:
    async def scenario() -> None:
        endpoint = BuiltinEndpoint("builtin")
        with pytest.raises(EndpointStateError, match="its capabilities needs it running"):
            _ = endpoint.capabilities
        async with endpoint:
            capabilities = endpoint.capabilities
            served = {command.name for command in await endpoint.client.query_commands()}
            assert capabilities.commands == served
            assert not capabilities.has("query-qmp-schema")
            mirror = capabilities.arguments("blockdev-mirror")
            assert list(mirror) == [
                field.alias or name for name, field in BlockdevMirror.model_fields.items()
            ]
            assert capabilities.has("blockdev-mirror", "copy-mode")
            assert mirror["copy-mode"].values == tuple(mode.value for mode in MirrorCopyMode)
            assert mirror["sync"].kind is ArgumentKind.ENUM and not mirror["sync"].optional
            assert mirror["buf-size"].kind is ArgumentKind.INT and mirror["buf-size"].optional
            assert mirror["auto-dismiss"].kind is ArgumentKind.BOOL
            assert mirror["job-id"].kind is ArgumentKind.STR and mirror["job-id"].optional
            bitmaps = capabilities.arguments("block-export-add")["bitmaps"]
            assert bitmaps.type == TypeInfo(ArgumentKind.ARRAY, element=TypeInfo(ArgumentKind.STR))
            assert capabilities.arguments("nbd-server-start")["addr"].kind is ArgumentKind.OBJECT
            assert capabilities.arguments("blockdev-add")["driver"].kind is ArgumentKind.ENUM
            assert capabilities.arguments("quit") == {}
            assert capabilities.events == frozenset(EVENTS)
        # Read at open, they stay readable only while the endpoint runs (or was lost).
        with pytest.raises(EndpointStateError):
            _ = endpoint.capabilities

    asyncio.run(scenario())


def test_the_models_cover_every_command_the_builtin_engine_serves() -> None:
    capabilities = Capabilities.from_models(COMMANDS)
    assert capabilities.commands == frozenset(COMMANDS)
    for command, model in COMMANDS.items():
        expected = [] if model is None else [
            field.alias or name for name, field in model.model_fields.items()]
        assert list(capabilities.arguments(command)) == expected


def test_a_schema_with_arrays_of_enums_alternates_and_unknown_types() -> None:
    schema = [
        {"name": "do-it", "meta-type": "command", "arg-type": "1", "ret-type": "0"},
        {"name": "no-args", "meta-type": "command", "arg-type": "0", "ret-type": "0"},
        {"name": "0", "meta-type": "object", "members": []},
        {"name": "1", "meta-type": "object", "members": [
            {"name": "modes", "type": "[2]", "default": None},
            {"name": "either", "type": "3"},
            {"name": "ratio", "type": "number"},
            {"name": "blob", "type": "any", "default": None},
            {"name": "mystery", "type": "99"},
        ]},
        {"name": "[2]", "meta-type": "array", "element-type": "2"},
        {"name": "2", "meta-type": "enum", "values": ["a", "b"]},
        {"name": "3", "meta-type": "alternate", "members": [{"type": "str"}, {"type": "int"}]},
        {"name": "number", "meta-type": "builtin", "json-type": "number"},
        {"name": "any", "meta-type": "builtin", "json-type": "value"},
        {"name": "str", "meta-type": "builtin", "json-type": "string"},
        {"name": "SOMETHING_HAPPENED", "meta-type": "event", "arg-type": "0"},
    ]
    capabilities = Capabilities.from_schema(schema)
    assert capabilities.commands == {"do-it", "no-args"}
    assert capabilities.events == {"SOMETHING_HAPPENED"}
    arguments = capabilities.arguments("do-it")
    assert arguments["modes"].type == TypeInfo(
        ArgumentKind.ARRAY, element=TypeInfo(ArgumentKind.ENUM, ("a", "b")))
    assert arguments["modes"].optional and not arguments["either"].optional
    assert arguments["either"].kind is ArgumentKind.ANY
    assert arguments["ratio"].kind is ArgumentKind.NUMBER
    assert arguments["blob"].kind is ArgumentKind.ANY
    assert arguments["mystery"].kind is ArgumentKind.ANY
    assert capabilities.has("do-it", "ratio") and not capabilities.has("do-it", "speed")
    assert not capabilities.has("undo-it")
