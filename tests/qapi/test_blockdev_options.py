# SPDX-License-Identifier: GPL-2.0-or-later
"""blockdev-add's options for file, host_device, raw, null-co and blkdebug."""

from __future__ import annotations

from typing import Any

import pytest

from guimirror.qapi.base import parse_arguments
from guimirror.qapi.blockdev import (
    BlkdebugEvent,
    BlkdebugInjectErrorOptions,
    BlockdevCacheOptions,
    BlockdevDiscardOptions,
    BlockdevDriver,
    BlockdevOptions,
    BlockdevOptionsBlkdebug,
    BlockdevOptionsFile,
    BlockdevOptionsNull,
    BlockdevOptionsRaw,
)
from guimirror.qapi.errors import QAPIError

FILE = {
    "driver": "file", "node-name": "e-src-file", "discard": "unmap",
    "cache": {"direct": True, "no-flush": False}, "read-only": False, "auto-read-only": False,
    "force-share": False, "detect-zeroes": "unmap", "filename": "/var/tmp/src.img",
    "locking": "off", "aio": "native", "aio-max-batch": 0,
}  # fmt: skip
HOST_DEVICE = {"driver": "host_device", "node-name": "dev", "filename": "/dev/loop0"}
RAW_OVER_NAME = {"driver": "raw", "node-name": "e-src", "file": "e-src-file"}
RAW_INLINE = {
    "driver": "raw", "node-name": "e-tgt", "read-only": True, "offset": 0, "size": 1048576,
    "file": {"driver": "file", "filename": "/var/tmp/tgt.img", "cache": {"no-flush": True}},
}  # fmt: skip
NULL = {"driver": "null-co", "node-name": "nul", "size": 67108864, "read-zeroes": True,
        "latency-ns": 1000}  # fmt: skip
BLKDEBUG = {
    "driver": "blkdebug", "node-name": "dbg", "image": "e-tgt-file",
    "inject-error": [
        {"event": "write_aio", "errno": 28, "sector": 2048, "once": True, "immediately": False,
         "state": 1, "iotype": "write"},
        {"event": "read_aio"},
    ],
    "set-state": [{"event": "flush_to_disk", "state": 1, "new_state": 2}],
    "align": 512, "max-transfer": 65536, "take-child-perms": ["write"],
}  # fmt: skip
BLKDEBUG_INLINE = {
    "driver": "blkdebug", "node-name": "dbg2",
    "image": {"driver": "raw", "file": {"driver": "null-co", "size": 4096}},
}  # fmt: skip


@pytest.mark.parametrize(
    ("raw", "cls"),
    [
        (FILE, BlockdevOptionsFile),
        (HOST_DEVICE, BlockdevOptionsFile),
        (RAW_OVER_NAME, BlockdevOptionsRaw),
        (RAW_INLINE, BlockdevOptionsRaw),
        (NULL, BlockdevOptionsNull),
        (BLKDEBUG, BlockdevOptionsBlkdebug),
        (BLKDEBUG_INLINE, BlockdevOptionsBlkdebug),
    ],
)
def test_each_driver_parses_to_its_variant_and_dumps_back(
    raw: dict[str, Any], cls: type[BlockdevOptions]
) -> None:
    options = parse_arguments(BlockdevOptions, raw)
    assert type(options) is cls
    assert isinstance(options, BlockdevOptions)
    assert options.driver == BlockdevDriver(raw["driver"])
    assert options.to_qmp() == raw


def test_members_are_readable_by_their_python_names() -> None:
    file = parse_arguments(BlockdevOptions, FILE)
    assert isinstance(file, BlockdevOptionsFile)
    assert file.node_name == "e-src-file"
    assert file.discard is BlockdevDiscardOptions.UNMAP
    assert file.cache == BlockdevCacheOptions(direct=True, no_flush=False)
    raw = parse_arguments(BlockdevOptions, RAW_INLINE)
    assert isinstance(raw, BlockdevOptionsRaw)
    assert isinstance(raw.file, BlockdevOptionsFile)
    assert raw.file.cache is not None and raw.file.cache.no_flush is True
    assert raw.read_only is True
    debug = parse_arguments(BlockdevOptions, BLKDEBUG)
    assert isinstance(debug, BlockdevOptionsBlkdebug)
    assert debug.image == "e-tgt-file"
    assert debug.inject_error is not None
    rule = debug.inject_error[0]
    assert (rule.event, rule.errno, rule.sector, rule.once) == (
        BlkdebugEvent.WRITE_AIO,
        28,
        2048,
        True,
    )
    assert debug.inject_error[1].errno is None  # QEMU's default EIO is the engine's to apply
    assert debug.set_state is not None and debug.set_state[0].new_state == 2


def test_built_in_python_dumps_driver_and_set_members_only() -> None:
    options = BlockdevOptionsRaw(
        node_name="t",
        file=BlockdevOptionsFile(filename="/x", cache=BlockdevCacheOptions(direct=True)),
    )
    assert options.to_qmp() == {
        "driver": "raw",
        "node-name": "t",
        "file": {"driver": "file", "filename": "/x", "cache": {"direct": True}},
    }
    debug = BlockdevOptionsBlkdebug(
        node_name="d", image="t",
        inject_error=[BlkdebugInjectErrorOptions(event=BlkdebugEvent.READ_AIO, once=True)],
    )  # fmt: skip
    assert debug.to_qmp() == {
        "driver": "blkdebug", "node-name": "d", "image": "t",
        "inject-error": [{"event": "read_aio", "once": True}],
    }  # fmt: skip
    assert BlockdevOptionsNull(node_name="n").to_qmp() == {"driver": "null-co", "node-name": "n"}


BAD: list[tuple[dict[str, Any], str]] = [
    ({}, "Parameter 'driver' is missing"),
    ({"driver": 5}, "Invalid parameter type for 'driver', expected: string"),
    ({"driver": "floppy"}, "Parameter 'driver' does not accept value 'floppy'"),
    ({"driver": "file"}, "Parameter 'filename' is missing"),
    ({"driver": "file", "filename": "/x", "bogus": 1}, "Parameter 'bogus' is unexpected"),
    ({"driver": "raw", "file": {"driver": "file", "filename": "/x"}, "node_name": "n"},
     "Parameter 'node_name' is unexpected"),
    ({"driver": "file", "filename": 7}, "Invalid parameter type for 'filename', expected: string"),
    ({"driver": "file", "filename": "/x", "cache": {"direct": "on"}},
     "Invalid parameter type for 'cache.direct', expected: boolean"),
    ({"driver": "file", "filename": "/x", "cache": {"nope": True}},
     "Parameter 'cache.nope' is unexpected"),
    ({"driver": "file", "filename": "/x", "cache": True},
     "Invalid parameter type for 'cache', expected: object"),
    ({"driver": "file", "filename": "/x", "discard": "trim"},
     "Parameter 'discard' does not accept value 'trim'"),
    ({"driver": "file", "filename": "/x", "read-only": "yes"},
     "Invalid parameter type for 'read-only', expected: boolean"),
    ({"driver": "raw"}, "Parameter 'file' is missing"),
    ({"driver": "raw", "file": 5}, "Invalid parameter type for 'file', expected: BlockdevRef"),
    ({"driver": "raw", "file": {}}, "Parameter 'file.driver' is missing"),
    ({"driver": "raw", "file": {"driver": "file"}}, "Parameter 'file.filename' is missing"),
    ({"driver": "raw", "file": {"driver": "file", "filename": "/x", "zz": 1}},
     "Parameter 'file.zz' is unexpected"),
    ({"driver": "null-co", "size": "1G"}, "Invalid parameter type for 'size', expected: integer"),
    ({"driver": "null-co", "latency-ns": -1.5}, "Parameter 'latency-ns' expects uint64"),
    ({"driver": "blkdebug", "image": "x", "inject-error": [{"errno": 5}]},
     "Parameter 'inject-error[0].event' is missing"),
    ({"driver": "blkdebug", "image": "x", "inject-error": [{"event": "read_aio"}, {"event": "x"}]},
     "Parameter 'event' does not accept value 'x'"),
    ({"driver": "blkdebug", "image": "x", "inject-error": {"event": "read_aio"}},
     "Invalid parameter type for 'inject-error', expected: array"),
    ({"driver": "blkdebug", "image": "x", "inject-error": [{"event": "read_aio", "once": 1}]},
     "Invalid parameter type for 'inject-error[0].once', expected: boolean"),
    ({"driver": "blkdebug", "image": "x", "max-transfer": 2**31},
     "Parameter 'max-transfer' expects int32_t"),
    ({"driver": "blkdebug", "image": "x", "set-state": [{"event": "read_aio"}]},
     "Parameter 'set-state[0].new_state' is missing"),
    ({"driver": "raw", "node-name": None, "file": "f"},
     "Invalid parameter type for 'node-name', expected: string"),
]  # fmt: skip


@pytest.mark.parametrize(("raw", "desc"), BAD)
def test_bad_options_give_qemu_text(raw: dict[str, Any], desc: str) -> None:
    with pytest.raises(QAPIError) as caught:
        parse_arguments(BlockdevOptions, raw)
    assert caught.value.desc == desc
