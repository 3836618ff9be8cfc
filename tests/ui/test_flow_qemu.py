# SPDX-License-Identifier: GPL-2.0-or-later
"""The whole flow against a qemu-storage-daemon that the window spawns (see tests/ui/flow.py)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from tests.support import require_tools
from tests.ui.conftest import run
from tests.ui.flow import whole_flow


@pytest.mark.qemu
def test_whole_flow_on_qemu_storage_daemon(qemu_window, qtbot, qloop, tmp_path) -> None:
    require_tools("qemu-storage-daemon")
    window = qemu_window
    link = run(qtbot, qloop, window.endpoints.add_daemon())
    assert link.version.startswith("7.") or link.version[0].isdigit()
    window.endpoint_list.setCurrentRow(window.endpoint_list.count() - 1)
    assert window.endpoints.current == link.name
    whole_flow(window, qtbot, qloop, tmp_path, link.name)


@pytest.mark.qemu
def test_a_new_qcow2_target_and_its_automatic_granularity(qemu_window, qtbot, qloop,
                                                          tmp_path) -> None:
    """On QEMU the dialog creates a qcow2 image of a given size (qemu-img); the form then
    says what automatic granularity resolves to for its cluster size."""
    from PySide6.QtWidgets import QDialogButtonBox

    require_tools("qemu-storage-daemon", "qemu-img")
    window = qemu_window
    run(qtbot, qloop, window.endpoints.add_daemon())
    window.endpoint_list.setCurrentRow(0)
    dialog = window.nodes.open_add_node()
    dialog.format.setCurrentText("qcow2")
    dialog.path.setText(str(tmp_path / "new.qcow2"))
    dialog.node_name.setText("q0")
    dialog.create_image.setChecked(True)
    dialog.image_size.setText("16M")
    assert dialog.errors == {}
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok),
                     Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "q0" in window.node_model.by_name(), timeout=10000)
    node = window.node_model.by_name()["q0"]
    assert node.format == "qcow2" and node.virtual_size == 16 << 20
    assert node.cluster_size == 65536
    window.form.target.setCurrentText("q0")
    assert window.form.granularity_hint.text() == (
        "automatic: 64 KiB, from the target's cluster size of 64 KiB")
