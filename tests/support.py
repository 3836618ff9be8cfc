# SPDX-License-Identifier: GPL-2.0-or-later
"""Helpers the test suites share: real tools or a clear skip, never a silent one in CI."""

from __future__ import annotations

import asyncio
import inspect
import os
import shutil
from collections.abc import Callable
from typing import Any

import pytest

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def require_tools(*names: str) -> None:
    """Skip the calling test when a QEMU or NBD tool is missing, but fail it in CI.

    CI installs every tool (.ci/run), so there a missing one is a broken set-up, not a reason
    to skip. Elsewhere the skip says which tool was missing and how to get it.
    """
    missing = [name for name in names if shutil.which(name) is None]
    if not missing:
        return
    message = (
        f"needs {', '.join(missing)}: install Debian's qemu-utils, qemu-system-common and "
        "libnbd-bin (packaging/setup.sh does)"
    )
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


def require_root(why: str = "to create loop devices") -> None:
    """Skip a test that needs root (loop devices, mounts), saying so."""
    if os.geteuid() != 0:
        pytest.skip(f"needs root {why}")


#: The QEMU versions the suite runs against: Debian 12's (on PATH) and Debian 13's 10.0, which
#: packaging/setup.sh unpacks from bookworm-backports into /opt/qemu-10.0 (or $GUIMIRROR_QEMU10).
QEMU_VERSIONS = ("7.2", "10.0")


def qemu_program(version: str, name: str = "qemu-storage-daemon") -> str:
    """The path (or, for the system's QEMU, the name) of QEMU ``version``'s tool ``name``."""
    if version == QEMU_VERSIONS[0]:
        return name
    prefix = os.environ.get("GUIMIRROR_QEMU10", "/opt/qemu-10.0")
    return os.path.join(prefix, "usr", "bin", name)


def require_qemu(version: str) -> str:
    """qemu-storage-daemon of QEMU ``version``, or a skip (a failure in CI) saying how to get it."""
    program = qemu_program(version)
    if version == QEMU_VERSIONS[0]:
        require_tools(program)
    elif not os.access(program, os.X_OK):
        message = (f"needs QEMU {version}'s qemu-storage-daemon at {program}: run "
                   "packaging/setup.sh test (or point GUIMIRROR_QEMU10 at its prefix)")
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return program


async def wait_until(predicate: Callable[[], Any], within: float = 20.0) -> None:
    """Poll ``predicate`` (a function, or a coroutine function) every 10 ms until it is true;
    fail after ``within`` seconds. The one wait of the asyncio tests (GUI tests wait with
    pytest-qt's ``qtbot.waitUntil``)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while True:
        value = predicate()
        if inspect.isawaitable(value):
            value = await value
        if value:
            return
        assert loop.time() < deadline, "condition not reached in time"
        await asyncio.sleep(0.01)
