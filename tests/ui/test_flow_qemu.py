"""The whole flow against a qemu-storage-daemon that the window spawns (see tests/ui/flow.py)."""

from __future__ import annotations

import pytest

from tests.support import require_tools
from tests.ui.conftest import run
from tests.ui.flow import whole_flow


@pytest.mark.qemu
def test_whole_flow_on_qemu_storage_daemon(qemu_window, qtbot, qloop, tmp_path) -> None:
    require_tools("qemu-storage-daemon")
    window = qemu_window
    link = run(qtbot, qloop, window.add_daemon())
    assert link.version.startswith("7.") or link.version[0].isdigit()
    window.endpoint_list.setCurrentRow(window.endpoint_list.count() - 1)
    assert window.current == link.name
    whole_flow(window, qtbot, qloop, tmp_path, link.name)
