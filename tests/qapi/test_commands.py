# SPDX-License-Identifier: GPL-2.0-or-later
"""The commands the QMP server serves: argument models, their names, and their errors."""

from __future__ import annotations

from typing import Any

import pytest

from guimirror.qapi.base import QAPIModel, parse_arguments
from guimirror.qapi.blockdev import BlockdevOptions
from guimirror.qapi.commands import (
    COMMANDS,
    BlockExportAdd,
    BlockExportDel,
    BlockExportRemoveMode,
    BlockJobCancel,
    NbdServerStart,
    UnixSocketAddress,
    UnixSocketAddressLegacy,
)
from guimirror.qapi.errors import QAPIError
from guimirror.qapi.mirror import BlockdevMirror

SERVED = {
    "qmp_capabilities", "query-version", "query-commands", "query-named-block-nodes",
    "blockdev-add", "blockdev-del", "blockdev-mirror", "query-block-jobs", "query-jobs",
    "block-job-change",
    "block-job-set-speed", "block-job-pause", "block-job-resume", "block-job-cancel",
    "block-job-complete", "block-job-finalize", "block-job-dismiss", "job-pause", "job-resume",
    "job-cancel", "job-complete", "job-finalize", "job-dismiss", "nbd-server-start",
    "nbd-server-stop", "block-export-add", "block-export-del", "query-block-exports", "quit",
    "object-add", "object-del",
}  # fmt: skip
WITHOUT_ARGUMENTS = {
    "query-version", "query-commands", "query-block-jobs", "query-jobs", "nbd-server-stop",
    "query-block-exports", "quit",
}  # fmt: skip

GOOD: list[tuple[str, dict[str, Any]]] = [
    ("qmp_capabilities", {}),
    ("qmp_capabilities", {"enable": ["oob"]}),
    ("query-named-block-nodes", {}),
    ("query-named-block-nodes", {"flat": True}),
    ("blockdev-add", {"driver": "null-co", "node-name": "n"}),
    ("blockdev-del", {"node-name": "n"}),
    ("blockdev-mirror", {"device": "a", "target": "b", "sync": "full"}),
    ("block-job-set-speed", {"device": "j", "speed": 0}),
    ("block-job-pause", {"device": "j"}),
    ("block-job-resume", {"device": "j"}),
    ("block-job-cancel", {"device": "j"}),
    ("block-job-cancel", {"device": "j", "force": True}),
    ("block-job-complete", {"device": "j"}),
    ("block-job-finalize", {"id": "j"}),
    ("block-job-dismiss", {"id": "j"}),
    *((f"job-{verb}", {"id": "j"}) for verb in
      ("pause", "resume", "cancel", "complete", "finalize", "dismiss")),
    ("nbd-server-start", {"addr": {"type": "unix", "data": {"path": "/run/nbd.sock"}}}),
    ("nbd-server-start", {"addr": {"type": "inet", "data": {"host": "127.0.0.1", "port": "10809"}},
                          "max-connections": 4}),
    ("block-export-add", {"type": "nbd", "id": "exp-src", "node-name": "src", "name": "src",
                          "writable": True}),
    ("block-export-add", {"type": "nbd", "id": "e", "node-name": "src", "description": "d",
                          "writethrough": True}),
    ("block-export-del", {"id": "exp-src"}),
    ("block-export-del", {"id": "exp-src", "mode": "hard"}),
]  # fmt: skip

BAD: list[tuple[str, dict[str, Any], str]] = [
    ("blockdev-del", {}, "Parameter 'node-name' is missing"),
    ("block-job-set-speed", {"device": "j"}, "Parameter 'speed' is missing"),
    ("block-job-set-speed", {"device": "j", "speed": "1M"},
     "Invalid parameter type for 'speed', expected: integer"),
    ("block-job-cancel", {"device": "j", "force": "yes"},
     "Invalid parameter type for 'force', expected: boolean"),
    ("job-complete", {"device": "j"}, "Parameter 'id' is missing"),
    ("job-cancel", {"id": "j", "force": True}, "Parameter 'force' is unexpected"),
    ("nbd-server-start", {}, "Parameter 'addr' is missing"),
    ("nbd-server-start", {"addr": {"type": "unix", "path": "/x"}},
     "Parameter 'addr.data' is missing"),
    ("nbd-server-start", {"addr": {"data": {"path": "/x"}}}, "Parameter 'addr.type' is missing"),
    ("nbd-server-start", {"addr": {"type": "tcp"}}, "Parameter 'type' does not accept value 'tcp'"),
    ("nbd-server-start", {"addr": {"type": "inet", "data": {"host": "h", "port": 10809}}},
     "Invalid parameter type for 'addr.data.port', expected: string"),
    ("nbd-server-start", {"addr": {"type": "unix", "data": {"path": "/x"}}, "max-connections": -1},
     "Parameter 'max-connections' expects uint32_t"),
    ("block-export-add", {"type": "nbd", "id": "e"}, "Parameter 'node-name' is missing"),
    ("block-export-add", {"type": "fuse", "id": "e", "node-name": "n"},
     "Parameter 'type' does not accept value 'fuse'"),
    ("block-export-del", {"id": "e", "mode": "soft"},
     "Parameter 'mode' does not accept value 'soft'"),
    ("qmp_capabilities", {"enable": ["nope"]}, "Parameter 'null' does not accept value 'nope'"),
    ("qmp_capabilities", {"enable": [5]},
     "Invalid parameter type for 'enable[0]', expected: string"),
]  # fmt: skip


def _camel(command: str) -> str:
    return "".join(part.capitalize() for part in command.replace("_", "-").split("-"))


def test_every_served_command_is_listed() -> None:
    assert set(COMMANDS) == SERVED
    assert {name for name, model in COMMANDS.items() if model is None} == WITHOUT_ARGUMENTS


def test_argument_models_are_named_after_their_command() -> None:
    assert COMMANDS["blockdev-add"] is BlockdevOptions
    assert COMMANDS["blockdev-mirror"] is BlockdevMirror
    for name, model in COMMANDS.items():
        if model is not None and name not in ("blockdev-add", "blockdev-mirror"):
            assert model.__name__ == _camel(name), name
            assert issubclass(model, QAPIModel)


@pytest.mark.parametrize(("command", "raw"), GOOD)
def test_arguments_parse_and_dump_back(command: str, raw: dict[str, Any]) -> None:
    model = COMMANDS[command]
    assert model is not None
    assert parse_arguments(model, raw).to_qmp() == raw


def test_no_arguments_is_an_empty_object() -> None:
    assert parse_arguments(BlockJobCancel, {"device": "j"}).force is False
    assert parse_arguments(BlockExportDel, {"id": "e"}).mode is None
    model = COMMANDS["query-named-block-nodes"]
    assert model is not None
    assert parse_arguments(model, None).to_qmp() == {}


@pytest.mark.parametrize(("command", "raw", "desc"), BAD)
def test_bad_arguments_give_qemu_text(command: str, raw: dict[str, Any], desc: str) -> None:
    model = COMMANDS[command]
    assert model is not None
    with pytest.raises(QAPIError) as caught:
        parse_arguments(model, raw)
    assert caught.value.desc == desc


def test_nbd_and_export_models_built_in_python() -> None:
    start = NbdServerStart(addr=UnixSocketAddressLegacy(data=UnixSocketAddress(path="/s")))
    assert start.to_qmp() == {"addr": {"type": "unix", "data": {"path": "/s"}}}
    export = BlockExportAdd(type="nbd", id="e", node_name="src", writable=True)
    assert export.to_qmp() == {"type": "nbd", "id": "e", "node-name": "src", "writable": True}
    assert BlockExportDel(id="e", mode=BlockExportRemoveMode.SAFE).to_qmp() == {
        "id": "e",
        "mode": "safe",
    }
