# SPDX-License-Identifier: GPL-2.0-or-later
"""Seeded differential fuzz of blockdev-add: QEMU's QAPI-level error for random options of
the drivers guimirror has is exactly the one ``parse_arguments`` gives, and options that
``parse_arguments`` accepts pass QEMU's QAPI checks too (a driver may still refuse them).

Drivers QEMU has but guimirror does not (nbd, qcow2, ...) are not drawn: guimirror refuses
them as an unknown driver, where QEMU goes on to check their own members. A negative null-co
``size`` is not drawn either: it crashes qemu-storage-daemon 7.2.
"""

from __future__ import annotations

import asyncio
import os
import random
import re
import tempfile
from typing import Any

import pytest
from qemu.qmp import ExecuteError, QMPClient

from guimirror.qapi.base import parse_arguments
from guimirror.qapi.blockdev import BlockdevOptions
from guimirror.qapi.errors import QAPIError

from .test_against_qemu import daemon

pytestmark = pytest.mark.qemu

CASES = 300
SEED = 2611
ABSENT = object()
INVALID = 1 / 10
IMAGE = "IMAGE"  # replaced by the path of a 1 MiB image file

QAPI_ERROR = re.compile(
    r"Parameter '[^']*' (is missing|is unexpected|does not accept value '.*'"
    r"|expects (uint64|uint32_t|int32_t))"
    r"|Invalid parameter type for '[^']*', expected: \w+"
)

Choices = dict[str, tuple[list[Any], list[Any]]]

COMMON: Choices = {
    "discard": ([ABSENT, ABSENT, "ignore", "unmap"], ["trim", 1]),
    "cache": (
        [ABSENT, ABSENT, {}, {"direct": False}, {"no-flush": True}],
        [True, {"direct": "on"}, {"x": 1}, None],
    ),
    "read-only": ([ABSENT, ABSENT, False], ["no"]),
    "auto-read-only": ([ABSENT, ABSENT, True], [1]),
    "force-share": ([ABSENT, ABSENT, False], ["x"]),
    "detect-zeroes": ([ABSENT, ABSENT, "off", "on", "unmap"], ["x"]),
}
FILE: Choices = {
    "filename": ([IMAGE], [ABSENT, 5]),
    "locking": ([ABSENT, "auto", "off"], ["maybe"]),
    "aio": ([ABSENT, "threads"], ["posix"]),
    "aio-max-batch": ([ABSENT, 0, 4], ["x"]),
    "drop-cache": ([ABSENT, True], ["x"]),
}
CHILD_OK = ["f1", {"driver": "file", "filename": IMAGE}, {"driver": "null-co"}]
CHILD_BAD = [ABSENT, 5, {}, {"driver": "file"}, {"driver": "null-co", "bogus": 1},
             {"driver": "null-co", "size": "x"}, {"driver": 7}, None]  # fmt: skip
DRIVERS: dict[str, Choices] = {
    "file": FILE,
    "host_device": FILE,
    "raw": {
        "file": (CHILD_OK, CHILD_BAD),
        "offset": ([ABSENT, 0, 512], ["x"]),
        "size": ([ABSENT, 4096], ["x", 1.5]),
    },
    "null-co": {
        "size": ([ABSENT, 1048576, 0], ["x", 1.5]),
        "latency-ns": ([ABSENT, 0, 1000], ["x", -1.5, 2**64]),
        "read-zeroes": ([ABSENT, True], ["x"]),
    },
    "blkdebug": {
        "image": (CHILD_OK, CHILD_BAD),
        "align": ([ABSENT, 512], ["x"]),
        "max-transfer": ([ABSENT, 65536], [2**31, "x"]),
        "inject-error": (
            [ABSENT, [], [{"event": "read_aio"}],
             [{"event": "write_aio", "state": 1, "iotype": "write", "errno": 28, "sector": 8,
               "once": True, "immediately": False}]],
            [{}, [{"errno": 5}], [{"event": "x"}], [{"event": "read_aio", "once": "y"}], [5],
             [{"event": "read_aio", "iotype": "seek"}]],
        ),
        "set-state": ([ABSENT, [{"event": "read_aio", "new_state": 2}]],
                      [[{"event": "read_aio"}], [{"event": "read_aio", "new_state": "2"}]]),
        "take-child-perms": ([ABSENT, ["write"]], [["x"], "write"]),
    },
}  # fmt: skip
EXTRA: list[dict[str, Any]] = [{"foo": 1}, {"node_name": "x"}, {"read_only": True}]


def _draw(
    rng: random.Random, choices: Choices, raw: dict[str, Any], image: str, rate: float
) -> None:
    for name, (valid, invalid) in choices.items():
        value = rng.choice(invalid if rng.random() < rate else valid)
        if value is ABSENT:
            continue
        raw[name] = _with_image(value, image)


def _with_image(value: Any, image: str) -> Any:
    if value == IMAGE:
        return image
    if isinstance(value, dict):
        return {key: _with_image(item, image) for key, item in value.items()}
    return value


def _cases(image: str) -> list[dict[str, Any]]:
    rng = random.Random(SEED)
    cases = []
    for number in range(CASES):
        raw: dict[str, Any] = {}
        driver = rng.choice([ABSENT, "qcow9", 5] if rng.random() < INVALID / 2 else list(DRIVERS))
        if driver is not ABSENT:
            raw["driver"] = driver
        node_name = rng.choice([ABSENT, 5, None] if rng.random() < INVALID / 2 else [f"n{number}"])
        if node_name is not ABSENT:
            raw["node-name"] = node_name
        # the shared members come first in QEMU's order: rarely bad, so the drivers' get a turn
        _draw(rng, COMMON, raw, image, INVALID / 4)
        _draw(rng, DRIVERS.get(str(driver), {}), raw, image, INVALID)
        if rng.random() < INVALID:
            raw |= rng.choice(EXTRA)
        items = list(raw.items())
        rng.shuffle(items)
        cases.append(dict(items))
    return cases


def _ours(raw: dict[str, Any]) -> str | None:
    try:
        parse_arguments(BlockdevOptions, raw)
    except QAPIError as error:
        return error.desc
    return None


async def _theirs(client: QMPClient, raw: dict[str, Any]) -> str | None:
    try:
        await client.execute("blockdev-add", raw)
    except ExecuteError as error:
        return str(error)
    await client.execute("blockdev-del", {"node-name": raw["node-name"]})
    return None


def test_random_blockdev_options_agree_with_the_daemon(version: str) -> None:

    async def scenario(image: str) -> tuple[list[Any], dict[str, int]]:
        differences = []
        outcomes = {"accepted": 0, "qapi error": 0, "driver error": 0}
        async with daemon(version) as client:
            await client.execute(
                "blockdev-add", {"driver": "file", "node-name": "f1", "filename": image}
            )
            for raw in _cases(image):
                theirs = await _theirs(client, raw)
                ours = _ours(raw)
                if ours is not None:
                    outcomes["qapi error"] += 1
                    agree = theirs == ours
                else:
                    outcomes["accepted" if theirs is None else "driver error"] += 1
                    agree = theirs is None or not QAPI_ERROR.fullmatch(theirs)
                if not agree:
                    differences.append((raw, theirs, ours))
        return differences, outcomes

    with tempfile.TemporaryDirectory(prefix="qapi-fuzz-") as directory:
        image = os.path.join(directory, "image.raw")
        with open(image, "wb") as file:
            file.truncate(1024 * 1024)
        differences, outcomes = asyncio.run(scenario(image))
    assert differences == []
    assert all(count >= CASES // 20 for count in outcomes.values()), outcomes
