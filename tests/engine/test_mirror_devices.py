# SPDX-License-Identifier: GPL-2.0-or-later
"""Mirrors to and from block devices (host_device nodes on loop devices)."""

from __future__ import annotations

import asyncio
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from guimirror.engine.engine import Engine
from tests.engine.mirror_support import (
    EventLog,
    KiB,
    MiB,
    add_driver_pair,
    add_node,
    backend_on,
    complete_and_wait,
    make_image,
    mirror,
    run,
    same_content,
)
from tests.support import require_root, require_tools

SIZE = 8 * MiB


@pytest.fixture
def loop_device(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A loop device over an 8 MiB file full of 0x42 junk: (device path, backing file)."""
    require_root()
    require_tools("losetup")
    backing = make_image(tmp_path / "device.img", SIZE, ((0, SIZE, 0x42),))
    device = subprocess.run(
        ["losetup", "--find", "--show", str(backing)], check=True, capture_output=True, text=True
    ).stdout.strip()
    try:
        yield device, backing
    finally:
        subprocess.run(["losetup", "--detach", device], check=False)


async def add_raw_pair(engine: Engine, source: dict[str, str], target: dict[str, str]) -> None:
    """``raw`` nodes ``src`` and ``tgt`` over the protocol nodes ``source`` and ``target``."""
    await add_node(engine, driver="raw", node_name="src", file=source)
    await add_node(engine, driver="raw", node_name="tgt", file=target)


def test_file_to_loop_device_replaces_junk_and_pivots(
    tmp_path: Path, loop_device: tuple[str, Path]
) -> None:
    device, _backing = loop_device
    src = make_image(tmp_path / "src.img", SIZE, ((0, MiB, None), (5 * MiB + 7, 300 * KiB, None)))

    async def scenario() -> None:
        engine = Engine()
        log = EventLog(engine)
        await add_raw_pair(
            engine,
            {"driver": "file", "filename": str(src)},
            {"driver": "host_device", "filename": device},
        )
        user = backend_on(engine, "src")
        await mirror(engine, job_id="j", device="src", target="tgt", sync="full")
        await user.pwrite(2 * MiB, b"\x17" * 4096)
        done = await complete_and_wait(engine, log, "j")
        assert "error" not in done
        assert user.node.node_name == "tgt"
        await engine.close()

    asyncio.run(scenario())
    with open(device, "rb") as dev, open(src, "rb") as image:
        assert dev.read(SIZE) == image.read()


def test_loop_device_to_file(tmp_path: Path, loop_device: tuple[str, Path]) -> None:
    device, backing = loop_device

    async def scenario() -> None:
        engine = Engine()
        log = EventLog(engine)
        tgt = make_image(tmp_path / "tgt.img", SIZE)
        await add_raw_pair(
            engine,
            {"driver": "host_device", "filename": device},
            {"driver": "file", "filename": str(tgt)},
        )
        await mirror(
            engine,
            job_id="j",
            device="src",
            target="tgt",
            sync="full",
            granularity=4096,
            buf_size=MiB,
        )
        await log.wait("BLOCK_JOB_READY", "j")
        await run(engine, "block-job-cancel", {"device": "j"})
        done = await log.wait("BLOCK_JOB_COMPLETED", "j")
        assert "error" not in done and done["offset"] == done["len"] == SIZE
        await engine.close()
        assert same_content(backing, tgt)

    asyncio.run(scenario())


@pytest.fixture
def direct_io_loop_devices(tmp_path: Path) -> Iterator[tuple[str, str, Path]]:
    """Two 8 MiB loop devices with direct I/O to their backing files (``losetup
    --direct-io=on``, as the benchmark's second kind of device): random data and 0x42 junk.
    (source device, target device, the source's backing file); both detached afterwards."""
    require_root()
    require_tools("losetup")
    source = make_image(tmp_path / "dio-src.img", SIZE, ((0, SIZE, None),))
    target = make_image(tmp_path / "dio-tgt.img", SIZE, ((0, SIZE, 0x42),))
    devices: list[str] = []
    try:
        for image in (source, target):
            devices.append(
                subprocess.run(
                    ["losetup", "--find", "--show", "--direct-io=on", str(image)],
                    check=True,
                    capture_output=True,
                    text=True,
                ).stdout.strip()
            )
            if (Path("/sys/block") / Path(devices[-1]).name / "loop" / "dio").read_text() != "1\n":
                pytest.skip(f"no direct I/O for loop devices over {tmp_path}")
        yield devices[0], devices[1], source
    finally:
        for device in devices:
            subprocess.run(["losetup", "--detach", device], check=False)


@pytest.mark.parametrize("direct", [False, True], ids=["page-cache", "cache.direct"])
def test_between_loop_devices_with_direct_io(
    direct_io_loop_devices: tuple[str, str, Path], direct: bool
) -> None:
    """Source and target are direct-I/O loop devices (several requests in flight below each):
    the copy in QEMU's 1 MiB requests with writes landing during it ends with the target equal
    to the source, in both cache modes."""
    source, target, _backing = direct_io_loop_devices

    async def scenario() -> None:
        engine = Engine()
        log = EventLog(engine)
        await add_driver_pair(engine, "host_device", source, target, cache={"direct": direct})
        user = backend_on(engine, "src")
        await mirror(engine, job_id="j", device="src", target="tgt", sync="full")
        assert engine.jobs["j"].max_io_bytes == MiB  # type: ignore[attr-defined]
        for offset in (0, 3 * MiB + 512, SIZE - 4096):
            await user.pwrite(offset, bytes([offset % 251 + 1]) * 4096)
        done = await complete_and_wait(engine, log, "j")
        assert "error" not in done and done["offset"] == done["len"]
        await engine.close()

    asyncio.run(scenario())
    assert same_content(Path(source), Path(target))
