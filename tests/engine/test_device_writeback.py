# SPDX-License-Identifier: GPL-2.0-or-later
"""Copies to block devices: request sizes (QEMU's, whatever max_sectors_kb says; a multiple of
the device's optimal size), and the job's write-back (a flush of the target while the copy
goes on) as a tracked operation."""

from __future__ import annotations

import asyncio
import os
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from guimirror.engine import io
from guimirror.engine import mirror as mirror_module
from guimirror.engine.engine import Engine
from tests.engine.mirror_support import (
    EventLog,
    KiB,
    MiB,
    add_node,
    complete_and_wait,
    make_image,
    mirror,
    same_content,
)
from tests.support import require_root, require_tools, wait_until

SIZE = 48 * MiB


@pytest.fixture
def loop_device(tmp_path: Path) -> Iterator[Callable[[Path], str]]:
    """``attach(image)``: a loop device over ``image``; detached after the test."""
    require_root()
    require_tools("losetup")
    devices: list[str] = []

    def attach(image: Path) -> str:
        devices.append(
            subprocess.run(
                ["losetup", "--find", "--show", str(image)],
                check=True,
                capture_output=True,
                text=True,
            ).stdout.strip()
        )
        return devices[-1]

    yield attach
    for device in devices:
        subprocess.run(["losetup", "--detach", device], check=False)


class FlushRecorder:
    """Wraps os.fdatasync and os.close: each flush takes ``delay`` seconds (a slow device),
    and every close records how many flushes of its descriptor were running then."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, delay: float) -> None:
        self.lock = threading.Lock()
        self.running: dict[int, int] = {}
        self.flushes: list[tuple[int, float, float]] = []
        self.max_running = 0
        self.closes: list[tuple[int, int]] = []
        real_fdatasync, real_close = os.fdatasync, os.close

        def fdatasync(fd: int) -> None:
            with self.lock:
                self.running[fd] = self.running.get(fd, 0) + 1
                self.max_running = max(self.max_running, self.running[fd])
            start = time.monotonic()
            try:
                time.sleep(delay)
                real_fdatasync(fd)
            finally:
                with self.lock:
                    self.running[fd] -= 1
                    self.flushes.append((fd, start, time.monotonic()))

        def close(fd: int) -> None:
            with self.lock:
                self.closes.append((fd, self.running.get(fd, 0)))
            real_close(fd)

        monkeypatch.setattr(os, "fdatasync", fdatasync)
        monkeypatch.setattr(os, "close", close)

    def flushes_of(self, fd: int) -> list[tuple[int, float, float]]:
        with self.lock:
            return [flush for flush in self.flushes if flush[0] == fd]

    def flushing(self, fd: int) -> bool:
        with self.lock:
            return self.running.get(fd, 0) > 0


async def device_pair(engine: Engine, source: Path, device: str) -> int:
    """src (a file) and tgt (the device, O_DIRECT); the target's descriptor."""
    await add_node(engine, driver="file", node_name="src", filename=str(source))
    await add_node(
        engine, driver="host_device", node_name="tgt", filename=device, cache={"direct": True}
    )
    target = engine.graph.find_node("tgt")
    assert target is not None
    plain = target.plain_fd()
    assert plain is not None and plain.limits is not None
    return plain.fd


def test_write_back_runs_during_the_copy_one_at_a_time(
    tmp_path: Path, loop_device: Callable[[Path], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Flushes start before READY, never two at once, and the target matches the source."""
    monkeypatch.setattr(mirror_module, "WRITEBACK_BYTES", 4 * MiB)
    source = make_image(tmp_path / "src.img", SIZE, ((0, SIZE, None),))
    device = loop_device(make_image(tmp_path / "dev.img", SIZE, ((0, SIZE, 0x42),)))
    recorder = FlushRecorder(monkeypatch, delay=0.02)

    async def scenario() -> None:
        engine = Engine()
        log = EventLog(engine)
        target_fd = await device_pair(engine, source, device)
        await mirror(engine, job_id="j", device="src", target="tgt", sync="full")
        await log.wait("BLOCK_JOB_READY", "j")
        ready = time.monotonic()
        before_ready = [f for f in recorder.flushes_of(target_fd) if f[2] <= ready]
        assert len(before_ready) >= 2  # write-backs during the copy, and the one before READY
        done = await complete_and_wait(engine, log, "j")
        assert "error" not in done and done["offset"] == SIZE
        await engine.close()

    asyncio.run(scenario())
    assert recorder.max_running == 1
    assert same_content(source, Path(device))


def test_a_write_back_never_overlaps_the_close_of_its_descriptor(
    tmp_path: Path, loop_device: Callable[[Path], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The engine closes while a (slow) write-back runs: the job waits for it, and the
    target's descriptor is closed only after the flush returned."""
    monkeypatch.setattr(mirror_module, "WRITEBACK_BYTES", 4 * MiB)
    source = make_image(tmp_path / "src.img", SIZE, ((0, SIZE, None),))
    device = loop_device(make_image(tmp_path / "dev.img", SIZE))
    recorder = FlushRecorder(monkeypatch, delay=0.5)

    async def scenario() -> None:
        engine = Engine()
        log = EventLog(engine)
        target_fd = await device_pair(engine, source, device)
        await mirror(engine, job_id="j", device="src", target="tgt", sync="full", speed=16 * MiB)

        async def flushing() -> bool:
            return recorder.flushing(target_fd)

        await wait_until(flushing)
        await engine.close()
        assert log.find("BLOCK_JOB_CANCELLED", "j")
        closes = [running for fd, running in recorder.closes if fd == target_fd]
        assert closes == [0]
        assert recorder.flushes_of(target_fd)

    asyncio.run(scenario())


def test_request_limits_come_from_the_devices_queue(
    tmp_path: Path, loop_device: Callable[[Path], str]
) -> None:
    device = loop_device(make_image(tmp_path / "dev.img", 4 * MiB))
    queue = Path("/sys/block") / Path(device).name / "queue"
    fd = os.open(device, os.O_RDONLY)
    try:
        limits = io.request_limits(fd)
    finally:
        os.close(fd)
    assert limits == io.RequestLimits(optimal=int((queue / "optimal_io_size").read_text()))
    regular = os.open(tmp_path / "dev.img", os.O_RDONLY)
    try:
        assert io.request_limits(regular) is None
    finally:
        os.close(regular)


def test_a_copy_keeps_qemus_size_above_the_devices_max_sectors(
    tmp_path: Path, loop_device: Callable[[Path], str]
) -> None:
    """max_sectors_kb lowered to 256: a 32 MiB buf-size still copies in QEMU's 2 MiB requests
    (the kernel splits them), not in 256 KiB ones, and the data arrives whole."""
    size = 8 * MiB
    source = make_image(tmp_path / "src.img", size, ((0, size, None),))
    device = loop_device(make_image(tmp_path / "dev.img", size, ((0, size, 0x42),)))
    max_sectors = Path("/sys/block") / Path(device).name / "queue" / "max_sectors_kb"
    try:
        max_sectors.write_text("256\n")
    except OSError as exc:
        pytest.skip(f"max_sectors_kb cannot be changed here: {exc}")

    async def scenario() -> None:
        engine = Engine()
        log = EventLog(engine)
        await device_pair(engine, source, device)
        await mirror(
            engine, job_id="j", device="src", target="tgt", sync="full", buf_size=32 * MiB
        )
        job = engine.jobs["j"]
        assert job.max_io_bytes == 2 * MiB  # type: ignore[attr-defined]
        done = await complete_and_wait(engine, log, "j")
        assert "error" not in done and done["offset"] == size
        await engine.close()

    asyncio.run(scenario())
    assert same_content(source, Path(device))


def test_copy_size_rules() -> None:
    """QEMU's size, a multiple of the largest optimal size that fits, whole granules."""
    loop = io.RequestLimits(optimal=0)
    raid = io.RequestLimits(optimal=384 * KiB)
    disk, file = io.PlainFd(3, limits=loop), io.PlainFd(4)
    assert io.copy_size(MiB, 64 * KiB, file, file) == MiB
    assert io.copy_size(2 * MiB, 64 * KiB, file, disk) == 2 * MiB
    assert io.copy_size(2 * MiB, 64 * KiB, io.PlainFd(5, limits=raid), file) == 1920 * KiB
    assert io.copy_size(MiB, 64 * KiB, io.PlainFd(5, limits=raid), disk) == 768 * KiB
    assert io.copy_size(256 * KiB, 64 * KiB, io.PlainFd(5, limits=raid), disk) == 256 * KiB
    assert io.copy_size(64 * KiB, MiB, disk, disk) == MiB
