"""Helpers the test suites share: real tools or a clear skip, never a silent one in CI."""

from __future__ import annotations

import os
import shutil

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


def require_root() -> None:
    """Skip a test that needs root (loop devices), saying so."""
    if os.geteuid() != 0:
        pytest.skip("needs root to create loop devices")
