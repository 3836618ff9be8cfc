# SPDX-License-Identifier: GPL-2.0-or-later
"""The QEMU version a test that compares with a real qemu-storage-daemon runs against."""

from __future__ import annotations

import pytest

from ..support import QEMU_VERSIONS, require_qemu


@pytest.fixture(params=QEMU_VERSIONS)
def version(request: pytest.FixtureRequest) -> str:
    """Each QEMU version in turn (skipped, or failed in CI, when it is not installed)."""
    require_qemu(request.param)
    return str(request.param)
