# SPDX-License-Identifier: GPL-2.0-or-later
"""What a node's file or device holds, as the overwrite questions state it: an image file
exactly, a small device read whole, a large device estimated from spread samples (and saying
so), and what blkid sees on it. Real loop devices."""

from __future__ import annotations

import asyncio
import os
import subprocess
from pathlib import Path

from guimirror.session.target_checks import (
    FULL_READ_LIMIT,
    MeasureMethod,
    measure_data,
    measure_target,
)
from tests.loop_devices import loop_device  # noqa: F401 (a fixture)
from tests.support import require_tools

MiB = 1 << 20
GiB = 1 << 30


def write_random(device: str, offset: int, length: int) -> None:
    fd = os.open(device, os.O_WRONLY)
    try:
        for at in range(offset, offset + length, 4 * MiB):
            os.pwrite(fd, os.urandom(min(4 * MiB, offset + length - at)), at)
        os.fsync(fd)
    finally:
        os.close(fd)


def test_an_image_file_is_measured_exactly(tmp_path: Path) -> None:
    image = tmp_path / "t.img"
    with open(image, "wb") as stream:
        stream.truncate(64 * MiB)
        stream.seek(3 * MiB)
        stream.write(os.urandom(5 * MiB))
    measure = measure_data(str(image))
    assert (measure.size, measure.data, measure.method) == (64 * MiB, 5 * MiB,
                                                            MeasureMethod.EXTENTS)
    assert measure.exact
    assert measure.describe() == "5 MiB of data"


def test_a_large_device_is_estimated_from_samples_and_says_so(loop_device) -> None:  # noqa: F811
    device = loop_device(GiB)
    write_random(device, 0, 300 * MiB)
    measure = measure_data(device)
    assert measure.method is MeasureMethod.SAMPLED and not measure.exact
    assert abs(measure.data - 300 * MiB) <= 30 * MiB, measure
    text = measure.describe()
    assert text.startswith("about 300 MiB of data (estimated from 1024 samples of 64 KiB "
                           "spread over its 1 GiB, 29 % non-zero)"), text


def test_a_small_device_is_read_whole(loop_device) -> None:  # noqa: F811
    device = loop_device(FULL_READ_LIMIT)
    write_random(device, 10 * MiB, 12 * MiB + 4096)
    measure = measure_data(device)
    assert (measure.method, measure.data) == (MeasureMethod.READ, 12 * MiB + 4096)
    assert measure.describe() == "12.0 MiB of data"


def test_a_file_system_on_a_device_is_named(loop_device) -> None:  # noqa: F811
    require_tools("mkfs.ext4")
    device = loop_device(64 * MiB)
    subprocess.run(["mkfs.ext4", "-q", "-L", "data", device], check=True)
    measure = asyncio.run(measure_target(device))
    assert measure.holds == "an ext4 file system 'data'"
    assert measure.describe().endswith(", an ext4 file system 'data'")
    assert not measure.empty
    blank = asyncio.run(measure_target(loop_device(8 * MiB)))
    assert blank.empty and blank.describe() == "0 B of data"
