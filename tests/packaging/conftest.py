# SPDX-License-Identifier: GPL-2.0-or-later
"""What the packaging tests share: the tools they need and what packaging/build.sh produced.

The .deb is built by packaging/build.sh (packaging/test.sh and CI run it before pytest). When
it is absent, a test that needs it skips here and fails in CI, saying how to build it.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

import guimirror
from tests.support import IN_CI

TOP = Path(__file__).resolve().parents[2]
APP_ID = "io.github.guimirror.GuiMirror"
LINUX = TOP / "packaging" / "linux"
DESKTOP_FILE = LINUX / f"{APP_ID}.desktop"
METAINFO_FILE = LINUX / f"{APP_ID}.metainfo.xml"
ICON_FILE = TOP / "guimirror" / "resources" / "guimirror.svg"


def skip_or_fail(message: str) -> None:
    """Skip the calling test locally; fail it in CI, where every artifact and tool must exist."""
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


def require_program(name: str, debian_package: str) -> str:
    """The path of a program, or a skip (a failure in CI) that names its Debian package."""
    path = shutil.which(name)
    if path is None:
        skip_or_fail(
            f"needs {name}: install Debian's {debian_package} (packaging/setup.sh test does)"
        )
    assert path is not None
    return path


def deb_architecture() -> str:
    require_program("dpkg", "dpkg")
    return subprocess.run(
        ["dpkg", "--print-architecture"], capture_output=True, text=True, check=True
    ).stdout.strip()


@pytest.fixture(scope="session")
def deb_path() -> Path:
    """The .deb that packaging/build.sh made for this checkout's version."""
    require_program("dpkg-deb", "dpkg")
    path = TOP / "dist" / f"guimirror_{guimirror.__version__}_{deb_architecture()}.deb"
    if not path.is_file():
        skip_or_fail(f"{path.relative_to(TOP)} is missing: run packaging/build.sh first")
    return path


@pytest.fixture(scope="session")
def unpacked_root(deb_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A scratch root with the .deb unpacked into it (dpkg -x, as the package would install)."""
    root = tmp_path_factory.mktemp("deb-root")
    subprocess.run(["dpkg", "-x", str(deb_path), str(root)], check=True, timeout=300)
    return root
