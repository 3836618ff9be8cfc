# SPDX-License-Identifier: GPL-2.0-or-later
"""Fixtures of the NBD tests: real image files (the short socket directory, sock_dir, is
the suite's)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

IMAGE_SIZE = 4 * 1024 * 1024


@pytest.fixture
def image(tmp_path: Path) -> Path:
    """A 4 MiB raw image: 1 MiB of pattern (each 4 KiB block its own byte), then a hole."""
    path = tmp_path / "disk.raw"
    with path.open("wb") as f:
        f.write(b"".join(bytes([i % 251 + 1]) * 4096 for i in range(256)))
        f.truncate(IMAGE_SIZE)
    return path


def fresh_copy(source: Path, name: str) -> Path:
    target = source.with_name(name)
    shutil.copyfile(source, target)
    os.truncate(target, source.stat().st_size)
    return target
