# SPDX-License-Identifier: GPL-2.0-or-later
"""The .deb is reproducible: made again from the same bundle with the same SOURCE_DATE_EPOCH,
packaging/deb/build-deb.sh writes the very same bytes. (The PyInstaller bundle of one commit is
the same from build to build: PYTHONHASHSEED is fixed and nothing else varies.)"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import guimirror
from tests.packaging.conftest import TOP, require_program, skip_or_fail

BUILD_PYTHON = TOP / "build" / "venv" / "bin" / "python"


def build_epoch(deb: Path) -> int:
    """The SOURCE_DATE_EPOCH that made the .deb: the time every file in it carries."""
    listing = subprocess.run(
        ["dpkg-deb", "--contents", str(deb)], capture_output=True, text=True, check=True
    ).stdout
    stamps = {tuple(line.split(None, 5)[3:5]) for line in listing.splitlines()}
    assert len(stamps) == 1, f"the .deb's files carry {len(stamps)} different times"
    with open(deb, "rb") as archive:
        header = archive.read(8 + 60)
    # The ar header of the first member: its mtime, in seconds, is SOURCE_DATE_EPOCH.
    epoch = int(header[8 + 16 : 8 + 28].decode().strip())
    return epoch


def test_deb_built_again_is_identical(deb_path: Path, tmp_path: Path) -> None:
    require_program("dpkg-shlibdeps", "dpkg-dev")
    bundle = TOP / "dist" / "guimirror"
    if not BUILD_PYTHON.exists() or not (bundle / "guimirror").exists():
        skip_or_fail("needs the bundle and its build environment: run packaging/build.sh first")
    epoch = build_epoch(deb_path)
    subprocess.run(
        ["bash", str(TOP / "packaging" / "deb" / "build-deb.sh"), str(bundle), str(tmp_path),
         guimirror.__version__, str(BUILD_PYTHON)],
        check=True, capture_output=True, timeout=1800,
        env={**os.environ, "SOURCE_DATE_EPOCH": str(epoch)},
    )
    again = tmp_path / deb_path.name
    assert again.read_bytes() == deb_path.read_bytes(), (
        "two builds differ; compare them with diffoscope")
