# SPDX-License-Identifier: GPL-2.0-or-later
"""guimirror.selftest: the real mirror it runs passes without Qt, and it reports a job that
fails before READY in the user's terms."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from guimirror.qapi.errors import QAPIError
from guimirror.qapi.events import BlockJobCancelled, BlockJobCompleted, BlockJobReady
from guimirror.selftest import (
    EventWaiter,
    SelfTestError,
    create_target_image,
    mirror_through_ready_and_complete,
    write_source_image,
)

# Runs the self-test in a child whose imports of Qt fail: the self-test is Qt-free, so the
# bundle's --self-test works without a display and guimirror-daemon could run it too.
WITHOUT_QT = textwrap.dedent(
    """
    import importlib.abc, sys

    class BlockQt(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in ("PySide6", "shiboken6", "qasync", "pyqtgraph"):
                raise ImportError(f"the self-test imported {name}")
            return None

    sys.meta_path.insert(0, BlockQt())
    from guimirror.selftest import main
    sys.exit(main())
    """
)


def test_self_test_mirrors_through_ready_and_complete_without_qt() -> None:
    child = subprocess.run(
        [sys.executable, "-c", WITHOUT_QT], capture_output=True, text=True, timeout=120
    )
    assert child.returncode == 0, child.stdout + child.stderr
    assert "self-test passed" in child.stdout
    assert "source and target are identical" in child.stdout


def mirror_event(cls: type, **extra: object) -> object:
    return cls(type="mirror", device="self-test", len=4096, offset=0, speed=0, **extra)


def wait_after(events: list[object], name: str) -> object:
    async def scenario() -> object:
        waiter = EventWaiter()
        for event in events:
            waiter(event)
        return await waiter.wait_for(name)

    return asyncio.run(scenario())


def test_waiter_returns_the_awaited_event() -> None:
    ready = mirror_event(BlockJobReady)
    assert wait_after([ready], "BLOCK_JOB_READY") is ready


def test_a_job_that_fails_before_ready_is_reported_with_its_error() -> None:
    failed = mirror_event(BlockJobCompleted, error="Source and target image have different sizes")
    with pytest.raises(SelfTestError, match="ended before BLOCK_JOB_READY: Source and target"):
        wait_after([failed], "BLOCK_JOB_READY")


def test_a_cancelled_job_is_reported() -> None:
    with pytest.raises(SelfTestError, match="cancelled before BLOCK_JOB_READY"):
        wait_after([mirror_event(BlockJobCancelled)], "BLOCK_JOB_READY")


def test_a_mirror_the_engine_refuses_fails_the_self_test(tmp_path: Path) -> None:
    source, target = tmp_path / "source.raw", tmp_path / "target.raw"
    write_source_image(source, 1024 * 1024)
    create_target_image(target, 512 * 1024)
    with pytest.raises((QAPIError, SelfTestError), match="different sizes"):
        asyncio.run(mirror_through_ready_and_complete(source, target))
    assert target.read_bytes() == bytes(512 * 1024)
