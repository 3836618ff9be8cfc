# SPDX-License-Identifier: GPL-2.0-or-later
"""``loop_device(size)``: loop devices over sparse images, detached at teardown. Import the
fixture into a test module to use it."""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.support import require_root, require_tools


@pytest.fixture
def loop_device(tmp_path: Path) -> Iterator[Callable[[int], str]]:
    """``loop_device(size)``: a loop device over a new sparse image of ``size`` bytes."""
    require_root()
    require_tools("losetup")
    devices: list[str] = []

    def attach(size: int) -> str:
        image = tmp_path / f"loop{len(devices)}.img"
        with open(image, "wb") as f:
            f.truncate(size)
        result = subprocess.run(
            ["losetup", "--find", "--show", str(image)], capture_output=True, text=True
        )
        if result.returncode != 0:
            pytest.skip(f"no loop device: {result.stderr.strip()}")
        devices.append(result.stdout.strip())
        return devices[-1]

    try:
        yield attach
    finally:
        for device in devices:
            subprocess.run(["umount", device], capture_output=True)
            subprocess.run(["losetup", "-d", device], capture_output=True)
