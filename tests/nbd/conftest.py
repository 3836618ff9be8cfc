# SPDX-License-Identifier: GPL-2.0-or-later
"""Fixtures of the NBD tests: a short socket directory and real image files."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

IMAGE_SIZE = 4 * 1024 * 1024


@pytest.fixture
def sock_dir() -> Iterator[Path]:
    """A directory with a short path: unix socket paths are limited to 107 bytes."""
    path = Path(tempfile.mkdtemp(prefix="nbd-", dir="/tmp"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


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
